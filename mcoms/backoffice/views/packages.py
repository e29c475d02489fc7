"""The package catalogue (docs/packages.md): packages per plant with their
terms, deposit, versions and customers; head office creates, revises,
withdraws and offers again, and edits the type and timing code tables."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.backoffice import history
from mcoms.backoffice.views.common import StaffRequest, backoffice_view
from mcoms.core.errors import DomainError
from mcoms.org.access import can, get_plant_for_user, plants_for
from mcoms.org.models import User
from mcoms.org.permissions import Action
from mcoms.packages import display, selectors, services, tariff
from mcoms.packages.models import BillingType, DepositRule, Package, WriteAction
from mcoms.packages.terms import TERMS, slabs_as_text, terms_of

EDIT = Action.PACKAGE_EDIT
PAGE_SIZE = 50
# Refusals as the user reads them (docs/decisions/0006).
MESSAGES = {
    "package_load_invalid": gettext_lazy(
        "The load must be a whole number of watts above 0."
    ),
    "package_rate_missing": gettext_lazy("This billing type needs this rate."),
    "package_rate_not_for_billing_type": gettext_lazy(
        "Leave this empty for this billing type."
    ),
    "rate_invalid": gettext_lazy("A rate is a number above 0 with at most 4 decimals."),
    "package_slabs_invalid": gettext_lazy(
        'Write slabs as "kWh:rate" pairs with rising kWh, e.g. "30:5; 100:7".'
    ),
    "package_period_invalid": gettext_lazy("The period is 1 to 366 whole days."),
    "package_deposit_missing": gettext_lazy("This deposit rule needs this value."),
    "package_deposit_mismatch": gettext_lazy("Leave this empty for this deposit rule."),
    "package_duplicate": gettext_lazy(
        "A package with this ID is already offered at the plant."
    ),
    "package_unchanged": gettext_lazy("Nothing was changed."),
    "package_superseded": gettext_lazy(
        "This package has a newer version; change that one."
    ),
    "package_type_unknown": gettext_lazy("Choose a package type."),
    "timing_unknown": gettext_lazy("Choose a timing code."),
    "amount_invalid": gettext_lazy("Enter an amount, e.g. 160 or 160.50."),
    "amount_too_precise": gettext_lazy("At most 2 decimal places."),
    "amount_not_positive": gettext_lazy("The amount cannot be below 0."),
    "amount_too_large": gettext_lazy("The amount is too large."),
    "timing_slots_overlap": gettext_lazy("Timing slots may not overlap."),
    "timing_slots_invalid": gettext_lazy(
        'Write slots as "HH:MM-HH:MM", e.g. "18:00-06:00".'
    ),
    "package_type_in_use": gettext_lazy(
        "Packages use this code, so its billing type stays."
    ),
    "timing_code_in_use": gettext_lazy("Packages use this code, so its hours stay."),
    "code_is_default": gettext_lazy("This is a default code: edit it instead."),
    "duplicate": gettext_lazy("This code is already used."),
}


def refusal(exc: DomainError) -> str:
    """The text of a refusal; 403 and 404 refusals become those pages."""
    if exc.status == 403:
        raise PermissionDenied(exc.message)
    if exc.status == 404:
        raise Http404(exc.message)
    return str(MESSAGES.get(exc.code, exc.message))


def show_error(form: forms.Form, exc: DomainError) -> None:
    """A service's refusal next to its field (403/404 become those pages)."""
    text = refusal(exc)
    form.add_error(exc.field if exc.field in form.fields else None, text)


# --- forms --------------------------------------------------------------------------
def _text(label: Any, help_text: Any = "", **kw: Any) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, required=False, max_length=40, **kw
    )


class PackageForm(forms.Form):
    """The terms as typed; the service parses and checks them."""

    plant = forms.ChoiceField(label=gettext_lazy("Plant"))
    type_code = forms.ChoiceField(label=gettext_lazy("Package type"))
    timing_code = forms.ChoiceField(label=gettext_lazy("Timing"))
    load_w = _text(gettext_lazy("Maximum load (W)"))
    prepaid_amount = _text(
        gettext_lazy("Pre-paid amount"), gettext_lazy("Pre-paid only.")
    )
    prepaid_period_days = _text(
        gettext_lazy("Pre-paid period (days)"), gettext_lazy("Pre-paid only.")
    )
    rate_per_kwh = _text(
        gettext_lazy("Rate per kWh"), gettext_lazy("Post-paid metered only.")
    )
    slabs = _text(
        gettext_lazy("Slabs"),
        gettext_lazy('Metered, optional: "kWh:rate" pairs, e.g. "30:5; 100:7".'),
    )
    fixed_monthly = _text(
        gettext_lazy("Fixed monthly charge"), gettext_lazy("Metered, optional.")
    )
    monthly_amount = _text(
        gettext_lazy("Monthly amount"), gettext_lazy("Post-paid unmetered only.")
    )
    activation_charge = _text(gettext_lazy("Activation charge (ACT)"))
    deposit_rule = forms.ChoiceField(
        label=gettext_lazy("Deposit rule"), choices=DepositRule
    )
    deposit_amount = _text(gettext_lazy("Deposit amount"), gettext_lazy("Fixed rule."))
    deposit_multiple = _text(
        gettext_lazy("Deposit multiple"),
        gettext_lazy("Multiple rule: N × the anticipated monthly bill."),
    )
    credit_limit = _text(gettext_lazy("Credit limit"))
    offered = forms.BooleanField(
        label=gettext_lazy("Offered now"), required=False, initial=True
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=120)

    def __init__(self, *args: Any, user: User, plants: bool = True, **kw: Any) -> None:
        super().__init__(*args, **kw)
        if plants:
            choices = [(p.key, str(p)) for p in plants_for(user, EDIT)]
            self.fields["plant"].choices = choices  # type: ignore[attr-defined]
        else:
            del self.fields["plant"], self.fields["offered"]
        self.fields["type_code"].choices = [  # type: ignore[attr-defined]
            (t.code, f"{t.code} · {t.label}") for t in selectors.package_types_for(user)
        ]
        self.fields["timing_code"].choices = [  # type: ignore[attr-defined]
            (t.code, f"{t.code} · {t.label} · {display.slots_text(t.slots)}")
            for t in selectors.timing_codes_for(user)
        ]


def _initial(package: Package) -> dict[str, Any]:
    terms = terms_of(package)
    terms["slabs"] = slabs_as_text(package.slabs)
    return {k: "" if v is None else v for k, v in terms.items()}


# --- catalogue ----------------------------------------------------------------------
def _filters(request: StaffRequest) -> dict[str, Any]:
    get = request.GET
    plant = get_plant_for_user(request.user, get["plant"]) if get.get("plant") else None
    billing = get.get("billing_type", "")
    offered = get.get("offered", "")
    return {
        "plant": plant,
        "billing_type": billing if billing in BillingType.values else "",
        "offered": offered if offered in ("yes", "no") else "",
    }


@require_GET
@backoffice_view
def package_list(request: StaffRequest) -> HttpResponse:
    """Packages per plant, filtered by plant, billing type and offer."""
    chosen = _filters(request)
    qs = selectors.with_usage(selectors.packages_for(request.user))
    if chosen["plant"] is not None:
        qs = qs.filter(plant=chosen["plant"])
    if chosen["billing_type"]:
        qs = qs.filter(billing_type=chosen["billing_type"])
    if chosen["offered"]:
        qs = qs.filter(active=chosen["offered"] == "yes")
    page = Paginator(qs.order_by("plant_id", "package_id", "version"), PAGE_SIZE)
    page_obj = page.get_page(request.GET.get("page"))
    display.described(list(page_obj), _currency(request.user))
    context = {
        "page": page_obj,
        "chosen": chosen,
        "plants": plants_for(request.user, Action.PACKAGE_VIEW),
        "billing_types": BillingType.choices,
        "can_edit": can(request.user, EDIT),
    }
    return render(request, "backoffice/packages/list.html", context)


def _currency(user: Any) -> str:
    return selectors.company_for(user).currency


@require_GET
@backoffice_view
def package_detail(
    request: StaffRequest, plant_key: str, package_id: str, version: int
) -> HttpResponse:
    package = selectors.get_package_for_user(
        request.user, plant_key, package_id, version
    )
    display.described([package], _currency(request.user))
    context = {
        "package": package,
        "plant": package.plant,
        "monthly_bill": tariff.anticipated_monthly_bill(package),
        "kwh": tariff.anticipated_kwh(package),
        "versions": selectors.package_versions(package),
        "can_edit": can(request.user, EDIT)
        and package.plant in plants_for(request.user, EDIT),
        "token": uuid.uuid4(),
        "history": history.for_user(request.user, package),
    }
    return render(request, "backoffice/packages/detail.html", context)


def _url(package: Package) -> str:
    return reverse(
        "backoffice:package-detail",
        args=[package.plant.key, package.package_id, package.version],
    )


@require_http_methods(["GET", "POST"])
@backoffice_view
def package_create(request: StaffRequest) -> HttpResponse:
    plants_for(request.user, EDIT)  # 403 without package.edit
    initial = {"token": uuid.uuid4(), "offered": True}
    if request.GET.get("plant"):
        initial["plant"] = request.GET["plant"]
    form = PackageForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        plant = get_plant_for_user(request.user, data.pop("plant"), EDIT)
        terms = {k: data[k] for k in TERMS}
        try:
            package, _created = services.packages_write_once(
                company=plant.company,
                key=data["token"],
                action=WriteAction.PACKAGE_CREATE,
                by=request.user,
                write=lambda: services.package_create(
                    plant=plant, offered=data["offered"], by=request.user, **terms
                ),
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Package %(id)s saved.") % {"id": package})
            return redirect(_url(package))
    context = {
        "form": form,
        "title": _("New package"),
        "cancel": reverse("backoffice:package-list"),
    }
    return render(request, "backoffice/packages/form.html", context)


@require_http_methods(["GET", "POST"])
@backoffice_view
def package_revise(
    request: StaffRequest, plant_key: str, package_id: str, version: int
) -> HttpResponse:
    """The terms, prefilled; saving makes the next version."""
    package = selectors.get_package_for_user(
        request.user, plant_key, package_id, version, EDIT
    )
    initial = _initial(package) | {"token": uuid.uuid4()}
    form = PackageForm(
        request.POST or None, initial=initial, user=request.user, plants=False
    )
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in TERMS}
        try:
            new, _created = services.packages_write_once(
                company=package.plant.company,
                key=form.cleaned_data["token"],
                action=WriteAction.PACKAGE_REVISE,
                by=request.user,
                write=lambda: services.package_revise(
                    package=package, by=request.user, **changes
                ),
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(
                request,
                _("Version %(v)s of %(id)s saved.")
                % {"v": new.version, "id": new.package_id},
            )
            return redirect(_url(new))
    context = {
        "form": form,
        "package": package,
        "title": _("Revise %(id)s v%(v)s") % {"id": package.package_id, "v": version},
        "cancel": _url(package),
    }
    return render(request, "backoffice/packages/form.html", context)


@require_POST
@backoffice_view
def package_offer_change(
    request: StaffRequest, plant_key: str, package_id: str, version: int, action: str
) -> HttpResponse:
    """Withdraw the package, or offer it again (``action``)."""
    package = selectors.get_package_for_user(
        request.user, plant_key, package_id, version, EDIT
    )
    withdraw = action == "withdraw"
    write = services.package_withdraw if withdraw else services.package_offer
    try:
        services.packages_write_once(
            company=package.plant.company,
            key=str(request.POST.get("token", ""))[:120],
            action=WriteAction.PACKAGE_WITHDRAW
            if withdraw
            else WriteAction.PACKAGE_OFFER,
            by=request.user,
            write=lambda: write(package=package, by=request.user),
        )
    except DomainError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("Withdrawn.") if withdraw else _("Offered again."))
    return redirect(_url(package))


# --- code tables --------------------------------------------------------------------
class TypeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=10,
        help_text=gettext_lazy("e.g. A2.1: a capital first."),
    )
    label = forms.CharField(label=gettext_lazy("Label"), max_length=80)
    billing_type = forms.ChoiceField(
        label=gettext_lazy("Billing type"), choices=BillingType
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=120)

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip().upper()


class TimingForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=4,
        help_text=gettext_lazy("Two to four capitals, e.g. MN."),
    )
    label = forms.CharField(label=gettext_lazy("Label"), max_length=80)
    slots = forms.CharField(
        label=gettext_lazy("Hours"),
        max_length=200,
        help_text=gettext_lazy(
            'Local time, "start-end", several separated by commas: '
            '"05:00-07:00, 18:00-23:00". "18:00-06:00" passes midnight.'
        ),
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=120)

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip().upper()

    def clean_slots(self) -> list[list[str]]:
        """Shape only (the service checks the times and overlaps)."""
        pieces = str(self.cleaned_data["slots"]).replace(";", ",").split(",")
        return [
            [part.strip() for part in piece.split("-")]
            for piece in pieces
            if piece.strip()
        ]


def _edit_form(form_class: type[forms.Form], data: Any, **kw: Any) -> forms.Form:
    """The create form without the code and token (the code never changes)."""
    form = form_class(data, **kw)
    del form.fields["code"], form.fields["token"]
    return form


@require_GET
@backoffice_view
def code_tables(request: StaffRequest) -> HttpResponse:
    """The company's type and timing codes, with how many packages use each."""
    timings = list(selectors.timing_codes_for(request.user))
    for t in timings:
        t.hours_text = display.slots_text(t.slots)  # type: ignore[attr-defined]
    context = {
        "types": selectors.package_types_for(request.user),
        "timings": timings,
        "can_edit": _edits_codes(request.user),
    }
    return render(request, "backoffice/packages/codes.html", context)


def _edits_codes(user: Any) -> bool:
    """Company-wide head office edits the code tables."""
    try:
        selectors.company_for(user, EDIT)
    except PermissionDenied:
        return False
    return True


def _code_page(request: StaffRequest, form: forms.Form, title: str) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "cancel": reverse("backoffice:package-codes"),
    }
    return render(request, "backoffice/packages/form.html", context)


@require_http_methods(["GET", "POST"])
@backoffice_view
def package_type_create(request: StaffRequest) -> HttpResponse:
    company = selectors.company_for(request.user, EDIT)
    form = TypeForm(request.POST or None, initial={"token": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.packages_write_once(
                company=company,
                key=data.pop("token"),
                action=WriteAction.TYPE_CREATE,
                by=request.user,
                write=lambda: services.package_type_create(
                    company=company, by=request.user, **data
                ),
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Type %(code)s added.") % data)
            return redirect("backoffice:package-codes")
    return _code_page(request, form, _("New package type"))


@require_http_methods(["GET", "POST"])
@backoffice_view
def package_type_edit(request: StaffRequest, code: str) -> HttpResponse:
    company = selectors.company_for(request.user, EDIT)
    row = selectors.get_package_type_for_user(request.user, code, EDIT)
    initial = {"label": row.label, "billing_type": row.billing_type}
    form = _edit_form(TypeForm, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.package_type_update(
                company=company, package_type=row, by=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("backoffice:package-codes")
    return _code_page(request, form, _("Package type %(code)s") % {"code": row.code})


@require_http_methods(["GET", "POST"])
@backoffice_view
def timing_create(request: StaffRequest) -> HttpResponse:
    company = selectors.company_for(request.user, EDIT)
    form = TimingForm(request.POST or None, initial={"token": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.packages_write_once(
                company=company,
                key=data.pop("token"),
                action=WriteAction.TIMING_CREATE,
                by=request.user,
                write=lambda: services.timing_code_create(
                    company=company, by=request.user, **data
                ),
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Timing %(code)s added.") % data)
            return redirect("backoffice:package-codes")
    return _code_page(request, form, _("New timing code"))


@require_http_methods(["GET", "POST"])
@backoffice_view
def timing_edit(request: StaffRequest, code: str) -> HttpResponse:
    company = selectors.company_for(request.user, EDIT)
    row = selectors.get_timing_for_user(request.user, code, EDIT)
    slots = ", ".join(f"{a}-{b}" for a, b in row.slots)
    form = _edit_form(
        TimingForm, request.POST or None, initial={"label": row.label, "slots": slots}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.timing_code_update(
                company=company, timing=row, by=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("backoffice:package-codes")
    return _code_page(request, form, _("Timing code %(code)s") % {"code": row.code})
