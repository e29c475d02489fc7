"""The forms of the meter screens (stock, Change Meter, Unreleased Meter),
shared by the field app and the back office, and the wording of the services'
refusals in the user's language.

Forms only shape the input; every rule is the services' (mcoms/metering:
``services``, ``changes``, ``releases``), whose refusals are shown next to the
field they name. Forms that write carry a hidden ``token`` made when the page
was drawn: the services' idempotency key, so a double tap or a resend on a
weak network does the work once."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from mcoms.core.errors import DomainError
from mcoms.customers.models import Customer
from mcoms.metering import changes, releases, services
from mcoms.metering.models import Meter, MeterKind, MeterLocation
from mcoms.metering.selectors import get_meter_for_user
from mcoms.metering.stock import WAREHOUSE
from mcoms.org.access import get_company_for_user, get_plant_for_user, plants_for
from mcoms.org.models import ScopeLevel, Staff, User
from mcoms.org.permissions import Action
from mcoms.workflow import selectors as wf
from mcoms.workflow import services as chain
from mcoms.workflow.models import Request

REFUSALS: dict[str, Any] = {
    "meter_serial_taken": _("This serial is already in the records."),
    "meter_serial_invalid": _("A serial number is 1 to 40 printable characters."),
    "meter_not_movable": _("Only an available meter in stock can be moved."),
    "meter_other_plant": _("This meter is at another plant; move it here first."),
    "meter_not_in_stock": _("This meter is not available in the plant's stock."),
    "meter_kind_mismatch": _("This kind of meter does not serve the package."),
    "meter_same": _("The new meter is the old one."),
    "meter_not_current": _("This meter is not installed for the customer now."),
    "meter_reading_pending": _(
        "A reading of this meter waits for review; review it first."
    ),
    "reading_below_previous": _(
        "The reading is below the previous one; tick the rollover if the "
        "counter passed its last digit."
    ),
    "rollover_not_possible": _(
        "The reading is not below the previous one: the counter has not rolled over."
    ),
    "reading_too_many_digits": _("The meter does not show that many digits."),
    "reading_invalid": _("Enter a reading in kWh, e.g. 1234.5."),
    "final_reading_missing": _("Enter the meter's last reading."),
    "meter_not_installed": _("This meter was never installed; leave it empty."),
    "meter_not_in_service": _("This meter serves no connection now."),
    "request_already_open": _("This meter already has an open request."),
    "reassign_customer_missing": _("Name the connection the meter goes to."),
    "meter_faulty_not_reassignable": _(
        "A malfunctioning meter goes to stock, not to another connection."
    ),
    "customer_other_plant": _("There is no such connection at this plant."),
    "reassign_same_customer": _("The meter comes down from this connection."),
    "release_location_missing": _("Record where the meter goes first."),
    "request_wrong_state": _("This request has already moved on."),
    "request_review_own_work": _("Someone else must review your own work."),
    "request_already_executed": _(
        "This request was carried out and cannot be undone; complete it."
    ),
    "assignee_out_of_scope": _("This person does not work at the plant."),
    "assignee_cannot_execute": _(
        "This person's designation does not carry out requests."
    ),
    "assignee_unknown": _("Choose who carries it out."),
    "reject_reason_missing": _("Give the reason for rejecting."),
    "idempotency_key_reused": _(
        "This form was already used for something else; open the page again."
    ),
}


def refusal(exc: DomainError) -> str:
    """The text of a refusal; 403 and 404 refusals become those pages."""
    if exc.status == 403:
        raise PermissionDenied(exc.message)
    if exc.status == 404:
        raise Http404(exc.message)
    return str(REFUSALS.get(exc.code, exc.message))


def show_refusal(form: forms.Form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, refusal(exc))


def token() -> str:
    return str(uuid.uuid4())


def parse_day(raw: str) -> date | None:
    """A date filter from the query string (YYYY-MM-DD); None when empty or
    not a date."""
    try:
        return parse_date(raw[:10]) if raw else None
    except ValueError:
        return None


# --- stock ------------------------------------------------------------------------
def stock_places(staff: Staff, user: User, action: Action) -> list[tuple[str, str]]:
    """Where the user may put (or look at) meters: their plants, and the
    company warehouse for company-wide staff."""
    places = [(p.key, str(p)) for p in plants_for(user, action)]
    if staff.scope_level == ScopeLevel.COMPANY:
        places.append((WAREHOUSE, str(MeterLocation.WAREHOUSE.label)))
    return places


class ReceiveForm(forms.Form):
    serial = forms.CharField(label=_("Serial number"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeterKind.choices)
    driver = forms.CharField(
        label=_("Driver"),
        max_length=30,
        initial="manual",
        help_text=_("manual for meters read by hand; the vendor's driver else."),
    )
    digit_capacity = forms.IntegerField(
        label=_("Digits on the register"), min_value=3, max_value=9, initial=6
    )
    place = forms.ChoiceField(label=_("Into the stock of"))

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["place"].choices = places  # type: ignore[attr-defined]


def receive(user: User, data: dict[str, Any]) -> tuple[Meter, bool]:
    """The receive form's data to the service, through the access helpers."""
    place = data["place"]
    if place == WAREHOUSE:
        plant = None
        company = get_company_for_user(user, Action.METER_STOCK_EDIT)
    else:
        plant = get_plant_for_user(user, place, Action.METER_STOCK_EDIT)
        company = plant.company
    return services.meter_receive(
        company=company,
        plant=plant,
        serial=data["serial"],
        kind=data["kind"],
        driver=data["driver"],
        digit_capacity=data["digit_capacity"],
        by=user,
    )


class MoveForm(forms.Form):
    plant = forms.ChoiceField(label=_("Move to the stock of"))

    def __init__(self, *args: Any, plants: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["plant"].choices = plants  # type: ignore[attr-defined]


# --- Change Meter -----------------------------------------------------------------
class ChangeForm(forms.Form):
    """Manual 3.8.2: the customer's meter fills in; the final reading; the new
    meter from the plant's stock and its first reading; the reason."""

    old_meter = forms.ChoiceField(label=_("Current meter"))
    final_reading = forms.CharField(
        label=_("Final reading of the current meter (kWh)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    rollover = forms.BooleanField(
        label=_("The counter passed its last digit since the previous reading"),
        required=False,
    )
    new_meter = forms.ChoiceField(label=_("New meter from the plant's stock"))
    first_reading = forms.CharField(
        label=_("First reading of the new meter (kWh)"),
        max_length=20,
        required=False,
        initial="0",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=changes.ChangeReason.choices)
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=120)

    def __init__(self, *args: Any, options: changes.Options, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["old_meter"].choices = [  # type: ignore[attr-defined]
            (m["serial"], f"{m['serial']} · {m['previous_reading']} kWh")
            for m in options.installed
        ]
        self.fields["new_meter"].choices = [  # type: ignore[attr-defined]
            (m.serial, f"{m.serial} · {m.get_kind_display()}") for m in options.stock
        ]

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "old_meter": data["old_meter"],
            "new_meter": data["new_meter"],
            "final_reading": data["final_reading"] or None,
            "first_reading": data["first_reading"] or None,
            "rollover": bool(data["rollover"]),
            "reason": data["reason"],
        }


def change_initial(options: changes.Options) -> dict[str, Any]:
    initial: dict[str, Any] = {"token": token(), "first_reading": "0"}
    if options.installed:
        initial["old_meter"] = options.installed[0]["serial"]
    return initial


def change_submit(
    user: User, customer: Customer, form: ChangeForm
) -> tuple[Request, bool]:
    """The confirmed form to the service: the change is made now."""
    data = form.cleaned_data
    return changes.meter_change(
        customer=customer,
        old_meter=get_meter_for_user(user, data["old_meter"]),
        new_meter=get_meter_for_user(user, data["new_meter"]),
        final_reading=data["final_reading"] or None,
        first_reading=data["first_reading"] or None,
        rollover=bool(data["rollover"]),
        reason=data["reason"],
        comments=data["comments"],
        idempotency_key=data["token"],
        by=user,
    )


# --- Unreleased Meter -------------------------------------------------------------
class ReleaseRaiseForm(forms.Form):
    meter = forms.CharField(label=_("Meter serial number"), max_length=40)
    reason = forms.ChoiceField(
        label=_("Reason"), choices=releases.ReleaseReason.choices
    )
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=120)


def release_raise(user: User, data: dict[str, Any]) -> tuple[Request, bool]:
    return releases.meter_release_raise(
        meter=get_meter_for_user(user, data["meter"]),
        reason=data["reason"],
        comments=data["comments"],
        idempotency_key=data["token"],
        by=user,
    )


class ReleaseExecuteForm(forms.Form):
    """The agent records where the meter goes, then executes."""

    destination = forms.ChoiceField(
        label=_("New location"), choices=releases.Destination.choices
    )
    customer = forms.CharField(
        label=_("Connection it goes to (re-assigned only)"),
        max_length=11,
        required=False,
    )
    final_reading = forms.CharField(
        label=_("Final reading (kWh)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    rollover = forms.BooleanField(
        label=_("The counter passed its last digit since the previous reading"),
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=120)


STEPS = ("assign", "execute", "complete", "reject")


def release_step(user: User, req: Request, action: str, post: QueryDict) -> Request:
    """One posted step of a meter release: execute records the new location;
    the others are the chain's own steps."""
    key = str(post.get("token", ""))[:120] or None
    if action == "execute":
        return releases.meter_release_execute(
            request=req,
            destination=str(post.get("destination", "")),
            customer=str(post.get("customer", ""))[:11],
            final_reading=str(post.get("final_reading", "")).strip()[:20] or None,
            rollover=post.get("rollover") in ("on", "true", "1"),
            note=str(post.get("note", ""))[:1000],
            idempotency_key=key,
            by=user,
        )
    username = str(post.get("assignee", ""))
    return chain.request_step(
        request=req,
        action=action,
        by=user,
        note=str(post.get("note", ""))[:1000],
        reason=str(post.get("reason", ""))[:255],
        assignee=wf.staff_user(req.company_id, username) if username else None,
        idempotency_key=key,
    )


def get_release_for_user(user: User, number: str) -> Request:
    """A meter release request of the user's scope, or 404."""
    req = wf.get_request_for_user(user, number)
    if req.kind != releases.METER_RELEASE:
        raise Http404(f"No meter release {number:.20} in your scope.")
    return req
