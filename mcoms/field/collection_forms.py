"""Forms of the collection screens (cash register, receivables, bank
deposits), shared by the field app and the back office (as the acquisition
steps are, docs/decisions/0035). They only shape input: the services check
amounts, files and rules, and their refusals are shown next to the field."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mcoms.core.errors import DomainError
from mcoms.core.periods import Period, period_or_default
from mcoms.ledger.models import Service
from mcoms.org.access import get_plant_for_user
from mcoms.org.models import Plant
from mcoms.org.permissions import Action

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    plant = forms.CharField(label=_("Plant"), required=False, max_length=6)
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)
    q = forms.CharField(label=_("Name or customer ID"), required=False, max_length=60)


def period_filters(
    request: HttpRequest, action: Action
) -> tuple[PeriodForm, Period, Plant | None, str]:
    """The filter bar: the form, the period (this month by default), the
    plant (in the user's scope: else 404) and the search text."""
    form = PeriodForm(request.GET or None)
    start = end = None
    plant, q = None, ""
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        q = form.cleaned_data["q"].strip()
        if form.cleaned_data["plant"]:
            plant = get_plant_for_user(request.user, form.cleaned_data["plant"], action)
    return form, period_or_default(start, end), plant, q


STATUS_CHOICES = [
    ("all", _("All")),
    ("active", _("Active")),
    ("inactive", _("Inactive")),
]
SORT_CHOICES = [("outstanding", _("Outstanding")), ("billed", _("Billed"))]


class ReceivableForm(forms.Form):
    plant = forms.CharField(label=_("Plant"), required=False, max_length=6)
    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=STATUS_CHOICES, required=False
    )
    service = forms.ChoiceField(
        label=_("Service"),
        choices=[("", _("All services")), *Service.choices],
        required=False,
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)
    q = forms.CharField(label=_("Name or customer ID"), required=False, max_length=60)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "month": data.get("month"),
            "status": data.get("status") or "all",
            "service": data.get("service") or "",
            "sort": data.get("sort") or "outstanding",
            "q": (data.get("q") or "").strip(),
        }


class DepositForm(forms.Form):
    plant = forms.ChoiceField(label=_("Plant"))
    amount = forms.CharField(
        label=_("Amount deposited"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    deposited_on = forms.DateField(label=_("Date of the deposit"), widget=DATE)
    bank = forms.CharField(label=_("Bank and branch"), max_length=80)
    reference = forms.CharField(label=_("Slip number"), max_length=40, required=False)
    slip = forms.FileField(
        label=_("Photo of the deposit slip"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/*,application/pdf", "capture": "environment"}
        ),
    )
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=120)

    def __init__(self, *args: Any, plants: list[Plant], **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"client_key": str(uuid.uuid4()), "deposited_on": timezone.localdate()},
        )
        super().__init__(*args, **kwargs)
        self.plants = {p.key: p for p in plants}
        field = cast(forms.ChoiceField, self.fields["plant"])
        field.choices = [(p.key, f"{p.key} {p.name}") for p in plants]
        if len(plants) == 1:
            self.fields["plant"].initial = plants[0].key
            self.fields["plant"].widget = forms.HiddenInput()


class VerifyForm(forms.Form):
    received_amount = forms.CharField(
        label=_("Amount on the bank statement"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Why it is rejected"), max_length=200)


class LimitForm(forms.Form):
    plant = forms.ChoiceField(label=_("Where"), required=False)
    amount = forms.CharField(
        label=_("Most cash an agent may hold"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to remove the limit."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(
        self, *args: Any, plants: list[Plant], company_wide: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        head = [("", _("The whole company"))] if company_wide else []
        cast(forms.ChoiceField, self.fields["plant"]).choices = [
            *head,
            *((p.key, f"{p.key} {p.name}") for p in plants),
        ]


def show_refusal(form: forms.Form, exc: DomainError) -> None:
    """A service's refusal next to its field (or above the form)."""
    field = exc.field if exc.field in form.fields else None
    if field is not None and form.fields[field].widget.is_hidden:
        field = None  # shown above the form
    form.add_error(field, exc.message)
