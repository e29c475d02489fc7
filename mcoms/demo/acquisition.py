"""Demo data for the acquisition pipeline and meter stock, built through the
services like real work (validated, audited, notified):

* every plant: load limiters and meters in stock; the company warehouse: more;
* the first plant: a prospect at each of the eight stages (the account, meter
  and activation ones with real customer accounts and, once active, their
  charges on the ledger), one rejected at KYC, one instant consumer with KYC to
  complete later, and one connection request from the customer app.

Deterministic: the same demo gets the same prospects, serials and customer IDs.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from PIL import Image

from mcoms.acquisition import services
from mcoms.acquisition.models import STAGES, Prospect, Stage
from mcoms.metering.models import Meter, MeterKind
from mcoms.metering.services import meter_receive
from mcoms.notifications.models import Message
from mcoms.org.models import Plant, Pole
from mcoms.packages.models import BillingType, Package
from mcoms.packages.selectors import package_offered_at
from mcoms.packages.services import package_create

if TYPE_CHECKING:
    from mcoms.demo.builder import Demo

# Customer accounts the pipeline adds to the demo (stages 6, 7, 8 and the
# instant consumer), on top of the bulk-built customers.
ACCOUNTS = 4
PLANT_STOCK = [
    (MeterKind.LOAD_LIMITER, 6),
    (MeterKind.CONVENTIONAL, 3),
    (MeterKind.SMART, 1),
]
WAREHOUSE_STOCK = [(MeterKind.LOAD_LIMITER, 10), (MeterKind.CONVENTIONAL, 5)]
# One prospect per stage: name, phone, the stage it has done.
PROSPECTS = [
    ("Anita Kumari", "+919600000001", Stage.SURVEY),
    ("Bablu Yadav", "+919600000002", Stage.MARKETING),
    ("Chanda Devi", "+919600000003", Stage.ACQUISITION),
    ("Dilip Mahto", "+919600000004", Stage.KYC),
    ("Eshwar Prasad", "+919600000005", Stage.PACKAGE),
    ("Farida Khatun", "+919600000006", Stage.ACCOUNT),
    ("Gopal Singh", "+919600000007", Stage.METER),
    ("Hema Kumari", "+919600000008", Stage.ACTIVATION),
]


def build_acquisition(demo: Demo) -> None:
    stock = _stock(demo)
    if not demo.plants:
        return
    plant = demo.plants[0]
    key = plant.key.lower()
    csa, tech = demo.staff[f"csa.{key}"].user, demo.staff[f"tech.{key}"].user
    package = _package(plant)
    pole = Pole.objects.filter(plant=plant).order_by("-number").first()
    assert pole is not None  # noqa: S101 - every demo plant has poles
    limiters = iter(m for m in stock[plant.pk] if m.kind == MeterKind.LOAD_LIMITER)
    for n, (name, phone, stage) in enumerate(PROSPECTS):
        prospect, _ = services.prospect_create(
            plant=plant,
            name=name,
            phone=phone,
            pole=pole,
            distance_m=str(5 + 3 * n),
            appliances=[{"name": "LED bulb", "count": 2 + n % 3, "watts": 9}],
            hours_per_day="6",
            idempotency_key=f"demo:prospect:{n}",
            by=csa,
        )
        needs_meter = STAGES.index(stage) >= STAGES.index(Stage.METER)
        meter = next(limiters) if needs_meter else None
        _advance(prospect, stage, package=package, meter=meter, csa=csa, tech=tech)
    rejected, _ = services.prospect_create(
        plant=plant,
        name="Indu Devi",
        phone="+919600000009",
        pole=pole,
        distance_m="42",
        distance_override="Pole extension planned",
        idempotency_key="demo:prospect:rejected",
        by=csa,
    )
    _advance(
        rejected, Stage.ACQUISITION, package=package, meter=None, csa=csa, tech=tech
    )
    services.prospect_reject(prospect=rejected, reason="No ID proof yet", by=csa)
    services.prospect_instant_create(
        plant=plant,
        name="Jagdish Ram",
        phone="+919600000010",
        pole=pole,
        package=package,
        idempotency_key="demo:prospect:instant",
        by=csa,
    )
    _request(plant)
    demo.customers += ACCOUNTS


def _stock(demo: Demo) -> dict[int, list[Meter]]:
    """Meters in stock at every plant and in the warehouse."""
    by_plant: dict[int, list[Meter]] = {}
    for plant in demo.plants:
        by_plant[plant.pk] = _receive(demo, plant, PLANT_STOCK, prefix=plant.key)
    _receive(demo, None, WAREHOUSE_STOCK, prefix="WH")
    return by_plant


def _receive(
    demo: Demo, plant: Plant | None, stock: Sequence[tuple[str, int]], *, prefix: str
) -> list[Meter]:
    meters = []
    for kind, count in stock:
        tag = {"load_limiter": "LL", "conventional": "CM", "smart": "SM"}[kind]
        for n in range(1, count + 1):
            meter, _ = meter_receive(
                company=demo.company,
                serial=f"{prefix}-{tag}-{n:03d}",
                kind=kind,
                driver="simulator" if kind == MeterKind.SMART else "manual",
                plant=plant,
                by=None,
            )
            meters.append(meter)
    return meters


def _package(plant: Plant) -> Package:
    """A pre-paid package of the plant (made if the plant offers none yet)."""
    offered = list(package_offered_at(plant))
    prepaid = [p for p in offered if p.billing_type == BillingType.PREPAID]
    if prepaid or offered:
        return (prepaid or offered)[0]
    return package_create(
        plant=plant,
        type_code="A1.1",
        timing_code="NN",
        load_w=17,
        prepaid_amount="160",
        prepaid_period_days=30,
        activation_charge="150",
        deposit_amount="100",
        credit_limit="320",
        by=None,
    )


def _advance(
    prospect: Prospect,
    stage: str,
    *,
    package: Package,
    meter: Meter | None,
    csa: Any,
    tech: Any,
) -> None:
    """Do each stage after the survey up to ``stage``."""
    for step in STAGES[1 : STAGES.index(stage) + 1]:
        _STEPS[step](prospect, package, meter, csa, tech)


def _kyc(prospect: Prospect, csa: Any) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (180, 140, 100)).save(buffer, format="PNG")
    services.kyc_document_add(
        prospect=prospect,
        kind="id_proof",
        upload=ContentFile(buffer.getvalue(), name="id.png"),
        idempotency_key="demo:kyc",
        by=csa,
    )
    services.prospect_kyc_complete(
        prospect=prospect,
        id_type="voter_id",
        id_number=f"BHR{prospect.number:07d}",
        commitments_acknowledged=True,
        by=csa,
    )


def _install(prospect: Prospect, meter: Meter | None, tech: Any) -> None:
    assert meter is not None  # noqa: S101
    services.prospect_meter_assign(prospect=prospect, meter=meter, by=tech)
    for step in ("at_pole", "house_wire", "service_wire"):
        services.prospect_connection_step(prospect=prospect, step=step, by=tech)
    services.prospect_meter_install(prospect=prospect, by=tech)


_STEPS: dict[str, Any] = {
    Stage.MARKETING: lambda p, pk, m, csa, tech: services.prospect_marketing_record(
        prospect=p, method="door_to_door", note="Visited with leaflets", by=csa
    ),
    Stage.ACQUISITION: lambda p, pk, m, csa, tech: services.prospect_acquire(
        prospect=p, by=csa
    ),
    Stage.KYC: lambda p, pk, m, csa, tech: _kyc(p, csa),
    Stage.PACKAGE: lambda p, pk, m, csa, tech: services.prospect_package_assign(
        prospect=p, package=pk, by=csa
    ),
    Stage.ACCOUNT: lambda p, pk, m, csa, tech: services.prospect_account_create(
        prospect=p, by=csa
    ),
    Stage.METER: lambda p, pk, m, csa, tech: _install(p, m, tech),
    Stage.ACTIVATION: lambda p, pk, m, csa, tech: services.prospect_activate(
        prospect=p, by=tech
    ),
}


def _request(plant: Plant) -> None:
    """A request from the customer app, with the code read back from the
    outbox (the demo plays the customer)."""
    phone = "+919600000011"
    services.connection_request_start(phone=phone)
    body = Message.objects.filter(phone=phone).latest("pk").body
    code = re.search(r"\b(\d{6})\b", body)
    assert code is not None  # noqa: S101
    services.connection_request_submit(
        plant=plant,
        name="Kamla Devi",
        phone=phone,
        code=code.group(1),
        address="Near the primary school",
        idempotency_key="demo:request",
    )
