import pytest

from mcoms.packages.defaults import TIMINGS, TYPES, default_codes_ensure
from mcoms.packages.models import PackageType, TimingCode


@pytest.mark.django_db
def test_missing_default_codes_are_made_again_and_present_ones_kept() -> None:
    PackageType.objects.filter(company=None, code="A1.1").delete()
    TimingCode.objects.filter(company=None, code="NN").delete()
    kept = PackageType.objects.get(company=None, code="B1.1")
    assert default_codes_ensure() == 2
    assert PackageType.objects.get(company=None, code="A1.1").billing_type == "prepaid"
    assert TimingCode.objects.get(company=None, code="NN").slots == [["18:00", "06:00"]]
    assert PackageType.objects.get(company=None, code="B1.1").pk == kept.pk
    assert default_codes_ensure() == 0
    assert PackageType.objects.filter(company=None).count() == len(TYPES)
    assert TimingCode.objects.filter(company=None).count() == len(TIMINGS)
