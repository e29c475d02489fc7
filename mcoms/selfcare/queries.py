"""Reads for the customer app, always through ``customers_for``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mcoms.customers.models import Customer
from mcoms.customers.selectors import customers_for


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
        Tile(_("Amount Payable"), "rupee", _url("selfcare:payable", customer)),
        Tile(
            _("Bill and Payment Detail"), "list", _url("selfcare:statement", customer)
        ),
        Tile(_("Transactions"), "card", _url("selfcare:transactions", customer)),
        Tile(_("Package Change Request"), "box"),
        Tile(_("Service Request"), "tool"),
        Tile(_("Notification"), "bell", reverse("selfcare:notifications")),
        Tile(_("Scheme & Offers"), "tag"),
        Tile(_("E-Payments"), "card"),
    ]


def _url(name: str, customer: Customer) -> str:
    return reverse(name, args=[customer.customer_id])
