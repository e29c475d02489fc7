"""The home screen of the field agent app (manual 3.3): module icons grouped
under the manual's headings. A module with a ``url_name`` exists and is a
link; the others are shown greyed, never as a dead link."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Module:
    label: str | Promise
    icon: str
    url_name: str = ""
    # The permission action the module needs; others see it greyed.
    action: str = ""


@dataclass(frozen=True)
class Section:
    title: str | Promise
    modules: tuple[Module, ...]


M = Module

SECTIONS: tuple[Section, ...] = (
    Section(
        _("Consumer"),
        (
            M(_("Receivables"), "rupee", "field:receivables", "receivable.view"),
            M(_("Consumer List"), "list", "field:consumers"),
            M(_("Consumer Status"), "user", "field:acq-connections"),
            M(_("Consumer Activity"), "user", "field:requests"),
            M(_("Consumer Service"), "tool"),
            M(_("Temporary Disconnect"), "power", "field:smart-meters"),
            M(_("Add Consumer"), "plus", "field:acq-new"),
            M(_("Add Instant Consumer"), "plus", "field:acq-instant"),
            M(_("Catchment Survey"), "list", "field:acq-list"),
        ),
    ),
    Section(
        _("Package & Scheme"),
        (
            M(_("Packages"), "box", "field:packages"),
            M(_("Package Activity"), "box"),
            M(_("Scheme"), "box"),
            M(_("Product Inventory"), "box"),
        ),
    ),
    Section(
        _("Plant"),
        (
            M(_("Plant Performance"), "sun"),
            M(_("Plant Utilisation"), "sun"),
            M(_("Add Generation Data"), "plus"),
            M(_("Add Consumption Data"), "plus"),
            M(_("Diesel Consumption"), "drop"),
            M(_("Bank Deposit"), "rupee", "field:deposits", "cash.view"),
            M(_("Plant Shutdown Info"), "power"),
            M(_("Plant Downtime"), "power"),
            M(_("Plant Maintenance"), "tool"),
            M(_("Plant Service"), "tool"),
        ),
    ),
    Section(
        _("Maintenance Schedule"),
        (
            M(_("Plant Maintenance"), "tool"),
            M(_("Battery Maintenance"), "power"),
            M(_("T & D"), "tool"),
            M(_("LMC"), "tool"),
        ),
    ),
    Section(
        _("Meter"),
        (
            M(_("Meter stock"), "meter", "field:meters"),
            M(_("Change Meter"), "meter", "field:meter-change", "meter.change"),
            M(_("Unreleased Meter"), "meter", "field:meter-releases"),
            M(_("Smart Meter Status"), "meter", "field:smart-meters"),
            M(_("Feeder Status"), "meter", "field:feeders"),
            M(_("Meter Reading"), "meter", "field:readings", "reading.enter"),
            M(
                _("Meter Reading Review"),
                "meter",
                "field:reading-review",
                "reading.review",
            ),
            M(_("TERMS Status"), "meter", "field:smart-meters"),
        ),
    ),
    Section(_("Water"), (M(_("Water Camper Sell"), "drop"),)),
    Section(
        _("Miscellaneous"),
        (
            M(_("Gallery"), "image"),
            M(_("Add Images"), "image"),
            M(_("Contacts"), "phone", "field:contacts"),
            M(_("Notifications"), "bell", "field:notifications"),
            M(_("Plant Shutdown Message"), "bell"),
            M(_("SUG"), "user"),
        ),
    ),
)
