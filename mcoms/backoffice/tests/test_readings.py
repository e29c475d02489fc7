"""Back office meter readings: the review per plant, the reading day, the
account page's Meter readings tab, the CSV import of interval readings and
its report; and who may open what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mcoms.metering.ingest import intervals_ingest
from mcoms.metering.models import IntervalReading, Reading, ReadingBatch
from mcoms.metering.readings import reading_record, reading_window_set, window_day
from mcoms.metering.simulator import simulate_intervals
from mcoms.metering.tests.reading_kit import install
from tests.builders import World

HOME = "/backoffice/readings/"
DAY1 = datetime(2026, 9, 30, 18, 30, tzinfo=UTC)


def login(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.user(name))
    return client


@pytest.fixture
def pending(world: World) -> Reading:
    reading_window_set(company=world.company, day=1, by=None)
    meter = install(
        world, "CM-1", initial="100", installed_at=datetime.now(UTC) - timedelta(40)
    )
    reading, _ = reading_record(meter=meter, value="130", by=world.user("technician"))
    return reading


def test_the_review_board_and_approval(world: World, pending: Reading) -> None:
    client = login(world, "state_incharge")
    lines = {x.plant.key: x.awaiting for x in client.get(HOME).context["lines"]}
    assert lines == {"BHKATS": 1, "BHMADH": 0, "BHSIKA": 0}
    page = client.get(HOME + "BHKATS/")
    assert "CM-1" in page.content.decode()
    client.post(f"{HOME}BHKATS/{pending.pk}/approve/")
    pending.refresh_from_db()
    assert (pending.status, pending.units) == ("approved", Decimal("30.000"))


def test_a_rejection_without_a_reason_is_refused(
    world: World, pending: Reading
) -> None:
    client = login(world, "admin")
    page = client.post(
        f"{HOME}BHKATS/{pending.pk}/reject/", {"reason": ""}, follow=True
    )
    assert "Give a reason" in page.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_the_reading_day_of_the_company_and_of_a_plant(world: World) -> None:
    admin = login(world, "admin")
    admin.post(HOME, {"day": "20"})
    assert window_day(world.plants["BHSIKA"]) == 20
    state = login(world, "state_incharge")
    assert state.post(HOME, {"day": "5"}).status_code == 403  # not company-wide
    state.post(HOME + "BHKATS/", {"day": "26"})
    assert (window_day(world.plants["BHKATS"]), window_day(world.plants["BHMADH"])) == (
        26,
        20,
    )
    bad = state.post(HOME + "BHKATS/", {"day": "31"})
    assert bad.context["form"].errors["day"]
    assert (
        login(world, "cluster_incharge")
        .post(HOME + "BHKATS/", {"day": "3"})
        .status_code
        == 403
    )
    assert window_day(world.plants["BHKATS"]) == 26


def test_the_meter_readings_tab(world: World, pending: Reading) -> None:
    client = login(world, "csa")
    detail = client.get("/backoffice/customers/BHKATS00101/")
    assert detail.status_code == 403  # CSAs use the field app
    client = login(world, "cluster_incharge")
    detail = client.get("/backoffice/customers/BHKATS00101/").content.decode()
    assert "/backoffice/customers/BHKATS00101/readings/" in detail
    page = client.get("/backoffice/customers/BHKATS00101/readings/")
    assert [r.pk for r in page.context["page"]] == [pending.pk]
    body = page.content.decode()
    assert "130.000" in body and "30.000" in body
    second = install(world, "CM-2", initial="5")
    page = client.get("/backoffice/customers/BHKATS00101/readings/?meter=cm-2")
    assert page.context["chosen"].meter == second
    assert list(page.context["page"]) == []
    assert (
        client.get("/backoffice/customers/BHKATS00101/readings/?meter=X").status_code
        == 404
    )


def test_smart_meters_daily_readings_show_in_the_tab(world: World) -> None:
    install(world, "SM-1", kind="smart", digits=7, installed_at=DAY1 - timedelta(9))
    data = simulate_intervals(
        meter_serial="SM-1", seed=1, start=DAY1, end=DAY1 + timedelta(days=2)
    )
    intervals_ingest(
        company=world.company,
        rows=[(n, "SM-1", at, kwh) for n, (at, kwh) in enumerate(data)],
        key="k",
        source="api",
    )
    page = login(world, "admin").get("/backoffice/customers/BHKATS00101/readings/")
    assert len(page.context["page"]) == 2
    assert "Smart meter" in page.content.decode()


def csv_file(lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "readings.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv"
    )


def test_the_csv_import_and_its_report(world: World) -> None:
    install(world, "SM-1", kind="smart", installed_at=DAY1 - timedelta(9))
    rows = [
        f"SM-1,{(DAY1 + timedelta(minutes=15 * n)).isoformat()},{10 + n}"
        for n in (1, 2, 5)
    ]
    data = csv_file(["meter,at,kwh", *rows, "SM-404,2026-10-01T00:15:00+05:30,1"])
    client = login(world, "ho_manager")
    done = client.post(HOME + "import/", {"file": data, "token": "t-1"}, follow=True)
    batch = ReadingBatch.objects.get()
    assert (batch.stored, batch.rejected, batch.gaps) == (3, 1, 2)
    body = done.content.decode()
    assert "meter_unknown" in body and "2 intervals missing" in body
    again = csv_file(["meter,at,kwh", *rows])
    client.post(HOME + "import/", {"file": again, "token": "t-1"})
    assert ReadingBatch.objects.count() == 1  # the same form twice
    assert IntervalReading.objects.count() == 3
    bad = client.post(HOME + "import/", {"file": csv_file(["a,b"]), "token": "t-2"})
    assert "header meter,at,kwh" in str(bad.context["form"].errors["file"])


def test_a_batch_is_seen_by_who_may(world: World) -> None:
    install(world, "SM-1", kind="smart", installed_at=DAY1 - timedelta(9))
    data = csv_file(
        ["meter,at,kwh", f"SM-1,{(DAY1 + timedelta(minutes=15)).isoformat()},1"]
    )
    login(world, "cluster_incharge").post(
        HOME + "import/", {"file": data, "token": "x"}
    )
    batch = ReadingBatch.objects.get()
    url = f"{HOME}batches/{batch.pk}/"
    assert login(world, "cluster_incharge").get(url).status_code == 200
    assert login(world, "ho_manager").get(url).status_code == 200  # company-wide
    assert login(world, "state_incharge").get(url).status_code == 404  # not theirs
    assert login(world, "other_admin").get(url).status_code == 404


@pytest.mark.parametrize(
    ("user", "url", "status"),
    [
        ("ho_manager", HOME, 200),  # imports, does not review
        ("ho_manager", HOME + "BHKATS/", 403),
        ("cluster_incharge", HOME + "BHSIKA/", 404),
        ("cluster_incharge", HOME + "BHMADH/", 200),
        ("other_admin", HOME + "BHSIKA/", 404),
        ("csa", HOME, 403),
        ("cluster_incharge", "/backoffice/customers/BHSIKA00101/readings/", 404),
        ("other_admin", "/backoffice/customers/BHSIKA00101/readings/", 404),
        ("state_incharge", HOME + "import/", 200),
    ],
)
def test_who_may_open_what(world: World, user: str, url: str, status: int) -> None:
    assert login(world, user).get(url).status_code == status


def test_review_actions_outside_the_scope(world: World, pending: Reading) -> None:
    url = f"{HOME}BHKATS/{pending.pk}/approve/"
    assert login(world, "ho_manager").post(url).status_code == 403
    assert login(world, "other_admin").post(url).status_code == 404
    assert (
        login(world, "admin").post(f"{HOME}BHMADH/{pending.pk}/approve/").status_code
        == 404
    )
    pending.refresh_from_db()
    assert pending.status == "pending"
