"""Consumer Activity in the back office: list with tabs and filters, detail with
only the buttons the user may use, the raise form, steps, the flagged list."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from mcoms.customers.models import Customer
from mcoms.packages.tests.factories import PREPAID, make
from mcoms.workflow import services
from mcoms.workflow.models import Request
from tests.builders import World

LIST = "/backoffice/requests/"


def raise_(world: World, key: str = "BHKATS", by: str = "csa") -> Request:
    customer = world.customers[key]
    req, _created = services.request_raise(
        kind="deactivation",
        plant=customer.plant,
        subject=customer,
        payload={"reason": "non_payment", "ban": False},
        idempotency_key=str(uuid.uuid4()),
        by=world.user(by),
    )
    return req


def buttons(html: str) -> set[str]:
    """The step forms on a detail page."""
    steps = ("approve", "assign", "execute", "complete", "reject")
    return {s for s in steps if f"/{s}/" in html}


# --- list ---------------------------------------------------------------------------
def test_the_list_shows_requests_in_scope_with_state_counts(world, as_user) -> None:
    kats = raise_(world)
    sika = raise_(world, "BHSIKA", by="sika_csa")
    response = as_user("cluster_incharge").get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert kats.number in html and sika.number not in html
    tabs = {value: count for value, _label, count in response.context["tabs"]}
    assert tabs["request"] == 1 and tabs["completed"] == 0
    assert "De-activation" in html


def test_list_filters_by_state_kind_and_plant(world, as_user) -> None:
    kats = raise_(world)
    gora_customer = world.customers["UPGORA"]
    Customer.objects.filter(pk=gora_customer.pk).update(status="inactive")
    gora, _ = services.request_raise(
        kind="reactivation",
        plant=gora_customer.plant,
        subject=gora_customer,
        payload={"reason": "customer_wish"},
        idempotency_key="g",
        by=world.user("admin"),
    )
    services.request_approve(request=gora, by=world.user("admin"))
    client = as_user("admin")

    def numbers(query: str) -> list[str]:
        page = client.get(LIST + query).context["page"]
        return [r.number for r in page]

    assert numbers("") == [gora.number, kats.number]
    assert numbers("?state=approved") == [gora.number]
    assert numbers("?kind=deactivation") == [kats.number]
    assert numbers("?plant=BHKATS") == [kats.number]
    assert numbers("?state=bogus") == [gora.number, kats.number]
    assert as_user("cluster_incharge").get(LIST + "?plant=UPGORA").status_code == 404


def test_field_staff_are_sent_to_their_app(world, as_user) -> None:
    assert as_user("csa").get(LIST).status_code == 403


# --- detail and buttons -------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("state_incharge", {"approve", "reject"}),
        ("admin", {"approve", "reject"}),
        ("cluster_incharge", set()),
        ("ho_manager", {"approve", "reject"}),
    ],
)
def test_only_the_steps_the_user_may_take_are_shown(world, as_user, who, expected):
    req = raise_(world)
    html = as_user(who).get(f"{LIST}{req.number}/").content.decode()
    assert buttons(html) == expected


def test_the_assign_form_lists_the_plants_people(world, as_user) -> None:
    req = services.request_approve(request=raise_(world), by=world.user("admin"))
    response = as_user("cluster_incharge").get(f"{LIST}{req.number}/")
    html = response.content.decode()
    assert buttons(html) == {"assign", "reject"}
    people = [s.user.username for s in response.context["assignees"]]
    assert people[:2] == ["csa", "technician"]
    assert "sika_csa" not in people
    assert "Non-payment" in html  # the kind describes its details


def test_a_request_outside_the_scope_is_404(world, as_user) -> None:
    req = raise_(world, "BHSIKA", by="sika_csa")
    assert as_user("cluster_incharge").get(f"{LIST}{req.number}/").status_code == 404
    assert as_user("other_admin").get(f"{LIST}{req.number}/").status_code == 404


# --- steps --------------------------------------------------------------------------
def test_walking_the_chain_through_the_buttons(world, as_user) -> None:
    req = raise_(world)
    url = f"{LIST}{req.number}/"
    r = as_user("state_incharge").post(url + "approve/", {"token": "t1"})
    assert r.status_code == 302 and r["Location"] == url
    as_user("cluster_incharge").post(
        url + "assign/", {"token": "t2", "assignee": "technician"}
    )
    req.refresh_from_db()
    assert (req.state, req.assigned_to) == ("in_process", world.user("technician"))
    # the cluster in-charge executes nothing assigned to someone else
    assert "execute" not in buttons(
        as_user("cluster_incharge").get(url).content.decode()
    )
    as_user("admin").post(url + "reject/", {"token": "t3", "reason": ""})
    req.refresh_from_db()
    assert req.state == "in_process"  # no reason: refused
    client = as_user("cluster_incharge")
    client.post(url + "assign/", {"token": "t4", "assignee": "csa"})
    req.refresh_from_db()
    assert req.assigned_to == world.user("csa")


def test_a_refused_step_shows_why_and_changes_nothing(world, as_user) -> None:
    req = raise_(world)
    url = f"{LIST}{req.number}/"
    as_user("state_incharge").post(url + "approve/", {"token": "a"})
    r = as_user("admin").post(url + "approve/", {"token": "b"}, follow=True)
    assert "already moved on" in r.content.decode()
    assert Request.objects.get(pk=req.pk).steps.count() == 2


def test_a_step_the_designation_lacks_is_403(world, as_user) -> None:
    req = raise_(world)
    r = as_user("cluster_incharge").post(f"{LIST}{req.number}/approve/", {})
    assert r.status_code == 403
    assert Request.objects.get(pk=req.pk).state == "request"


def test_an_unknown_step_is_404(world, as_user) -> None:
    req = raise_(world)
    assert as_user("admin").post(f"{LIST}{req.number}/fly/", {}).status_code == 404


def test_a_double_posted_step_is_taken_once(world, as_user) -> None:
    req = raise_(world)
    client = as_user("state_incharge")
    for _ in range(2):
        r = client.post(f"{LIST}{req.number}/approve/", {"token": "same"}, follow=True)
        assert "already moved on" not in r.content.decode()
    assert Request.objects.get(pk=req.pk).steps.filter(action="approve").count() == 1


# --- raise form ---------------------------------------------------------------------
def test_raising_from_the_form_and_a_double_submit(world, as_user) -> None:
    client = as_user("cluster_incharge")
    form = client.get(LIST + "new/?customer=BHKATS00101&plant=BHKATS")
    assert form.context["form"].initial["customer"] == "BHKATS00101"
    data = {
        "plant": "BHKATS",
        "kind": "deactivation",
        "customer": "bhkats00101",
        "reason": "non_payment",
        "ban": "on",
        "comments": "unpaid since March",
        "token": "form-1",
    }
    first = client.post(LIST + "new/", data)
    second = client.post(LIST + "new/", data)
    req = Request.objects.get()
    assert first["Location"] == second["Location"] == f"{LIST}{req.number}/"
    assert req.payload == {"reason": "non_payment", "ban": True}
    assert req.comments == "unpaid since March"


def test_the_form_shows_refusals_next_to_the_field(world, as_user) -> None:
    client = as_user("cluster_incharge")
    data = {
        "plant": "BHKATS",
        "kind": "reactivation",
        "customer": "BHKATS00101",
        "reason": "customer_wish",
        "token": "form-2",
    }
    response = client.post(LIST + "new/", data)
    assert response.status_code == 200
    assert "Only an inactive or banned customer is re-activated." in (
        response.content.decode()
    )
    assert not Request.objects.exists()
    wrong_plant = client.post(
        LIST + "new/", {**data, "plant": "BHSIKA", "kind": "deactivation"}
    )
    assert wrong_plant.status_code == 200  # BHSIKA is not a choice for BH-NORTH
    assert "plant" in wrong_plant.context["form"].errors
    outside = client.post(
        LIST + "new/", {**data, "kind": "deactivation", "customer": "BHSIKA00101"}
    )
    assert outside.status_code == 404


# --- flagged ------------------------------------------------------------------------
def test_the_flagged_list_with_counts_and_a_raise_link(world, as_user) -> None:
    package = make(world.plants["BHKATS"], PREPAID, credit_limit="100")
    Customer.objects.filter(
        pk__in=[world.customers[k].pk for k in ("BHKATS", "BHSIKA")]
    ).update(
        package=package,
        flagged_at=datetime(2026, 3, 1, tzinfo=UTC),
        flagged_outstanding=Decimal("420.00"),
    )
    response = as_user("cluster_incharge").get(LIST + "flagged/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["total"] == 1
    assert "BHKATS00101" in html and "BHSIKA00101" not in html
    assert "420.00" in html
    assert "kind=deactivation" in html  # the one-tap raise
    req = raise_(world)
    html = as_user("cluster_incharge").get(LIST + "flagged/").content.decode()
    assert req.number in html and "kind=deactivation" not in html
    admin = as_user("admin").get(LIST + "flagged/?plant=BHSIKA")
    assert [c.customer_id for c in admin.context["page"]] == ["BHSIKA00101"]
    assert (
        as_user("cluster_incharge").get(LIST + "flagged/?plant=BHSIKA").status_code
        == 404
    )


def test_the_menu_links_consumer_activity(world, as_user) -> None:
    html = as_user("state_incharge").get("/backoffice/").content.decode()
    assert 'href="/backoffice/requests/"' in html
