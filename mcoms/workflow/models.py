"""The approval chain shared by every kind of request (manual 3.5.6, 3.6.2,
3.8.3): Request -> In Process -> Review -> Completed, or Rejected.

A ``Request`` is one case; each transition writes a ``RequestStep`` (who, when,
from which state to which, the action and a note) in the same transaction. What
a request *does* is up to its kind (``kinds.py``): the workflow app knows
nothing of customers, packages or meters beyond the optional subject.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mcoms.org.models import Company, Plant


class RequestState(models.TextChoices):
    REQUEST = "request", _("Request")
    # Approved by the State In-charge, waiting for the Cluster In-charge to
    # register it and assign someone (still on the manual's Request tab).
    APPROVED = "approved", _("Approved")
    IN_PROCESS = "in_process", _("In Process")
    REVIEW = "review", _("Review")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")


OPEN_STATES = (
    RequestState.REQUEST,
    RequestState.APPROVED,
    RequestState.IN_PROCESS,
    RequestState.REVIEW,
)
CLOSED_STATES = (RequestState.COMPLETED, RequestState.REJECTED)


class StepAction(models.TextChoices):
    RAISE = "raise", _("Raised")
    APPROVE = "approve", _("Approved")
    ASSIGN = "assign", _("Assigned")
    REASSIGN = "reassign", _("Re-assigned")
    EXECUTE = "execute", _("Executed")
    REOPEN = "reopen", _("Sent back")
    COMPLETE = "complete", _("Completed")
    REJECT = "reject", _("Rejected")


class Request(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    plant = models.ForeignKey(
        Plant, on_delete=models.PROTECT, related_name="work_requests"
    )
    # The plant's running number and the public reference built from it
    # (``BHKATS-00012``), used in URLs, the API and messages.
    seq = models.PositiveIntegerField()
    number = models.CharField(_("number"), max_length=20)
    kind = models.CharField(_("kind"), max_length=40)
    subject = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_requests",
        verbose_name=_("customer"),
    )
    comments = models.TextField(_("comments"), blank=True, max_length=1000)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    # What the kind's handler did when the request was executed.
    result = models.JSONField(_("result"), default=dict, blank=True)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=RequestState.choices,
        default=RequestState.REQUEST,
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_requests",
        verbose_name=_("assigned to"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    executed_at = models.DateTimeField(_("executed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reject_reason = models.CharField(
        _("reason for rejection"), max_length=255, blank=True
    )
    # A retried raise (same key) returns the first request.
    idempotency_key = models.CharField(max_length=120)
    # Set while the request is open when its kind allows one open request per
    # key (e.g. one status change per customer); cleared when it closes.
    exclusive_key = models.CharField(max_length=120, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "idempotency_key"],
                name="workflow_request_idempotency_unique",
            ),
            models.UniqueConstraint(
                fields=["plant", "seq"], name="workflow_request_seq_unique"
            ),
            models.UniqueConstraint(
                fields=["company", "number"], name="workflow_request_number_unique"
            ),
            models.UniqueConstraint(
                fields=["company", "exclusive_key"],
                name="workflow_request_exclusive_unique",
            ),
            models.CheckConstraint(
                condition=~Q(idempotency_key=""), name="workflow_request_key_set"
            ),
            models.CheckConstraint(
                condition=Q(state__in=RequestState.values),
                name="workflow_request_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(exclusive_key__isnull=True)
                | Q(state__in=[s.value for s in OPEN_STATES]),
                name="workflow_request_exclusive_only_open",
            ),
        ]
        indexes = [
            models.Index(fields=["plant", "state"]),
            models.Index(fields=["assigned_to", "state"]),
            models.Index(fields=["company", "kind", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.kind} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class RequestStep(models.Model):
    """One transition of a request: the history the Completed tab shows."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=10, choices=StepAction.choices)
    from_state = models.CharField(
        _("from"), max_length=12, choices=RequestState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=12, choices=RequestState.choices)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A retried transition with the same key returns the request unchanged.
    idempotency_key = models.CharField(max_length=120, null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "idempotency_key"],
                name="workflow_step_idempotency_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action} {self.from_state}->{self.to_state}"


class RequestSequence(models.Model):
    """The last request number given at a plant. Raising locks this row, so two
    requests raised at one plant at the same moment get the next two numbers
    (and a rolled-back raise gives its number back)."""

    plant = models.OneToOneField(
        Plant, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.plant_id}: {self.last}"
