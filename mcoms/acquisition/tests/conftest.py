"""The acquisition kit: packages and meter stock at the world's plants, KYC
files of every kind, and a helper that walks a prospect to any stage."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from mcoms.acquisition import services
from mcoms.acquisition.models import STAGES, Prospect, Stage
from mcoms.metering.models import Meter
from mcoms.metering.services import meter_receive
from mcoms.notifications.testing import sms_outbox  # noqa: F401 (a fixture)
from mcoms.org.models import Plant, Pole, User
from mcoms.packages.models import Package
from mcoms.packages.tests.factories import METERED, PREPAID, make
from tests.builders import World


@dataclass
class Kit:
    world: World
    plant: Plant  # BHKATS
    prepaid: Package  # A1.1(NN)/17/160: ACT 150, deposit 100
    metered: Package  # B1.1(FD)/500/50: ACT 200, deposit 2 x anticipated bill
    madh_prepaid: Package  # offered at BHMADH only
    meters: dict[str, Meter] = field(default_factory=dict)

    def user(self, name: str) -> User:
        return self.world.user(name)

    def pole(self, number: int = 2, plant: str = "BHKATS") -> Pole:
        return Pole.objects.get(plant=self.world.plants[plant], number=number)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def kit(world: World) -> Kit:
    plant = world.plants["BHKATS"]
    kit = Kit(
        world=world,
        plant=plant,
        prepaid=make(plant, PREPAID, activation_charge="150"),
        metered=make(plant, METERED, activation_charge="200"),
        madh_prepaid=make(world.plants["BHMADH"], PREPAID),
    )
    stock = [
        ("LL-1", "load_limiter", plant),
        ("LL-2", "load_limiter", plant),
        ("CM-1", "conventional", plant),
        ("SM-1", "smart", plant),
        ("LL-MADH", "load_limiter", world.plants["BHMADH"]),
        ("LL-WH", "load_limiter", None),
    ]
    for serial, kind, at in stock:
        kit.meters[serial], _ = meter_receive(
            company=world.company, serial=serial, kind=kind, plant=at, by=None
        )
    return kit


def image_file(fmt: str = "JPEG", name: str = "photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 100, 50)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def pdf_file(name: str = "id.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def survey(kit: Kit, *, by: str = "csa", **over: Any) -> Prospect:
    args: dict[str, Any] = {
        "plant": kit.plant,
        "name": "Sunita Devi",
        "phone": "+919876500001",
        "pole": kit.pole(2),
        "distance_m": "12.5",
        "segment": "household",
        "appliances": [{"name": "bulb", "count": 3, "watts": 9}],
        "hours_per_day": "6",
        "by": kit.user(by),
    }
    prospect, created = services.prospect_create(**(args | over))
    assert created
    return prospect


def _steps(kit: Kit, package: Package, meter: str) -> dict[str, Callable[..., Any]]:
    tech = kit.user("technician")
    return {
        Stage.MARKETING: lambda p, by: services.prospect_marketing_record(
            prospect=p, method="door_to_door", note="visited", by=by
        ),
        Stage.ACQUISITION: lambda p, by: services.prospect_acquire(prospect=p, by=by),
        Stage.KYC: lambda p, by: _kyc(p, by),
        Stage.PACKAGE: lambda p, by: services.prospect_package_assign(
            prospect=p, package=package, by=by
        ),
        Stage.ACCOUNT: lambda p, by: services.prospect_account_create(
            prospect=p, by=by
        ),
        Stage.METER: lambda p, by: _install(p, kit.meters[meter], tech),
        Stage.ACTIVATION: lambda p, by: services.prospect_activate(prospect=p, by=tech),
    }


def _kyc(prospect: Prospect, by: User) -> Prospect:
    services.kyc_document_add(
        prospect=prospect, kind="id_proof", upload=pdf_file(), by=by
    )
    return services.prospect_kyc_complete(
        prospect=prospect,
        id_type="voter_id",
        id_number="abc1234567",
        commitments_acknowledged=True,
        by=by,
    )


def _install(prospect: Prospect, meter: Meter, tech: User) -> Prospect:
    services.prospect_meter_assign(prospect=prospect, meter=meter, by=tech)
    for step in ("at_pole", "house_wire", "service_wire"):
        services.prospect_connection_step(prospect=prospect, step=step, by=tech)
    return services.prospect_meter_install(
        prospect=prospect, initial_reading="0", by=tech
    )


def advance(
    kit: Kit,
    prospect: Prospect,
    to: str,
    *,
    package: Package | None = None,
    meter: str = "LL-1",
    by: str = "csa",
) -> Prospect:
    """Do every stage after the prospect's own, up to and including ``to``."""
    steps = _steps(kit, package or kit.prepaid, meter)
    start = STAGES.index(prospect.stage) + 1
    for stage in STAGES[start : STAGES.index(to) + 1]:
        steps[stage](prospect, kit.user(by))
    return Prospect.objects.get(pk=prospect.pk)


@pytest.fixture
def client_for(db: None) -> Callable[[str], APIClient]:
    """An API client authenticated with a real token of the named user."""
    from django.core.cache import cache
    from rest_framework.authtoken.models import Token

    cache.clear()  # throttle counters

    def make_client(username: str) -> APIClient:
        user = User.objects.get(username=username)
        token, _ = Token.objects.get_or_create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make_client
