"""The back office's consumer list (counts per plant, cluster subtotals,
search, pages) and account page (Profile tab, the pencil edit confirmed by the
customer's code, the history)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from mcoms.customers.models import Customer, ProfileChange
from mcoms.customers.services import customer_create
from mcoms.customers.tests.profile_helpers import OLD, code_sent_to, wrong
from mcoms.ledger.models import Account
from mcoms.metering.models import Meter, MeterAssignment
from mcoms.org.models import Pole
from mcoms.packages.tests.factories import METERED, make
from tests.builders import World

LIST = "/backoffice/customers/"
DETAIL = LIST + "BHKATS00101/"


def status(world: World, key: str, value: str) -> None:
    Customer.objects.filter(pk=world.customers[key].pk).update(status=value)


def add(world: World, plant: str, pole: int, name: str, value: str) -> Customer:
    customer = customer_create(
        pole=Pole.objects.get(plant=world.plants[plant], number=pole),
        name=name,
        phone="+919811100000",
        by=None,
    )
    Customer.objects.filter(pk=customer.pk).update(status=value)
    return customer


# --- the consumer list --------------------------------------------------------------
def test_field_staff_and_anonymous_are_kept_out(client: Client, world: World):
    assert client.get(LIST)["Location"].startswith("/backoffice/login/")
    client.force_login(world.user("csa"))
    assert client.get(LIST).status_code == 403


def test_counts_per_plant_cluster_subtotals_and_total(as_user, world: World):
    status(world, "BHKATS", "banned")
    add(world, "BHKATS", 2, "New one", "new")
    add(world, "BHMADH", 1, "Madh", "inactive")
    add(world, "BHSIKA", 2, "Sika two", "active")
    response = as_user("admin").get(LIST)
    groups = {g.subtotal.key: g for g in response.context["groups"]}
    assert list(groups) == ["BH-NORTH", "BH-SOUTH", "UP-EAST"]
    kats = {p.key: p for p in groups["BH-NORTH"].plants}["BHKATS"]
    assert (kats.counts["new"], kats.counts["banned"], kats.total) == (1, 1, 2)
    north = groups["BH-NORTH"].subtotal
    assert (north.counts["banned"], north.counts["inactive"], north.total) == (1, 1, 3)
    assert groups["BH-SOUTH"].subtotal.counts["active"] == 2
    total = response.context["total"]
    assert (total.counts["active"], total.total) == (3, 6)  # the other company: no
    html = response.content.decode()
    assert 'data-cluster="BH-NORTH"' in html and 'class="total"' in html


def test_a_cluster_incharge_sees_their_cluster_only(as_user, world: World):
    response = as_user("cluster_incharge").get(LIST)
    assert [g.subtotal.key for g in response.context["groups"]] == ["BH-NORTH"]
    html = response.content.decode()
    assert "BHKATS00101" in html and "BHSIKA00101" not in html
    assert as_user("cluster_incharge").get(LIST, {"plant": "BHSIKA"}).status_code == 404


def test_search_in_the_list_stays_in_scope(as_user, world: World):
    html = as_user("cluster_incharge").get(LIST, {"q": "customer"}).content.decode()
    assert "BHKATS00101" in html
    assert "BHSIKA00101" not in html and "UPGORA00101" not in html
    html = as_user("admin").get(LIST, {"q": "9800000003"}).content.decode()
    assert "UPGORA00101" in html and "BHKATS00101" not in html
    none = as_user("admin").get(LIST, {"q": "nobody"})
    assert b"No customers found." in none.content


def test_pages_and_the_outstanding(as_user, world: World, monkeypatch):
    monkeypatch.setattr("mcoms.backoffice.views.customers.PAGE_SIZE", 2)
    Account.objects.create(
        company=world.company,
        code="CUS:BHKATS00101:AR:CHG",
        name="Receivable",
        kind="asset",
        service="CHG",
        holder_type="customer",
        holder_ref="BHKATS00101",
        balance=Decimal("125.50"),
    )
    first = as_user("admin").get(LIST)
    assert [c.customer_id for c in first.context["page"]] == [
        "BHKATS00101",
        "BHSIKA00101",
    ]
    assert first.context["page"][0].outstanding == Decimal("125.50")
    assert "Page 1 of 2" in first.content.decode()
    second = as_user("admin").get(LIST, {"page": 2})
    assert [c.customer_id for c in second.context["page"]] == ["UPGORA00101"]


def test_the_menu_links_the_list(as_user, world: World):
    html = as_user("admin").get("/backoffice/").content.decode()
    assert f'href="{LIST}"' in html


# --- the account page ---------------------------------------------------------------
def test_the_profile_tab(as_user, world: World):
    customer = world.customers["BHKATS"]
    package = make(world.plants["BHKATS"], METERED)
    Customer.objects.filter(pk=customer.pk).update(
        package=package, address="Ward 2", activated_at=timezone.now()
    )
    meter = Meter.objects.create(
        company=world.company,
        plant=world.plants["BHKATS"],
        serial="CM-77",
        kind="conventional",
        location="installed",
        state="assigned",
    )
    MeterAssignment.objects.create(
        meter=meter, customer=customer, assigned_at=timezone.now()
    )
    html = as_user("cluster_incharge").get(DETAIL).content.decode()
    for text in ["Customer BHKATS", "+919800000001", "Ward 2", "Household", "CM-77"]:
        assert text in html
    assert package.package_id in html
    assert "load limit 500 W" in html and "8.5000 per kWh" in html
    assert "/backoffice/customers/BHKATS00101/edit/" in html


def test_out_of_scope_is_404(as_user, world: World):
    assert as_user("cluster_incharge").get(LIST + "BHSIKA00101/").status_code == 404
    assert as_user("cluster_incharge").get(LIST + "BHSIKA00101/edit/").status_code == (
        404
    )


def edit(client: Client, **changes: str):
    form = {
        "name": "Customer BHKATS",
        "phone": OLD,
        "alt_phone": "",
        "address": "",
        "language": "hi",
        "segment": "household",
        "token": "tok-1",
    }
    return client.post(DETAIL + "edit/", form | changes)


def test_the_pencil_then_the_customers_code(as_user, world: World):
    client = as_user("cluster_incharge")
    response = edit(client, address="Ward 7")
    assert response.status_code == 302 and response["Location"].endswith("#change")
    change = ProfileChange.objects.get()
    html = client.get(DETAIL).content.decode()
    assert "Waiting for the customer&#x27;s code" in html and "Ward 7" in html
    url = f"{DETAIL}changes/{change.pk}/confirm/"
    client.post(url, {"code_registered": wrong(code_sent_to(OLD))})
    assert Customer.objects.get(pk=change.customer_id).address == ""
    page = client.get(DETAIL).content.decode()
    assert "Wrong code. Ask the customer to read it again." in page
    client.post(url, {"code_registered": code_sent_to(OLD)})
    assert Customer.objects.get(pk=change.customer_id).address == "Ward 7"
    history = client.get(DETAIL).context["history"]
    assert history[0].who == "cluster_incharge"
    assert [(c.field, c.old, c.new) for c in history[0].changes] == [
        ("address", "—", "Ward 7")
    ]


def test_a_bad_value_shows_at_its_field(as_user, world: World):
    response = edit(as_user("admin"), phone="12345")
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [
        "Enter a valid 10-digit mobile number."
    ]
    assert not ProfileChange.objects.exists()


def test_cancel_and_resend(as_user, world: World):
    client = as_user("admin")
    edit(client, address="Ward 7")
    change = ProfileChange.objects.get()
    client.post(f"{DETAIL}changes/{change.pk}/resend/", {"token": "r"})
    client.post(f"{DETAIL}changes/{change.pk}/resend/", {"token": "r"})
    change.refresh_from_db()
    assert change.resend_key == "r"
    client.post(f"{DETAIL}changes/{change.pk}/cancel/")
    change.refresh_from_db()
    assert change.state == "cancelled"
    assert client.post(f"{DETAIL}changes/{change.pk}/nope/").status_code == 404


@pytest.mark.parametrize("username", ["sika_csa", "other_admin"])
def test_outsiders_cannot_act_on_a_change(as_user, world: World, username: str):
    edit(as_user("admin"), address="Ward 7")
    change = ProfileChange.objects.get()
    response = as_user(username).post(f"{DETAIL}changes/{change.pk}/cancel/")
    assert response.status_code in (403, 404)
    change.refresh_from_db()
    assert change.state == "pending"
