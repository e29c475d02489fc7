"""adjustment_add: a charge or credit for the next bill, once per key."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mcoms.billing.models import Adjustment
from mcoms.billing.services import adjustment_add
from mcoms.billing.tests.conftest import Site
from mcoms.core.errors import Conflict, ValidationFailed


def add(site: Site, **kw):
    args = {
        "customer": site.world.customers["BHKATS"],
        "service": "OTHER",
        "amount": "25.00",
        "description": "Meter box repair",
        "idempotency_key": "k-1",
        "by": site.world.user("admin"),
    }
    return adjustment_add(**(args | kw))


def test_it_adds_a_charge_or_a_credit_once_per_key(site: Site):
    first, created = add(site)
    assert created and first.amount == Decimal("25.00") and first.bill is None
    again, created = add(site)
    assert (again.pk, created) == (first.pk, False)
    credit, created = add(site, amount="-7.5", idempotency_key="k-2")
    assert created and credit.amount == Decimal("-7.50")
    assert Adjustment.objects.count() == 2


def test_a_key_used_for_another_adjustment_is_refused(site: Site):
    add(site)
    with pytest.raises(Conflict) as caught:
        add(site, amount="30.00")
    assert caught.value.code == "idempotency_key_reused"
    assert Adjustment.objects.count() == 1


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"service": "DEP"}, "service_invalid"),
        ({"service": "XYZ"}, "service_invalid"),
        ({"amount": "0"}, "amount_not_positive"),
        ({"amount": "-0.00"}, "amount_not_positive"),
        ({"amount": 12.5}, "amount_not_decimal"),
        ({"amount": "1.234"}, "amount_too_precise"),
        ({"amount": "abc"}, "amount_invalid"),
        ({"amount": "NaN"}, "amount_invalid"),
        ({"description": "  "}, "description_invalid"),
        ({"description": "x" * 201}, "description_invalid"),
        ({"idempotency_key": ""}, "idempotency_key_invalid"),
        ({"idempotency_key": "k" * 121}, "idempotency_key_invalid"),
    ],
)
def test_it_refuses_bad_input_and_writes_nothing(site: Site, kw, code):
    with pytest.raises(ValidationFailed) as caught:
        add(site, **kw)
    assert caught.value.code == code
    assert not Adjustment.objects.exists()
