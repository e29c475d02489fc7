"""The acquisition steps in the back office: for every step a POST that
advances the prospect, and its refusals - a designation without the step's
action (Head Office Manager) 403, a prospect outside the scope 404, bad input
shown next to its field with nothing changed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mcoms.acquisition import services
from mcoms.acquisition.models import KycDocument, Prospect
from mcoms.customers.models import Customer, CustomerStatus
from mcoms.org.models import Pole
from tests.builders import World
from tests.pipeline_kit import Stock, png_upload, stock, survey, walk

DETAIL = "/backoffice/acquisition/prospects/{}/"
KYC = {"id_type": "voter_id", "id_number": "abc1234567", "commitments": "on"}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def kit(world: World) -> Stock:
    return stock(world)


def reloaded(prospect: Prospect) -> Prospect:
    return Prospect.objects.get(pk=prospect.pk)


def post(client: Client, prospect: Prospect, name: str, **data: Any) -> Any:
    data.setdefault("token", str(uuid.uuid4()))
    return client.post(DETAIL.format(prospect.ref) + f"{name}/", data)


def errors(response: Any, field: str, form: str = "form") -> list[str]:
    found = response.context[form]
    if field == "__all__":
        return [str(e) for e in found.non_field_errors()]
    return [str(e) for e in found.errors.get(field, [])]


def instant(world: World, kit: Stock) -> Prospect:
    prospect, _created = services.prospect_instant_create(
        plant=world.plants["BHKATS"],
        name="Ravi",
        phone="+919876500077",
        pole=Pole.objects.get(plant=world.plants["BHKATS"], number=3),
        package=kit.prepaid,
        by=world.user("csa"),
    )
    return prospect


def wired(world: World, kit: Stock) -> Prospect:
    """Meter picked, At Pole and House wire done: Service Wire next."""
    return walk(world, kit, survey(world), "meter", connection=2)


def rejected(world: World, kit: Stock) -> Prospect:
    prospect = survey(world)
    services.prospect_reject(prospect=prospect, reason="away", by=world.user("csa"))
    return reloaded(prospect)


def _service_wire(world: World, kit: Stock) -> Prospect:
    prospect = wired(world, kit)
    services.prospect_connection_step(
        prospect=prospect, step="service_wire", by=world.user("technician")
    )
    return reloaded(prospect)


@dataclass(frozen=True)
class Case:
    """A step: the prospect ready for it, good data (given the stock) and what
    it changed; bad data, the field its refusal is shown on (``__all__``:
    above the form) and the refusal; ``bad_ready``: the prospect for the bad
    case when it is not ``ready``."""

    ready: Callable[[World, Stock], Prospect]
    good: Callable[[Stock], dict[str, Any]]
    changed: Callable[[Prospect], bool]
    bad: Callable[[Stock], dict[str, Any]]
    field: str
    text: str
    bad_ready: Callable[[World, Stock], Prospect] | None = None


NOT_DUE = "This step is not due now; the page shows where the prospect stands."
CASES: dict[str, Case] = {
    "survey": Case(
        instant,
        lambda kit: {"pole": "3", "distance_m": "10", "segment": "household"},
        lambda p: p.distance_m == Decimal("10.0") and "survey" not in p.deferred,
        lambda kit: {"pole": "77", "distance_m": "10", "segment": "household"},
        "pole",
        "This pole is not on this plant.",
    ),
    "marketing": Case(
        lambda w, k: survey(w),
        lambda kit: {"method": "leaflet", "note": "at the market"},
        lambda p: (p.stage, p.marketing_method) == ("marketing", "leaflet"),
        lambda kit: {"method": "leaflet", "contacted_on": "2999-01-01"},
        "contacted_on",
        "The date is in the future.",
    ),
    "acquisition": Case(
        lambda w, k: walk(w, k, survey(w), "marketing"),
        lambda kit: {"note": "signed at home"},
        lambda p: (p.stage, p.channel) == ("acquisition", "in_person"),
        lambda kit: {},
        "__all__",
        NOT_DUE,
        bad_ready=lambda w, k: survey(w),
    ),
    "kyc": Case(
        lambda w, k: walk(w, k, survey(w), "acquisition"),
        lambda kit: KYC | {"id_proof": png_upload()},
        lambda p: (
            (p.stage, p.id_number, p.documents.count()) == ("kyc", "ABC1234567", 1)
        ),
        lambda kit: KYC | {"id_proof": SimpleUploadedFile("id.png", b"not an image")},
        "id_proof",
        "Send a JPEG, PNG or WebP photo or a PDF document.",
    ),
    "package": Case(
        lambda w, k: walk(w, k, survey(w), "kyc"),
        lambda kit: {"package": str(kit.prepaid.pk)},
        lambda p: p.stage == "package" and p.deposit_amount == Decimal("100.00"),
        lambda kit: {"package": str(kit.madh_prepaid.pk)},
        "package",
        "This package is not offered at this plant.",
    ),
    "account": Case(
        lambda w, k: walk(w, k, survey(w), "package"),
        lambda kit: {},
        lambda p: p.customer is not None and p.customer.status == CustomerStatus.NEW,
        lambda kit: {},
        "__all__",
        NOT_DUE,
        bad_ready=lambda w, k: walk(w, k, survey(w), "kyc"),
    ),
    "meter": Case(
        lambda w, k: walk(w, k, survey(w), "account"),
        lambda kit: {"meter": "LL-1"},
        lambda p: p.meter_assignment.meter.serial == "LL-1",
        lambda kit: {"meter": "CM-1"},
        "meter",
        "This package needs another kind of device: a load limiter for pre-paid "
        "and unmetered packages, a meter for metered ones.",
    ),
    "connection": Case(
        lambda w, k: walk(w, k, survey(w), "meter", connection=0),
        lambda kit: {"step": "at_pole"},
        lambda p: p.connection_step == "at_pole",
        lambda kit: {"step": "service_wire"},
        "__all__",
        "Record the connection in order: At Pole, House wire, Service Wire, "
        "then the meter.",
    ),
    "install": Case(
        _service_wire,
        lambda kit: {"initial_reading": "0"},
        lambda p: (p.stage, p.connection_step) == ("meter", "review"),
        lambda kit: {"initial_reading": "-4"},
        "initial_reading",
        "Enter the reading as a number, 0 or more.",
    ),
    "activation": Case(
        lambda w, k: walk(w, k, survey(w), "meter"),
        lambda kit: {"confirm": "on"},
        lambda p: p.status == "active" and p.customer.status == CustomerStatus.ACTIVE,
        lambda kit: {},
        "confirm",
        "Tick the box to confirm the connection.",
    ),
    "reject": Case(
        lambda w, k: survey(w),
        lambda kit: {"reason": "moved to town"},
        lambda p: (p.status, p.rejection_reason) == ("rejected", "moved to town"),
        lambda kit: {"reason": ""},
        "reason",
        "This field is required.",
    ),
    "reopen": Case(
        rejected,
        lambda kit: {"reason": "came back"},
        lambda p: p.status == "open",
        lambda kit: {"reason": ""},
        "reason",
        "This field is required.",
    ),
}


def snapshot(prospect: Prospect) -> tuple[Any, ...]:
    p = reloaded(prospect)
    return (
        p.stage,
        p.status,
        p.deferred,
        p.connection_step,
        p.meter_assignment_id,
        p.package_id,
        p.events.count(),
        p.documents.count(),
        Customer.objects.count(),
    )


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("who", ["cluster_incharge", "state_incharge", "admin"])
def test_each_step_advances_the_prospect(
    world, kit, as_user: Callable[[str], Client], name: str, who: str
) -> None:
    case = CASES[name]
    prospect = case.ready(world, kit)
    client = as_user(who)
    page = client.get(DETAIL.format(prospect.ref)).content.decode()
    if name == "survey":
        assert 'href="?do=survey"' in page
    else:
        assert f'action="/backoffice/acquisition/prospects/{prospect.ref}/{name}/"' in (
            page
        )
    response = post(client, prospect, name, **case.good(kit))
    assert response.status_code == 302, errors(response, "__all__")
    assert response["Location"] == DETAIL.format(prospect.ref)
    assert case.changed(reloaded(prospect))
    assert reloaded(prospect).events.latest("at", "pk").by == world.user(who)


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_shown_next_to_the_field_and_changes_nothing(
    world, kit, as_user: Callable[[str], Client], name: str
) -> None:
    case = CASES[name]
    prospect = (case.bad_ready or case.ready)(world, kit)
    before = snapshot(prospect)
    response = post(as_user("cluster_incharge"), prospect, name, **case.bad(kit))
    assert response.status_code == 200
    form = "reject_form" if name == "reject" else "form"
    assert errors(response, case.field, form) == [case.text]
    assert snapshot(prospect) == before
    if case.field != "__all__":
        assert f'id="id_{case.field}_errors"' in response.content.decode()


@pytest.mark.parametrize("name", CASES)
def test_head_office_sees_the_step_but_may_not_do_it(
    world, kit, as_user: Callable[[str], Client], name: str
) -> None:
    case = CASES[name]
    prospect = case.ready(world, kit)
    client = as_user("ho_manager")
    page = client.get(DETAIL.format(prospect.ref)).content.decode()
    assert "/backoffice/acquisition/prospects/" + prospect.ref + "/" + name not in page
    assert 'href="?do=' not in page and "<form method" not in page.split("</nav>")[1]
    before = snapshot(prospect)
    assert post(client, prospect, name, **case.good(kit)).status_code == 403
    assert snapshot(prospect) == before


def test_head_office_is_told_the_next_step_is_not_theirs(
    world, kit, as_user: Callable[[str], Client]
) -> None:
    prospect = survey(world)
    page = as_user("ho_manager").get(DETAIL.format(prospect.ref)).content.decode()
    assert "Next step: Marketing. Your designation does not do this step." in page


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize(
    ("who", "plant"),
    [("cluster_incharge", "BHSIKA"), ("state_incharge", "UPGORA"), ("other_admin", "")],
)
def test_a_prospect_outside_the_scope_is_404(
    world, kit, as_user: Callable[[str], Client], name: str, who: str, plant: str
) -> None:
    plant = plant or "BHKATS"
    prospect = survey(
        world,
        by="admin",
        plant=world.plants[plant],
        pole=Pole.objects.get(plant=world.plants[plant], number=1),
    )
    before = snapshot(prospect)
    assert post(as_user(who), prospect, name, reason="x", note="x").status_code == 404
    assert snapshot(prospect) == before


def test_field_staff_and_customers_do_not_post_here(
    world, kit, as_user: Callable[[str], Client]
) -> None:
    prospect = survey(world)
    assert post(
        as_user("csa"), prospect, "marketing", method="leaflet"
    ).status_code == (403)
    assert post(Client(), prospect, "marketing", method="leaflet").status_code == 302
    assert reloaded(prospect).stage == "survey"


def test_an_unknown_step_is_404(world, kit, as_user: Callable[[str], Client]) -> None:
    prospect = survey(world)
    assert post(as_user("admin"), prospect, "teleport").status_code == 404


def test_a_get_of_a_step_is_refused(
    world, kit, as_user: Callable[[str], Client]
) -> None:
    prospect = survey(world)
    url = DETAIL.format(prospect.ref) + "marketing/"
    assert as_user("admin").get(url).status_code == 405


def test_a_step_sent_twice_is_done_once(
    world, kit, as_user: Callable[[str], Client]
) -> None:
    prospect = walk(world, kit, survey(world), "package")
    client, token = as_user("cluster_incharge"), str(uuid.uuid4())
    assert post(client, prospect, "account", token=token).status_code == 302
    assert post(client, prospect, "account", token=token).status_code == 302
    assert Customer.objects.filter(prospect=prospect).count() == 1


def test_a_kyc_refused_after_its_files_keeps_none(
    world, kit, as_user: Callable[[str], Client], tmp_path: Path
) -> None:
    """The files pass the form and are stored, then the service refuses the
    ID step (the form's key was already used for another step): the rows
    roll back and the stored file is deleted (decision 0039)."""
    prospect = walk(world, kit, survey(world), "marketing")
    client = as_user("cluster_incharge")
    token = str(uuid.uuid4())
    services.prospect_acquire(
        prospect=prospect, idempotency_key=f"{token}-kyc", by=world.user("csa")
    )
    response = post(client, prospect, "kyc", token=token, id_proof=png_upload(), **KYC)
    assert errors(response, "__all__") == [
        "This form was already used for another step; open the page again."
    ]
    assert not KycDocument.objects.exists()
    assert reloaded(prospect).stage == "acquisition"
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
