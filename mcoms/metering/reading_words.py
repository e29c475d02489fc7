"""The reading services' refusals as the web apps show them (in the user's
language; docs/decisions/0006: services speak English with a code, the
interfaces word the code). Shared by the field app, the back office and the
customer app so that one refusal reads the same everywhere."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mcoms.core.errors import DomainError

REFUSALS: dict[str, Promise] = {
    "reading_not_a_number": _("Enter the reading as a number, e.g. 1234.5."),
    "reading_negative": _("A reading cannot be negative."),
    "reading_too_precise": _("At most 3 digits after the decimal point."),
    "reading_too_large": _("This reading is too large."),
    "reading_too_many_digits": _("The meter does not show that many digits."),
    "reading_below_previous": _(
        "The reading is below the previous one. If the meter went past its "
        "last digit or was replaced, tick the box that says so."
    ),
    "reading_rollover_not_below": _(
        "A rollover is ticked but the reading is not below the previous one."
    ),
    "reading_flags_conflict": _("Tick rollover or replacement, not both."),
    "reading_in_future": _("A reading cannot be dated in the future."),
    "reading_before_installation": _(
        "The reading is dated before the meter was installed."
    ),
    "reading_before_previous": _(
        "The reading is dated before the previous approved reading."
    ),
    "reading_window_closed": _("Readings for this month are not open yet."),
    "reading_meter_not_manual": _("This meter is not read by hand."),
    "meter_not_installed": _("This meter is not installed at a connection."),
    "reading_pending_exists": _(
        "A reading of this meter is already waiting for review."
    ),
    "reading_duplicate_time": _("This meter already has a reading at that time."),
    "reading_key_reused": _("This form was already used for another meter."),
    "reading_review_own": _(
        "Someone other than the person who took the reading must review it."
    ),
    "reading_not_pending": _("This reading was already reviewed."),
    "reason_required": _("Give a reason."),
    "reading_day_invalid": _("Choose a day from 1 to 28."),
    "csv_header": _("The first line must be the header meter,at,kwh."),
    "csv_not_utf8": _("The file is not UTF-8 text."),
    "batch_key_reused": _("A file with this key was imported already with other rows."),
}


def refusal_text(exc: DomainError) -> str:
    """The refusal in the user's language (the service's English otherwise)."""
    return str(REFUSALS.get(exc.code, exc.message))
