"""Packages, meter stock and a walk through the acquisition pipeline, for the
tests of the acquisition screens (field app, back office, customer app and
the browser walk). The steps go through the real services."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from mcoms.acquisition import services
from mcoms.acquisition.models import STAGES, Prospect, Stage
from mcoms.metering.models import Meter
from mcoms.metering.services import meter_receive
from mcoms.org.models import Pole
from mcoms.packages.models import Package
from mcoms.packages.tests.factories import METERED, PREPAID, make
from tests.builders import World

PHONE = "+919876500001"


@dataclass
class Stock:
    """At BHKATS: a pre-paid package (ACT 150, deposit 100), a metered one
    (ACT 200), two load limiters and a conventional meter; at BHMADH a
    pre-paid package and a load limiter."""

    prepaid: Package
    metered: Package
    madh_prepaid: Package
    meters: dict[str, Meter] = field(default_factory=dict)


def stock(world: World) -> Stock:
    kats, madh = world.plants["BHKATS"], world.plants["BHMADH"]
    kit = Stock(
        prepaid=make(kats, PREPAID, activation_charge="150"),
        metered=make(kats, METERED, activation_charge="200"),
        madh_prepaid=make(madh, PREPAID),
    )
    for serial, kind, plant in [
        ("LL-1", "load_limiter", kats),
        ("LL-2", "load_limiter", kats),
        ("CM-1", "conventional", kats),
        ("LL-MADH", "load_limiter", madh),
    ]:
        kit.meters[serial], _ = meter_receive(
            company=world.company, serial=serial, kind=kind, plant=plant, by=None
        )
    return kit


def png_bytes(size: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (40, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name: str = "id.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def survey(world: World, *, by: str = "csa", **over: Any) -> Prospect:
    args: dict[str, Any] = {
        "plant": world.plants["BHKATS"],
        "name": "Sunita Devi",
        "phone": PHONE,
        "pole": Pole.objects.get(plant=world.plants["BHKATS"], number=2),
        "distance_m": "12.5",
        "appliances": [{"name": "bulb", "count": 3, "watts": 9}],
        "hours_per_day": "6",
        "by": world.user(by),
    }
    prospect, _created = services.prospect_create(**(args | over))
    return prospect


def walk(
    world: World,
    kit: Stock,
    prospect: Prospect,
    to: str,
    *,
    meter: str = "LL-1",
    connection: int = 3,
) -> Prospect:
    """Do every stage after the prospect's own up to ``to`` (stages 1-6 as
    the CSA, 7-8 as the technician). For ``to="meter"``, ``connection`` says
    how many connection steps to record before mounting (fewer than 3: the
    meter is assigned but not mounted, and stage 7 is not done)."""
    csa, tech = world.user("csa"), world.user("technician")
    do = {
        Stage.MARKETING: lambda p: services.prospect_marketing_record(
            prospect=p, method="door_to_door", by=csa
        ),
        Stage.ACQUISITION: lambda p: services.prospect_acquire(prospect=p, by=csa),
        Stage.KYC: lambda p: (
            services.kyc_document_add(
                prospect=p, kind="id_proof", upload=png_upload(), by=csa
            ),
            services.prospect_kyc_complete(
                prospect=p,
                id_type="voter_id",
                id_number="ABC1234567",
                commitments_acknowledged=True,
                by=csa,
            ),
        ),
        Stage.PACKAGE: lambda p: services.prospect_package_assign(
            prospect=p, package=kit.prepaid, by=csa
        ),
        Stage.ACCOUNT: lambda p: services.prospect_account_create(prospect=p, by=csa),
        Stage.METER: lambda p: _install(p, kit.meters[meter], tech, connection),
        Stage.ACTIVATION: lambda p: services.prospect_activate(prospect=p, by=tech),
    }
    for stage in STAGES[STAGES.index(prospect.stage) + 1 : STAGES.index(to) + 1]:
        do[stage](Prospect.objects.get(pk=prospect.pk))
    return Prospect.objects.get(pk=prospect.pk)


def _install(p: Prospect, meter: Meter, tech: Any, connection: int) -> None:
    services.prospect_meter_assign(prospect=p, meter=meter, by=tech)
    for step in ["at_pole", "house_wire", "service_wire"][:connection]:
        services.prospect_connection_step(prospect=p, step=step, by=tech)
    if connection == 3:
        services.prospect_meter_install(prospect=p, initial_reading="0", by=tech)
