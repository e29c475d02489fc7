"""The forms of the acquisition screens in the field app, one per step, and
the wording of the services' refusals in the user's language.

Forms only shape the input (choices, numbers, files); every rule of the
pipeline is the services' (mcoms/acquisition/services), whose refusals are
shown next to the field they name. Each form carries a hidden ``token`` made
when the page was drawn: the services' idempotency key, so a double tap or a
resend on a weak network does the step once."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from mcoms.acquisition.models import (
    CONNECTION_STEPS,
    ConnectionStep,
    IdType,
    KycKind,
    MarketingMethod,
    Prospect,
)
from mcoms.acquisition.services import deposit_for
from mcoms.acquisition.services.checks import id_number as check_id_number
from mcoms.acquisition.services.kyc import sniff
from mcoms.core.errors import DomainError
from mcoms.customers.models import Segment
from mcoms.metering.models import Meter
from mcoms.metering.selectors import kinds_for_billing_type, meters_in_stock
from mcoms.org.models import Language, Plant, Pole
from mcoms.packages.models import Package
from mcoms.packages.selectors import package_offered_at
from mcoms.packages.tariff import deposit_for as package_deposit

APPLIANCE_ROWS = 3
CHOOSE = _("Choose one of the options.")
REFUSALS: dict[str, Any] = {
    "stage_wrong_order": _(
        "This step is not due now; the page shows where the prospect stands."
    ),
    "prospect_rejected": _("This prospect was rejected; reopen it first."),
    "prospect_not_open": _("Only a prospect in progress can be rejected."),
    "prospect_not_rejected": _("This prospect is not rejected."),
    "reason_missing": _("Give a reason."),
    "idempotency_key_reused": _(
        "This form was already used for another step; open the page again."
    ),
    "pole_missing": _("Choose the pole nearest the house."),
    "pole_other_plant": _("This pole is not on this plant."),
    "pole_too_far": _(
        "The house is more than 30 m from the pole. Give a reason to connect it anyway."
    ),
    "pole_distance_invalid": _("The distance is 0 to 9999.9 metres."),
    "pole_locked": _("The account fixed the pole; it cannot change."),
    "pole_full": _("This pole has no free connection number left."),
    "connection_has_account": _("This connection already has an account."),
    "phone_invalid": _("Enter a valid 10-digit mobile number."),
    "name_invalid": _("A name is 1 to 120 characters."),
    "segment_unknown": CHOOSE,
    "language_unknown": CHOOSE,
    "marketing_method_unknown": CHOOSE,
    "kyc_id_type_unknown": CHOOSE,
    "kyc_kind_unknown": CHOOSE,
    "connection_step_unknown": CHOOSE,
    "hours_invalid": _("Hours of use are 0 to 24."),
    "load_invalid": _("The anticipated load is 0 to 1,000,000 W."),
    "appliances_invalid": _(
        "Check the appliances: a name, a count of 1 to 100 and 0 to 100,000 W."
    ),
    "date_in_future": _("The date is in the future."),
    "kyc_file_type": _("Send a JPEG, PNG or WebP photo or a PDF document."),
    "kyc_file_too_large": _("This file is too large; send a smaller photo or scan."),
    "kyc_id_number_invalid": _(
        "Check the ID number: Aadhaar has 12 digits, a voter ID 3 letters and "
        "7 digits, a PAN 5 letters, 4 digits and a letter."
    ),
    "kyc_document_missing": _("Upload a photo or scan of the ID proof."),
    "kyc_commitments_not_acknowledged": _(
        "The customer must acknowledge the supplier's commitments."
    ),
    "package_not_offered": _("This package is not offered at this plant."),
    "meter_not_in_stock": _("This meter is not available in the plant's stock."),
    "meter_already_assigned": _(
        "This meter is already assigned to another connection."
    ),
    "meter_kind_mismatch": _(
        "This package needs another kind of device: a load limiter for pre-paid "
        "and unmetered packages, a meter for metered ones."
    ),
    "meter_not_assigned": _("Pick a meter or load limiter first."),
    "meter_already_installed": _("This meter is already installed."),
    "connection_step_wrong_order": _(
        "Record the connection in order: At Pole, House wire, Service Wire, "
        "then the meter."
    ),
    "reading_invalid": _("Enter the reading as a number, 0 or more."),
    "reading_too_many_digits": _("The reading has more digits than the meter shows."),
}
# Service field names that a form calls otherwise.
FIELD_ALIASES = {"file": "id_proof", "commitments_acknowledged": "commitments"}


def token() -> str:
    return str(uuid.uuid4())


def refusal(exc: DomainError) -> str:
    """The user's-language text of a refusal; 403 and 404 become those pages."""
    if exc.status == 403:
        raise PermissionDenied(exc.message)
    if exc.status == 404:
        raise Http404(exc.message)
    return str(REFUSALS.get(exc.code, exc.message))


def show_refusal(form: forms.Form, exc: DomainError) -> None:
    """Put a service's refusal next to the field it names, else above the form."""
    field = FIELD_ALIASES.get(exc.field or "", exc.field)
    if field not in form.fields or form.fields[field].widget.is_hidden:
        field = None
    form.add_error(field, refusal(exc))


class StepForm(forms.Form):
    """A form of one step; ``prospect`` gives its choices."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, prospect: Prospect, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.prospect = prospect


# --- poles and the survey -----------------------------------------------------------
def pole_choices(plant: Plant) -> list[tuple[str, str]]:
    poles = Pole.objects.filter(plant=plant).select_related("feeder")
    return [("", "—")] + [
        (str(p.number), f"{p.number} · {p.feeder.code}") for p in poles
    ]


def pole_at(plant: Plant, raw: str) -> Pole:
    """The plant's pole with the number chosen; any other number is refused
    with the service's wording."""
    pole = None
    if raw.isdigit():
        pole = Pole.objects.filter(plant=plant, number=int(raw)).first()
    if pole is None:
        raise forms.ValidationError(REFUSALS["pole_other_plant"])
    return pole


class SurveyFields(forms.Form):
    """Stage 1: the pole, the distance, the segment and the energy needs."""

    pole = forms.CharField(label=_("Nearest pole"), widget=forms.Select)
    distance_m = forms.DecimalField(
        label=_("Distance to the pole (m)"),
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )
    distance_override = forms.CharField(
        label=_("Reason to connect beyond 30 m"), required=False, max_length=200
    )
    segment = forms.ChoiceField(label=_("Segment"), choices=Segment.choices)
    hours_per_day = forms.DecimalField(
        label=_("Hours of use a day"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(24),
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
    )
    anticipated_load_w = forms.IntegerField(
        label=_("Anticipated load (W)"),
        required=False,
        min_value=0,
        help_text=_("Leave empty to add up the appliances."),
    )

    def __init__(self, *args: Any, plant: Plant, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.plant = plant
        self.fields["pole"].widget.choices = pole_choices(plant)  # type: ignore[attr-defined]
        for n in range(1, APPLIANCE_ROWS + 1):
            self.fields[f"a{n}_name"] = forms.CharField(
                label=_("Appliance %(n)s") % {"n": n}, required=False, max_length=40
            )
            self.fields[f"a{n}_count"] = forms.IntegerField(
                label=_("How many"), required=False, min_value=1, max_value=100
            )
            self.fields[f"a{n}_watts"] = forms.IntegerField(
                label=_("Watts each"), required=False, min_value=0, max_value=100_000
            )
        for name in ("hours_per_day", "anticipated_load_w"):  # after the appliances
            self.fields[name] = self.fields.pop(name)

    def groups(self) -> list[list[forms.BoundField]]:
        """The visible fields, one appliance's three fields side by side."""
        out: list[list[forms.BoundField]] = []
        for bound in self.visible_fields():
            row = (
                bound.name[:3]
                if bound.name[:1] == "a" and bound.name[2:3] == "_"
                else ""
            )
            if row and out and out[-1][0].name.startswith(row):
                out[-1].append(bound)
            else:
                out.append([bound])
        return out

    def clean_pole(self) -> Pole:
        return pole_at(self.plant, self.cleaned_data["pole"])

    def appliances(self) -> list[dict[str, Any]]:
        rows = []
        for n in range(1, APPLIANCE_ROWS + 1):
            name = self.cleaned_data.get(f"a{n}_name") or ""
            if name.strip():
                count = self.cleaned_data.get(f"a{n}_count") or 1
                watts = self.cleaned_data.get(f"a{n}_watts")
                rows.append({"name": name, "count": count, "watts": watts})
        return rows

    def survey(self) -> dict[str, Any]:
        """The survey as the services take it."""
        d = self.cleaned_data
        return {
            "pole": d["pole"],
            "distance_m": d["distance_m"],
            "distance_override": d["distance_override"],
            "segment": d["segment"],
            "appliances": self.appliances(),
            "hours_per_day": d["hours_per_day"],
            "anticipated_load_w": d["anticipated_load_w"],
        }


class ContactFields(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    language = forms.ChoiceField(
        label=_("Language for SMS"), choices=Language.choices, initial=Language.HINDI
    )


class NewProspectForm(ContactFields, SurveyFields):
    """Add Consumer (manual 3.5.9): the catchment survey of a new prospect."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=100)
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    field_order = ["name", "phone", "language", "address", "pole", "distance_m"]


class SurveyLaterForm(SurveyFields):
    """A survey skipped at the start (a request from the app, an instant
    consumer), completed later."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, prospect: Prospect, **kw: Any) -> None:
        super().__init__(*args, plant=prospect.plant, **kw)
        self.prospect = prospect
        if prospect.pole is not None:
            self.initial.setdefault("pole", str(prospect.pole.number))
        self.initial.setdefault("segment", prospect.segment)


class InstantForm(ContactFields):
    """Add Instant Consumer (manual 3.5.10): only the critical fields."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=100)
    pole = forms.CharField(label=_("Nearest pole"), widget=forms.Select)
    package = forms.CharField(label=_("Package"), widget=forms.Select)

    def __init__(self, *args: Any, plant: Plant, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.plant = plant
        self.fields["pole"].widget.choices = pole_choices(plant)  # type: ignore[attr-defined]
        self.fields["package"].widget.choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(p.pk), package_label(p, package_deposit(p)))
            for p in package_offered_at(plant)
        ]

    def clean_pole(self) -> Pole:
        return pole_at(self.plant, self.cleaned_data["pole"])

    def clean_package(self) -> Package | None:
        return package_by_pk(self.plant, self.cleaned_data["package"])


# --- stages 2 to 8 ------------------------------------------------------------------
class MarketingForm(StepForm):
    method = forms.ChoiceField(
        label=_("How was the customer contacted?"), choices=MarketingMethod.choices
    )
    contacted_on = forms.DateField(
        label=_("Date (empty: today)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class NoteForm(StepForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class ConfirmForm(StepForm):
    """A step with nothing to enter (account creation)."""


class KycForm(StepForm):
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices)
    id_number = forms.CharField(label=_("ID number"), max_length=40)
    photo = forms.FileField(
        label=_("Photo of the customer"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    id_proof = forms.FileField(
        label=_("ID proof (photo or PDF)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*,application/pdf"}),
    )
    other = forms.FileField(
        label=_("Other document"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*,application/pdf"}),
    )
    commitments = forms.BooleanField(
        label=_("The customer received the supplier's commitments and agrees"),
        required=False,
    )

    def __init__(self, *args: Any, prospect: Prospect, **kw: Any) -> None:
        super().__init__(*args, prospect=prospect, **kw)
        self.has_id_proof = prospect.documents.filter(kind=KycKind.ID_PROOF).exists()
        if self.has_id_proof:
            self.fields["id_proof"].help_text = _(
                "An ID proof is already uploaded; add another only if needed."
            )

    def _file(self, name: str) -> Any:
        upload = self.cleaned_data.get(name)
        if upload:
            try:
                sniff(upload)
            except DomainError as exc:
                raise forms.ValidationError(refusal(exc)) from exc
        return upload

    def clean_photo(self) -> Any:
        return self._file("photo")

    def clean_id_proof(self) -> Any:
        upload = self._file("id_proof")
        if not upload and not self.has_id_proof:
            raise forms.ValidationError(REFUSALS["kyc_document_missing"])
        return upload

    def clean_other(self) -> Any:
        return self._file("other")

    def clean_id_number(self) -> str:
        raw = self.cleaned_data["id_number"]
        id_type = self.cleaned_data.get("id_type")
        if id_type:
            try:
                check_id_number(id_type, raw)
            except DomainError as exc:
                raise forms.ValidationError(refusal(exc)) from exc
        return raw

    def clean_commitments(self) -> bool:
        if not self.cleaned_data.get("commitments"):
            raise forms.ValidationError(REFUSALS["kyc_commitments_not_acknowledged"])
        return True

    def uploads(self) -> list[tuple[str, Any]]:
        """(kind, file) of each file sent; the field names are the kinds."""
        kinds = [KycKind.PHOTO, KycKind.ID_PROOF, KycKind.OTHER]
        return [(str(k), self.cleaned_data[k]) for k in kinds if self.cleaned_data[k]]


def package_label(package: Package, deposit: Decimal) -> str:
    return str(
        _("%(id)s · %(load)s W · activation charge ₹%(act)s · deposit ₹%(dep)s")
        % {
            "id": package.package_id,
            "load": package.load_w,
            "act": package.activation_charge,
            "dep": deposit,
        }
    )


def package_by_pk(plant: Plant, raw: str) -> Package | None:
    """The package chosen, if it is one of the company's (the service judges
    whether it is offered at the plant)."""
    if not raw.isdigit():
        return None
    return Package.objects.filter(company_id=plant.company_id, pk=int(raw)).first()


class PackageForm(StepForm):
    package = forms.CharField(label=_("Package"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, prospect: Prospect, **kw: Any) -> None:
        super().__init__(*args, prospect=prospect, **kw)
        offered = package_offered_at(prospect.plant)
        self.fields["package"].widget.choices = [  # type: ignore[attr-defined]
            (str(p.pk), package_label(p, deposit_for(prospect, p))) for p in offered
        ]
        if prospect.package_id:
            self.initial.setdefault("package", str(prospect.package_id))

    def clean_package(self) -> Package | None:
        return package_by_pk(self.prospect.plant, self.cleaned_data["package"])


def stock_for(prospect: Prospect) -> QuerySet[Meter]:
    """The devices in the plant's stock that fit the prospect's package."""
    kinds = (
        kinds_for_billing_type(prospect.package.billing_type)
        if prospect.package is not None
        else None
    )
    return meters_in_stock(prospect.plant, kinds)


class MeterForm(StepForm):
    meter = forms.CharField(
        label=_("Meter or load limiter from the plant's stock"), widget=forms.Select
    )

    def __init__(self, *args: Any, prospect: Prospect, **kw: Any) -> None:
        super().__init__(*args, prospect=prospect, **kw)
        self.fields["meter"].widget.choices = [("", "—")] + [  # type: ignore[attr-defined]
            (m.serial, f"{m.serial} · {m.get_kind_display()}")
            for m in stock_for(prospect)
        ]

    def clean_meter(self) -> Meter:
        serial = self.cleaned_data["meter"].strip().upper()
        meter = Meter.objects.filter(
            company_id=self.prospect.company_id, serial=serial
        ).first()
        if meter is None:
            raise forms.ValidationError(REFUSALS["meter_not_in_stock"])
        return meter


def next_connection_step(prospect: Prospect) -> str | None:
    """The physical step to record next (At Pole, House wire, Service Wire)."""
    order = CONNECTION_STEPS[:3]
    if not prospect.connection_step:
        return order[0]
    if prospect.connection_step in order[:-1]:
        return order[order.index(prospect.connection_step) + 1]
    return None


class ConnectionStepForm(StepForm):
    step = forms.ChoiceField(choices=ConnectionStep.choices, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, prospect: Prospect, **kw: Any) -> None:
        super().__init__(*args, prospect=prospect, **kw)
        self.next_step = next_connection_step(prospect)
        self.initial.setdefault("step", self.next_step)

    @property
    def next_label(self) -> str:
        return str(ConnectionStep(self.next_step).label) if self.next_step else ""


class InstallForm(StepForm):
    initial_reading = forms.CharField(
        label=_("First reading on the meter (kWh)"),
        initial="0",
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class ActivateForm(StepForm):
    confirm = forms.BooleanField(
        label=_("I checked the connection: the customer has power"),
        error_messages={"required": _("Tick the box to confirm the connection.")},
    )


class ReasonForm(StepForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)
