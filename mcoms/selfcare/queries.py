"""Reads for the customer app, always through ``customers_for``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mcoms.customers.models import Customer
from mcoms.customers.selectors import customers_for
from mcoms.notifications.models import Channel, Message
from mcoms.org.models import Designation, Staff


@dataclass(frozen=True)
class Tile:
    label: str | Promise
    icon: str
    href: str = ""  # empty: the module comes later


def accounts_for(user: Any) -> list[Customer]:
    return list(customers_for(user).select_related("company").order_by("customer_id"))


def tiles_for(customer: Customer) -> list[Tile]:
    """The dashboard tiles of manual 4.3, linked where the module exists."""
    profile = reverse("selfcare:profile", args=[customer.customer_id])
    return [
        Tile(_("Profile"), "user", profile),
        Tile(_("Amount Payable"), "rupee"),
        Tile(_("Bill and Payment Detail"), "list"),
        Tile(_("Package Change Request"), "box"),
        Tile(_("Service Request"), "tool"),
        Tile(_("Notification"), "bell", reverse("selfcare:notifications")),
        Tile(_("Scheme & Offers"), "tag"),
        Tile(_("E-Payments"), "card"),
    ]


def local_csa(customer: Customer) -> Staff | None:
    """The customer service agent of the customer's plant, if any."""
    return (
        Staff.objects.filter(
            plant_id=customer.plant_id,
            designation=Designation.CSA,
            is_active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )


def inbox_for(user: Any) -> QuerySet[Message]:
    return Message.objects.filter(user=user, channel=Channel.INAPP)
