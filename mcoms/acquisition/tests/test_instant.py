"""Add Instant Consumer (manual 3.5.10): name, phone, pole and package give an
account at once; the skipped stages are completed later."""

from __future__ import annotations

import pytest

from mcoms.acquisition import services
from mcoms.acquisition.models import Prospect, Stage
from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.customers.models import Customer
from mcoms.notifications.models import Message

from .conftest import advance, pdf_file


def instant(kit, **over):
    args = {
        "plant": kit.plant,
        "name": "Ramesh Paswan",
        "phone": "9876500050",
        "pole": kit.pole(3),
        "package": kit.prepaid,
        "idempotency_key": "",
        "by": kit.user("csa"),
    }
    return services.prospect_instant_create(**(args | over))


def test_it_goes_straight_to_an_account(kit) -> None:
    prospect, created = instant(kit)
    assert created
    assert (prospect.stage, prospect.channel) == (Stage.ACCOUNT, "instant")
    assert prospect.deferred == ["survey", "marketing", "kyc"]
    assert prospect.customer.customer_id == "BHKATS00301"
    assert prospect.customer.status == "new"
    assert (prospect.deposit_amount, prospect.activation_amount) == (100, 150)
    kinds = list(prospect.events.values_list("stage", "kind"))
    assert kinds == [
        ("survey", "deferred"),
        ("marketing", "deferred"),
        ("kyc", "deferred"),
        ("acquisition", "done"),
        ("package", "done"),
        ("account", "done"),
    ]
    templates = set(Message.objects.values_list("template", flat=True))
    assert {"acq_package", "acq_account", "acq_task"} <= templates


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"pole": None}, "pole_missing"),
        ({"package": None}, "package_not_offered"),
        ({"phone": "000"}, "phone_invalid"),
        ({"name": ""}, "name_invalid"),
    ],
)
def test_bad_input_writes_nothing(kit, over, code) -> None:
    with pytest.raises(ValidationFailed) as err:
        instant(kit, **over)
    assert err.value.code == code
    assert not Prospect.objects.exists()
    assert not Customer.objects.filter(pole=kit.pole(3)).exists()


def test_wrong_plant_pole_or_package_are_refused(kit) -> None:
    with pytest.raises(ValidationFailed) as err:
        instant(kit, pole=kit.pole(1, "BHMADH"))
    assert err.value.code == "pole_other_plant"
    with pytest.raises(ValidationFailed) as err:
        instant(kit, package=kit.madh_prepaid)
    assert err.value.code == "package_not_offered"
    assert not Prospect.objects.exists()


def test_a_retry_with_its_key_makes_one_account(kit) -> None:
    first, _ = instant(kit, idempotency_key="inst-1")
    again, created = instant(kit, idempotency_key="inst-1")
    assert (again.pk, created) == (first.pk, False)
    assert Customer.objects.filter(pole=kit.pole(3)).count() == 1


def test_the_skipped_stages_are_completed_later(kit) -> None:
    prospect, _ = instant(kit)
    prospect = advance(kit, prospect, Stage.ACTIVATION)
    assert prospect.status == "active"
    services.kyc_document_add(
        prospect=prospect, kind="id_proof", upload=pdf_file(), by=None
    )
    services.prospect_kyc_complete(
        prospect=prospect,
        id_type="ration_card",
        id_number="BR/123/4567",
        commitments_acknowledged=True,
        by=kit.user("csa"),
    )
    services.prospect_marketing_record(
        prospect=prospect, method="word_of_mouth", by=None
    )
    with pytest.raises(ValidationFailed) as err:
        services.prospect_survey_record(
            prospect=prospect, pole=kit.pole(2), distance_m="5", by=None
        )
    assert err.value.code == "pole_locked"
    services.prospect_survey_record(
        prospect=prospect, pole=kit.pole(3), distance_m="8", hours_per_day="4", by=None
    )
    prospect.refresh_from_db()
    assert prospect.deferred == []
    assert (prospect.stage, prospect.status) == (Stage.ACTIVATION, "active")
    assert prospect.id_number == "BR/123/4567"
    later = prospect.events.filter(kind="completed_later")
    assert sorted(later.values_list("stage", flat=True)) == [
        "kyc",
        "marketing",
        "survey",
    ]
    with pytest.raises(Conflict) as err2:
        services.prospect_marketing_record(prospect=prospect, method="leaflet", by=None)
    assert err2.value.code == "stage_wrong_order"
