"""The acquisition pipeline in the back office: the board (counts per stage
per plant, cluster subtotals, grand total, links to the lists), the prospect
list and its filters, the read-only prospect page and its KYC files; scope
(404) and designation (403) refusals."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from mcoms.acquisition import services
from mcoms.acquisition.models import KycDocument, Prospect
from mcoms.org.models import Pole
from tests.builders import World, customer_user
from tests.pipeline_kit import Stock, png_bytes, stock, survey, walk

BOARD = "/backoffice/acquisition/"
LIST = "/backoffice/acquisition/prospects/"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def kit(world: World) -> Stock:
    return stock(world)


def at(world: World, plant: str, n: int, **over: Any) -> Prospect:
    """A surveyed prospect at a plant, by that plant's CSA (or the admin)."""
    by = {"BHKATS": "csa", "BHSIKA": "sika_csa"}.get(plant, "admin")
    return survey(
        world,
        by=by,
        plant=world.plants[plant],
        pole=Pole.objects.get(plant=world.plants[plant], number=1),
        name=f"{plant} prospect {n}",
        phone=f"+9198765{n:05d}",
        **over,
    )


@pytest.fixture
def pipeline(world: World, kit: Stock) -> dict[str, Prospect]:
    """KATS: one active, one at KYC, one rejected, one surveyed; MADH: one
    surveyed; SIKA: one at marketing; GORA (UP): one surveyed."""
    p = {
        "active": walk(world, kit, at(world, "BHKATS", 1), "activation"),
        "kyc": walk(world, kit, at(world, "BHKATS", 2), "kyc"),
        "rejected": at(world, "BHKATS", 3),
        "kats": at(world, "BHKATS", 4),
        "madh": at(world, "BHMADH", 5),
        "sika": walk(world, kit, at(world, "BHSIKA", 6), "marketing"),
        "gora": at(world, "UPGORA", 7),
    }
    services.prospect_reject(
        prospect=p["rejected"], reason="moved away", by=world.user("csa")
    )
    return p


def counts(row: Any) -> dict[str, int]:
    return {k: v for k, v in row.counts.items() if v}


# --- the board --------------------------------------------------------------------
def test_the_board_counts_per_stage_per_plant_with_subtotals(
    world, pipeline, as_user: Callable[[str], Client]
) -> None:
    response = as_user("state_incharge").get(BOARD)
    assert response.status_code == 200
    groups = {g["cluster"].key: g for g in response.context["groups"]}
    assert list(groups) == ["BH-NORTH", "BH-SOUTH"]  # UP is outside the scope
    north = {row.key: row for row, _cells in groups["BH-NORTH"]["plants"]}
    assert counts(north["BHKATS"]) == {
        "survey": 1,
        "kyc": 1,
        "activation": 1,
        "rejected": 1,
    }
    assert north["BHKATS"].total == 4
    assert counts(north["BHMADH"]) == {"survey": 1}
    subtotal = groups["BH-NORTH"]["subtotal"][0]
    assert counts(subtotal) == {"survey": 2, "kyc": 1, "activation": 1, "rejected": 1}
    assert counts(groups["BH-SOUTH"]["subtotal"][0]) == {"marketing": 1}
    total = response.context["total"][0]
    assert total.total == 6
    assert counts(total) == {
        "survey": 2,
        "marketing": 1,
        "kyc": 1,
        "activation": 1,
        "rejected": 1,
    }


def test_every_count_links_to_the_list_it_counts(
    world, pipeline, as_user: Callable[[str], Client]
) -> None:
    client = as_user("state_incharge")
    html = client.get(BOARD).content.decode()
    link = r'<a (?:style="[^"]*" )?href="(/backoffice/acquisition/prospects/\?[^"]*)">'
    links = re.findall(link + r"(\d+)</a>", html)
    assert len(links) == (3 + 2 + 1) * 10  # (plants + subtotals + total) x columns
    for href, shown in links:
        listed = client.get(href.replace("&amp;", "&"))
        assert listed.status_code == 200, href
        assert listed.context["page"].paginator.count == int(shown), href
    assert f'{LIST}?cluster=BH-NORTH&amp;stage=survey&amp;rejected=0">2</a>' in html
    assert f'{LIST}?plant=BHKATS&amp;rejected=1">1</a>' in html


def test_the_board_of_a_cluster_in_charge(
    world, pipeline, as_user: Callable[[str], Client]
) -> None:
    response = as_user("cluster_incharge").get(BOARD)
    assert [g["cluster"].key for g in response.context["groups"]] == ["BH-NORTH"]
    assert response.context["total"][0].total == 5
    html = response.content.decode()
    assert "BHSIKA" not in html and "UPGORA" not in html


def test_field_designations_and_customers_are_kept_out(
    world, as_user: Callable[[str], Client], client: Client
) -> None:
    for url in [BOARD, LIST]:
        assert as_user("csa").get(url).status_code == 403
        assert as_user("technician").get(url).status_code == 403
        assert client.get(url)["Location"].startswith("/backoffice/login/")
    client.force_login(customer_user(world))
    assert client.get(BOARD)["Location"] == "/selfcare/"


def test_the_nav_links_the_board(world, as_user: Callable[[str], Client]) -> None:
    html = as_user("admin").get(BOARD).content.decode()
    assert f'<a href="{BOARD}" aria-current="page">Acquisition</a>' in html


# --- the list ---------------------------------------------------------------------
def names(response: Any) -> set[str]:
    return {p.name for p in response.context["page"]}


def test_the_list_filters(world, pipeline, as_user: Callable[[str], Client]) -> None:
    client = as_user("admin")
    assert len(names(client.get(LIST))) == 7
    assert names(client.get(LIST, {"plant": "BHMADH"})) == {"BHMADH prospect 5"}
    assert names(client.get(LIST, {"cluster": "BH-SOUTH"})) == {"BHSIKA prospect 6"}
    assert names(client.get(LIST, {"stage": "survey", "rejected": "0"})) == {
        "BHKATS prospect 4",
        "BHMADH prospect 5",
        "UPGORA prospect 7",
    }
    assert names(client.get(LIST, {"stage": "survey"})) == {
        "BHKATS prospect 3",
        "BHKATS prospect 4",
        "BHMADH prospect 5",
        "UPGORA prospect 7",
    }
    assert names(client.get(LIST, {"rejected": "1"})) == {"BHKATS prospect 3"}
    assert names(client.get(LIST, {"q": "prospect 2"})) == {"BHKATS prospect 2"}


def test_a_filter_outside_the_scope_is_404(
    world, pipeline, as_user: Callable[[str], Client]
) -> None:
    client = as_user("cluster_incharge")
    assert client.get(LIST, {"plant": "BHSIKA"}).status_code == 404
    assert client.get(LIST, {"cluster": "BH-SOUTH"}).status_code == 404
    assert names(client.get(LIST)) == {
        "BHKATS prospect 1",
        "BHKATS prospect 2",
        "BHKATS prospect 3",
        "BHKATS prospect 4",
        "BHMADH prospect 5",
    }


# --- one prospect -------------------------------------------------------------------
def test_the_prospect_page_is_read_only_with_its_history(
    world, pipeline, as_user: Callable[[str], Client]
) -> None:
    prospect = pipeline["active"]
    response = as_user("cluster_incharge").get(f"{LIST}{prospect.ref}/")
    html = response.content.decode()
    assert response.status_code == 200
    done = [
        (e.stage, e.by.username) for e in response.context["events"] if e.kind == "done"
    ]
    assert done == [
        ("survey", "csa"),
        ("marketing", "csa"),
        ("acquisition", "csa"),
        ("kyc", "csa"),
        ("package", "csa"),
        ("account", "csa"),
        ("meter", "technician"),
        ("activation", "technician"),
    ]
    assert prospect.customer.customer_id in html
    assert 'method="post"' not in html.split("<main>")[1]  # read-only
    assert response.context["history"]  # record changes, for those who audit


def test_a_kyc_file_is_served_within_the_scope(
    world, pipeline, as_user: Callable[[str], Client]
) -> None:
    prospect = pipeline["kyc"]
    document = KycDocument.objects.get(prospect=prospect)
    url = f"{LIST}{prospect.ref}/documents/{document.pk}/"
    page = as_user("cluster_incharge").get(f"{LIST}{prospect.ref}/").content.decode()
    assert f'href="{url}"' in page
    response = as_user("cluster_incharge").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()
    other = pipeline["sika"]
    assert as_user("cluster_incharge").get(f"{LIST}{other.ref}/").status_code == 404
    assert (
        as_user("cluster_incharge")
        .get(f"{LIST}{other.ref}/documents/{document.pk}/")
        .status_code
        == 404
    )
    assert as_user("other_admin").get(url).status_code == 404
    assert as_user("admin").get(f"{LIST}{prospect.ref}/documents/999/").status_code == (
        404
    )
