"""The import screens: upload, report, confirm; who may."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mcoms.customers.models import Customer
from mcoms.customers.tests.import_kit import (
    CUSTOMER_HEADER,
    counts,
    csv_bytes,
    customer,
    with_packages,
)
from mcoms.packages.models import ImportBatch
from tests.builders import World

HOME = "/backoffice/imports/"


@pytest.fixture
def ready(world: World) -> World:
    with_packages(world)
    return world


def login(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.user(name))
    return client


def upload(rows: list[dict], **kw) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "c.csv", csv_bytes(CUSTOMER_HEADER, rows, **kw), "text/csv"
    )


def test_upload_check_then_confirm(ready: World) -> None:
    client = login(ready, "ho_manager")
    assert client.get(HOME).status_code == 200
    before = counts()
    response = client.post(
        HOME, {"customers": upload([customer(1)], bom=True), "token": "t"}
    )
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"{HOME}{batch.token}/"
    assert counts() == before  # the dry run
    page = client.get(response["Location"]).content.decode()
    assert "Import now" in page
    done = client.post(f"{HOME}{batch.token}/commit/", follow=True)
    assert "Imported 0 packages and 1 customers." in done.content.decode()
    assert Customer.objects.filter(name="Grahak 1").exists()
    assert "Import now" not in client.get(f"{HOME}{batch.token}/").content.decode()


def test_the_report_lists_every_bad_row_and_offers_no_import(ready: World) -> None:
    client = login(ready, "admin")
    rows = [customer(1), customer(2, phone="12"), customer(3, plant="BHZZZZ")]
    response = client.post(HOME, {"customers": upload(rows), "token": "t"}, follow=True)
    html = response.content.decode()
    assert "2 problems: nothing was imported" in html
    assert "phone_invalid" in html and "plant_unknown" in html
    assert "Import now" not in html
    batch = ImportBatch.objects.get()
    client.post(f"{HOME}{batch.token}/commit/")
    assert not Customer.objects.filter(name="Grahak 1").exists()


def test_a_file_that_cannot_be_read_is_refused_on_the_form(ready: World) -> None:
    client = login(ready, "admin")
    bad = SimpleUploadedFile("c.csv", b"name\n\xff\xfe\n", "text/csv")
    response = client.post(HOME, {"customers": bad, "token": "t"})
    assert "CSV UTF-8" in " ".join(response.context["form"].errors["customers"])
    empty = client.post(HOME, {"token": "t2"})
    assert "Choose a packages file" in " ".join(
        empty.context["form"].non_field_errors()
    )
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("user", ["cluster_incharge", "state_incharge"])
def test_others_are_refused(ready: World, user: str) -> None:
    admin = login(ready, "admin")
    admin.post(HOME, {"customers": upload([customer(1)]), "token": "t"})
    batch = ImportBatch.objects.get()
    client = login(ready, user)
    assert client.get(HOME).status_code == 403
    assert (
        client.post(
            HOME, {"customers": upload([customer(2)]), "token": "u"}
        ).status_code
        == 403
    )
    assert client.get(f"{HOME}{batch.token}/").status_code == 403
    assert client.post(f"{HOME}{batch.token}/commit/").status_code == 403
    assert client.get(f"{HOME}template/customers.csv").status_code == 403
    assert ImportBatch.objects.count() == 1
    assert not Customer.objects.filter(name="Grahak 1").exists()
    assert "/backoffice/imports/" not in client.get("/backoffice/").content.decode()


def test_another_companys_admin_gets_404(ready: World) -> None:
    login(ready, "admin").post(HOME, {"customers": upload([customer(1)]), "token": "t"})
    batch = ImportBatch.objects.get()
    other = login(ready, "other_admin")
    assert other.get(f"{HOME}{batch.token}/").status_code == 404
    assert other.post(f"{HOME}{batch.token}/commit/").status_code == 404
    assert str(batch.token) not in other.get(HOME).content.decode()


def test_the_templates_open_in_excel(ready: World) -> None:
    response = login(ready, "admin").get(f"{HOME}template/customers.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffplant,pole,connection,customer_id,name,phone")
    assert "राम कुमार" in body
