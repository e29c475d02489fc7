"""Consumer Activity (manual 3.5.6) in the back office: the request list with
its state tabs, one request with the steps the user may take, the raise form,
and the customers flagged "to de-activate" by the credit-limit check."""

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

from mcoms.backoffice.views.common import StaffRequest, backoffice_view
from mcoms.core.errors import DomainError
from mcoms.customers.models import StatusReason
from mcoms.customers.selectors import get_customer_for_user
from mcoms.customers.status import (
    DEACTIVATION,
    REACTIVATION,
    flagged_customers_for,
    plants_with_flag_counts,
)
from mcoms.org.access import get_plant_for_user, plants_for
from mcoms.org.models import User
from mcoms.org.permissions import Action
from mcoms.workflow import selectors as wf
from mcoms.workflow import services
from mcoms.workflow.kinds import describe_payload, kind_choices, kind_label
from mcoms.workflow.models import Request, RequestState

PAGE_SIZE = 50
# Refusals as the user reads them (docs/decisions/0006); others show the
# service's own message.
BY_CODE = {
    "request_wrong_state": gettext_lazy(
        "This request has already moved on; the page shows where it is now."
    ),
    "request_already_open": gettext_lazy(
        "This customer already has an open status request."
    ),
    "customer_not_active": gettext_lazy("Only an active customer is de-activated."),
    "customer_not_inactive": gettext_lazy(
        "Only an inactive or banned customer is re-activated."
    ),
    "customer_status_changed": gettext_lazy(
        "The customer's status changed since the request was raised."
    ),
    "assignee_out_of_scope": gettext_lazy("This person does not work at the plant."),
    "assignee_cannot_execute": gettext_lazy(
        "This person's designation does not carry out requests."
    ),
    "reject_reason_missing": gettext_lazy("Give the reason for rejecting."),
    "assignee_unknown": gettext_lazy("Choose who carries it out."),
    "request_review_own_work": gettext_lazy("Someone else must review your own work."),
    "request_already_executed": gettext_lazy(
        "This request was carried out and cannot be undone; complete it."
    ),
}


def refusal(exc: DomainError) -> str:
    """The text of a refusal; 403 and 404 refusals become those pages."""
    if exc.status == 403:
        raise PermissionDenied(exc.message)
    if exc.status == 404:
        raise Http404(exc.message)
    return str(BY_CODE.get(exc.code, exc.message))


# --- forms --------------------------------------------------------------------------
class RaiseForm(forms.Form):
    """Manual 3.5.6: Select Plant, Activity Type, Consumer Number, comments."""

    plant = forms.ChoiceField(label=gettext_lazy("Plant"))
    kind = forms.ChoiceField(
        label=gettext_lazy("Activity type"),
        choices=[
            (DEACTIVATION, gettext_lazy("De-activation")),
            (REACTIVATION, gettext_lazy("Re-activation")),
        ],
    )
    customer = forms.CharField(label=gettext_lazy("Consumer number"), max_length=11)
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"), choices=StatusReason.choices
    )
    ban = forms.BooleanField(
        label=gettext_lazy("Ban the customer (de-activation only)"), required=False
    )
    comments = forms.CharField(
        label=gettext_lazy("Comments"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=120)

    def __init__(self, *args: Any, plants: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["plant"].choices = plants  # type: ignore[attr-defined]


def raise_request(user: User, data: dict[str, Any]) -> tuple[Request, bool]:
    """The raise form's data to the service, through the access helpers."""
    plant = get_plant_for_user(user, data["plant"], Action.REQUEST_RAISE)
    customer = get_customer_for_user(user, data["customer"])
    payload: dict[str, Any] = {"reason": data["reason"]}
    if data["kind"] == DEACTIVATION:
        payload["ban"] = data["ban"]
    return services.request_raise(
        kind=data["kind"],
        plant=plant,
        subject=customer,
        comments=data["comments"],
        payload=payload,
        idempotency_key=data["token"],
        by=user,
    )


def take_step(user: User, req: Request, action: str, post: Any) -> Request:
    """One posted step form: the token makes a double tap harmless."""
    username = str(post.get("assignee", ""))
    return services.request_step(
        request=req,
        action=action,
        by=user,
        note=str(post.get("note", "")),
        reason=str(post.get("reason", "")),
        assignee=wf.staff_user(req.company_id, username) if username else None,
        idempotency_key=str(post.get("token", ""))[:120] or None,
    )


# --- views --------------------------------------------------------------------------
def _filters(request: StaffRequest) -> dict[str, Any]:
    get = request.GET
    state = get.get("state", "")
    kind = get.get("kind", "")
    plant = get_plant_for_user(request.user, get["plant"]) if get.get("plant") else None
    return {
        "state": state if state in RequestState.values else "",
        "kind": kind if kind in dict(kind_choices()) else "",
        "plant": plant,
    }


@require_GET
@backoffice_view
def request_list(request: StaffRequest) -> HttpResponse:
    """The manual's tabs (Request, In Process, Review, Completed) as a state
    filter with counts, plus activity type and plant."""
    chosen = _filters(request)
    qs = wf.requests_for(request.user)
    if chosen["kind"]:
        qs = qs.filter(kind=chosen["kind"])
    if chosen["plant"] is not None:
        qs = qs.filter(plant=chosen["plant"])
    counts = wf.request_counts(qs)
    if chosen["state"]:
        qs = qs.filter(state=chosen["state"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for req in page:
        req.kind_text = kind_label(req.kind)  # type: ignore[attr-defined]
    tabs = [(value, label, counts[value]) for value, label in RequestState.choices]
    context = {
        "page": page,
        "tabs": tabs,
        "total": sum(counts.values()),
        "chosen": chosen,
        "kinds": kind_choices(),
        "plants": plants_for(request.user, Action.CUSTOMER_VIEW),
    }
    return render(request, "backoffice/requests/list.html", context)


@require_GET
@backoffice_view
def request_detail(request: StaffRequest, number: str) -> HttpResponse:
    req = wf.get_request_for_user(request.user, number)
    actions = wf.request_actions(request.user, req)
    context = {
        "req": req,
        "kind_text": kind_label(req.kind),
        "details": describe_payload(req.kind, req.payload),
        "steps": req.steps.select_related("by", "assignee"),
        "actions": actions,
        "assignees": wf.assignable_staff(req.plant) if "assign" in actions else [],
        "token": uuid.uuid4(),
    }
    return render(request, "backoffice/requests/detail.html", context)


@require_POST
@backoffice_view
def request_action(request: StaffRequest, number: str, action: str) -> HttpResponse:
    if action not in services.STEPS:
        raise Http404("No such step.")
    req = wf.get_request_for_user(request.user, number)
    try:
        req = take_step(request.user, req, action, request.POST)
    except DomainError as exc:
        messages.error(request, refusal(exc))
    else:
        state = RequestState(req.state).label
        messages.success(
            request,
            _("Request %(number)s: %(state)s.")
            % {"number": req.number, "state": state},
        )
    return redirect("backoffice:request-detail", req.number)


@require_http_methods(["GET", "POST"])
@backoffice_view
def request_create(request: StaffRequest) -> HttpResponse:
    plants = plants_for(request.user, Action.REQUEST_RAISE)
    choices = [(p.key, str(p)) for p in plants]
    initial = {"token": uuid.uuid4(), "reason": StatusReason.NON_PAYMENT}
    initial |= {
        k: request.GET[k] for k in ("plant", "customer", "kind") if k in request.GET
    }
    form = RaiseForm(request.POST or None, initial=initial, plants=choices)
    if request.method == "POST" and form.is_valid():
        try:
            req, created = raise_request(request.user, form.cleaned_data)
        except DomainError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, refusal(exc))
        else:
            if created:
                messages.success(
                    request, _("Request %(n)s raised.") % {"n": req.number}
                )
            return redirect("backoffice:request-detail", req.number)
    context = {"form": form, "cancel": reverse("backoffice:request-list")}
    return render(request, "backoffice/requests/create.html", context)


@require_GET
@backoffice_view
def flagged_list(request: StaffRequest) -> HttpResponse:
    """Customers over their credit limit, per plant (seed 2.2.3)."""
    plants = list(plants_with_flag_counts(request.user))
    plant = None
    qs = flagged_customers_for(request.user)
    if request.GET.get("plant"):
        plant = get_plant_for_user(request.user, request.GET["plant"])
        qs = qs.filter(plant=plant)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    open_requests = wf.open_requests_for_subjects([c.pk for c in page])
    for customer in page:
        customer.open_request = open_requests.get(customer.pk)  # type: ignore[attr-defined]
    context = {
        "plants": plants,
        "plant": plant,
        "page": page,
        "total": sum(getattr(p, "flagged", 0) for p in plants),
    }
    return render(request, "backoffice/requests/flagged.html", context)
