"""The back-office package catalogue: who sees what, head office's forms, the
refusals next to their field, constant queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mcoms.packages.models import Package
from mcoms.packages.tests.conftest import Catalogue
from mcoms.packages.tests.factories import PREPAID, make

LIST = "/backoffice/packages/"
NEW = "/backoffice/packages/new/"
FORM = {
    "plant": "BHMADH",
    "type_code": "A1.1",
    "timing_code": "NN",
    "load_w": "30",
    "prepaid_amount": "200",
    "prepaid_period_days": "30",
    "deposit_rule": "fixed",
    "deposit_amount": "100",
    "activation_charge": "150",
    "credit_limit": "300",
    "offered": "on",
    "token": "t-1",
}


def page(package: Package, action: str = "") -> str:
    ref = f"{package.plant.key}/{package.package_id}/v{package.version}/"
    return LIST + ref + (f"{action}/" if action else "")


@pytest.fixture
def as_user(catalogue: Catalogue) -> Any:
    def login(name: str) -> Client:
        client = Client()
        client.force_login(catalogue.world.user(name))
        return client

    return login


def test_field_staff_and_strangers_are_turned_away(
    catalogue: Catalogue, as_user
) -> None:
    assert Client().get(LIST)["Location"].startswith("/backoffice/login/")
    assert as_user("csa").get(LIST).status_code == 403
    customer = Client()
    customer.force_login(catalogue.world.customers["BHKATS"].user)
    assert customer.get(LIST)["Location"] == "/selfcare/"


@pytest.mark.parametrize(
    ("user", "shown", "hidden"),
    [
        ("cluster_incharge", {"BHKATS"}, {"BHSIKA", "UPGORA"}),
        ("state_incharge", {"BHKATS", "BHSIKA"}, {"UPGORA"}),
        ("admin", {"BHKATS", "BHSIKA", "UPGORA"}, set()),
    ],
)
def test_the_catalogue_shows_the_plants_of_the_scope(
    catalogue: Catalogue, as_user, user: str, shown: set, hidden: set
) -> None:
    response = as_user(user).get(LIST)
    plants = {p.plant.key for p in response.context["page"]}
    assert plants == shown
    html = response.content.decode()
    assert all(f"<td>{key}</td>" not in html for key in hidden)
    assert "A1.1(NN)/17/160" in html
    assert "₹160 per 30 days" in html


def test_the_catalogue_filters(catalogue: Catalogue, as_user) -> None:
    client = as_user("admin")

    def shown(**params: str) -> set[str]:
        response = client.get(LIST, params)
        return {f"{p.plant.key} {p.package_id}" for p in response.context["page"]}

    assert shown(plant="BHSIKA") == {"BHSIKA A1.1(NN)/30/160"}
    assert shown(billing_type="postpaid_unmetered") == {"BHKATS C1.1(EV)/60/250"}
    Package.objects.filter(pk=catalogue.gora.pk).update(active=False)
    assert shown(offered="no") == {"UPGORA A1.1(NN)/40/160"}
    assert len(shown(offered="yes")) == 4
    assert client.get(LIST, {"plant": "BHSIKA"}).status_code == 200
    assert as_user("cluster_incharge").get(LIST, {"plant": "BHSIKA"}).status_code == 404


def test_the_detail_shows_terms_deposit_versions_and_customers(
    catalogue: Catalogue, as_user
) -> None:
    response = as_user("cluster_incharge").get(page(catalogue.kats_metered))
    html = response.content.decode()
    assert "B1.1(FD)/500/50" in html
    assert "2 × the monthly bill = ₹5800" in html
    assert (
        "up to 30 kWh at 5; up to 100 kWh at 7, then ₹8.5 per kWh + ₹50 a month" in html
    )
    assert "Revise" not in html  # not head office
    detail = as_user("admin").get(page(catalogue.kats_prepaid))
    assert detail.context["package"].n_customers == 1
    assert "Revise (new version)" in detail.content.decode()


@pytest.mark.parametrize(
    ("user", "status"), [("cluster_incharge", 404), ("other_admin", 404)]
)
def test_a_package_outside_the_scope_is_404(
    catalogue: Catalogue, as_user, user: str, status: int
) -> None:
    assert as_user(user).get(page(catalogue.sika)).status_code == status


def test_head_office_creates_a_package_once_per_form(
    catalogue: Catalogue, as_user
) -> None:
    client = as_user("ho_manager")
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, FORM)
    created = Package.objects.get(plant__code="MADH")
    assert response["Location"] == page(created)
    assert (created.package_id, created.activation_charge) == ("A1.1(NN)/30/200", 150)
    assert client.post(NEW, FORM).status_code == 302  # a double tap
    assert Package.objects.filter(plant__code="MADH").count() == 1


@pytest.mark.parametrize("user", ["cluster_incharge", "state_incharge"])
def test_only_head_office_gets_the_forms(catalogue: Catalogue, as_user, user) -> None:
    client = as_user(user)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, FORM).status_code == 403
    assert client.get(page(catalogue.kats_prepaid, "revise")).status_code == 403
    assert (
        client.post(
            page(catalogue.kats_prepaid, "withdraw"), {"token": "x"}
        ).status_code
        == 403
    )
    assert Package.objects.get(pk=catalogue.kats_prepaid.pk).active
    assert not Package.objects.filter(plant__code="MADH").exists()


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"load_w": "0"}, "load_w", "whole number of watts above 0"),
        ({"prepaid_amount": ""}, "prepaid_amount", "needs this rate"),
        ({"rate_per_kwh": "5"}, "rate_per_kwh", "Leave this empty"),
        ({"deposit_amount": "1.234"}, "deposit_amount", "At most 2 decimal places"),
        ({"deposit_rule": "multiple"}, "deposit_multiple", "needs this value"),
    ],
)
def test_a_refusal_shows_next_to_its_field(
    catalogue: Catalogue, as_user, change: dict, field: str, text: str
) -> None:
    response = as_user("admin").post(NEW, FORM | change)
    assert response.status_code == 200
    assert text in " ".join(response.context["form"].errors[field])
    assert not Package.objects.filter(plant__code="MADH").exists()


def test_a_revision_makes_the_next_version(catalogue: Catalogue, as_user) -> None:
    client = as_user("admin")
    old = catalogue.kats_prepaid
    form = client.get(page(old, "revise")).context["form"]
    assert form.initial["prepaid_amount"] == old.prepaid_amount
    data = {k: v for k, v in FORM.items() if k not in ("plant", "offered")}
    data |= {"load_w": "17", "prepaid_amount": "180", "token": "r-1"}
    response = client.post(page(old, "revise"), data)
    new = Package.objects.get(supersedes=old)
    assert response["Location"] == page(new)
    assert (new.version, new.package_id, new.active) == (2, "A1.1(NN)/17/180", True)
    assert old.customers.count() == 1
    stale = client.post(page(old, "revise"), data | {"token": "r-2", "load_w": "20"})
    assert "newer version" in " ".join(stale.context["form"].non_field_errors())


def test_withdraw_and_offer_again(catalogue: Catalogue, as_user) -> None:
    client = as_user("ho_manager")
    package = catalogue.kats_unmetered
    client.post(page(package, "withdraw"), {"token": "w"})
    assert not Package.objects.get(pk=package.pk).active
    client.post(page(package, "offer"), {"token": "o"})
    assert Package.objects.get(pk=package.pk).active


def test_offering_an_id_already_offered_says_why(catalogue: Catalogue, as_user) -> None:
    client = as_user("admin")
    package = catalogue.kats_prepaid
    client.post(page(package, "withdraw"), {"token": "w"})
    make(package.plant, PREPAID)
    response = client.post(page(package, "offer"), {"token": "o"}, follow=True)
    assert "already offered at the plant" in response.content.decode()
    assert not Package.objects.get(pk=package.pk).active


def test_the_list_does_a_constant_number_of_queries(
    catalogue: Catalogue, as_user
) -> None:
    client = as_user("admin")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for load in range(100, 110):
        make(catalogue.world.plants["BHMADH"], PREPAID, load_w=load)
    assert count() == before
