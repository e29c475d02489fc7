from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import F

from mcoms.customers.models import Customer
from mcoms.org.models import Plant
from mcoms.packages.models import BillingType, Package


@pytest.mark.django_db
def test_every_plant_offers_the_catalogue_and_every_customer_has_a_package() -> None:
    call_command("seed_demo", customers=80, seed=5)
    for plant in Plant.objects.all():
        offered = Package.objects.filter(plant=plant, active=True)
        assert {"A1.1(NN)/17/160", "A1.1(EV)/60/300", "B1.1(FD)/500/50"} <= set(
            offered.values_list("package_id", flat=True)
        )
        assert set(offered.values_list("billing_type", flat=True)) == set(
            BillingType.values
        )
    assert not Customer.objects.filter(package__isnull=True).exists()
    # every package a customer is on belongs to the customer's plant
    assert not Customer.objects.exclude(package__plant=F("plant")).exists()
    # and the customer's history says so
    customer = Customer.objects.order_by("pk").first()
    assert customer.history.first().package_id == customer.package_id
