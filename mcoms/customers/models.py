"""Customers: one row per connection (a mobile number may hold several)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from mcoms.org.models import Company, Language, Plant, Pole

# The fields of a customer's contact details, in the order forms show them
# (docs/decisions/0025). Staff may propose all of them; a customer may change
# the ones in SELF_EDITABLE from the customer app.
PROFILE_FIELDS = ("name", "phone", "alt_phone", "address", "language", "segment")
SELF_EDITABLE = ("phone", "alt_phone", "address", "language")


class CustomerStatus(models.TextChoices):
    # NEW: the account exists (stage 6 of the acquisition pipeline) but the
    # technician has not yet confirmed the connection (stage 8).
    NEW = "new", _("Awaiting connection")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    BANNED = "banned", _("Banned")


class StatusReason(models.TextChoices):
    """Why a connection is inactive or banned (seed 2.2.3)."""

    NON_PAYMENT = "non_payment", _("Non-payment")
    CUSTOMER_WISH = "customer_wish", _("Customer's wish")
    PLANT_CAPACITY = "plant_capacity", _("Plant capacity")
    OTHER = "other", _("Other")


class Segment(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    SHOP = "shop", _("Shop")
    COMMERCIAL = "commercial", _("Commercial enterprise")
    MICRO_ENTERPRISE = "med", _("Micro-enterprise (MED)")


class Customer(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    plant = models.ForeignKey(Plant, on_delete=models.PROTECT, related_name="customers")
    pole = models.ForeignKey(Pole, on_delete=models.PROTECT, related_name="customers")
    connection_no = models.PositiveSmallIntegerField(
        _("connection number"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    customer_id = models.CharField(_("customer ID"), max_length=11)
    name = models.CharField(_("name"), max_length=120)
    phone = PhoneNumberField(_("mobile number"))
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.HINDI
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CustomerStatus.choices,
        default=CustomerStatus.ACTIVE,
    )
    status_reason = models.CharField(_("status reason"), max_length=120, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # A second number to reach the customer (a relative, a neighbour's shop);
    # it never signs in and receives no codes.
    alt_phone = PhoneNumberField(_("alternative number"), blank=True)
    segment = models.CharField(
        _("segment"), max_length=12, choices=Segment.choices, default=Segment.HOUSEHOLD
    )
    package = models.ForeignKey(
        "packages.Package",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    # Set by the scheduled credit-limit check (seed 2.2.3): outstanding above
    # the package's credit limit; cleared when the customer is back within it.
    flagged_at = models.DateTimeField(
        _("flagged to de-activate"), null=True, blank=True
    )
    flagged_outstanding = models.DecimalField(
        _("outstanding when flagged"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer_accounts",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "customer_id"], name="customer_id_unique"
            ),
            models.UniqueConstraint(
                fields=["pole", "connection_no"], name="customer_connection_unique"
            ),
            models.CheckConstraint(
                condition=Q(connection_no__gte=1, connection_no__lte=99),
                name="customer_connection_range",
            ),
        ]
        indexes = [
            models.Index(fields=["phone"]),
            # Prefix search on the customer ID across the scope (selectors).
            models.Index(fields=["customer_id"], name="customer_id_prefix"),
            models.Index(fields=["plant", "status"]),
            models.Index(fields=["plant", "flagged_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.name}"


def field_label(name: str) -> str:
    """A customer field's label in the active language ("mobile number")."""
    return str(getattr(Customer._meta.get_field(name), "verbose_name", name))


def shown(name: str, value: str) -> str:
    """A stored profile value as people read it (a label for a choice)."""
    choices = {"language": Language, "segment": Segment}.get(name)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return value or "—"


class ProfileChangeState(models.TextChoices):
    PENDING = "pending", _("Waiting for the customer's code")
    CONFIRMED = "confirmed", _("Confirmed")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class ProfileChangeSource(models.TextChoices):
    CUSTOMER = "customer", _("Customer app")
    STAFF = "staff", _("Staff")


class ProfileChange(models.Model):
    """A proposed edit of a customer's contact details (seed 2.2.6).

    A staff member's edit takes effect only once the customer confirms it with
    the code sent to the registered number (and the code sent to the new number
    when the number changes); a customer's own edit needs a code only for a new
    number. ``changes`` maps a field to ``[old, new]`` as text.
    """

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="profile_changes"
    )
    source = models.CharField(
        _("made in"), max_length=8, choices=ProfileChangeSource.choices
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    changes = models.JSONField(_("changes"))
    state = models.CharField(
        _("state"),
        max_length=9,
        choices=ProfileChangeState.choices,
        default=ProfileChangeState.PENDING,
    )
    # The registered number when the change was asked for, and the new one.
    phone_registered = PhoneNumberField(_("registered number"))
    phone_new = PhoneNumberField(_("new number"), blank=True)
    # The codes sent for this change: a code sent later for another change of
    # the same number does not confirm this one.
    otp_registered = models.ForeignKey(
        "notifications.OtpCode",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    otp_new = models.ForeignKey(
        "notifications.OtpCode",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    registered_confirmed_at = models.DateTimeField(null=True, blank=True)
    new_confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("asked"))
    expires_at = models.DateTimeField(_("expires"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("closed by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # A retried request (API Idempotency-Key, the form's token) returns this row.
    idempotency_key = models.CharField(max_length=120, blank=True)
    resend_key = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="profile_change_key_unique",
            ),
            # At most one change waits for a code per customer: a new request
            # cancels the one before (services.profile_change_request).
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(state="pending"),
                name="profile_change_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "confirmed", "expired", "cancelled"]),
                name="profile_change_state_known",
            ),
        ]
        indexes = [models.Index(fields=["customer", "created_at"])]

    def __str__(self) -> str:
        return f"profile change {self.pk} of {self.customer_id} ({self.state})"

    @property
    def fields(self) -> list[str]:
        return [f for f in PROFILE_FIELDS if f in self.changes]

    @property
    def rows(self) -> list[tuple[str, str, str]]:
        """(label, old, new) per changed field, as people read them."""
        return [
            (field_label(f), shown(f, self.changes[f][0]), shown(f, self.changes[f][1]))
            for f in self.fields
        ]

    @property
    def needs_registered_code(self) -> bool:
        return self.source == ProfileChangeSource.STAFF

    @property
    def needs_new_code(self) -> bool:
        return bool(self.phone_new)
