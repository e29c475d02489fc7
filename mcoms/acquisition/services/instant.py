"""Add Instant Consumer (manual 3.5.10, "fast-track customer addition"): only
the critical fields - name, mobile number, pole and package - and the prospect
goes straight to an account. The stages it skips (the survey's distance and
needs, marketing, KYC) are marked "to complete later" and are filled in with
the ordinary stage services afterwards, even once the customer is active.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from mcoms.acquisition import notify
from mcoms.acquisition.models import Channel, EventKind, Prospect, Stage
from mcoms.acquisition.services import _base, checks
from mcoms.acquisition.services.pipeline import _insert, _new, _open_account, _price
from mcoms.customers.models import Segment
from mcoms.org.models import Language, Plant, Pole
from mcoms.packages.models import Package

SKIPPED = [Stage.SURVEY, Stage.MARKETING, Stage.KYC]


def prospect_instant_create(
    *,
    plant: Plant,
    name: str,
    phone: str,
    pole: Pole | None,
    package: Package | None,
    language: str = Language.HINDI,
    segment: str = Segment.HOUSEHOLD,
    address: str = "",
    idempotency_key: str = "",
    by: Any,
) -> tuple[Prospect, bool]:
    """Create the prospect and its account (status "awaiting connection") in
    one transaction; the next step is the meter. Returns the prospect and
    whether it is new (a retry with the same key returns the first)."""
    key = _base.check_key(idempotency_key)
    pole = checks.pole_at_plant(plant, pole)
    package = checks.package_offered(plant, package)
    prospect = _new(
        plant,
        name=name,
        phone=phone,
        segment=segment,
        language=language,
        address=address,
        key=key,
        by=by,
    )
    prospect.pole = pole
    prospect.channel = Channel.INSTANT
    prospect.stage = Stage.ACQUISITION
    with transaction.atomic():
        found = _base.existing(plant.company_id, key)
        if found is not None:
            return found, False
        prospect, created = _insert(prospect, key, by=by)
        if not created:
            return prospect, False
        _base.defer(prospect, SKIPPED, by=by)
        _base.record(
            prospect,
            Stage.ACQUISITION,
            EventKind.DONE,
            by=by,
            data={"channel": Channel.INSTANT},
        )
        _price(prospect, package)
        data = {
            "package": package.package_id,
            "version": package.version,
            "deposit": str(prospect.deposit_amount),
            "activation": str(prospect.activation_amount),
        }
        _base.complete(prospect, Stage.PACKAGE, later=False, by=by, data=data)
        notify.tell_customer(prospect, "acq_package")
        _open_account(prospect, by=by)
        return prospect, True
