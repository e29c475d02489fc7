"""Customer acquisition in the field app (seed Figure 11, manual 3.5.5, 3.5.9,
3.5.10, 3.5.11): the pipeline of my plants by stage, one prospect with its
history and the one form of the step it waits for, the survey that starts a
prospect (Add Consumer), Add Instant Consumer, and Consumer Status (the
connection steps).

Views call the services of ``mcoms.acquisition`` and hold no rule of the
pipeline: the order of the stages, what each step needs and refuses is theirs
(docs/acquisition.md). A form is shown only to a designation that may do its
step (stages 1-6 ``acquisition.work``, 7-8 ``connection.work``); posting it
anyway is 403, and a prospect outside the user's scope is 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.acquisition import services
from mcoms.acquisition.consumer_status import COLUMNS as CONNECTION_COLUMNS
from mcoms.acquisition.consumer_status import connection_counts, in_connection_work
from mcoms.acquisition.models import (
    STAGES,
    Prospect,
    ProspectStatus,
    Stage,
)
from mcoms.acquisition.selectors import (
    action_for_stage,
    board_for,
    get_prospect_for_user,
    prospect_documents,
    prospect_events,
    prospect_filter,
    prospects_for,
)
from mcoms.core.errors import DomainError
from mcoms.field import acquisition_forms as f
from mcoms.field.access import field_view
from mcoms.org.access import can, get_plant_for_user, plants_for, require
from mcoms.org.models import Plant, Staff, User
from mcoms.org.permissions import Action

PAGE_SIZE = 50
# Stages that may be "completed later" from the prospect page.
LATER = (Stage.SURVEY, Stage.MARKETING, Stage.KYC)
Run = Callable[[Prospect, forms.Form, User, str], Any]


# --- the steps ----------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One form of the prospect page and the service it calls."""

    name: str
    form: Any  # a StepForm (or SurveyLaterForm) class, built with the prospect
    stage: str  # whose permission it needs ("" = the prospect decides)
    title: str | Promise
    button: str | Promise
    run: Run

    def stage_for(self, prospect: Prospect) -> str:
        if self.name == "reject":
            return prospect.next_stage or Stage.ACTIVATION
        if self.name == "reopen":
            return prospect.rejected_stage or prospect.next_stage or Stage.ACTIVATION
        return self.stage


def _kyc(p: Prospect, form: forms.Form, by: User, key: str) -> Prospect:
    """The files first (each with its own key), then the ID and the
    acknowledgement; the form checked the files' type and size already."""
    assert isinstance(form, f.KycForm)  # noqa: S101
    for kind, upload in form.uploads():
        services.kyc_document_add(
            prospect=p, kind=kind, upload=upload, idempotency_key=f"{key}-{kind}", by=by
        )
    d = form.cleaned_data
    return services.prospect_kyc_complete(
        prospect=p,
        id_type=d["id_type"],
        id_number=d["id_number"],
        commitments_acknowledged=d["commitments"],
        idempotency_key=key,
        by=by,
    )


def _survey(p: Prospect, form: forms.Form, by: User, key: str) -> Prospect:
    assert isinstance(form, f.SurveyLaterForm)  # noqa: S101
    return services.prospect_survey_record(
        prospect=p, idempotency_key=key, by=by, **form.survey()
    )


def _d(form: forms.Form) -> dict[str, Any]:
    return form.cleaned_data


STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        Step(
            "survey",
            f.SurveyLaterForm,
            Stage.SURVEY,
            gettext_lazy("Catchment survey"),
            gettext_lazy("Save the survey"),
            _survey,
        ),
        Step(
            "marketing",
            f.MarketingForm,
            Stage.MARKETING,
            gettext_lazy("Marketing contact"),
            gettext_lazy("Save the contact"),
            lambda p, form, by, key: services.prospect_marketing_record(
                prospect=p,
                method=_d(form)["method"],
                contacted_on=_d(form)["contacted_on"],
                note=_d(form)["note"],
                idempotency_key=key,
                by=by,
            ),
        ),
        Step(
            "acquisition",
            f.NoteForm,
            Stage.ACQUISITION,
            gettext_lazy("Acquisition (in person)"),
            gettext_lazy("The customer signs up"),
            lambda p, form, by, key: services.prospect_acquire(
                prospect=p, note=_d(form)["note"], idempotency_key=key, by=by
            ),
        ),
        Step(
            "kyc",
            f.KycForm,
            Stage.KYC,
            gettext_lazy("KYC"),
            gettext_lazy("Save the KYC"),
            _kyc,
        ),
        Step(
            "package",
            f.PackageForm,
            Stage.PACKAGE,
            gettext_lazy("Package assignment"),
            gettext_lazy("Assign the package"),
            lambda p, form, by, key: services.prospect_package_assign(
                prospect=p, package=_d(form)["package"], idempotency_key=key, by=by
            ),
        ),
        Step(
            "account",
            f.ConfirmForm,
            Stage.ACCOUNT,
            gettext_lazy("Account creation"),
            gettext_lazy("Create the account"),
            lambda p, form, by, key: services.prospect_account_create(
                prospect=p, idempotency_key=key, by=by
            ),
        ),
        Step(
            "meter",
            f.MeterForm,
            Stage.METER,
            gettext_lazy("Meter installation: pick the meter"),
            gettext_lazy("Assign this meter"),
            lambda p, form, by, key: services.prospect_meter_assign(
                prospect=p, meter=_d(form)["meter"], idempotency_key=key, by=by
            ),
        ),
        Step(
            "connection",
            f.ConnectionStepForm,
            Stage.METER,
            gettext_lazy("Connection"),
            gettext_lazy("Done"),
            lambda p, form, by, key: services.prospect_connection_step(
                prospect=p,
                step=_d(form)["step"],
                note=_d(form)["note"],
                idempotency_key=key,
                by=by,
            ),
        ),
        Step(
            "install",
            f.InstallForm,
            Stage.METER,
            gettext_lazy("Meter installation: mount the meter"),
            gettext_lazy("Meter installed"),
            lambda p, form, by, key: services.prospect_meter_install(
                prospect=p,
                initial_reading=_d(form)["initial_reading"],
                idempotency_key=key,
                by=by,
            ),
        ),
        Step(
            "activation",
            f.ActivateForm,
            Stage.ACTIVATION,
            gettext_lazy("Activation"),
            gettext_lazy("Activate the connection"),
            lambda p, form, by, key: services.prospect_activate(
                prospect=p, idempotency_key=key, by=by
            ),
        ),
        Step(
            "reject",
            f.ReasonForm,
            "",
            gettext_lazy("Reject"),
            gettext_lazy("Reject"),
            lambda p, form, by, key: services.prospect_reject(
                prospect=p, reason=_d(form)["reason"], idempotency_key=key, by=by
            ),
        ),
        Step(
            "reopen",
            f.ReasonForm,
            "",
            gettext_lazy("Reopen"),
            gettext_lazy("Reopen"),
            lambda p, form, by, key: services.prospect_reopen(
                prospect=p, reason=_d(form)["reason"], idempotency_key=key, by=by
            ),
        ),
    ]
}


def next_step(prospect: Prospect) -> str | None:
    """The form the prospect waits for: the next stage, stage 7 in its parts
    (pick the meter, the connection steps, mount it), or reopening."""
    if prospect.status == ProspectStatus.REJECTED:
        return "reopen"
    stage = prospect.next_stage
    if prospect.status != ProspectStatus.OPEN or stage is None:
        return None
    if stage == Stage.METER:
        if prospect.meter_assignment_id is None:
            return "meter"
        return "connection" if f.next_connection_step(prospect) else "install"
    return str(stage)


def may(user: Any, step: Step, prospect: Prospect) -> bool:
    stage = step.stage_for(prospect)
    return bool(stage) and can(user, action_for_stage(stage))


def make_form(
    step: Step, prospect: Prospect, data: Any = None, files: Any = None
) -> forms.Form:
    return step.form(data, files, prospect=prospect, initial={"token": f.token()})


def field_groups(form: forms.Form) -> list[list[forms.BoundField]]:
    groups = getattr(form, "groups", None)
    if groups is not None:
        return list(groups())
    return [[bound] for bound in form.visible_fields()]


# --- pages --------------------------------------------------------------------------
def _filtered(request: HttpRequest, plant: Plant | None) -> QuerySet[Prospect]:
    """The list's filters: plant, stage (the last done), rejected (``1``
    only, ``0`` none), connection step, and a search."""
    get = request.GET
    qs = prospects_for(request.user)
    if plant is not None:
        qs = qs.filter(plant=plant)
    stage = get.get("stage", "")
    qs = prospect_filter(
        qs, stage=stage if stage in STAGES else "", q=get.get("q", "")[:60]
    )
    if get.get("rejected") == "1":
        qs = qs.filter(status=ProspectStatus.REJECTED)
    elif get.get("rejected") == "0":
        qs = qs.exclude(status=ProspectStatus.REJECTED)
    step = get.get("connection", "")
    if step in CONNECTION_COLUMNS:
        qs = in_connection_work(qs, step)
    return qs.order_by("-updated_at", "-pk")


@require_GET
@field_view
def pipeline(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Catchment Survey (manual 3.5.11): my plants' prospects, counted by the
    last stage done, and the list (filters and search)."""
    board = board_for(request.user)
    rows = [row for cluster in board.clusters for row in cluster.plants]
    plant = None
    counts = board.total
    if request.GET.get("plant"):
        plant = get_plant_for_user(request.user, request.GET["plant"])
        counts = next(r for r in rows if r.key == plant.key)
    page = Paginator(_filtered(request, plant), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "rows": rows,
        "plant": plant,
        "stages": [(s, Stage(s).label, counts.counts[s]) for s in STAGES],
        "counts": counts,
        "all_total": board.total.total,
        "page": page,
        "q": request.GET.get("q", "")[:60],
        "chosen": {
            k: request.GET.get(k, "") for k in ("stage", "rejected", "connection")
        },
        "may_add": can(request.user, Action.ACQUISITION_WORK),
    }
    return render(request, "field/acquisition/list.html", context)


@require_GET
@field_view
def connections(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Consumer Status (manual 3.5.5): per plant, the connections by step -
    not started, At Pole, House wire, Service Wire, Review."""
    rows, total = connection_counts(request.user)
    context = {"rows": rows, "total": total, "columns": CONNECTION_COLUMNS}
    return render(request, "field/acquisition/connections.html", context)


def _detail_context(
    request: HttpRequest,
    prospect: Prospect,
    *,
    do: str = "",
    bound: tuple[Step, forms.Form] | None = None,
) -> dict[str, Any]:
    """The prospect page: the form of its next step (or of ``do``, a stage to
    complete later, or the form just posted with its errors), the reject form,
    the stages, the history and the documents."""
    user = request.user
    name = bound[0].name if bound and bound[0].name != "reject" else do
    step = STEPS.get(name or next_step(prospect) or "")
    form = None
    if bound and step is bound[0]:
        form = bound[1]
    elif step is not None and may(user, step, prospect):
        form = make_form(step, prospect)
    reject = STEPS["reject"]
    reject_form = None
    if bound and bound[0] is reject:
        reject_form = bound[1]
    elif prospect.status == ProspectStatus.OPEN and may(user, reject, prospect):
        reject_form = make_form(reject, prospect)
    later = [
        s
        for s in LATER
        if s in prospect.deferred
        and prospect.status != ProspectStatus.REJECTED
        and may(user, STEPS[s], prospect)
    ]
    return {
        "p": prospect,
        "step": step if form is not None else None,
        "form": form,
        "groups": field_groups(form) if form is not None else [],
        "waiting": Stage(prospect.next_stage).label if prospect.next_stage else "",
        "later": [(s, Stage(s).label) for s in later],
        "reject_form": reject_form,
        "stages": [
            (Stage(s).label, i < prospect.stage_index) for i, s in enumerate(STAGES)
        ],
        "events": prospect_events(prospect),
        "documents": prospect_documents(prospect),
    }


@require_GET
@field_view
def prospect_detail(request: HttpRequest, staff: Staff, ref: str) -> HttpResponse:
    """One prospect: where it stands, its history (who, when) and the one form
    of its next step, when the user's designation may do it. ``?do=`` opens
    the form of a stage to complete later instead."""
    prospect = get_prospect_for_user(request.user, ref)
    do = request.GET.get("do", "")
    if do not in LATER or do not in prospect.deferred:
        do = ""
    context = _detail_context(request, prospect, do=do)
    return render(request, "field/acquisition/detail.html", context)


@require_POST
@field_view
def prospect_step(
    request: HttpRequest, staff: Staff, ref: str, name: str
) -> HttpResponse:
    """Do one step: 404 for an unknown step or a prospect outside the scope,
    403 when the designation may not; a refusal is shown on the form."""
    step = STEPS.get(name)
    if step is None:
        raise Http404("No such step.")
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (field_view let only staff in)
    prospect = get_prospect_for_user(user, ref)
    require(user, action_for_stage(step.stage_for(prospect)))
    form = step.form(request.POST, request.FILES, prospect=prospect)
    if form.is_valid():
        key = f"{form.cleaned_data['token']}-{name}"
        try:
            done = step.run(prospect, form, user, key)
        except DomainError as exc:
            f.show_refusal(form, exc)
        else:
            messages.success(request, _success(name, done))
            return redirect("field:acq-detail", prospect.ref)
    prospect = get_prospect_for_user(user, ref)
    context = _detail_context(request, prospect, bound=(step, form))
    return render(request, "field/acquisition/detail.html", context)


def _success(name: str, p: Prospect) -> str:
    if name == "account" and p.customer is not None:
        return _("Account created: customer ID %(id)s.") % {
            "id": p.customer.customer_id
        }
    if name == "activation":
        return _(
            "Connection activated. Now due: activation charge ₹%(act)s and "
            "deposit ₹%(dep)s."
        ) % {"act": p.activation_amount or 0, "dep": p.deposit_amount or 0}
    if name == "reject":
        return _("%(ref)s rejected.") % {"ref": p.ref}
    if name == "reopen":
        return _("%(ref)s reopened.") % {"ref": p.ref}
    return _("%(ref)s: saved.") % {"ref": p.ref}


# --- new prospects ------------------------------------------------------------------
def _plant_or_choice(request: HttpRequest) -> Plant | list[Plant]:
    """The plant named by ``?plant=`` (404 outside the scope), the user's only
    plant, or the list of plants to choose from."""
    key = request.GET.get("plant", "")
    if key:
        return get_plant_for_user(request.user, key, Action.ACQUISITION_WORK)
    plants = list(plants_for(request.user, Action.ACQUISITION_WORK).order_by("code"))
    return plants[0] if len(plants) == 1 else plants


def _created(request: HttpRequest, prospect: Prospect, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("field:acq-detail", prospect.ref)


@require_http_methods(["GET", "POST"])
@field_view
def prospect_new(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Add Consumer (manual 3.5.9): stage 1, the catchment survey."""
    plant = _plant_or_choice(request)
    if isinstance(plant, list):
        return render(request, "field/acquisition/choose_plant.html", {"plants": plant})
    data = request.POST if request.method == "POST" else None
    form = f.NewProspectForm(data, plant=plant, initial={"token": f.token()})
    if data is not None and form.is_valid():
        d = form.cleaned_data
        try:
            prospect, _created_now = services.prospect_create(
                plant=plant,
                name=d["name"],
                phone=d["phone"],
                language=d["language"],
                address=d["address"],
                idempotency_key=d["token"],
                by=request.user,
                **form.survey(),
            )
        except DomainError as exc:
            f.show_refusal(form, exc)
        else:
            return _created(
                request, prospect, _("%(ref)s: survey saved.") % {"ref": prospect.ref}
            )
    context = {"form": form, "groups": field_groups(form), "plant": plant}
    return render(request, "field/acquisition/new.html", context)


@require_http_methods(["GET", "POST"])
@field_view
def instant(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Add Instant Consumer (manual 3.5.10): name, number, pole and package;
    the account is made at once, the rest is completed later."""
    plant = _plant_or_choice(request)
    if isinstance(plant, list):
        return render(request, "field/acquisition/choose_plant.html", {"plants": plant})
    data = request.POST if request.method == "POST" else None
    form = f.InstantForm(data, plant=plant, initial={"token": f.token()})
    if data is not None and form.is_valid():
        d = form.cleaned_data
        try:
            prospect, _created_now = services.prospect_instant_create(
                plant=plant,
                name=d["name"],
                phone=d["phone"],
                language=d["language"],
                pole=d["pole"],
                package=d["package"],
                idempotency_key=d["token"],
                by=request.user,
            )
        except DomainError as exc:
            f.show_refusal(form, exc)
        else:
            assert prospect.customer is not None  # noqa: S101 (made in one go)
            text = _("Account created: customer ID %(id)s.") % {
                "id": prospect.customer.customer_id
            }
            return _created(request, prospect, text)
    context = {"form": form, "groups": field_groups(form), "plant": plant}
    return render(request, "field/acquisition/instant.html", context)
