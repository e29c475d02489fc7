"""The commands: simulate_readings feeds the simulator through the ingestion
path once per window; import_intervals imports a CSV file once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mcoms.metering.models import IntervalReading, Reading, ReadingBatch
from mcoms.metering.tests.reading_kit import install
from tests.builders import World

END = datetime(2026, 10, 8, 18, 30, tzinfo=UTC)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_simulate_readings(world: World) -> None:
    install(world, "SM-1", kind="smart", digits=7, installed_at=END - timedelta(9))
    out = run(
        "simulate_readings", "--company", "tara", "--plant", "bhkats",
        "--days", "2", "--end", END.isoformat(),
    )  # fmt: skip
    assert "BHKATS: 192 readings stored: 192 new" in out
    assert IntervalReading.objects.count() == 192
    assert Reading.objects.filter(source="smart").count() == 2
    again = run(
        "simulate_readings", "--company", "tara", "--plant", "BHKATS",
        "--days", "2", "--end", END.isoformat(),
    )  # fmt: skip
    assert "already delivered" in again
    assert ReadingBatch.objects.count() == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--days", "0"],
        ["--end", "yesterday"],
        ["--end", "2026-10-01T00:00:00"],
        ["--company", "nobody"],
    ],
)
def test_simulate_readings_refuses_bad_options(world: World, args) -> None:
    with pytest.raises(CommandError):
        run("simulate_readings", "--company", "tara", *args)


def test_import_intervals(world: World, tmp_path: Path) -> None:
    install(world, "SM-1", kind="smart", installed_at=END - timedelta(9))
    file = tmp_path / "r.csv"
    file.write_text(
        "meter,at,kwh\n"
        f"SM-1,{(END - timedelta(minutes=30)).isoformat()},10.5\n"
        f"SM-1,{(END - timedelta(minutes=15)).isoformat()},9\n"
        "SM-1,bad,1\n"
    )
    out = run("import_intervals", str(file), "--company", "tara", "--report")
    assert "3 rows, 2 stored" in out and "1 counter resets" in out
    assert '"time_invalid"' in out
    assert "Already imported" in run("import_intervals", str(file), "--company", "tara")
    with pytest.raises(CommandError):
        run("import_intervals", str(tmp_path / "none.csv"), "--company", "tara")
    (tmp_path / "h.csv").write_text("serial,when\n")
    with pytest.raises(CommandError, match="csv_header"):
        run("import_intervals", str(tmp_path / "h.csv"), "--company", "tara")
