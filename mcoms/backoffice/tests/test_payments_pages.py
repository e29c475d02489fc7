"""Back-office payment pages: the list in scope, one payment with Reverse and
Refund for head office, and the conflicts queue with its settle action."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from mcoms.payments.models import Payment, PaymentStatus, ProviderEvent
from mcoms.payments.providers.simulator import SimulatorGateway
from mcoms.payments.services import payment_from_callback, payment_take_cash
from tests.builders import World


def signed_in(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.user(username))
    return client


def cash(world: World, key: str = "BHKATS", amount: str = "40") -> Payment:
    return payment_take_cash(
        customer=world.customers[key], amount=amount, by=world.user("admin")
    ).payment


def test_the_list_follows_the_scope(world: World) -> None:
    cash(world)
    cash(world, "BHSIKA", "55")
    html = signed_in(world, "cluster_incharge").get("/backoffice/payments/")
    assert html.status_code == 200
    assert "BHKATS00101" in html.content.decode()
    assert "BHSIKA00101" not in html.content.decode()
    assert (
        "BHSIKA00101"
        in signed_in(world, "admin")
        .get("/backoffice/payments/?q=bhsika")
        .content.decode()
    )


def test_head_office_reverses_a_payment(world: World) -> None:
    payment = cash(world)
    url = f"/backoffice/payments/{payment.uid}/"
    page = signed_in(world, "ho_manager").get(url).content.decode()
    assert "STF:admin:CASH" in page and "Reverse or refund" in page
    assert (
        "Reverse or refund"
        not in signed_in(world, "cluster_incharge").get(url).content.decode()
    )
    refused = signed_in(world, "cluster_incharge").post(
        f"{url}undo/", {"kind": "reversal", "reason": "x"}
    )
    assert refused.status_code == 403
    done = signed_in(world, "ho_manager").post(
        f"{url}undo/", {"kind": "refund", "reason": "paid twice"}
    )
    assert done.status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    again = signed_in(world, "ho_manager").post(
        f"{url}undo/", {"kind": "reversal", "reason": "x"}, follow=True
    )
    assert "already reversed or refunded" in again.content.decode()


def test_the_conflicts_queue_and_settling(world: World) -> None:
    body, headers, _id = SimulatorGateway("tara").webhook(
        amount=Decimal("64.00"), currency="INR", customer_id="BHKATS0010"
    )
    for _ in range(2):
        payment_from_callback(
            provider="simulator",
            company_code="tara",
            kind="webhook",
            body=body,
            headers=headers,
        )
    event = ProviderEvent.objects.order_by("pk").first()
    assert event is not None
    admin = signed_in(world, "admin")
    page = admin.get("/backoffice/payments/conflicts/").content.decode()
    assert "reference_unknown" in page and "2 times" in page
    assert (
        signed_in(world, "state_incharge")
        .get("/backoffice/payments/conflicts/")
        .status_code
        == 403
    )
    bad = admin.post(
        f"/backoffice/payments/conflicts/{event.pk}/settle/",
        {"action": "apply", "customer": ""},
        follow=True,
    )
    assert "Choose the customer." in bad.content.decode()
    done = admin.post(
        f"/backoffice/payments/conflicts/{event.pk}/settle/",
        {"action": "apply", "customer": "BHKATS00101"},
    )
    payment = Payment.objects.get()
    assert done["Location"] == f"/backoffice/payments/{payment.uid}/"
    assert payment.amount == Decimal("64.00")
    assert (
        "Nothing waiting."
        in admin.get("/backoffice/payments/conflicts/").content.decode()
    )
