"""Consumer Activity in the field app (manual 3.5.6): my requests (assigned to
me, waiting for me, raised by me), one request with the steps I may take, the
raise form, and the customers flagged "to de-activate" with a one-tap raise.

Every form carries a token made when the page was drawn, so a double tap or
a resend on a weak network takes the step once."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.core.errors import DomainError
from mcoms.customers.models import StatusReason
from mcoms.customers.selectors import get_customer_for_user
from mcoms.customers.status import (
    DEACTIVATION,
    REACTIVATION,
    flagged_customers_for,
    plants_with_flag_counts,
)
from mcoms.field.access import field_view
from mcoms.org.access import can, get_plant_for_user, plants_for
from mcoms.org.models import Staff, User
from mcoms.org.permissions import Action
from mcoms.workflow import selectors as wf
from mcoms.workflow import services
from mcoms.workflow.kinds import describe_payload, kind_label
from mcoms.workflow.models import Request, RequestState

PAGE_SIZE = 50
REFUSALS = {
    "request_wrong_state": gettext_lazy("This request has already moved on."),
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
    "assignee_unknown": gettext_lazy("Choose who carries it out."),
    "reject_reason_missing": gettext_lazy("Give the reason for rejecting."),
    "request_review_own_work": gettext_lazy("Someone else must review your own work."),
    "request_already_executed": gettext_lazy(
        "This request was carried out and cannot be undone; complete it."
    ),
}


def refusal(exc: DomainError) -> str:
    if exc.status == 403:
        raise PermissionDenied(exc.message)
    if exc.status == 404:
        raise Http404(exc.message)
    return str(REFUSALS.get(exc.code, exc.message))


def token() -> str:
    return str(uuid.uuid4())


class RaiseForm(forms.Form):
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


def _raise(user: User, data: dict[str, Any]) -> tuple[Request, bool]:
    plant = get_plant_for_user(user, data["plant"], Action.REQUEST_RAISE)
    customer = get_customer_for_user(user, data["customer"])
    payload: dict[str, Any] = {"reason": data["reason"]}
    if data["kind"] == DEACTIVATION:
        payload["ban"] = bool(data.get("ban"))
    return services.request_raise(
        kind=data["kind"],
        plant=plant,
        subject=customer,
        comments=data.get("comments", ""),
        payload=payload,
        idempotency_key=data["token"],
        by=user,
    )


def waiting_for(user: User, staff: Staff) -> QuerySet[Request]:
    """Requests that wait for a step only I (my designation) can take."""
    cond = Q(pk__in=[])
    if can(user, Action.REQUEST_APPROVE):
        cond |= Q(state=RequestState.REQUEST)
    if can(user, Action.REQUEST_ASSIGN):
        cond |= Q(state=RequestState.APPROVED)
    if can(user, Action.REQUEST_REVIEW):
        cond |= Q(state=RequestState.REVIEW) & ~Q(executed_by=user)
    return wf.requests_for(user).filter(cond)


def _labelled(qs: QuerySet[Request], limit: int) -> list[Request]:
    rows = list(qs[:limit])
    for req in rows:
        req.kind_text = kind_label(req.kind)  # type: ignore[attr-defined]
    return rows


@require_GET
@field_view
def request_home(request: HttpRequest, staff: Staff) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (field_view let only staff in)
    mine = wf.requests_for(user)
    context = {
        "assigned": _labelled(
            mine.filter(state=RequestState.IN_PROCESS, assigned_to=user), PAGE_SIZE
        ),
        "waiting": _labelled(waiting_for(user, staff), PAGE_SIZE),
        "raised": _labelled(mine.filter(raised_by=user), 20),
        "flagged": sum(getattr(p, "flagged", 0) for p in plants_with_flag_counts(user)),
        "token": token(),
    }
    return render(request, "field/requests/home.html", context)


@require_GET
@field_view
def request_detail(request: HttpRequest, staff: Staff, number: str) -> HttpResponse:
    req = wf.get_request_for_user(request.user, number)
    actions = wf.request_actions(request.user, req)
    context = {
        "req": req,
        "kind_text": kind_label(req.kind),
        "details": describe_payload(req.kind, req.payload),
        "steps": req.steps.select_related("by", "assignee"),
        "actions": actions,
        "assignees": wf.assignable_staff(req.plant) if "assign" in actions else [],
        "token": token(),
    }
    return render(request, "field/requests/detail.html", context)


@require_POST
@field_view
def request_action(
    request: HttpRequest, staff: Staff, number: str, action: str
) -> HttpResponse:
    if action not in services.STEPS:
        raise Http404("No such step.")
    user = request.user
    assert isinstance(user, User)  # noqa: S101
    req = wf.get_request_for_user(user, number)
    post = request.POST
    username = post.get("assignee", "")
    try:
        req = services.request_step(
            request=req,
            action=action,
            by=user,
            note=post.get("note", ""),
            reason=post.get("reason", ""),
            assignee=wf.staff_user(req.company_id, username) if username else None,
            idempotency_key=post.get("token", "")[:120] or None,
        )
    except DomainError as exc:
        messages.error(request, refusal(exc))
    else:
        state = RequestState(req.state).label
        messages.success(request, f"{req.number}: {state}")
    return redirect("field:request-detail", req.number)


@require_http_methods(["GET", "POST"])
@field_view
def request_create(request: HttpRequest, staff: Staff) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101
    plants = [(p.key, str(p)) for p in plants_for(user, Action.REQUEST_RAISE)]
    initial = {"token": token(), "reason": StatusReason.NON_PAYMENT}
    initial |= {
        k: request.GET[k] for k in ("plant", "customer", "kind") if k in request.GET
    }
    form = RaiseForm(request.POST or None, initial=initial, plants=plants)
    if request.method == "POST" and form.is_valid():
        try:
            req, _created = _raise(user, form.cleaned_data)
        except DomainError as exc:
            form.add_error(
                exc.field if exc.field in form.fields else None, refusal(exc)
            )
        else:
            messages.success(request, _("Request %(n)s raised.") % {"n": req.number})
            return redirect("field:request-detail", req.number)
    return render(request, "field/requests/create.html", {"form": form})


@require_GET
@field_view
def flagged(request: HttpRequest, staff: Staff) -> HttpResponse:
    """ "To de-activate": my plants' customers over their credit limit."""
    plants = list(plants_with_flag_counts(request.user))
    qs = flagged_customers_for(request.user)
    plant = None
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
        "may_raise": can(request.user, Action.REQUEST_RAISE),
        "token": token(),
    }
    return render(request, "field/requests/flagged.html", context)


@require_POST
@field_view
def flagged_raise(request: HttpRequest, staff: Staff, customer_id: str) -> HttpResponse:
    """The one-tap "raise de-activation request" of the flagged list."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101
    customer = get_customer_for_user(user, customer_id)
    data = {
        "plant": customer.plant.key,
        "kind": DEACTIVATION,
        "customer": customer.customer_id,
        "reason": StatusReason.NON_PAYMENT,
        # Stored text, read by everyone on the chain: not translated.
        "comments": f"Over the credit limit: {customer.flagged_outstanding} due.",
        "token": request.POST.get("token", "")[:120],
    }
    try:
        req, _created = _raise(user, data)
    except DomainError as exc:
        messages.error(request, refusal(exc))
        return redirect("field:flagged")
    messages.success(request, _("Request %(n)s raised.") % {"n": req.number})
    return redirect("field:request-detail", req.number)
