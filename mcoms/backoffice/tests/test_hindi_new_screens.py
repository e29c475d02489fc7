"""The new back-office screens (packages, acquisition) read in Hindi."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.builders import World


@pytest.fixture
def hindi_manager(world: World, as_user: Callable[[str], Client]) -> Client:
    user = world.user("ho_manager")
    user.language = "hi"
    user.save(update_fields=["language"])
    client = as_user("ho_manager")
    client.post("/i18n/setlang/", {"language": "hi", "next": "/backoffice/"})
    return client


def test_the_packages_page_is_in_hindi(hindi_manager: Client) -> None:
    response = hindi_manager.get("/backoffice/packages/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="hi"' in html
    assert "प्रकार और समय कोड" in html  # Type and timing codes
    assert "बिलिंग प्रकार" in html  # Billing type
    assert "पेशकश में" in html  # Offered
    assert "Type and timing codes" not in html


def test_the_acquisition_board_is_in_hindi(hindi_manager: Client) -> None:
    response = hindi_manager.get("/backoffice/acquisition/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="hi"' in html
    assert "ग्राहक जोड़ने की प्रक्रिया" in html  # Acquisition pipeline
    assert "सभी संभावित ग्राहक" in html  # All prospects
    assert "Acquisition pipeline" not in html


def test_the_new_package_form_is_in_hindi(hindi_manager: Client) -> None:
    # The form's labels are marked with L() in views/packages.py, which
    # makemessages does not extract: this fails if a rerun drops them.
    html = hindi_manager.get("/backoffice/packages/new/").content.decode()
    assert "अधिकतम लोड (W)" in html  # Maximum load (W)
    assert "जमा राशि का नियम" in html  # Deposit rule
    assert "अभी पेशकश में" in html  # Offered now
