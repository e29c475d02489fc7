"""A connection request from the customer app (manual 4.2.1): for oneself or
for someone else, the mobile number proved by a code sent to it."""

from __future__ import annotations

import pytest

from mcoms.acquisition import services
from mcoms.acquisition.models import Prospect, Stage
from mcoms.acquisition.selectors import connection_requests_for_customer
from mcoms.core.errors import ValidationFailed
from mcoms.notifications.models import Message, OtpCode
from tests.builders import customer_user, latest_code

from .conftest import advance

PHONE = "+919876500070"


def submit(kit, **over):
    args = {
        "plant": kit.plant,
        "name": "Geeta Kumari",
        "phone": "98765 00070",
        "code": latest_code(PHONE),
        "address": "Near the school",
        "idempotency_key": "",
    }
    return services.connection_request_submit(**(args | over))


@pytest.fixture
def code_sent(kit):
    services.connection_request_start(phone="9876500070", language="en")
    otp = OtpCode.objects.get(phone=PHONE)
    assert otp.purpose == "connection_request"
    return otp


def test_a_request_with_the_right_code_enters_at_stage_three(kit, code_sent) -> None:
    prospect, created = submit(kit)
    assert created
    assert (prospect.stage, prospect.channel) == (Stage.ACQUISITION, "self")
    assert prospect.deferred == ["survey", "marketing"]
    assert prospect.pole is None and prospect.phone_verified_at is not None
    assert prospect.ref == "P-BHKATS-000001"
    sms = Message.objects.filter(phone=PHONE).latest("pk")
    assert sms.template == "acq_request_received" and prospect.ref in sms.body
    task = Message.objects.get(template="acq_task")
    assert task.user == kit.user("csa")
    assert "new connection request" in task.body


def test_a_wrong_code_writes_nothing(kit, code_sent) -> None:
    with pytest.raises(ValidationFailed) as err:
        submit(kit, code="000000" if latest_code(PHONE) != "000000" else "111111")
    assert err.value.code == "otp_wrong"
    assert not Prospect.objects.exists()
    code_sent.refresh_from_db()
    assert code_sent.attempts == 1  # the wrong try is counted


def test_without_a_code_sent_it_is_refused(kit) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.connection_request_submit(
            plant=kit.plant, name="X", phone=PHONE, code="123456"
        )
    assert err.value.code == "otp_missing"
    assert not Prospect.objects.exists()


def test_a_referral_records_the_referring_customer(kit, code_sent) -> None:
    referrer = kit.world.customers["BHKATS"]
    user = customer_user(kit.world)
    prospect, _ = submit(kit, referrer=referrer, requested_by=user)
    assert (prospect.channel, prospect.referrer, prospect.requested_by) == (
        "referral",
        referrer,
        user,
    )
    assert list(connection_requests_for_customer(user)) == [prospect]
    event = prospect.events.get(kind="done")
    assert event.data == {"channel": "referral", "referrer": "BHKATS00101"}


def test_a_referrer_of_another_company_is_refused(kit, code_sent) -> None:
    with pytest.raises(ValidationFailed) as err:
        submit(kit, referrer=kit.world.customers["other"])
    assert err.value.code == "referrer_other_company"
    assert not Prospect.objects.exists()


def test_a_retry_with_its_key_returns_the_first_without_a_code(kit, code_sent) -> None:
    first, _ = submit(kit, idempotency_key="req-1")
    again, created = submit(kit, idempotency_key="req-1", code="used-already")
    assert (again.pk, created) == (first.pk, False)
    assert Prospect.objects.count() == 1


def test_the_sales_team_completes_the_survey_and_goes_on(kit, code_sent) -> None:
    prospect, _ = submit(kit)
    with pytest.raises(ValidationFailed) as err:
        advance(kit, prospect, Stage.ACCOUNT)
    assert err.value.code == "pole_missing"
    prospect.refresh_from_db()
    assert prospect.stage == Stage.PACKAGE
    services.prospect_survey_record(
        prospect=prospect,
        pole=kit.pole(1),
        distance_m="20",
        anticipated_load_w="40",
        hours_per_day="6",
        by=kit.user("operator"),
    )
    prospect = advance(kit, prospect, Stage.ACTIVATION)
    assert prospect.customer.customer_id == "BHKATS00102"
    assert prospect.deferred == ["marketing"]
