"""Writes for customers (the foundation part: creating a connection with its ID)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from mcoms.core import ids
from mcoms.core.errors import ValidationFailed
from mcoms.core.services import validated_save
from mcoms.customers.models import Customer, CustomerStatus, Segment
from mcoms.org.models import Language, Pole, User
from mcoms.packages.models import Package


def customer_user_for_phone(*, phone: str, language: str = Language.HINDI) -> User:
    """The sign-in identity of a mobile number (one per number, many accounts)."""
    user = User.objects.filter(kind=User.Kind.CUSTOMER, phone=phone).first()
    if user is None:
        user = User(
            username=f"c{phone}",
            kind=User.Kind.CUSTOMER,
            phone=phone,
            language=language,
        )
        user.set_unusable_password()
        validated_save(user, by=None)
    return user


@transaction.atomic
def customer_create(
    *,
    pole: Pole,
    name: str,
    phone: str,
    language: str = Language.HINDI,
    status: str = CustomerStatus.ACTIVE,
    address: str = "",
    segment: str = Segment.HOUSEHOLD,
    package: Package | None = None,
    by: User | None,
) -> Customer:
    """Create a connection on ``pole`` with the next free connection number.

    The pole row is locked first, so two agents adding customers on the same pole
    at the same moment get different numbers (the unique constraint backs it up).
    """
    pole = (
        Pole.objects.select_for_update().select_related("plant__state").get(pk=pole.pk)
    )
    last = (
        Customer.objects.filter(pole=pole).aggregate(m=Max("connection_no"))["m"] or 0
    )
    if last >= 99:
        raise ValidationFailed("pole_full", "This pole already has 99 connections.")
    plant = pole.plant
    customer = Customer(
        company_id=plant.company_id,
        plant=plant,
        pole=pole,
        connection_no=last + 1,
        customer_id=ids.customer_id(
            state=plant.state.code,
            plant=plant.code,
            pole=pole.number,
            connection=last + 1,
        ),
        name=name,
        phone=phone,
        language=language,
        status=status,
        address=address,
        segment=segment,
        package=package,
    )
    if package is not None and package.plant_id != plant.pk:
        raise ValidationFailed(
            "package_not_offered",
            f"Package {package.package_id} is not offered at {plant.key}.",
            field="package",
        )
    customer.user = customer_user_for_phone(
        phone=str(customer.phone), language=language
    )
    return validated_save(customer, by=by)
