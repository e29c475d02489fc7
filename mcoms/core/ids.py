"""Business identifiers (ARCHITECTURE section 4)."""

from __future__ import annotations

import re

from mcoms.core.errors import ValidationFailed

STATE_CODE = re.compile(r"^[A-Z]{2}$")
PLANT_CODE = re.compile(r"^[A-Z]{4}$")
CLUSTER_CODE = re.compile(r"^[A-Z0-9]{2,12}$")
FEEDER_CODE = re.compile(r"^[A-Z0-9]{1,8}$")
CUSTOMER_ID = re.compile(
    r"^(?P<state>[A-Z]{2})(?P<plant>[A-Z]{4})(?P<pole>\d{3})(?P<conn>\d{2})$"
)


def customer_id(*, state: str, plant: str, pole: int, connection: int) -> str:
    """``BHKATS01112``: state, plant, pole number (3 digits), connection (2 digits)."""
    if not (1 <= pole <= 999):
        raise ValidationFailed("pole_out_of_range", "Pole number must be 1 to 999.")
    if not (1 <= connection <= 99):
        raise ValidationFailed(
            "connection_out_of_range", "Connection number must be 1 to 99."
        )
    return f"{state}{plant}{pole:03d}{connection:02d}"


def parse_customer_id(value: str) -> dict[str, str]:
    match = CUSTOMER_ID.match(value.strip().upper())
    if not match:
        raise ValidationFailed(
            "customer_id_malformed", f"{value!r} is not a customer ID."
        )
    return match.groupdict()
