"""The collection and cash screens read in Hindi (back office and field app),
and a refusal of the deposit service comes in the reader's language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from mcoms.cash.tests.kit import deposit
from mcoms.core.errors import ValidationFailed
from tests.builders import World


def hindi(world: World, username: str, home: str) -> Client:
    user = world.user(username)
    user.language = "hi"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "hi", "next": home})
    return client


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/backoffice/reports/cash-register/", ["कैश रजिस्टर", "सेवा के अनुसार वसूली"]),
        ("/backoffice/reports/ageing/", ["बकाया आयु विश्लेषण", "90 दिन से अधिक"]),
        ("/backoffice/reports/total-collection/", ["कुल वसूली", "वर्ष में अब तक बकाया"]),
        ("/backoffice/cash/", ["हाथ में नकद", "सत्यापन की प्रतीक्षा में जमा"]),
        ("/backoffice/cash/deposits/review/", ["बैंक जमा समीक्षा", "विसंगतियाँ"]),
        ("/backoffice/cash/limits/", ["हाथ में नकद की सीमा", "पूरी कंपनी"]),
        (
            "/backoffice/customers/BHKATS00101/deposit-ledger/",
            ["सुरक्षा और जमा खाता बही"],
        ),
    ],
)
def test_back_office_pages(world: World, url: str, words: list[str]) -> None:
    html = hindi(world, "admin", "/backoffice/").get(url).content.decode()
    assert 'lang="hi"' in html
    for word in words:
        assert word in html, word


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/field/bank-deposit/", ["बैंक जमा", "आपके हाथ में नकद", "जमा जोड़ें"]),
        ("/field/bank-deposit/new/", ["बैंक जमा विवरण", "जमा पर्ची की फ़ोटो"]),
        ("/field/receivables/", ["प्राप्य राशि", "बकाया"]),
        ("/field/cash-register/", ["कैश रजिस्टर"]),
        ("/field/consumers/BHKATS00101/cash-ledger/", ["नकद खाता बही"]),
    ],
)
def test_field_pages(world: World, url: str, words: list[str]) -> None:
    html = hindi(world, "csa", "/field/").get(url).content.decode()
    for word in words:
        assert word in html, word


def test_the_refusal_is_in_hindi(
    world: World, settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    with translation.override("hi"), pytest.raises(ValidationFailed) as caught:
        deposit(world.user("csa"), world.plants["BHKATS"], "10")
    assert "आपके पास 0.00 नकद है" in caught.value.message
