"""Every kind of bad row: the dry run names its row, column and reason, and
lists every bad row (not only the first)."""

from __future__ import annotations

import pytest

from mcoms.core.errors import ValidationFailed
from mcoms.customers.imports import import_check, read_upload
from mcoms.customers.tests.import_kit import (
    CUSTOMER_HEADER,
    PACKAGE_ROW,
    csv_bytes,
    customer,
    customers_file,
    packages_file,
    with_packages,
)
from mcoms.org.models import Pole
from tests.builders import World


@pytest.fixture
def ready(world: World) -> World:
    with_packages(world)
    return world


def problems(world: World, *files) -> list[tuple[str, int, str, str]]:
    report = import_check(user=world.user("admin"), files=list(files))
    return [(p.file, p.row, p.column, p.code) for p in report.problems]


@pytest.mark.parametrize(
    ("over", "column", "code"),
    [
        ({"plant": "BHZZZZ"}, "plant", "plant_unknown"),
        ({"pole": "x1"}, "pole", "pole_invalid"),
        ({"pole": "45"}, "pole", "pole_unknown"),  # BHKATS has poles 1-3
        ({"connection": "100"}, "connection", "connection_invalid"),
        ({"pole": "1", "connection": "1"}, "connection", "connection_in_use"),
        ({"customer_id": "BHKATS2"}, "customer_id", "customer_id_malformed"),
        ({"customer_id": "BHSIKA00201"}, "customer_id", "customer_id_mismatch"),
        (
            {"customer_id": "BHKATS00203", "connection": "4"},
            "customer_id",
            "customer_id_mismatch",
        ),
        ({"name": ""}, "name", "name_missing"),
        ({"name": "x" * 121}, "name", "name_too_long"),
        ({"phone": "12345"}, "phone", "phone_invalid"),
        ({"address": "y" * 201}, "address", "address_too_long"),
        ({"segment": "factory"}, "segment", "segment_unknown"),
        ({"status": "sleeping"}, "status", "status_unknown"),
        ({"status": "inactive"}, "status_reason", "status_reason_missing"),
        (
            {"status": "banned", "status_reason": "theft"},
            "status_reason",
            "status_reason_unknown",
        ),
        (
            {"status_reason": "non_payment"},
            "status_reason",
            "status_reason_not_allowed",
        ),
        ({"package": "A1.1(NN)/17/999"}, "package", "package_unknown"),
        (
            {"package": "A1.1(NN)/30/160", "plant": "BHKATS"},
            "package",
            "package_unknown",
        ),
        ({"activated_on": "31/02/2024"}, "activated_on", "date_invalid"),
        ({"activated_on": "2999-01-01"}, "activated_on", "date_in_future"),
        ({"status": "new"}, "activated_on", "activated_on_not_allowed"),
        ({"language": "tamil"}, "language", "language_unknown"),
    ],
)
def test_a_bad_customer_row_names_its_column(
    ready: World, over: dict, column: str, code: str
) -> None:
    rows = [customer(1), customer(2, **over)]
    assert problems(ready, customers_file(rows)) == [("customers", 3, column, code)]


def test_a_package_of_another_plant_is_unknown_here(ready: World) -> None:
    """BHSIKA's A1.1(NN)/17/160 is no package of BHMADH."""
    row = customer(1, plant="BHMADH", pole="1")
    assert problems(ready, customers_file([row])) == [
        ("customers", 2, "package", "package_unknown")
    ]


def test_every_bad_row_and_every_bad_column_is_listed(ready: World) -> None:
    rows = [
        customer(1, phone="1", segment="x"),
        customer(2),
        customer(3, plant="MPXXXX"),
        customer(4, pole="77"),
    ]
    assert problems(ready, customers_file(rows)) == [
        ("customers", 2, "phone", "phone_invalid"),
        ("customers", 2, "segment", "segment_unknown"),
        ("customers", 4, "plant", "plant_unknown"),
        ("customers", 5, "pole", "pole_unknown"),
    ]


def test_duplicates_in_the_file_and_in_the_records(ready: World) -> None:
    rows = [
        customer(1),
        customer(1),  # the same row again
        customer(2, connection="5"),
        customer(3, connection="5"),  # the same connection
        customer(4, name="Customer BHKATS", phone="9800000001", pole="1"),
    ]
    assert problems(ready, customers_file(rows)) == [
        ("customers", 3, "", "row_duplicate"),
        ("customers", 5, "connection", "connection_duplicate_in_file"),
        ("customers", 6, "connection", "customer_exists"),
    ]


def test_a_full_pole_is_refused(ready: World) -> None:
    rows = [customer(1, connection="99"), customer(2)]
    assert problems(ready, customers_file(rows)) == [
        ("customers", 3, "pole", "pole_full")
    ]


def test_a_row_longer_than_the_header(ready: World) -> None:
    data = (
        csv_bytes(CUSTOMER_HEADER, [customer(1)])
        + b"BHKATS,2,,,x,9811100000,,,,,,,,,extra\r\n"
    )
    f = read_upload("customers", "c.csv", data)
    assert problems(ready, f) == [("customers", 3, "", "row_too_long")]


def test_empty_lines_are_skipped_and_rows_keep_their_numbers(ready: World) -> None:
    data = csv_bytes(CUSTOMER_HEADER, [customer(1)]) + b",,,,,,,,,,,,\r\n\r\n"
    data += csv_bytes(CUSTOMER_HEADER, [customer(2, phone="x")]).split(b"\r\n", 1)[1]
    f = read_upload("customers", "c.csv", data)
    assert problems(ready, f) == [("customers", 5, "phone", "phone_invalid")]


@pytest.mark.parametrize(
    ("header", "column", "code"),
    [
        (["plant", "pole", "name", "phone"], "package", "column_missing"),
        ([*CUSTOMER_HEADER, "colour"], "colour", "column_unknown"),
        ([*CUSTOMER_HEADER, "name"], "name", "column_twice"),
    ],
)
def test_a_bad_header(ready: World, header: list[str], column: str, code: str) -> None:
    text = ",".join(header) + "\r\nBHKATS,2,x,9811100000\r\n"
    f = read_upload("customers", "c.csv", text.encode())
    assert (("customers", 1, column, code)) in problems(ready, f)


def test_headers_are_read_in_any_case_and_order(ready: World) -> None:
    text = (
        "Name,Phone,Package,Pole,Plant\r\nSita,9811100000,A1.1(NN)/17/160,2,bhkats\r\n"
    )
    assert problems(ready, read_upload("customers", "c.csv", text.encode())) == []


@pytest.mark.parametrize(
    ("over", "column", "code"),
    [
        ({"plant": "BHZZZZ"}, "plant", "plant_unknown"),
        ({"load_w": "0"}, "load_w", "package_load_invalid"),
        ({"rate_per_kwh": ""}, "rate_per_kwh", "package_rate_missing"),
        ({"rate_per_kwh": "8.12345"}, "rate_per_kwh", "rate_invalid"),
        ({"fixed_monthly": "forty"}, "fixed_monthly", "amount_invalid"),
        ({"credit_limit": "-5"}, "credit_limit", "amount_not_positive"),
        ({"slabs": "30-5"}, "slabs", "package_slabs_invalid"),
        ({"timing_code": "QQ"}, "timing_code", "timing_unknown"),
        ({"type_code": "Z9"}, "type_code", "package_type_unknown"),
        ({"deposit_rule": "half"}, "deposit_rule", "package_deposit_rule_unknown"),
        (
            {"monthly_amount": "100"},
            "monthly_amount",
            "package_rate_not_for_billing_type",
        ),
        ({"offered": "maybe"}, "offered", "offered_invalid"),
        (
            {
                "type_code": "A1.1",
                "timing_code": "NN",
                "load_w": "17",
                "rate_per_kwh": "",
                "slabs": "",
                "fixed_monthly": "",
                "prepaid_amount": "160",
                "prepaid_period_days": "30",
                "deposit_rule": "fixed",
                "deposit_multiple": "",
                "deposit_amount": "100",
            },
            "",
            "package_duplicate",
        ),
    ],
)
def test_a_bad_package_row_names_its_column(
    ready: World, over: dict, column: str, code: str
) -> None:
    rows = [PACKAGE_ROW, PACKAGE_ROW | {"load_w": "300"} | over]
    assert problems(ready, packages_file(rows)) == [("packages", 3, column, code)]


def test_the_same_package_twice_in_the_file(ready: World) -> None:
    assert problems(ready, packages_file([PACKAGE_ROW, PACKAGE_ROW])) == [
        ("packages", 3, "", "package_duplicate_in_file")
    ]


def test_a_customer_on_a_bad_package_row_is_refused_too(ready: World) -> None:
    bad = PACKAGE_ROW | {"deposit_multiple": ""}
    found = problems(
        ready,
        packages_file([bad]),
        customers_file([customer(1, package="B1.1(FD)/250/40")]),
    )
    assert found == [
        ("packages", 2, "deposit_multiple", "package_deposit_missing"),
        ("customers", 2, "package", "package_unknown"),
    ]


def test_a_file_that_is_not_utf8_is_refused_whole(world: World) -> None:
    data = "plant,name\nBHKATS,Sit\xe4\n".encode("latin-1")
    with pytest.raises(ValidationFailed) as err:
        read_upload("customers", "c.csv", data)
    assert (err.value.code, err.value.field) == ("import_not_utf8", "customers")


def test_a_file_over_the_limit_is_refused_whole(world: World, settings) -> None:
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationFailed) as err:
        read_upload("packages", "p.csv", b"x" * 1025)
    assert (err.value.code, err.value.field) == ("import_too_large", "packages")
    assert read_upload("packages", "p.csv", b"x" * 1024).text == "x" * 1024


def test_pole_numbers_belong_to_their_plant(ready: World) -> None:
    """Pole 4 exists at BHSIKA only: at BHKATS it is outside the plant."""
    Pole.objects.create(
        plant=ready.plants["BHSIKA"],
        feeder=ready.plants["BHSIKA"].feeders.first(),
        number=4,
    )
    assert problems(ready, customers_file([customer(1, pole="4")])) == [
        ("customers", 2, "pole", "pole_unknown")
    ]


def test_a_number_whose_sign_in_name_a_staff_member_holds(ready: World) -> None:
    from mcoms.org import services as org

    org.staff_create(
        username="c+919811200001",
        password=None,
        first_name="Odd",
        designation="csa",
        scope=ready.plants["BHKATS"],
        by=None,
    )
    assert problems(ready, customers_file([customer(1)])) == [
        ("customers", 2, "phone", "phone_username_taken")
    ]
