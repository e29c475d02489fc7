"""The customer acquisition pipeline (seed Figure 11): a prospect goes through
eight stages from the catchment survey to an active connection; every step is a
``StageEvent`` row (who, when, what)."""

from __future__ import annotations

from uuid import uuid4

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from mcoms.customers.models import Segment
from mcoms.org.models import Company, Language, Plant, Pole


class Stage(models.TextChoices):
    """The eight stages, in order (``STAGES``)."""

    SURVEY = "survey", _("Catchment survey")
    MARKETING = "marketing", _("Marketing")
    ACQUISITION = "acquisition", _("Acquisition")
    KYC = "kyc", _("KYC")
    PACKAGE = "package", _("Package assignment")
    ACCOUNT = "account", _("Account creation")
    METER = "meter", _("Meter installation")
    ACTIVATION = "activation", _("Activation")


STAGES: list[str] = list(Stage.values)


class ProspectStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    REJECTED = "rejected", _("Rejected")
    ACTIVE = "active", _("Activated")


class Channel(models.TextChoices):
    """How the prospect came to us (stage 3)."""

    IN_PERSON = "in_person", _("In person (field visit)")
    SELF = "self", _("Self request (customer app)")
    REFERRAL = "referral", _("Referral (customer app)")
    INSTANT = "instant", _("Instant consumer")


class MarketingMethod(models.TextChoices):
    DOOR_TO_DOOR = "door_to_door", _("Door-to-door")
    GROUP_DISCUSSION = "group_discussion", _("Group discussion")
    LEAFLET = "leaflet", _("Leaflet")
    WORD_OF_MOUTH = "word_of_mouth", _("Word of mouth")


class IdType(models.TextChoices):
    AADHAAR = "aadhaar", _("Aadhaar")
    VOTER_ID = "voter_id", _("Voter ID (EPIC)")
    RATION_CARD = "ration_card", _("Ration card")
    PAN = "pan", _("PAN card")
    OTHER = "other", _("Other")


class ConnectionStep(models.TextChoices):
    """Physical connection progress (manual 3.5.5), in order."""

    AT_POLE = "at_pole", _("At Pole")
    HOUSE_WIRE = "house_wire", _("House wire")
    SERVICE_WIRE = "service_wire", _("Service Wire")
    REVIEW = "review", _("Review")


CONNECTION_STEPS: list[str] = list(ConnectionStep.values)


def _money(label: str) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(
        _(label), max_digits=14, decimal_places=2, null=True, blank=True
    )


class Prospect(models.Model):
    """One would-be connection, from the survey to activation."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    plant = models.ForeignKey(Plant, on_delete=models.PROTECT, related_name="prospects")
    number = models.PositiveIntegerField(_("number"))
    ref = models.CharField(_("reference"), max_length=24)
    name = models.CharField(_("name"), max_length=120)
    phone = PhoneNumberField(_("mobile number"))
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.HINDI
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Stage 1: catchment survey.
    pole = models.ForeignKey(
        Pole, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    distance_m = models.DecimalField(
        _("distance to pole (m)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    distance_override = models.CharField(
        _("reason to connect beyond the limit"), max_length=200, blank=True
    )
    segment = models.CharField(
        _("segment"), max_length=12, choices=Segment.choices, default=Segment.HOUSEHOLD
    )
    appliances = models.JSONField(_("appliances"), default=list, blank=True)
    hours_per_day = models.DecimalField(
        _("hours of use a day"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )
    anticipated_load_w = models.PositiveIntegerField(
        _("anticipated load (W)"), null=True, blank=True
    )
    # Stage 2: marketing.
    marketing_method = models.CharField(
        _("marketing"), max_length=20, choices=MarketingMethod.choices, blank=True
    )
    marketing_on = models.DateField(_("contacted on"), null=True, blank=True)
    marketing_note = models.CharField(_("marketing note"), max_length=300, blank=True)
    # Stage 3: acquisition.
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, blank=True
    )
    referrer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="connection_requests",
    )
    phone_verified_at = models.DateTimeField(_("phone verified"), null=True, blank=True)
    # Stage 4: KYC.
    id_type = models.CharField(
        _("ID type"), max_length=12, choices=IdType.choices, blank=True
    )
    id_number = models.CharField(_("ID number"), max_length=30, blank=True)
    commitments_ack_at = models.DateTimeField(
        _("commitments acknowledged"), null=True, blank=True
    )
    commitments_ack_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Stage 5: package.
    package = models.ForeignKey(
        "packages.Package",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prospects",
    )
    deposit_amount = _money("security deposit")
    activation_amount = _money("activation charge")
    # Stage 6: account.
    customer = models.OneToOneField(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prospect",
    )
    # Stage 7: meter and connection.
    meter_assignment = models.ForeignKey(
        "metering.MeterAssignment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    connection_step = models.CharField(
        _("connection"), max_length=12, choices=ConnectionStep.choices, blank=True
    )
    # Where the prospect stands: the last stage completed, the open / rejected /
    # active status, and the stages skipped to be "completed later".
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProspectStatus.choices,
        default=ProspectStatus.OPEN,
    )
    deferred = models.JSONField(_("to complete later"), default=list, blank=True)
    rejected_stage = models.CharField(
        _("rejected at"), max_length=12, choices=Stage.choices, blank=True
    )
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=300, blank=True
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The client's key for the request that created the prospect (API
    # Idempotency-Key, field-app form UUID): a retry returns this prospect.
    idempotency_key = models.CharField(max_length=120, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plant_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plant", "number"], name="prospect_number_unique"
            ),
            models.UniqueConstraint(
                fields=["company", "ref"], name="prospect_ref_unique"
            ),
            models.UniqueConstraint(
                fields=["company", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="prospect_idempotency_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="rejected", rejected_stage__gt="")
                | (~Q(status="rejected") & Q(rejected_stage="")),
                name="prospect_rejected_has_stage",
            ),
        ]
        indexes = [
            models.Index(fields=["plant", "status", "stage"]),
            models.Index(fields=["phone"]),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"

    @property
    def stage_index(self) -> int:
        """1 to 8: how many stages are behind the prospect."""
        return STAGES.index(self.stage) + 1

    @property
    def next_stage(self) -> str | None:
        """The stage the prospect waits for (None once activated)."""
        i = STAGES.index(self.stage) + 1
        return STAGES[i] if i < len(STAGES) else None


class EventKind(models.TextChoices):
    DONE = "done", _("Completed")
    DEFERRED = "deferred", _("To complete later")
    COMPLETED_LATER = "completed_later", _("Completed later")
    STEP = "step", _("Connection step")
    METER_ASSIGNED = "meter_assigned", _("Meter assigned")
    METER_RELEASED = "meter_released", _("Meter taken back")
    KYC_DOCUMENT = "kyc_document", _("KYC document added")
    REJECTED = "rejected", _("Rejected")
    REOPENED = "reopened", _("Reopened")


class StageEvent(models.Model):
    """One step of one prospect: who did what at which stage, and when."""

    prospect = models.ForeignKey(
        Prospect, on_delete=models.CASCADE, related_name="events"
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    step = models.CharField(
        _("connection step"), max_length=12, choices=ConnectionStep.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    idempotency_key = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["prospect", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="stage_event_idempotency_unique",
            ),
        ]
        indexes = [models.Index(fields=["prospect", "at"])]

    def __str__(self) -> str:
        return f"{self.prospect_id} {self.stage} {self.kind}"


class KycKind(models.TextChoices):
    PHOTO = "photo", _("Photo of the customer")
    ID_PROOF = "id_proof", _("ID proof")
    OTHER = "other", _("Other document")


KYC_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


def kyc_upload_to(instance: KycDocument, filename: str) -> str:
    """``kyc/<company id>/<prospect ref>/<random>.<ext>``, the extension from
    the checked content type: never the uploader's file name (it may hold
    personal data or path tricks)."""
    ext = KYC_EXTENSIONS[instance.content_type]
    prospect = instance.prospect
    return f"kyc/{prospect.company_id}/{prospect.ref}/{uuid4().hex}.{ext}"


class KycDocument(models.Model):
    """A photo or document of a prospect's KYC, stored under MEDIA_ROOT (which
    is not served: files are read through the scoped API)."""

    prospect = models.ForeignKey(
        Prospect, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=KycKind.choices)
    file = models.FileField(_("file"), upload_to=kyc_upload_to, max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"))
    idempotency_key = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["prospect", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="kyc_document_idempotency_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prospect_id} {self.kind}"
