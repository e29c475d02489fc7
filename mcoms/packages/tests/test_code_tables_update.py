from __future__ import annotations

import pytest

from mcoms.core.errors import ValidationFailed
from mcoms.packages.models import PackageType, TimingCode
from mcoms.packages.selectors import package_types_for, timing_codes_for
from mcoms.packages.services import (
    package_type_create,
    package_type_update,
    timing_code_create,
    timing_code_update,
)
from mcoms.packages.tests.factories import PREPAID, make
from tests.builders import World


def _default_type(code: str = "A1.1") -> PackageType:
    return PackageType.objects.get(company=None, code=code)


def test_editing_a_default_type_gives_the_company_its_own_copy(world: World) -> None:
    default = _default_type()
    own = package_type_update(
        company=world.company, package_type=default, by=None, label="Pre-paid 7 day"
    )
    assert (own.company, own.code, own.label) == (
        world.company,
        "A1.1",
        "Pre-paid 7 day",
    )
    assert _default_type().label == "Pre-paid, load limited"
    # our packages use our copy; the other company still sees the default
    assert make(world.plants["BHKATS"], PREPAID).package_type == own
    labels = {t.code: t.label for t in package_types_for(world.user("other_admin"))}
    assert labels["A1.1"] == "Pre-paid, load limited"
    ours = {t.code: t.label for t in package_types_for(world.user("csa"))}
    assert ours["A1.1"] == "Pre-paid 7 day"


def test_a_company_type_is_edited_in_place(world: World) -> None:
    ptype = package_type_create(
        company=world.company, code="D1", label="x", billing_type="prepaid", by=None
    )
    out = package_type_update(
        company=world.company,
        package_type=ptype,
        by=None,
        billing_type="postpaid_unmetered",
    )
    assert out.pk == ptype.pk
    assert PackageType.objects.get(pk=ptype.pk).billing_type == "postpaid_unmetered"


def test_the_billing_type_of_a_type_in_use_stays(world: World) -> None:
    make(world.plants["BHKATS"], PREPAID)
    with pytest.raises(ValidationFailed) as err:
        package_type_update(
            company=world.company,
            package_type=_default_type(),
            by=None,
            billing_type="postpaid_unmetered",
        )
    assert (err.value.code, err.value.field) == ("package_type_in_use", "billing_type")
    assert PackageType.objects.filter(code="A1.1").count() == 1


def test_another_companys_packages_do_not_count_as_use(world: World) -> None:
    from mcoms.org.models import Plant

    make(Plant.objects.get(company=world.other_company), PREPAID)
    own = package_type_update(
        company=world.company,
        package_type=_default_type(),
        by=None,
        billing_type="postpaid_unmetered",
    )
    assert own.company == world.company


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"code": "X1"}, "field_not_editable"),
        ({"billing_type": "free"}, "billing_type_unknown"),
        ({"label": ""}, "blank"),
    ],
)
def test_it_refuses_bad_type_edits_and_writes_nothing(
    world: World, changes: dict, code: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        package_type_update(
            company=world.company, package_type=_default_type(), by=None, **changes
        )
    assert err.value.code == code
    assert PackageType.objects.count() == 3


def test_an_edit_that_changes_nothing_writes_nothing(world: World) -> None:
    default = _default_type()
    out = package_type_update(
        company=world.company,
        package_type=default,
        by=None,
        label="Pre-paid, load limited",
    )
    assert out.pk == default.pk
    assert PackageType.objects.count() == 3
    assert default.history.count() == 0


def test_a_new_code_that_is_a_default_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed) as err:
        package_type_create(
            company=world.company,
            code="A1.1",
            label="x",
            billing_type="prepaid",
            by=None,
        )
    assert (err.value.code, err.value.field) == ("code_is_default", "code")
    with pytest.raises(ValidationFailed) as err:
        timing_code_create(
            company=world.company,
            code="NN",
            label="x",
            slots=[["18:00", "06:00"]],
            by=None,
        )
    assert err.value.code == "code_is_default"


def test_timing_slots_change_while_unused(world: World) -> None:
    nn = TimingCode.objects.get(company=None, code="NN")
    own = timing_code_update(
        company=world.company, timing=nn, by=None, slots=[["19:00", "05:00"]]
    )
    assert (own.company, own.slots) == (world.company, [["19:00", "05:00"]])
    assert make(world.plants["BHKATS"], PREPAID).timing == own


def test_the_slots_of_a_timing_in_use_stay(world: World) -> None:
    make(world.plants["BHKATS"], PREPAID)
    nn = TimingCode.objects.get(company=None, code="NN")
    with pytest.raises(ValidationFailed) as err:
        timing_code_update(
            company=world.company, timing=nn, by=None, slots=[["19:00", "05:00"]]
        )
    assert (err.value.code, err.value.field) == ("timing_code_in_use", "slots")
    # the label may still change
    own = timing_code_update(company=world.company, timing=nn, by=None, label="Nights")
    assert own.label == "Nights"
    counts = {t.code: t.n_packages for t in timing_codes_for(world.user("admin"))}
    assert counts["NN"] == 1


def test_overlapping_slots_are_refused_on_edit(world: World) -> None:
    nn = TimingCode.objects.get(company=None, code="NN")
    with pytest.raises(ValidationFailed) as err:
        timing_code_update(
            company=world.company,
            timing=nn,
            by=None,
            slots=[["18:00", "23:00"], ["22:00", "02:00"]],
        )
    assert (err.value.code, err.value.field) == ("timing_slots_overlap", "slots")
    assert TimingCode.objects.filter(code="NN").count() == 1
