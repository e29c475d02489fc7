"""Stage 1, the catchment survey: a prospect near a pole of the plant."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mcoms.acquisition import services
from mcoms.acquisition.models import EventKind, Prospect, StageEvent
from mcoms.core.errors import ValidationFailed

from .conftest import survey


def test_it_numbers_prospects_per_plant(kit) -> None:
    first = survey(kit)
    second = survey(kit, phone="+919876500002")
    madh = survey(kit, plant=kit.world.plants["BHMADH"], pole=kit.pole(1, "BHMADH"))
    assert [first.ref, second.ref, madh.ref] == [
        "P-BHKATS-000001",
        "P-BHKATS-000002",
        "P-BHMADH-000001",
    ]
    event = first.events.get()
    assert (event.stage, event.kind, event.by) == ("survey", "done", kit.user("csa"))


def test_it_keeps_the_energy_needs(kit) -> None:
    prospect = survey(
        kit,
        appliances=[
            {"name": "bulb", "count": 4, "watts": 9},
            {"name": "fan", "count": 1, "watts": 60},
        ],
        hours_per_day="5.5",
        segment="shop",
    )
    prospect.refresh_from_db()
    assert prospect.anticipated_load_w == 96  # from the appliances
    assert prospect.hours_per_day == Decimal("5.5")
    assert prospect.segment == "shop"
    assert prospect.distance_m == Decimal("12.5")
    explicit = survey(kit, phone="+919876500003", anticipated_load_w="150")
    assert explicit.anticipated_load_w == 150


def test_beyond_30_m_it_needs_a_reason(kit) -> None:
    with pytest.raises(ValidationFailed) as err:
        survey(kit, distance_m="30.5")
    assert (err.value.code, err.value.field) == ("pole_too_far", "distance_m")
    assert Prospect.objects.count() == 0
    prospect = survey(kit, distance_m="45", distance_override="Pole extension due")
    assert prospect.distance_override == "Pole extension due"
    assert survey(kit, distance_m="30").distance_override == ""


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"pole": None}, "pole_missing"),
        ({"distance_m": "-1"}, "pole_distance_invalid"),
        ({"distance_m": "far"}, "pole_distance_invalid"),
        ({"phone": "12345"}, "phone_invalid"),
        ({"name": "  "}, "name_invalid"),
        ({"segment": "palace"}, "segment_unknown"),
        ({"language": "fr"}, "language_unknown"),
        ({"hours_per_day": "25"}, "hours_invalid"),
        ({"anticipated_load_w": "-5"}, "load_invalid"),
        ({"appliances": [{"count": 2}]}, "appliances_invalid"),
        ({"appliances": "bulb"}, "appliances_invalid"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(kit, over, code) -> None:
    with pytest.raises(ValidationFailed) as err:
        survey(kit, **over)
    assert err.value.code == code
    assert Prospect.objects.count() == 0
    assert StageEvent.objects.count() == 0


def test_a_pole_of_another_plant_is_refused(kit) -> None:
    with pytest.raises(ValidationFailed) as err:
        survey(kit, pole=kit.pole(1, "BHMADH"))
    assert (err.value.code, err.value.field) == ("pole_other_plant", "pole")
    assert Prospect.objects.count() == 0


def test_a_retry_with_the_same_key_returns_the_first(kit) -> None:
    first = survey(kit, idempotency_key="form-123")
    again, created = services.prospect_create(
        plant=kit.plant,
        name="Sunita Devi",
        phone="+919876500001",
        pole=kit.pole(2),
        distance_m="12.5",
        idempotency_key="form-123",
        by=kit.user("csa"),
    )
    assert (again.pk, created) == (first.pk, False)
    assert Prospect.objects.count() == 1
    assert StageEvent.objects.filter(kind=EventKind.DONE).count() == 1


def test_an_update_corrects_contact_details_until_the_account(kit) -> None:
    prospect = survey(kit)
    services.prospect_update(
        prospect=prospect, name=" Sunita  Kumari ", phone="98765 00009", by=None
    )
    prospect.refresh_from_db()
    assert (prospect.name, str(prospect.phone)) == ("Sunita Kumari", "+919876500009")
    with pytest.raises(ValidationFailed) as err:
        services.prospect_update(prospect=prospect, pole=kit.pole(3), by=None)
    assert err.value.code == "field_not_editable"
