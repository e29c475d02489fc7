"""The acquisition steps in the back office (issue 3: every stage in every
interface): a step of one prospect, the catchment survey that starts a
prospect (Add Consumer) and Add Instant Consumer.

The forms, the services they call and the action each step needs are the
field app's (``mcoms/field/acquisition_steps.py``, decisions 0035 and 0036);
these views draw them in the back office's pages. Cluster and state in-charges and
the admin hold ``acquisition.work`` and ``connection.work``; the Head Office
Manager holds neither and sees the prospect read-only (posting is 403). A
prospect or plant outside the user's scope is 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mcoms.backoffice import history
from mcoms.backoffice.views.common import StaffRequest, backoffice_view
from mcoms.core.errors import DomainError
from mcoms.field import acquisition_forms as f
from mcoms.field import acquisition_steps as steps


@require_POST
@backoffice_view
def prospect_step(request: StaffRequest, ref: str, name: str) -> HttpResponse:
    """Do one step of a prospect: 404 for an unknown step or a prospect
    outside the scope, 403 without the step's action; a refusal is shown
    next to its field on the prospect page, and nothing changes."""
    posted = steps.step_post(request.user, ref, name, request.POST, request.FILES)
    if posted.done is not None:
        messages.success(request, steps.success_text(name, posted.done))
        return redirect("backoffice:acq-detail", posted.prospect.ref)
    context = steps.page_context(
        request.user, posted.prospect, bound=(posted.step, posted.form)
    )
    context["history"] = history.for_user(request.user, posted.prospect)
    return render(request, "backoffice/acquisition/detail.html", context)


@require_http_methods(["GET", "POST"])
@backoffice_view
def prospect_new(request: StaffRequest) -> HttpResponse:
    """Add Consumer (manual 3.5.9): stage 1, the catchment survey."""
    return _create(
        request,
        f.NewProspectForm,
        steps.surveyed_create,
        title=_("Add Consumer: catchment survey"),
        intro=_("Stage 1: the person, the pole nearest the house and their needs."),
        button=_("Save the survey"),
    )


@require_http_methods(["GET", "POST"])
@backoffice_view
def prospect_instant(request: StaffRequest) -> HttpResponse:
    """Add Instant Consumer (manual 3.5.10): name, number, pole and package;
    the account is made at once, the rest is completed later."""
    return _create(
        request,
        f.InstantForm,
        steps.instant_create,
        title=_("Add Instant Consumer"),
        intro=_(
            "Only the critical fields: the account is created now; the survey, "
            "marketing and KYC are completed later."
        ),
        button=_("Create the account"),
    )


def _create(
    request: StaffRequest,
    form_class: Any,
    create: Any,
    *,
    title: str,
    intro: str,
    button: str,
) -> HttpResponse:
    """The plant first (``?plant=``, or the only one of the scope), then the
    form; a refusal of the service is shown next to its field."""
    plant = steps.plant_or_choice(request.user, request.GET.get("plant", ""))
    context: dict[str, Any] = {"title": title, "intro": intro, "button": button}
    if isinstance(plant, list):
        context["plants"] = plant
        return render(request, "backoffice/acquisition/choose_plant.html", context)
    data = request.POST if request.method == "POST" else None
    form = form_class(data, plant=plant, initial={"token": f.token()})
    if data is not None and form.is_valid():
        try:
            prospect = create(form, plant, request.user)
        except DomainError as exc:
            f.show_refusal(form, exc)
        else:
            messages.success(request, steps.created_text(prospect))
            return redirect("backoffice:acq-detail", prospect.ref)
    context |= {"form": form, "groups": steps.field_groups(form), "plant": plant}
    return render(request, "backoffice/acquisition/new.html", context)
