"""The import: dry run writes nothing, the real import writes everything with
the rules of customer_create, or nothing at all."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from mcoms.customers.imports import import_check, import_commit, import_upload
from mcoms.customers.models import Customer
from mcoms.customers.tests.import_kit import (
    PACKAGE_ROW,
    counts,
    customer,
    customers_file,
    packages_file,
    with_packages,
)
from mcoms.org.models import User
from mcoms.packages.models import ImportBatch, ImportState, Package
from tests.builders import World


@pytest.fixture
def ready(world: World) -> World:
    with_packages(world)
    return world


def _commit(world: World, *files, user: str = "admin") -> ImportBatch:
    batch, _ = import_upload(user=world.user(user), files=list(files))
    return import_commit(batch=batch, user=world.user(user))


def test_a_dry_run_checks_and_writes_nothing(ready: World) -> None:
    before = counts()
    report = import_check(
        user=ready.user("admin"),
        files=[customers_file([customer(1), customer(2)])],
    )
    assert report.ok and report.rows == {"customers": 2}
    assert counts() == before
    assert not ImportBatch.objects.exists()


def test_an_import_writes_customers_with_ids_users_and_history(ready: World) -> None:
    admin = ready.user("admin")
    rows = [
        customer(1),
        customer(2, connection="7"),
        customer(3, customer_id="BHKATS00305", pole="3"),
        customer(
            4, phone="+919800000001", status="banned", status_reason="non-payment"
        ),
        customer(5, status="new", activated_on="", segment="Shop", language="English"),
    ]
    batch = _commit(ready, customers_file(rows))
    assert batch.state == ImportState.COMMITTED
    assert batch.report["created"] == {"packages": 0, "customers": 5}
    made = {c.name: c for c in Customer.objects.filter(name__startswith="Grahak")}
    assert made["Grahak 1"].customer_id == "BHKATS00208"  # after the file's 07
    assert made["Grahak 2"].customer_id == "BHKATS00207"
    assert made["Grahak 3"].customer_id == "BHKATS00305"
    one = made["Grahak 1"]
    assert (one.phone, one.segment, one.status, one.language) == (
        "+919811200001",
        "household",
        "active",
        "hi",
    )
    assert one.activated_at == datetime(2024, 3, 31, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert one.package.package_id == "A1.1(NN)/17/160"
    assert one.user.phone == one.phone and one.user.kind == "customer"
    assert not one.user.has_usable_password()
    # an existing number keeps its sign-in user: the customer sees both accounts
    banned = made["Grahak 4"]
    assert banned.user == ready.customers["BHKATS"].user
    assert (banned.status, banned.status_reason) == ("banned", "non_payment")
    new = made["Grahak 5"]
    assert (new.status, new.segment, new.language, new.activated_at) == (
        "new",
        "shop",
        "en",
        None,
    )
    record = one.history.get()
    assert (record.history_user, record.history_change_reason) == (
        admin,
        f"imported ({batch.token})",
    )


def test_hindi_names_and_a_bom_survive(ready: World) -> None:
    _commit(ready, customers_file([customer(1, name="सीता  देवी")], bom=True))
    assert Customer.objects.get(phone="+919811200001").name == "सीता देवी"


def test_semicolons_and_day_first_dates_from_excel(ready: World) -> None:
    _commit(ready, customers_file([customer(1, activated_on="05/01/2024")], sep=";"))
    made = Customer.objects.get(phone="+919811200001")
    local = made.activated_at.astimezone(ZoneInfo("Asia/Kolkata"))
    assert local.date().isoformat() == "2024-01-05"


def test_customers_may_take_a_package_from_the_same_import(ready: World) -> None:
    rows = [
        customer(1, package="B1.1(FD)/250/40"),
        customer(2, package="B1.1(FD)/250/40"),
    ]
    batch = _commit(ready, packages_file([PACKAGE_ROW]), customers_file(rows))
    assert batch.report["created"] == {"packages": 1, "customers": 2}
    package = Package.objects.get(package_id="B1.1(FD)/250/40")
    assert package.slabs == [
        {"upto_kwh": "30", "rate": "5"},
        {"upto_kwh": "100", "rate": "7"},
    ]
    assert package.customers.count() == 2
    assert package.history.get().history_change_reason == f"imported ({batch.token})"


def test_one_bad_row_among_good_ones_writes_nothing(ready: World) -> None:
    rows = [customer(n) for n in range(1, 30)] + [customer(99, phone="12")]
    before = counts()
    batch = _commit(ready, packages_file([PACKAGE_ROW]), customers_file(rows))
    assert batch.state == ImportState.CHECKED
    assert [(e["row"], e["column"], e["code"]) for e in batch.report["errors"]] == [
        (31, "phone", "phone_invalid")
    ]
    assert counts() == before


def test_the_import_checks_again_when_confirmed(ready: World) -> None:
    """Between the dry run and the confirmation someone took the connection."""
    batch, _ = import_upload(
        user=ready.user("admin"), files=[customers_file([customer(1, connection="4")])]
    )
    assert batch.report["ok"]
    from mcoms.customers.services import customer_create
    from mcoms.org.models import Pole

    pole = Pole.objects.get(plant=ready.plants["BHKATS"], number=2)
    for n in range(4):
        customer_create(pole=pole, name=f"x{n}", phone=f"+91981130000{n}", by=None)
    before = counts()
    out = import_commit(batch=batch, user=ready.user("admin"))
    assert out.state == ImportState.CHECKED
    assert out.report["errors"][0]["code"] == "connection_in_use"
    assert ImportBatch.objects.get(pk=batch.pk).report["ok"] is False
    assert counts() == before


def test_a_committed_file_is_never_imported_twice(ready: World) -> None:
    rows = [customer(1), customer(2)]
    first = _commit(ready, customers_file(rows))
    assert import_commit(batch=first, user=ready.user("admin")) == first  # no-op
    again = _commit(ready, customers_file(rows))
    assert again.state == ImportState.CHECKED
    error = again.report["errors"][0]
    assert (error["row"], error["code"]) == (0, "import_already_done")
    assert "by admin" in error["message"]
    assert Customer.objects.filter(name__startswith="Grahak").count() == 2
    # the same rows saved with a BOM are the same file
    bom = _commit(ready, customers_file(rows, bom=True))
    assert bom.report["errors"][0]["code"] == "import_already_done"


def test_a_confirmation_a_day_late_is_refused(ready: World) -> None:
    from mcoms.core.errors import ValidationFailed

    batch, _ = import_upload(
        user=ready.user("admin"), files=[customers_file([customer(1)])]
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=datetime(2020, 1, 1, tzinfo=ZoneInfo("UTC"))
    )
    batch.refresh_from_db()
    with pytest.raises(ValidationFailed) as err:
        import_commit(batch=batch, user=ready.user("admin"))
    assert err.value.code == "import_expired"
    assert not Customer.objects.filter(name="Grahak 1").exists()


def test_an_upload_retried_with_its_key_is_the_same_batch(ready: World) -> None:
    files = [customers_file([customer(1)])]
    first, made = import_upload(
        user=ready.user("admin"), files=files, idempotency_key="k"
    )
    again, made_again = import_upload(
        user=ready.user("admin"), files=files, idempotency_key="k"
    )
    assert (made, made_again, again.pk) == (True, False, first.pk)


@pytest.mark.parametrize("user", ["csa", "cluster_incharge", "state_incharge"])
def test_only_head_office_imports(ready: World, user: str) -> None:
    with pytest.raises(PermissionDenied):
        import_check(user=ready.user(user), files=[customers_file([customer(1)])])
    with pytest.raises(PermissionDenied):
        import_upload(user=ready.user(user), files=[customers_file([customer(1)])])


def test_a_state_head_office_imports_only_into_its_state(ready: World) -> None:
    from mcoms.org import services as org

    org.staff_create(
        username="ho_bh",
        password=None,
        first_name="H",
        designation="ho_manager",
        scope=ready.states["BH"],
        by=None,
    )
    rows = [customer(1), customer(2, plant="UPGORA", pole="1")]
    report = import_check(
        user=User.objects.get(username="ho_bh"), files=[customers_file(rows)]
    )
    assert [(e.row, e.column, e.code) for e in report.problems] == [
        (3, "plant", "plant_unknown")
    ]


def test_another_company_cannot_commit_our_upload(ready: World) -> None:
    from mcoms.core.errors import NotFound

    batch, _ = import_upload(
        user=ready.user("admin"), files=[customers_file([customer(1)])]
    )
    with pytest.raises(NotFound):
        import_commit(batch=batch, user=ready.user("other_admin"))
    assert not Customer.objects.filter(name="Grahak 1").exists()
