"""The steps of a prospect page, shared by the field app and the back office
(decision 0035): which form each step shows, which service it calls, which
action it needs, which form a prospect waits for, and posting one.

The pages (``mcoms/field/acquisition.py``, ``mcoms/backoffice/views/
acquisition.py``) only draw their own templates around these. Every rule of
the pipeline stays in the services (``mcoms.acquisition.services``); a
refusal is put next to the field it names (``acquisition_forms.show_refusal``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mcoms.acquisition import services
from mcoms.acquisition.models import STAGES, Prospect, ProspectStatus, Stage
from mcoms.acquisition.selectors import (
    action_for_stage,
    get_prospect_for_user,
    prospect_documents,
    prospect_events,
)
from mcoms.core.errors import DomainError
from mcoms.field import acquisition_forms as f
from mcoms.org.access import can, get_plant_for_user, plants_for, require
from mcoms.org.models import Plant, User
from mcoms.org.permissions import Action

# Stages that may be "completed later" from the prospect page.
LATER = (Stage.SURVEY, Stage.MARKETING, Stage.KYC)
Run = Callable[[Prospect, forms.Form, User, str], Any]


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
    """The files and the ID in one go; the form checked the files' type and
    size already, and a refusal leaves no file behind (decision 0039)."""
    assert isinstance(form, f.KycForm)  # noqa: S101
    d = form.cleaned_data
    return services.prospect_kyc_submit(
        prospect=p,
        uploads=form.uploads(),
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


def page_context(
    user: Any,
    prospect: Prospect,
    *,
    do: str = "",
    bound: tuple[Step, forms.Form] | None = None,
) -> dict[str, Any]:
    """The prospect page: the form of its next step (or of ``do``, a stage to
    complete later, or the form just posted with its errors), the reject form,
    the stages, the history and the documents."""
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


def later_stage(prospect: Prospect, raw: str) -> str:
    """``?do=``: a stage to complete later that the prospect skipped, or ""."""
    return raw if raw in LATER and raw in prospect.deferred else ""


@dataclass
class Posted:
    """What posting a step gave: the prospect (read again after a refusal),
    the step, its form (with the refusal on it) and, on success, the prospect
    after the step."""

    prospect: Prospect
    step: Step
    form: forms.Form
    done: Prospect | None


def step_post(user: User, ref: str, name: str, data: Any, files: Any) -> Posted:
    """Do one step: 404 for an unknown step or a prospect outside the scope,
    403 when the designation may not; a refusal is put on the form."""
    step = STEPS.get(name)
    if step is None:
        raise Http404("No such step.")
    prospect = get_prospect_for_user(user, ref)
    require(user, action_for_stage(step.stage_for(prospect)))
    form = step.form(data, files, prospect=prospect)
    if form.is_valid():
        key = f"{form.cleaned_data['token']}-{name}"
        try:
            done = step.run(prospect, form, user, key)
        except DomainError as exc:
            f.show_refusal(form, exc)
        else:
            return Posted(prospect, step, form, done)
    return Posted(get_prospect_for_user(user, ref), step, form, None)


def success_text(name: str, p: Prospect) -> str:
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
def plant_or_choice(user: Any, key: str) -> Plant | list[Plant]:
    """The plant named by ``key`` (404 outside the scope, 403 without
    ``acquisition.work``), the user's only plant, or the plants to choose
    from."""
    if key:
        return get_plant_for_user(user, key, Action.ACQUISITION_WORK)
    plants = list(plants_for(user, Action.ACQUISITION_WORK).order_by("code"))
    return plants[0] if len(plants) == 1 else plants


def surveyed_create(form: f.NewProspectForm, plant: Plant, by: User) -> Prospect:
    """Add Consumer (manual 3.5.9): stage 1 from the valid survey form."""
    d = form.cleaned_data
    prospect, _created = services.prospect_create(
        plant=plant,
        name=d["name"],
        phone=d["phone"],
        language=d["language"],
        address=d["address"],
        idempotency_key=d["token"],
        by=by,
        **form.survey(),
    )
    return prospect


def instant_create(form: f.InstantForm, plant: Plant, by: User) -> Prospect:
    """Add Instant Consumer (manual 3.5.10) from the valid form."""
    d = form.cleaned_data
    prospect, _created = services.prospect_instant_create(
        plant=plant,
        name=d["name"],
        phone=d["phone"],
        language=d["language"],
        pole=d["pole"],
        package=d["package"],
        idempotency_key=d["token"],
        by=by,
    )
    return prospect


def created_text(prospect: Prospect) -> str:
    if prospect.customer is not None:
        return _("Account created: customer ID %(id)s.") % {
            "id": prospect.customer.customer_id
        }
    return _("%(ref)s: survey saved.") % {"ref": prospect.ref}
