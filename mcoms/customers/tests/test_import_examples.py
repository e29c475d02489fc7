"""The example files of docs/examples import cleanly (docs/import.md)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from mcoms.customers.imports import (
    import_check,
    import_commit,
    import_upload,
    read_upload,
)
from mcoms.customers.models import Customer
from mcoms.packages.models import Package
from tests.builders import World

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "examples"


def test_the_example_files_check_and_import(world: World) -> None:
    files = [
        read_upload(kind, f"{kind}.csv", (EXAMPLES / f"{kind}.csv").read_bytes())
        for kind in ("packages", "customers")
    ]
    report = import_check(user=world.user("admin"), files=files)
    assert report.problems == []
    assert report.rows == {"packages": 4, "customers": 6}
    batch, _ = import_upload(user=world.user("admin"), files=files)
    batch = import_commit(batch=batch, user=world.user("admin"))
    assert batch.report["created"] == {"packages": 4, "customers": 6}
    ids = dict(
        Customer.objects.filter(phone__startswith="+9198111001").values_list(
            "name", "customer_id"
        )
    )
    assert ids["राम प्रसाद"] == "BHKATS00102"
    assert ids["Mohan Yadav"] == "BHKATS00312"
    assert ids["गीता कुमारी"] == "BHKATS00215"
    assert not Package.objects.get(package_id="A1.1(EV)/40/214.29").active
    sita = Customer.objects.filter(name="सीता देवी").order_by("customer_id")
    assert [c.customer_id for c in sita] == ["BHSIKA00102", "BHSIKA00103"]
    assert len({c.user_id for c in sita}) == 1
