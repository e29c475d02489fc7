"""A customer's own edits from the customer app, and the checks every edit's
values go through."""

from __future__ import annotations

import pytest

from mcoms.core.errors import NotFound, ValidationFailed
from mcoms.customers.models import ProfileChange, ProfileChangeState
from mcoms.customers.profile import profile_change_confirm, profile_change_request
from mcoms.customers.tests.profile_helpers import (
    NEW,
    OLD,
    code_sent_to,
    fresh,
    request,
    wrong,
)
from mcoms.notifications.models import Message
from tests.builders import World

S = ProfileChangeState


def test_contact_details_change_at_once(world: World) -> None:
    change = request(
        world,
        by="customer",
        address="Ward 4",
        alt_phone="9811100000",
        language="en",
    )
    assert change.state == S.CONFIRMED
    customer = fresh(world)
    assert (customer.address, str(customer.alt_phone), customer.language) == (
        "Ward 4",
        "+919811100000",
        "en",
    )
    record = customer.history.latest("history_date", "history_id")
    assert record.history_user == customer.user
    assert record.history_change_reason == f"Profile change {change.pk}"
    assert not Message.objects.exists()  # no code, no SMS


def test_a_new_number_needs_the_code_sent_to_it(world: World) -> None:
    change = request(world, by="customer", phone=NEW, address="Ward 4")
    assert change.state == S.PENDING
    assert not Message.objects.filter(phone=OLD).exists()  # signed in: enough
    assert fresh(world).address == ""  # the whole change waits
    user = world.customers["BHKATS"].user
    assert user is not None
    with pytest.raises(ValidationFailed) as err:
        profile_change_confirm(
            change=change, by=user, code_new=wrong(code_sent_to(NEW))
        )
    assert err.value.code == "otp_wrong"
    profile_change_confirm(change=change, by=user, code_new=code_sent_to(NEW))
    customer = fresh(world)
    assert (str(customer.phone), customer.address) == (NEW, "Ward 4")
    assert customer.user is not None and customer.user != user
    assert Message.objects.filter(phone=OLD, template="profile_phone_changed").exists()


def test_a_customer_may_not_change_the_name(world: World) -> None:
    with pytest.raises(ValidationFailed) as err:
        request(world, by="customer", name="Someone else")
    assert (err.value.code, err.value.field) == ("field_not_editable", "name")
    assert fresh(world).name == "Customer BHKATS"


def test_a_customer_cannot_edit_another_account(world: World) -> None:
    me = world.customers["BHKATS"].user
    assert me is not None
    with pytest.raises(NotFound):
        profile_change_request(
            customer=world.customers["UPGORA"], changes={"address": "x"}, by=me
        )
    assert not ProfileChange.objects.exists()


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"phone": "12345"}, "phone_invalid", "phone"),
        ({"alt_phone": "abc"}, "phone_invalid", "alt_phone"),
        ({"alt_phone": "9800000001"}, "alt_phone_same", "alt_phone"),
        ({"language": "fr"}, "language_unknown", "language"),
        ({"segment": "palace"}, "segment_unknown", "segment"),
        ({"name": "   "}, "name_missing", "name"),
        ({"address": "x" * 201}, "address_too_long", "address"),
        ({"address": "", "name": "Customer  BHKATS"}, "profile_unchanged", None),
        ({"status": "banned"}, "field_not_editable", "status"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_sent(
    world: World, changes: dict, code: str, field: str | None
) -> None:
    with pytest.raises(ValidationFailed) as err:
        request(world, **changes)
    assert (err.value.code, err.value.field) == (code, field)
    assert not ProfileChange.objects.exists()
    assert not Message.objects.exists()
