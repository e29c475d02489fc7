from __future__ import annotations

import pytest

from mcoms.core.errors import ValidationFailed
from mcoms.packages.models import PackageType
from mcoms.packages.services import package_type_create
from mcoms.packages.tests.factories import PREPAID, make
from tests.builders import World


def test_the_defaults_exist(db: None) -> None:
    assert dict(PackageType.objects.values_list("code", "billing_type")) == {
        "A1.1": "prepaid",
        "B1.1": "postpaid_metered",
        "C1.1": "postpaid_unmetered",
    }


def test_a_new_type_code_is_usable(world: World) -> None:
    package_type_create(
        code="A2.1", label="Pre-paid shop", billing_type="prepaid", by=None
    )
    assert make(world.plants["BHKATS"], PREPAID, type_code="A2.1").package_id == (
        "A2.1(NN)/17/160"
    )


@pytest.mark.parametrize(
    ("code", "billing_type", "error"),
    [
        ("A1.1", "prepaid", "duplicate"),
        ("a1", "prepaid", "invalid"),
        ("D1", "free", "billing_type_unknown"),
    ],
)
def test_it_refuses_bad_types_and_writes_nothing(
    db: None, code: str, billing_type: str, error: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        package_type_create(code=code, label="x", billing_type=billing_type, by=None)
    assert err.value.code == error
    assert PackageType.objects.count() == 3
