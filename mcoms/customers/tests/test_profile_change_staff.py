"""A field agent's edit of a customer's profile takes effect only once the
customer confirms it with the code sent to the registered number (and to the
new number when the number changes)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mcoms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from mcoms.customers.models import Customer, ProfileChange, ProfileChangeState
from mcoms.customers.profile import (
    profile_change_cancel,
    profile_change_confirm,
    profile_change_request,
    profile_change_resend,
)
from mcoms.customers.selectors import profile_history
from mcoms.customers.services import customer_create
from mcoms.customers.tests.profile_helpers import (
    NEW,
    OLD,
    code_sent_to,
    fresh,
    request,
    wrong,
)
from mcoms.notifications.models import Message, OtpCode
from mcoms.notifications.otp import otp_verify
from mcoms.org.models import Pole
from tests.builders import World

S = ProfileChangeState


def test_an_agents_edit_waits_for_the_customers_code(world: World) -> None:
    change = request(world, address="Ward 4, near the school", name="Sita Devi")
    assert change.state == S.PENDING
    assert change.changes == {
        "name": ["Customer BHKATS", "Sita Devi"],
        "address": ["", "Ward 4, near the school"],
    }
    assert fresh(world).address == ""  # nothing changes before the code
    templates = list(
        Message.objects.filter(phone=OLD).values_list("template", flat=True)
    )
    assert sorted(templates) == ["otp_verify", "profile_change_requested"]
    info = Message.objects.get(phone=OLD, template="profile_change_requested")
    assert "csa" in info.body and "BHKATS00101" in info.body


def test_the_right_code_applies_it_with_the_agent_in_the_history(
    world: World,
) -> None:
    change = request(world, address="Ward 4")
    done = profile_change_confirm(
        change=change, by=world.user("csa"), code_registered=code_sent_to(OLD)
    )
    assert done.state == S.CONFIRMED and done.closed_by == world.user("csa")
    customer = fresh(world)
    assert customer.address == "Ward 4"
    record = customer.history.latest("history_date", "history_id")
    assert record.history_user == world.user("csa")
    assert record.history_change_reason == (
        f"Profile change {change.pk}, confirmed by code (csa)"
    )
    [entry] = profile_history(customer)
    assert (entry.who, entry.changes[0].field) == ("csa", "address")
    assert (entry.changes[0].old, entry.changes[0].new) == ("—", "Ward 4")


def test_a_wrong_code_changes_nothing(world: World) -> None:
    change = request(world, address="Ward 4")
    with pytest.raises(ValidationFailed) as err:
        profile_change_confirm(
            change=change,
            by=world.user("csa"),
            code_registered=wrong(code_sent_to(OLD)),
        )
    assert (err.value.code, err.value.field) == ("otp_wrong", "code_registered")
    assert "4 tries left" in err.value.message
    assert fresh(world).address == ""
    assert ProfileChange.objects.get(pk=change.pk).state == S.PENDING


def test_no_code_is_refused(world: World) -> None:
    change = request(world, address="Ward 4")
    with pytest.raises(ValidationFailed) as err:
        profile_change_confirm(change=change, by=world.user("csa"))
    assert err.value.code == "otp_required"


def test_a_new_number_needs_both_codes_and_moves_the_sign_in(world: World) -> None:
    old_user = world.customers["BHKATS"].user
    shop = customer_create(
        pole=Pole.objects.get(plant=world.plants["BHKATS"], number=2),
        name="Shop",
        phone=OLD,
        by=None,
    )
    change = request(world, phone="98111 22233")
    assert (change.phone_registered, change.phone_new) == (OLD, NEW)
    registered, new = code_sent_to(OLD), code_sent_to(NEW)
    with pytest.raises(ValidationFailed) as err:
        profile_change_confirm(
            change=change,
            by=world.user("csa"),
            code_registered=registered,
            code_new=wrong(new),
        )
    assert (err.value.code, err.value.field) == ("otp_wrong", "code_new")
    assert str(fresh(world).phone) == OLD
    change.refresh_from_db()
    assert change.registered_confirmed_at is not None  # only the new one again
    profile_change_confirm(change=change, by=world.user("csa"), code_new=new)
    customer = fresh(world)
    assert str(customer.phone) == NEW
    assert customer.user is not None and customer.user != old_user
    assert str(customer.user.phone) == NEW
    shop.refresh_from_db()
    assert shop.user == old_user and str(shop.phone) == OLD  # stays with the old
    notice = Message.objects.get(phone=OLD, template="profile_phone_changed")
    assert "2233" in notice.body


def test_a_code_already_used_is_refused(world: World) -> None:
    change = request(world, address="Ward 4")
    code = code_sent_to(OLD)
    otp_verify(phone=OLD, purpose="profile_edit", code=code)  # used elsewhere
    with pytest.raises(ValidationFailed) as err:
        profile_change_confirm(
            change=change, by=world.user("csa"), code_registered=code
        )
    assert err.value.code == "otp_used"
    assert fresh(world).address == ""


def test_an_expired_change_is_closed_and_refused(world: World) -> None:
    change = request(world, address="Ward 4")
    past = timezone.now() - timedelta(seconds=1)
    ProfileChange.objects.filter(pk=change.pk).update(expires_at=past)
    OtpCode.objects.filter(pk=change.otp_registered_id).update(expires_at=past)
    with pytest.raises(Conflict) as err:
        profile_change_confirm(
            change=change, by=world.user("csa"), code_registered=code_sent_to(OLD)
        )
    assert err.value.code == "profile_change_expired"
    assert ProfileChange.objects.get(pk=change.pk).state == S.EXPIRED
    assert fresh(world).address == ""


def test_a_code_sent_for_another_change_does_not_confirm_this_one(
    world: World,
) -> None:
    second = customer_create(
        pole=Pole.objects.get(plant=world.plants["BHKATS"], number=2),
        name="Second",
        phone=OLD,
        by=None,
    )
    first = request(world, address="Ward 4")
    profile_change_request(
        customer=second, changes={"address": "Market"}, by=world.user("csa")
    )
    with pytest.raises(ValidationFailed) as err:
        profile_change_confirm(
            change=first, by=world.user("csa"), code_registered=code_sent_to(OLD)
        )
    assert err.value.code == "otp_superseded"
    assert fresh(world).address == ""


def test_a_new_request_replaces_the_waiting_one(world: World) -> None:
    first = request(world, address="Ward 4")
    second = request(world, address="Ward 5", by="technician")
    first.refresh_from_db()
    assert first.state == S.CANCELLED
    assert first.note == "Replaced by a newer change."
    assert second.state == S.PENDING


def test_cancel_then_confirm_is_refused(world: World) -> None:
    change = request(world, address="Ward 4")
    code = code_sent_to(OLD)
    profile_change_cancel(change=change, by=world.user("cluster_incharge"))
    again = profile_change_cancel(change=change, by=world.user("csa"))
    assert again.state == S.CANCELLED
    assert again.closed_by == world.user("cluster_incharge")
    with pytest.raises(Conflict) as err:
        profile_change_confirm(
            change=change, by=world.user("csa"), code_registered=code
        )
    assert err.value.code == "profile_change_closed"
    assert fresh(world).address == ""


def test_confirming_twice_applies_once(world: World) -> None:
    change = request(world, address="Ward 4")
    code = code_sent_to(OLD)
    profile_change_confirm(change=change, by=world.user("csa"), code_registered=code)
    again = profile_change_confirm(
        change=change, by=world.user("csa"), code_registered=code
    )
    assert again.state == S.CONFIRMED
    assert fresh(world).history.count() == 2  # created, then one change


def test_resend_sends_new_codes_once_per_key(world: World) -> None:
    change = request(world, address="Ward 4")
    first_otp = change.otp_registered_id
    profile_change_resend(change=change, by=world.user("csa"), idempotency_key="r1")
    profile_change_resend(change=change, by=world.user("csa"), idempotency_key="r1")
    assert Message.objects.filter(phone=OLD, template="otp_verify").count() == 2
    assert OtpCode.objects.get(pk=first_otp).invalidated  # the first code is dead
    change.refresh_from_db()
    assert change.otp_registered_id != first_otp
    profile_change_confirm(
        change=change, by=world.user("csa"), code_registered=code_sent_to(OLD)
    )
    assert fresh(world).address == "Ward 4"


def test_an_edit_made_meanwhile_cancels_the_change(world: World) -> None:
    change = request(world, address="Ward 4")
    Customer.objects.filter(pk=world.customers["BHKATS"].pk).update(address="Other")
    with pytest.raises(Conflict) as err:
        profile_change_confirm(
            change=change, by=world.user("csa"), code_registered=code_sent_to(OLD)
        )
    assert err.value.code == "profile_changed_meanwhile"
    assert ProfileChange.objects.get(pk=change.pk).state == S.CANCELLED
    assert fresh(world).address == "Other"


def test_a_retried_request_returns_the_first(world: World) -> None:
    customer = world.customers["BHKATS"]
    first, created = profile_change_request(
        customer=customer,
        changes={"address": "Ward 4"},
        by=world.user("csa"),
        idempotency_key="k-1",
    )
    again, created_again = profile_change_request(
        customer=customer,
        changes={"address": "Ward 4"},
        by=world.user("csa"),
        idempotency_key="k-1",
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert Message.objects.filter(phone=OLD, template="otp_verify").count() == 1
    with pytest.raises(Conflict) as err:
        profile_change_request(
            customer=world.customers["BHSIKA"],
            changes={"address": "x"},
            by=world.user("admin"),
            idempotency_key="k-1",
        )
    assert err.value.code == "idempotency_key_reused"


@pytest.mark.parametrize(
    ("username", "error"),
    [("sika_csa", NotFound), ("other_admin", NotFound), ("operator", Forbidden)],
)
def test_who_may_not_edit(world: World, username: str, error: type) -> None:
    with pytest.raises(error):
        request(world, by=username, address="Ward 4")
    assert not ProfileChange.objects.exists()
    assert not Message.objects.exists()


def test_who_may_not_confirm_or_cancel(world: World) -> None:
    change = request(world, address="Ward 4")
    code = code_sent_to(OLD)
    with pytest.raises(NotFound):
        profile_change_confirm(
            change=change, by=world.user("sika_csa"), code_registered=code
        )
    with pytest.raises(Forbidden):
        profile_change_cancel(change=change, by=world.user("operator"))
    outsider = world.customers["UPGORA"].user
    assert outsider is not None
    with pytest.raises(NotFound):
        profile_change_cancel(change=change, by=outsider)
    assert ProfileChange.objects.get(pk=change.pk).state == S.PENDING


def test_the_customer_may_confirm_an_agents_edit_in_the_app(world: World) -> None:
    change = request(world, address="Ward 4")
    customer_user = world.customers["BHKATS"].user
    assert customer_user is not None
    profile_change_confirm(
        change=change, by=customer_user, code_registered=code_sent_to(OLD)
    )
    assert fresh(world).address == "Ward 4"
    record = fresh(world).history.latest("history_date", "history_id")
    assert record.history_user == world.user("csa")  # who made the edit
