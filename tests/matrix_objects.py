"""The objects of issue 3 that the access matrices (tests/test_access_matrix_web.py,
tests/api/test_access_matrix.py) look at, added to ``build_world()``:

at each of tara's plants BHKATS, BHSIKA and UPGORA, and at the other company's
BHKATS (which reuses our codes):

* a package ``A1.1(NN)/17/160`` v1, which the plant's customer of the world
  takes, flagged "to de-activate" (over its credit limit),
* a meter in the plant's stock (``M-BHKATS``, ``M-BHSIKA``, ``M-UPGORA``;
  the other company's ``M-OTHER``), and one in tara's warehouse (``M-STORE``),
* a prospect named ``Prospect <plant>`` (the other company's ``Other
  prospect``) acquired, with one KYC document (an ID proof),
* a de-activation request of the plant's customer;

and CSV imports (dry runs) by tara's admin, by a Head Office Manager scoped
to BH (``ho_bh``, when that user exists) and by the other company's admin.

Objects made by staff are made by each company's admin.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from mcoms.acquisition import services as acquisition
from mcoms.acquisition.models import Prospect
from mcoms.customers.imports.batches import import_upload
from mcoms.customers.models import Customer
from mcoms.customers.tests.import_kit import PACKAGE_ROW, packages_file
from mcoms.metering.services import meter_receive
from mcoms.org.models import Plant, Pole, User
from mcoms.packages.tests.factories import PREPAID, make
from mcoms.workflow import services as workflow
from tests.builders import World
from tests.pipeline_kit import png_upload

PACKAGE = "A1.1(NN)/17/160"
PLANT_KEYS = ("BHKATS", "BHSIKA", "UPGORA")


@dataclass
class Objects:
    """What was made, by (company, plant key): prospect refs, request numbers,
    KYC document ids; import tokens by uploader."""

    prospects: dict[tuple[str, str], str] = field(default_factory=dict)
    requests: dict[tuple[str, str], str] = field(default_factory=dict)
    documents: dict[tuple[str, str], int] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)


def _plants(w: World) -> list[tuple[str, Plant, User]]:
    admin, other_admin = w.user("admin"), w.user("other_admin")
    tara = [("tara", w.plants[key], admin) for key in PLANT_KEYS]
    return [*tara, ("other", w.customers["other"].plant, other_admin)]


def _prospect(plant: Plant, name: str, phone: str, by: User) -> Prospect:
    prospect, _created = acquisition.prospect_create(
        plant=plant,
        name=name,
        phone=phone,
        pole=Pole.objects.get(plant=plant, number=2),
        distance_m="10",
        by=by,
    )
    acquisition.prospect_marketing_record(prospect=prospect, method="leaflet", by=by)
    return acquisition.prospect_acquire(prospect=prospect, by=by)


def add_objects(w: World) -> Objects:
    """Make the objects (MEDIA_ROOT must point somewhere writable)."""
    out = Objects()
    for n, (company, plant, admin) in enumerate(_plants(w), start=1):
        key = plant.key
        package = make(plant, PREPAID)
        customer = w.customers[key if company == "tara" else "other"]
        Customer.objects.filter(pk=customer.pk).update(
            package=package,
            flagged_at=timezone.now(),
            flagged_outstanding=Decimal("500.00"),
        )
        serial = f"M-{key}" if company == "tara" else "M-OTHER"
        meter_receive(
            company=plant.company,
            serial=serial,
            kind="load_limiter",
            plant=plant,
            by=None,
        )
        name = f"Prospect {key}" if company == "tara" else "Other prospect"
        prospect = _prospect(plant, name, f"+91987650{n:04d}", admin)
        doc, _created = acquisition.kyc_document_add(
            prospect=prospect, kind="id_proof", upload=png_upload(), by=admin
        )
        out.prospects[company, key] = prospect.ref
        out.documents[company, key] = doc.pk
        req, _created = workflow.request_raise(
            kind="deactivation",
            plant=plant,
            subject=customer,
            payload={"reason": "non_payment"},
            idempotency_key=str(uuid.uuid4()),
            by=admin,
        )
        out.requests[company, key] = req.number
    meter_receive(
        company=w.company, serial="M-STORE", kind="load_limiter", plant=None, by=None
    )
    for username in ("admin", "ho_bh", "other_admin"):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        batch, _created = import_upload(
            user=user, files=[packages_file([PACKAGE_ROW | {"plant": "BHKATS"}])]
        )
        out.imports[username] = str(batch.token)
    return out
