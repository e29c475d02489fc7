"""Stages 5 and 6: a package offered at the plant with its deposit and
activation charge told to the customer; the account with a unique customer ID
and the customer's sign-in."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mcoms.acquisition import services
from mcoms.acquisition.models import Stage
from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.customers.auth import customer_login_finish, customer_login_start
from mcoms.customers.models import Customer, CustomerStatus
from mcoms.notifications.models import Channel, Message
from mcoms.packages.services import package_revise
from mcoms.packages.tariff import deposit_for
from tests.builders import latest_code

from .conftest import advance, survey


@pytest.fixture
def kyc_done(kit):
    return advance(kit, survey(kit), Stage.KYC)


def test_the_package_sets_deposit_and_activation_charge(kit, kyc_done) -> None:
    prospect = services.prospect_package_assign(
        prospect=kyc_done, package=kit.prepaid, by=kit.user("csa")
    )
    assert prospect.stage == Stage.PACKAGE
    assert prospect.deposit_amount == Decimal("100.00")
    assert prospect.activation_amount == Decimal("150.00")
    sms = Message.objects.get(channel=Channel.SMS, template="acq_package")
    assert (str(sms.phone), sms.language) == ("+919876500001", "hi")
    assert "100" in sms.body and "150" in sms.body and "A1.1(NN)/17/160" in sms.body


def test_the_sms_follows_the_prospects_language(kit) -> None:
    prospect = advance(kit, survey(kit, language="en"), Stage.PACKAGE)
    sms = Message.objects.get(template="acq_package")
    assert sms.language == "en"
    assert sms.body.startswith("Tara Urja Demo: package A1.1(NN)/17/160")
    assert "Security deposit INR 100, activation charge INR 150" in sms.body
    assert prospect.ref in sms.body


def test_a_metered_deposit_follows_the_surveyed_needs(kit) -> None:
    # 200 W for 4 h over 30 days = 24 kWh: all in the first slab (5/kWh) = 120,
    # plus 50 fixed = 170 a month; the rule is 2 x that.
    prospect = advance(
        kit,
        survey(kit, anticipated_load_w="200", hours_per_day="4", appliances=None),
        Stage.PACKAGE,
        package=kit.metered,
    )
    assert prospect.deposit_amount == Decimal("340.00")
    # Without surveyed needs: the package's own anticipated bill.
    bare = advance(
        kit,
        survey(kit, phone="+919876500002", appliances=None, hours_per_day=None),
        Stage.PACKAGE,
        package=kit.metered,
    )
    assert bare.deposit_amount == deposit_for(kit.metered)


@pytest.mark.parametrize("which", ["other_plant", "withdrawn"])
def test_a_package_not_offered_at_the_plant_is_refused(kit, kyc_done, which) -> None:
    package = kit.madh_prepaid
    if which == "withdrawn":
        package_revise(package=kit.prepaid, load_w=20, by=None)
        package = kit.prepaid
        package.refresh_from_db()
    with pytest.raises(ValidationFailed) as err:
        services.prospect_package_assign(prospect=kyc_done, package=package, by=None)
    assert (err.value.code, err.value.field) == ("package_not_offered", "package")
    kyc_done.refresh_from_db()
    assert (kyc_done.stage, kyc_done.package) == (Stage.KYC, None)
    assert not Message.objects.filter(template="acq_package").exists()


def test_the_account_gets_a_customer_id_and_a_sign_in(kit, sms_outbox) -> None:
    prospect = advance(
        kit, survey(kit, address="Ward 4, Katsari"), Stage.ACCOUNT, by="operator"
    )
    customer = prospect.customer
    assert customer.customer_id == "BHKATS00201"
    assert (customer.status, customer.package, customer.segment) == (
        CustomerStatus.NEW,
        kit.prepaid,
        "household",
    )
    assert customer.address == "Ward 4, Katsari"
    assert customer.user is not None and customer.user.kind == "customer"
    sms = Message.objects.get(template="acq_account")
    assert "BHKATS00201" in sms.body
    assert sms.user == customer.user
    # The customer can sign in with the number at once.
    customer_login_start(phone="9876500001")
    user = customer_login_finish(phone="9876500001", code=latest_code("+919876500001"))
    assert list(user.customer_accounts.all()) == [customer]


def test_the_technical_team_hears_of_the_new_account(kit) -> None:
    advance(kit, survey(kit), Stage.ACCOUNT)
    told = Message.objects.filter(template="acq_task").latest("pk")
    assert told.user == kit.user("technician")
    assert "BHKATS00201" in told.body


def test_a_second_account_for_the_prospect_is_refused(kit) -> None:
    prospect = advance(kit, survey(kit), Stage.ACCOUNT)
    with pytest.raises(Conflict) as err:
        services.prospect_account_create(prospect=prospect, by=None)
    assert err.value.code == "connection_has_account"
    assert "BHKATS00201" in err.value.message
    assert Customer.objects.filter(pole=kit.pole(2)).count() == 1


def test_two_prospects_on_one_pole_get_the_next_connections(kit) -> None:
    a = advance(kit, survey(kit), Stage.ACCOUNT)
    b = advance(kit, survey(kit, phone="+919876500002"), Stage.ACCOUNT)
    same_phone = advance(kit, survey(kit), Stage.ACCOUNT)  # a shop and a home
    assert [p.customer.customer_id for p in (a, b, same_phone)] == [
        "BHKATS00201",
        "BHKATS00202",
        "BHKATS00203",
    ]
    assert a.customer.user == same_phone.customer.user
