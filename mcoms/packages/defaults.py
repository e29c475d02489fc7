"""The default code tables every company may use (docs/packages.md).

Migration 0002 writes them when the database is made; ``default_codes_ensure``
writes any that are missing, for a database emptied since (a flush between
transactional tests, or an operator's clean start)."""

from __future__ import annotations

from mcoms.packages.models import PackageType, TimingCode

TYPES = [
    ("A1.1", "Pre-paid, load limited", "prepaid"),
    ("B1.1", "Post-paid, metered", "postpaid_metered"),
    ("C1.1", "Post-paid, unmetered", "postpaid_unmetered"),
]
TIMINGS = [
    ("DD", "Day only", [["06:00", "18:00"]]),
    ("NN", "Night only", [["18:00", "06:00"]]),
    ("FD", "Full day", [["00:00", "24:00"]]),
    ("EV", "Evening only", [["18:00", "23:00"]]),
]


def default_codes_ensure() -> int:
    """Create the default types and timing codes that are missing; the number made."""
    made = 0
    for code, label, billing_type in TYPES:
        _, created = PackageType.objects.get_or_create(
            company=None,
            code=code,
            defaults={"label": label, "billing_type": billing_type},
        )
        made += created
    for code, label, slots in TIMINGS:
        _, created = TimingCode.objects.get_or_create(
            company=None, code=code, defaults={"label": label, "slots": slots}
        )
        made += created
    return made
