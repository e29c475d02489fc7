"""Meter Reading and Meter Reading Review in the field app: the board, the
plant's list (shut before the reading day), enter -> confirm -> submit with
the form's UUID, refusals next to the field, review with approve and reject,
and who may do what where."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from mcoms.metering import readings as reading_services
from mcoms.metering.models import Reading
from mcoms.metering.readings import reading_record, reading_window_set
from mcoms.metering.tests.reading_kit import install
from tests.builders import World

BOARD = "/field/readings/"
REVIEW = "/field/readings/review/"


def login(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.user(name))
    return client


@pytest.fixture
def meter(world: World):
    """A conventional meter at BHKATS00101, first reading 100, and readings
    open every day of the month."""
    reading_window_set(company=world.company, day=1, by=None)
    return install(
        world,
        "CM-1",
        initial="100",
        installed_at=datetime.now(UTC) - timedelta(days=40),
    )


def enter_url(serial: str = "CM-1") -> str:
    return f"/field/readings/BHKATS/{serial}/"


def test_the_board_counts_meters_due_and_awaiting(world: World, meter) -> None:
    install(world, "CM-2", customer="BHSIKA")
    client = login(world, "cluster_incharge")
    lines = {line.plant.key: line for line in client.get(BOARD).context["lines"]}
    assert set(lines) == {"BHKATS", "BHMADH"}
    assert (lines["BHKATS"].meters, lines["BHKATS"].due) == (1, 1)
    reading_record(meter=meter, value="120", by=world.user("technician"))
    line = next(
        x for x in client.get(BOARD).context["lines"] if x.plant.key == "BHKATS"
    )
    assert (line.due, line.awaiting) == (0, 1)


def test_enter_confirm_submit_once(world: World, meter) -> None:
    client = login(world, "technician")
    page = client.get(enter_url())
    assert page.status_code == 200
    token = page.context["form"].initial["token"]
    data = {"value": "142.5", "token": token}
    confirm = client.post(enter_url(), data)
    assert confirm.context["checked"].units == Decimal("42.500")
    assert Reading.objects.count() == 0  # checking writes nothing
    assert "42.500" in confirm.content.decode()
    done = client.post(enter_url(), {**data, "confirm": "1"})
    assert done.status_code == 302
    again = client.post(enter_url(), {**data, "confirm": "1"}, follow=True)
    assert Reading.objects.get().units == Decimal("42.500")
    assert "Already saved" in again.content.decode()


def test_a_reading_below_the_previous_is_refused_at_the_field(
    world: World, meter
) -> None:
    client = login(world, "technician")
    page = client.post(enter_url(), {"value": "99", "token": "t-1"})
    assert page.context["checked"] is None
    assert "below the previous one" in str(page.context["form"].errors["value"])
    page = client.post(enter_url(), {"value": "abc", "token": "t-1", "confirm": "1"})
    assert "as a number" in str(page.context["form"].errors["value"])
    assert Reading.objects.count() == 0


def test_the_list_is_shut_before_the_reading_day(
    world: World, meter, monkeypatch: pytest.MonkeyPatch
) -> None:
    reading_window_set(company=world.company, day=24, by=None)
    early = datetime(2026, 11, 10, 6, 0, tzinfo=UTC)
    monkeypatch.setattr(reading_services.timezone, "now", lambda: early)
    client = login(world, "technician")
    page = client.get("/field/readings/BHKATS/")
    assert page.context["rows"] == []
    assert "24 November" in page.content.decode()
    refused = client.post(enter_url(), {"value": "150", "token": "t"})
    assert refused.status_code == 302
    assert Reading.objects.count() == 0


def test_review_approve_and_reject(world: World, meter) -> None:
    reading, _ = reading_record(meter=meter, value="150", by=world.user("technician"))
    boss = login(world, "cluster_incharge")
    page = boss.get(REVIEW + "BHKATS/")
    assert [r.pk for r in page.context["readings"]] == [reading.pk]
    url = f"{REVIEW}BHKATS/{reading.pk}/"
    boss.post(url + "reject/", {"reason": ""})
    reading.refresh_from_db()
    assert reading.status == "pending"
    boss.post(url + "approve/")
    reading.refresh_from_db()
    assert (reading.status, reading.units) == ("approved", Decimal("50.000"))
    second, _ = reading_record(meter=meter, value="160", by=world.user("csa"))
    boss.post(f"{REVIEW}BHKATS/{second.pk}/reject/", {"reason": "Blurred"})
    second.refresh_from_db()
    assert (second.status, second.reject_reason) == ("rejected", "Blurred")


@pytest.mark.parametrize(
    ("user", "url", "status"),
    [
        ("operator", BOARD, 403),
        ("ho_manager", BOARD, 403),
        ("csa", BOARD, 200),
        ("csa", "/field/readings/BHSIKA/", 404),
        ("sika_csa", "/field/readings/BHKATS/", 404),
        ("sika_csa", enter_url(), 404),
        ("technician", enter_url("NOPE"), 404),
        ("csa", REVIEW, 403),
        ("technician", REVIEW + "BHKATS/", 403),
        ("cluster_incharge", REVIEW + "BHSIKA/", 404),
        ("state_incharge", REVIEW + "BHSIKA/", 200),
        ("other_admin", "/field/readings/BHKATS/", 200),  # their own plant
        ("other_admin", enter_url(), 404),
    ],
)
def test_who_may_open_what(world: World, meter, user: str, url: str, status: int):
    assert login(world, user).get(url).status_code == status


def test_review_actions_need_the_designation_and_the_scope(world: World, meter) -> None:
    reading, _ = reading_record(meter=meter, value="150", by=world.user("csa"))
    url = f"{REVIEW}BHKATS/{reading.pk}/approve/"
    assert login(world, "technician").post(url).status_code == 403
    assert login(world, "other_admin").post(url).status_code == 404
    wrong_plant = f"{REVIEW}BHMADH/{reading.pk}/approve/"
    assert login(world, "cluster_incharge").post(wrong_plant).status_code == 404
    reading.refresh_from_db()
    assert reading.status == "pending"


def test_the_home_screen_links_the_modules(world: World) -> None:
    body = login(world, "cluster_incharge").get("/field/").content.decode()
    assert 'href="/field/readings/"' in body
    assert 'href="/field/readings/review/"' in body
    csa = login(world, "csa").get("/field/").content.decode()
    assert 'href="/field/readings/review/"' not in csa


def test_the_reading_pages_weigh_at_most_50_kb(world: World, meter) -> None:
    """HTML and its assets within the field app's first-load budget."""
    from mcoms.field.tests.test_pwa import BUDGET, _assets

    client = login(world, "cluster_incharge")
    for url in (BOARD, "/field/readings/BHKATS/", enter_url(), REVIEW + "BHKATS/"):
        page = client.get(url)
        total = len(page.content)
        for asset in _assets(page.content.decode()):
            got = client.get(asset)
            body = b"".join(got.streaming_content) if got.streaming else got.content
            total += len(body)
        assert page.status_code == 200 and total <= BUDGET, (url, total)
