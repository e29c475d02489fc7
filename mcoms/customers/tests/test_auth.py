from __future__ import annotations

from typing import Any

import pytest

from mcoms.core.errors import ValidationFailed
from mcoms.customers.auth import customer_login_finish, customer_login_start
from mcoms.customers.models import Customer
from mcoms.customers.services import customer_create
from mcoms.notifications.gateways.locmem import Sms
from mcoms.notifications.models import OtpCode
from mcoms.notifications.testing import last_code, sms_outbox
from mcoms.org.models import Pole, User
from tests.builders import World

__all__ = ["sms_outbox"]

PHONE = "+919800000001"  # the BHKATS customer of the world (Hindi)


@pytest.fixture
def start(
    world: World, sms_outbox: list[Sms], django_capture_on_commit_callbacks: Any
) -> Any:
    def run(phone: str = PHONE) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            customer_login_start(phone=phone)
        return last_code(sms_outbox)

    return run


def test_a_known_customer_gets_a_code_in_their_language(
    start: Any, sms_outbox: list[Sms]
) -> None:
    start("98000 00001")
    assert [s.to for s in sms_outbox] == [PHONE]
    assert "साइन-इन कोड" in sms_outbox[0].body
    assert OtpCode.objects.get().purpose == "login"


def test_an_unknown_phone_is_refused_and_nothing_is_sent(
    start: Any, sms_outbox: list[Sms]
) -> None:
    with pytest.raises(ValidationFailed) as err:
        start("+919899999999")
    assert err.value.code == "phone_unknown"
    assert err.value.field == "phone"
    assert sms_outbox == []
    assert not OtpCode.objects.exists()


def test_an_invalid_phone_is_refused(start: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        start("12")
    assert err.value.code == "phone_invalid"


def test_the_right_code_signs_the_customer_in(start: Any, world: World) -> None:
    code = start()
    user = customer_login_finish(phone="098000 00001", code=code)
    assert user == world.customers["BHKATS"].user
    assert user.kind == User.Kind.CUSTOMER


def test_a_wrong_code_is_refused_and_counted(start: Any) -> None:
    code = start()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(ValidationFailed) as err:
        customer_login_finish(phone=PHONE, code=wrong)
    assert err.value.code == "otp_wrong"
    assert OtpCode.objects.get().attempts == 1


def test_a_code_signs_in_once(start: Any) -> None:
    code = start()
    customer_login_finish(phone=PHONE, code=code)
    with pytest.raises(ValidationFailed) as err:
        customer_login_finish(phone=PHONE, code=code)
    assert err.value.code == "otp_used"


def test_finishing_for_an_unknown_phone_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed) as err:
        customer_login_finish(phone="+919899999999", code="123456")
    assert err.value.code == "phone_unknown"


def test_sign_in_links_accounts_of_the_number_that_have_no_user(
    start: Any, world: World
) -> None:
    pole = Pole.objects.get(plant=world.plants["BHKATS"], number=2)
    extra = customer_create(pole=pole, name="Shop", phone=PHONE, by=None)
    Customer.objects.filter(pk=extra.pk).update(user=None)
    user = customer_login_finish(phone=PHONE, code=start())
    extra.refresh_from_db()
    assert extra.user == user
    assert set(user.customer_accounts.all()) == {world.customers["BHKATS"], extra}


def test_a_customer_without_a_sign_in_user_gets_one(start: Any) -> None:
    Customer.objects.filter(phone=PHONE).update(user=None)
    User.objects.filter(kind=User.Kind.CUSTOMER, phone=PHONE).delete()
    user = customer_login_finish(phone=PHONE, code=start())
    assert (user.phone, user.kind, user.language) == (PHONE, "customer", "hi")
    assert Customer.objects.get(phone=PHONE).user == user
