"""Customer acquisition in the field app: who gets in, the pipeline list and
its counts, the prospect page (history, the one form the user may use),
Consumer Status, scope (404) and designation (403) refusals, page weight."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from mcoms.acquisition import services
from mcoms.field.tests.helpers import customer_user
from mcoms.field.tests.test_pwa import BUDGET, _assets
from tests.builders import World
from tests.pipeline_kit import Stock, stock, survey, walk

LIST = "/field/acquisition/"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def kit(world: World) -> Stock:
    return stock(world)


def signed_in(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.user(username))
    return client


def detail(ref: str) -> str:
    return f"{LIST}{ref}/"


def step_forms(html: str) -> set[str]:
    return set(re.findall(r'action="/field/acquisition/P-[A-Z]+-\d+/([a-z]+)/"', html))


# --- who gets in --------------------------------------------------------------------
def test_anonymous_is_sent_to_the_sign_in(client: Client) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/field/login/?next=/field/acquisition/")


def test_a_customer_is_sent_to_the_customer_app(client: Client, world: World) -> None:
    client.force_login(customer_user(world))
    assert client.get(LIST)["Location"] == "/selfcare/"


@pytest.mark.parametrize(
    "url", [LIST, f"{LIST}new/", f"{LIST}instant/", f"{LIST}connections/"]
)
def test_a_designation_without_the_field_app_gets_403(world: World, url: str) -> None:
    assert signed_in(world, "ho_manager").get(url).status_code == 403


def test_the_home_tiles_lead_to_the_acquisition_screens(world: World) -> None:
    html = signed_in(world, "csa").get("/field/").content.decode()
    for url in [LIST, f"{LIST}new/", f"{LIST}instant/", f"{LIST}connections/"]:
        assert f'class="mod" href="{url}"' in html


# --- the pipeline list ----------------------------------------------------------------
def test_the_list_counts_my_plants_prospects_by_stage(world, kit) -> None:
    walk(world, kit, survey(world), "kyc")
    walk(world, kit, survey(world, name="Ravi", phone="+919876500002"), "marketing")
    survey(world, name="Gita", phone="+919876500003")
    rejected = survey(world, name="Mohan", phone="+919876500004")
    services.prospect_reject(
        prospect=rejected, reason="moved away", by=world.user("csa")
    )
    sika = survey(
        world,
        by="sika_csa",
        plant=world.plants["BHSIKA"],
        pole=world.plants["BHSIKA"].poles.get(number=1),
        name="Outside Person",
    )
    response = signed_in(world, "csa").get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    counts = {stage: n for stage, _label, n in response.context["stages"]}
    assert counts["survey"] == 1  # the rejected one counts as rejected
    assert counts["marketing"] == 1 and counts["kyc"] == 1
    assert response.context["counts"].counts["rejected"] == 1
    assert response.context["counts"].total == 4
    assert 'data-stage="kyc">1</a>' in html
    assert "Sunita Devi" in html and "Mohan" in html
    assert sika.ref not in html and "Outside Person" not in html


def test_the_list_filters_by_stage_rejection_and_search(world, kit) -> None:
    walk(world, kit, survey(world), "marketing")
    other = survey(world, name="Ravi Kumar", phone="+919876500002")
    services.prospect_reject(prospect=other, reason="no need", by=world.user("csa"))
    client = signed_in(world, "csa")
    page = client.get(LIST, {"stage": "marketing", "rejected": "0"}).context["page"]
    assert [p.name for p in page] == ["Sunita Devi"]
    page = client.get(LIST, {"rejected": "1"}).context["page"]
    assert [p.name for p in page] == ["Ravi Kumar"]
    page = client.get(LIST, {"q": "ravi"}).context["page"]
    assert [p.name for p in page] == ["Ravi Kumar"]
    page = client.get(LIST, {"q": "65000"}).context["page"]  # part of the number
    assert len(page) == 2


def test_a_plant_outside_the_scope_is_404(world: World) -> None:
    client = signed_in(world, "csa")
    assert client.get(LIST, {"plant": "BHKATS"}).status_code == 200
    assert client.get(LIST, {"plant": "BHSIKA"}).status_code == 404


def test_consumer_status_counts_connections_by_step(world, kit) -> None:
    waiting = walk(world, kit, survey(world), "account")
    at_pole = walk(
        world, kit, survey(world, phone="+919876500002"), "meter", connection=1
    )
    review = walk(
        world, kit, survey(world, phone="+919876500003"), "meter", meter="LL-2"
    )
    response = signed_in(world, "technician").get(f"{LIST}connections/")
    assert response.status_code == 200
    kats = next(r for r in response.context["rows"] if r.key == "BHKATS")
    assert kats.counts == {
        "not_started": 1,
        "at_pole": 1,
        "house_wire": 0,
        "service_wire": 0,
        "review": 1,
    }
    assert response.context["total"].total == 3
    listed = signed_in(world, "technician").get(
        LIST, {"plant": "BHKATS", "connection": "at_pole"}
    )
    assert [p.ref for p in listed.context["page"]] == [at_pole.ref]
    assert waiting.ref != review.ref


# --- the prospect page ------------------------------------------------------------
def test_the_page_shows_the_history_with_who_and_when(world, kit) -> None:
    prospect = walk(world, kit, survey(world, by="operator"), "acquisition")
    response = signed_in(world, "csa").get(detail(prospect.ref))
    html = response.content.decode()
    assert response.status_code == 200
    events = list(response.context["events"])
    assert [(e.stage, e.by.username) for e in events] == [
        ("survey", "operator"),
        ("marketing", "csa"),
        ("acquisition", "csa"),
    ]
    assert "operator</span><span>Catchment survey: Completed" in html
    assert step_forms(html) == {"kyc", "reject"}


@pytest.mark.parametrize(
    ("username", "forms"),
    [
        # Meter installation (and rejecting at it) is the technical team's.
        ("csa", set()),
        ("operator", set()),
        ("technician", {"meter", "reject"}),
        ("cluster_incharge", {"meter", "reject"}),
    ],
)
def test_only_the_steps_the_designation_may_do_are_offered(
    world, kit, username: str, forms: set[str]
) -> None:
    prospect = walk(world, kit, survey(world), "account")
    html = signed_in(world, username).get(detail(prospect.ref)).content.decode()
    assert step_forms(html) == forms
    assert ("Your designation does not do this step." in html) is (not forms)


def test_a_step_the_designation_may_not_do_is_403(world, kit) -> None:
    prospect = walk(world, kit, survey(world), "account")
    post = {"token": str(uuid.uuid4()), "meter": "LL-1"}
    response = signed_in(world, "csa").post(f"{detail(prospect.ref)}meter/", post)
    assert response.status_code == 403
    prospect.refresh_from_db()
    assert prospect.meter_assignment is None


def test_a_prospect_outside_the_scope_is_404(world, kit) -> None:
    prospect = survey(world)
    for username in ["sika_csa", "other_admin"]:
        client = signed_in(world, username)
        assert client.get(detail(prospect.ref)).status_code == 404
        post = {"token": str(uuid.uuid4()), "method": "leaflet"}
        response = client.post(f"{detail(prospect.ref)}marketing/", post)
        assert response.status_code == 404
    prospect.refresh_from_db()
    assert prospect.stage == "survey"


def test_an_unknown_step_or_reference_is_404(world, kit) -> None:
    prospect = survey(world)
    client = signed_in(world, "csa")
    assert client.post(f"{detail(prospect.ref)}teleport/", {}).status_code == 404
    assert client.get(detail("P-BHKATS-999999")).status_code == 404


def test_stages_to_complete_later_are_offered(world, kit) -> None:
    prospect, _ = services.prospect_instant_create(
        plant=world.plants["BHKATS"],
        name="Instant Person",
        phone="+919876500009",
        pole=world.plants["BHKATS"].poles.get(number=3),
        package=kit.prepaid,
        by=world.user("csa"),
    )
    client = signed_in(world, "csa")
    html = client.get(detail(prospect.ref)).content.decode()
    for stage in ["survey", "marketing", "kyc"]:
        assert f'href="?do={stage}"' in html
    html = client.get(detail(prospect.ref), {"do": "survey"}).content.decode()
    assert step_forms(html) == {"survey"}  # rejecting at stage 7 is not the CSA's
    # A stage that is not deferred cannot be opened that way.
    html = client.get(detail(prospect.ref), {"do": "package"}).content.decode()
    assert "survey" not in step_forms(html)


def test_the_pages_weigh_at_most_50_kb(world, kit) -> None:
    prospect = walk(world, kit, survey(world), "kyc")
    client = signed_in(world, "csa")
    for url in [LIST, detail(prospect.ref), f"{LIST}new/"]:
        response = client.get(url)
        html = response.content.decode()
        total = len(response.content)
        for asset in sorted(_assets(html)):
            got = client.get(asset)
            body = b"".join(got.streaming_content) if got.streaming else got.content
            total += len(body)
        assert total <= BUDGET, (url, total)


def test_the_page_in_hindi(world, kit) -> None:
    prospect = walk(world, kit, survey(world), "acquisition")
    client = signed_in(world, "csa")
    client.cookies["django_language"] = "hi"
    html = client.get(detail(prospect.ref)).content.decode()
    assert '<html lang="hi">' in html
    assert "इतिहास" in html  # History
    assert "केवाईसी सहेजें" in html  # the KYC form's button
