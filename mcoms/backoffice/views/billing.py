"""Billing (docs/billing.md): the periods of the user's plants, a new period,
a period's run (start or resume it, watch its progress) and its bills, and
one bill. Reading needs ``billing.view``; periods and runs ``billing.run``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.backoffice.views.common import StaffRequest, backoffice_view
from mcoms.billing import selectors, services
from mcoms.billing.models import BillingPeriod, RunStatus
from mcoms.core.errors import DomainError
from mcoms.ledger.models import Service
from mcoms.org.access import can, get_plant_for_user, plants_for
from mcoms.org.permissions import Action

RUN = Action.BILLING_RUN
PAGE_SIZE = 50
MESSAGES = {
    "period_overlaps": gettext_lazy(
        "These dates overlap another billing period of this plant."
    ),
    "period_end_before_start": gettext_lazy("The period must end after it starts."),
    "period_too_long": gettext_lazy("A billing period is at most 92 days."),
    "period_due_days_invalid": gettext_lazy("Days to pay: 0 to 90."),
    "period_not_ended": gettext_lazy(
        "This period has not ended yet; bill it after its last day."
    ),
    "earlier_run_unfinished": gettext_lazy(
        "An earlier period of this plant is still being billed; finish it first."
    ),
}


def _text(exc: DomainError) -> str:
    return str(MESSAGES.get(exc.code, exc.message))


def _period_url(period: BillingPeriod) -> str:
    return reverse(
        "backoffice:billing-period", args=[period.plant.key, period.start.isoformat()]
    )


class PeriodForm(forms.Form):
    plant = forms.ChoiceField(label=gettext_lazy("Plant"))
    start = forms.DateField(
        label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("Day after the last day"),
        required=False,
        help_text=gettext_lazy("Leave empty for one month."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    due_days = forms.IntegerField(
        label=gettext_lazy("Days to pay after the period"),
        initial=15,
        min_value=0,
        max_value=90,
    )

    def __init__(self, *args: Any, user: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        choices = [(p.key, str(p)) for p in plants_for(user, RUN)]
        self.fields["plant"].choices = choices  # type: ignore[attr-defined]


@require_GET
@backoffice_view
def period_list(request: StaffRequest) -> HttpResponse:
    """The billing periods of the user's plants, newest first, with their run."""
    qs = selectors.periods_for(request.user)
    plant = None
    if request.GET.get("plant"):
        plant = get_plant_for_user(
            request.user, request.GET["plant"], Action.BILLING_VIEW
        )
        qs = qs.filter(plant=plant)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "plant": plant,
        "plants": plants_for(request.user, Action.BILLING_VIEW),
        "can_run": can(request.user, RUN),
    }
    return render(request, "backoffice/billing/period_list.html", context)


@require_http_methods(["GET", "POST"])
@backoffice_view
def period_create(request: StaffRequest) -> HttpResponse:
    plants_for(request.user, RUN)  # 403 without billing.run
    initial = {"plant": request.GET.get("plant", ""), "due_days": 15}
    form = PeriodForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plant = get_plant_for_user(request.user, data["plant"], RUN)
        try:
            period = services.billing_period_create(
                plant=plant,
                start=data["start"],
                end=data["end"],
                due_days=data["due_days"],
                by=request.user,
            )
        except DomainError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, _text(exc))
        else:
            messages.success(request, _("Billing period created."))
            return redirect(_period_url(period))
    context = {
        "form": form,
        "title": _("New billing period"),
        "cancel": reverse("backoffice:billing-periods"),
    }
    return render(request, "backoffice/form.html", context)


def _period(request: StaffRequest, plant_key: str, start: str) -> BillingPeriod:
    try:
        date.fromisoformat(start)
    except ValueError as exc:
        raise Http404("No such period.") from exc
    return selectors.get_period_for_user(request.user, plant_key, start)


@require_GET
@backoffice_view
def period_detail(request: StaffRequest, plant_key: str, start: str) -> HttpResponse:
    """A period: its run (start, resume, progress) and its bills."""
    period = _period(request, plant_key, start)
    run = selectors.run_of(period)
    bills = Paginator(selectors.bills_of_period(period), PAGE_SIZE)
    context = {
        "period": period,
        "run": run,
        "totals": selectors.period_totals(period),
        "page": bills.get_page(request.GET.get("page")),
        "can_run": can(request.user, RUN)
        and period.plant in plants_for(request.user, RUN),
        "ended": services.plant_today(period.plant) >= period.end,
    }
    return render(request, "backoffice/billing/period_detail.html", context)


@require_POST
@backoffice_view
def run_start(request: StaffRequest, plant_key: str, start: str) -> HttpResponse:
    """Start or resume the period's run on the task worker."""
    plants_for(request.user, RUN)  # 403 without billing.run
    period = _period(request, plant_key, start)
    get_plant_for_user(request.user, period.plant.key, RUN)
    try:
        run = services.billing_run_start(period=period, by=request.user, enqueue=True)
    except DomainError as exc:
        messages.error(request, _text(exc))
    else:
        if run.status == RunStatus.DONE:
            messages.info(request, _("This period is billed already."))
        else:
            messages.success(request, _("Billing run started."))
    return redirect(_period_url(period))


@require_GET
@backoffice_view
def run_progress(request: StaffRequest, plant_key: str, start: str) -> JsonResponse:
    """The run's progress for the period page's watcher."""
    period = _period(request, plant_key, start)
    run = selectors.run_of(period)
    if run is None:
        return JsonResponse({"status": None})
    return JsonResponse(
        {
            "status": run.status,
            "status_label": str(run.get_status_display()),
            "done": run.done,
            "total": run.total,
            "percent": run.percent,
            "error": run.error,
        }
    )


@require_GET
@backoffice_view
def bill_detail(request: StaffRequest, number: str) -> HttpResponse:
    bill = selectors.get_bill_for_user(request.user, number)
    context = {
        "bill": bill,
        "lines": list(bill.lines.all()),
        "by_service": [
            (Service(code).label, amount) for code, amount in bill.charges.items()
        ],
        "can_see_customer": can(request.user, Action.CUSTOMER_VIEW),
    }
    return render(request, "backoffice/billing/bill_detail.html", context)
