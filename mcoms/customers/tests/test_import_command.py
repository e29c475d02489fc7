"""manage.py import_customers: a dry run by default, --commit to import."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mcoms.customers.models import Customer
from mcoms.customers.tests.import_kit import (
    CUSTOMER_HEADER,
    PACKAGE_HEADER,
    PACKAGE_ROW,
    counts,
    csv_bytes,
    customer,
    with_packages,
)
from mcoms.packages.models import ImportBatch
from tests.builders import World


@pytest.fixture
def files(world: World, tmp_path: Path) -> dict[str, Path]:
    with_packages(world)
    out = {
        "packages": tmp_path / "packages.csv",
        "customers": tmp_path / "customers.csv",
        "bad": tmp_path / "bad.csv",
    }
    out["packages"].write_bytes(csv_bytes(PACKAGE_HEADER, [PACKAGE_ROW], bom=True))
    rows = [customer(1), customer(2, package="B1.1(FD)/250/40")]
    out["customers"].write_bytes(csv_bytes(CUSTOMER_HEADER, rows))
    bad = [customer(3), customer(4, pole="88")]
    out["bad"].write_bytes(csv_bytes(CUSTOMER_HEADER, bad))
    return out


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_customers", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_writes_nothing(files: dict[str, Path]) -> None:
    before = counts()
    out = run(
        "--user",
        "admin",
        "--packages",
        str(files["packages"]),
        "--customers",
        str(files["customers"]),
    )
    assert "Dry run: 1 packages rows, 2 customers rows are all right" in out
    assert counts() == before
    assert not ImportBatch.objects.exists()


def test_commit_imports_and_a_second_run_is_refused(files: dict[str, Path]) -> None:
    args = ["--user", "admin", "--customers", str(files["customers"])]
    out = run(*args, "--packages", str(files["packages"]), "--commit")
    assert "Imported 1 packages and 2 customers" in out
    assert Customer.objects.filter(name__startswith="Grahak").count() == 2
    with pytest.raises(CommandError, match="nothing was imported"):
        run(*args, "--commit")
    assert Customer.objects.filter(name__startswith="Grahak").count() == 2


def test_bad_rows_are_listed_and_nothing_is_imported(files: dict[str, Path]) -> None:
    before = counts()
    out = StringIO()
    with pytest.raises(CommandError, match="1 problems in 2 customers rows"):
        call_command(
            "import_customers",
            "--user",
            "admin",
            "--customers",
            str(files["bad"]),
            "--commit",
            stdout=out,
        )
    assert "customers row 3, pole: pole_unknown - BHKATS has no pole 88." in (
        out.getvalue()
    )
    assert counts() == before
    assert not Customer.objects.filter(name="Grahak 3").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody", "--customers", "x.csv"], "No user 'nobody'"),
        (["--user", "csa", "--customers", "CUSTOMERS"], "csa may not import"),
        (["--user", "admin"], "Give --packages, --customers or both"),
        (["--user", "admin", "--customers", "/nonexistent/c.csv"], "Cannot read"),
    ],
)
def test_it_refuses_bad_arguments(
    files: dict[str, Path], args: list[str], message: str
) -> None:
    args = [str(files["customers"]) if a == "CUSTOMERS" else a for a in args]
    with pytest.raises(CommandError, match=message):
        run(*args)
