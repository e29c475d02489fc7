"""Input checks of the pipeline: the pole and its distance, energy needs, the
ID document number. Pure functions (no writes)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from mcoms.acquisition.models import IdType, MarketingMethod
from mcoms.core.errors import ValidationFailed
from mcoms.customers.models import Segment
from mcoms.org.models import Language, Plant, Pole
from mcoms.packages.models import Package

# Figure 11: "Survey potential customers within 30m of distribution poles".
MAX_POLE_DISTANCE_M = Decimal(30)
MAX_APPLIANCES = 30

ID_FORMATS: dict[str, re.Pattern[str]] = {
    IdType.AADHAAR: re.compile(r"^[2-9][0-9]{11}$"),
    IdType.VOTER_ID: re.compile(r"^[A-Z]{3}[0-9]{7}$"),
    IdType.PAN: re.compile(r"^[A-Z]{5}[0-9]{4}[A-Z]$"),
    IdType.RATION_CARD: re.compile(r"^[A-Z0-9/-]{4,20}$"),
    IdType.OTHER: re.compile(r"^[A-Z0-9/ -]{3,30}$"),
}
ID_HINTS: dict[str, str] = {
    IdType.AADHAAR: "12 digits",
    IdType.VOTER_ID: "3 letters and 7 digits",
    IdType.PAN: "5 letters, 4 digits and a letter",
    IdType.RATION_CARD: "4 to 20 letters, digits, / or -",
    IdType.OTHER: "3 to 30 letters or digits",
}


def pole_at_plant(plant: Plant, pole: Pole | None) -> Pole:
    if pole is None:
        raise ValidationFailed(
            "pole_missing", "Choose the pole nearest the house.", field="pole"
        )
    if pole.plant_id != plant.pk:
        raise ValidationFailed(
            "pole_other_plant",
            f"Pole {pole.number} is not a pole of {plant.key}.",
            field="pole",
        )
    return pole


def distance(raw: Any, override: str) -> tuple[Decimal, str]:
    """Metres from the pole, at most 30 unless a reason to go beyond is given."""
    value = _decimal(raw, "distance_m", "pole_distance_invalid")
    if value < 0 or value >= 10000:
        raise ValidationFailed(
            "pole_distance_invalid",
            "The distance is 0 to 9999.9 metres.",
            field="distance_m",
        )
    reason = (override or "").strip()
    if value > MAX_POLE_DISTANCE_M and not reason:
        raise ValidationFailed(
            "pole_too_far",
            f"The house is {value} m from the pole, more than "
            f"{MAX_POLE_DISTANCE_M} m. Give a reason to connect it anyway.",
            field="distance_m",
        )
    return value.quantize(Decimal("0.1")), reason[:200] if value > 30 else ""


def _decimal(raw: Any, field: str, code: str) -> Decimal:
    if isinstance(raw, float):
        raw = str(raw)
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(
            code, f"{raw!r:.20} is not a number.", field=field
        ) from exc
    if not value.is_finite():
        raise ValidationFailed(code, "Not a number.", field=field)
    return value


def needs(
    appliances: Any, hours_per_day: Any, anticipated_load_w: Any
) -> dict[str, Any]:
    """The energy needs of the survey: appliances (``[{"name", "count",
    "watts"}]``), hours of use a day, the anticipated load in watts."""
    items = _appliances(appliances)
    hours = None
    if hours_per_day not in (None, ""):
        hours = _decimal(hours_per_day, "hours_per_day", "hours_invalid")
        if not 0 <= hours <= 24:
            raise ValidationFailed(
                "hours_invalid", "Hours of use are 0 to 24.", field="hours_per_day"
            )
        hours = hours.quantize(Decimal("0.1"))
    load = None
    if anticipated_load_w not in (None, ""):
        try:
            load = int(str(anticipated_load_w))
        except ValueError:
            load = -1
        if not 0 <= load <= 1_000_000:
            raise ValidationFailed(
                "load_invalid",
                "The anticipated load is 0 to 1,000,000 W.",
                field="anticipated_load_w",
            )
    if load is None and items and all(i.get("watts") is not None for i in items):
        load = sum(i["count"] * i["watts"] for i in items)
    return {"appliances": items, "hours_per_day": hours, "anticipated_load_w": load}


def _appliances(raw: Any) -> list[dict[str, Any]]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or len(raw) > MAX_APPLIANCES:
        raise _bad_appliances()
    out = []
    for item in raw:
        if not isinstance(item, dict) or not str(item.get("name", "")).strip():
            raise _bad_appliances()
        try:
            count = int(item.get("count", 1))
            watts = None if item.get("watts") in (None, "") else int(item["watts"])
        except (TypeError, ValueError) as exc:
            raise _bad_appliances() from exc
        if not 1 <= count <= 100 or (watts is not None and not 0 <= watts <= 100_000):
            raise _bad_appliances()
        out.append(
            {"name": str(item["name"]).strip()[:40], "count": count, "watts": watts}
        )
    return out


def _bad_appliances() -> ValidationFailed:
    return ValidationFailed(
        "appliances_invalid",
        'Appliances are a list of {"name", "count", "watts"} (at most 30).',
        field="appliances",
    )


def choice(value: str, choices: Any, field: str, code: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(
            code, f"{value!r:.30} is not a known {field}.", field=field
        )
    return str(value)


def segment(value: str) -> str:
    return choice(value, Segment, "segment", "segment_unknown")


def language(value: str) -> str:
    return choice(value, Language, "language", "language_unknown")


def marketing_method(value: str) -> str:
    return choice(value, MarketingMethod, "method", "marketing_method_unknown")


def name(value: str) -> str:
    value = " ".join(str(value or "").split())
    if not value or len(value) > 120:
        raise ValidationFailed(
            "name_invalid", "A name is 1 to 120 characters.", field="name"
        )
    return value


def id_number(id_type: str, raw: str) -> str:
    """The ID number in its canonical form; an Aadhaar number is kept masked to
    its last four digits (decision 0017)."""
    choice(id_type, IdType, "id_type", "kyc_id_type_unknown")
    value = re.sub(r"\s+", "" if id_type != IdType.OTHER else " ", str(raw or ""))
    value = value.strip().upper()
    if not ID_FORMATS[id_type].match(value):
        raise ValidationFailed(
            "kyc_id_number_invalid",
            f"A {IdType(id_type).label} number is {ID_HINTS[id_type]}.",
            field="id_number",
        )
    if id_type == IdType.AADHAAR:
        return "*" * 8 + value[-4:]
    return value


def package_offered(plant: Plant, package: Package | None) -> Package:
    if package is None or package.plant_id != plant.pk or not package.active:
        what = package.package_id if package is not None else "This package"
        raise ValidationFailed(
            "package_not_offered",
            f"{what} is not offered at {plant.key}.",
            field="package",
        )
    return package
