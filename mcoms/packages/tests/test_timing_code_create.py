from __future__ import annotations

from typing import Any

import pytest

from mcoms.core.errors import ValidationFailed
from mcoms.packages.models import TimingCode
from mcoms.packages.services import timing_code_create
from mcoms.packages.tests.factories import PREPAID, make
from tests.builders import World


def test_the_defaults_exist(db: None) -> None:
    defaults = dict(
        TimingCode.objects.filter(company=None).values_list("code", "slots")
    )
    assert defaults["NN"] == [["18:00", "06:00"]]
    assert defaults["FD"] == [["00:00", "24:00"]]
    assert set(defaults) >= {"DD", "NN", "FD", "EV"}


def test_a_company_code_with_two_slots_is_used_by_its_plants(world: World) -> None:
    timing = timing_code_create(
        company=world.company,
        code="MN",
        label="Morning and night",
        slots=[["05:00", "08:00"], ["18:00", "23:00"]],
        by=None,
    )
    package = make(world.plants["BHKATS"], PREPAID, timing_code="MN")
    assert package.timing == timing
    assert package.package_id == "A1.1(MN)/17/160"


def test_another_companys_code_is_unknown_here(world: World) -> None:
    timing_code_create(
        company=world.other_company,
        code="MN",
        label="x",
        slots=[["05:00", "08:00"]],
        by=None,
    )
    with pytest.raises(ValidationFailed) as err:
        make(world.plants["BHKATS"], PREPAID, timing_code="MN")
    assert err.value.code == "timing_unknown"


@pytest.mark.parametrize(
    ("slots", "code"),
    [
        ([["18:00", "06:00"], ["05:00", "07:00"]], "timing_slots_overlap"),
        ([["10:00", "14:00"], ["13:59", "15:00"]], "timing_slots_overlap"),
        ([["00:00", "24:00"], ["18:00", "19:00"]], "timing_slots_overlap"),
        ([], "timing_slots_invalid"),
        ([["25:00", "06:00"]], "timing_slots_invalid"),
        ([["06:00", "06:00"]], "timing_slots_invalid"),
        ([["06:00"]], "timing_slots_invalid"),
        ("18:00-06:00", "timing_slots_invalid"),
    ],
)
def test_it_refuses_bad_slots_and_writes_nothing(
    world: World, slots: Any, code: str
) -> None:
    before = TimingCode.objects.count()
    with pytest.raises(ValidationFailed) as err:
        timing_code_create(
            company=world.company, code="QQ", label="Q", slots=slots, by=None
        )
    assert err.value.code == code
    assert TimingCode.objects.count() == before


def test_touching_slots_are_not_an_overlap(world: World) -> None:
    timing = timing_code_create(
        company=world.company,
        code="TT",
        label="Touching",
        slots=[["06:00", "12:00"], ["12:00", "18:00"]],
        by=None,
    )
    assert timing.pk


def test_it_refuses_a_duplicate_code_and_writes_nothing(world: World) -> None:
    timing_code_create(
        company=world.company, code="QQ", label="Q", slots=[["01:00", "02:00"]], by=None
    )
    with pytest.raises(ValidationFailed):
        timing_code_create(
            company=world.company,
            code="QQ",
            label="Q",
            slots=[["03:00", "04:00"]],
            by=None,
        )
    assert TimingCode.objects.filter(code="QQ").count() == 1
