"""Organisation: Company > State > Cluster > Plant > Feeder > Pole, and people."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from mcoms.core import ids


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    HINDI = "hi", _("Hindi")


class Company(models.Model):
    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    currency = models.CharField(max_length=3, default="INR")
    language = models.CharField(max_length=2, choices=Language.choices, default="hi")
    helpline = models.CharField(_("helpline"), max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class State(models.Model):
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="states"
    )
    code = models.CharField(
        _("code"),
        max_length=2,
        validators=[RegexValidator(ids.STATE_CODE, _("Two capital letters, e.g. BH."))],
    )
    name = models.CharField(_("name"), max_length=80)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"], name="state_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Cluster(models.Model):
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="clusters")
    code = models.CharField(
        _("code"),
        max_length=12,
        validators=[
            RegexValidator(ids.CLUSTER_CODE, _("2 to 12 capital letters or digits."))
        ],
    )
    name = models.CharField(_("name"), max_length=80)
    history = HistoricalRecords()

    class Meta:
        ordering = ["state__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "code"], name="cluster_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.name}"

    @property
    def key(self) -> str:
        return f"{self.state.code}-{self.code}"


class Plant(models.Model):
    cluster = models.ForeignKey(
        Cluster, on_delete=models.PROTECT, related_name="plants"
    )
    # Denormalised from the cluster so that scope filters and the customer-ID prefix
    # need no joins; set by the services, never by hand.
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="plants")
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="plants"
    )
    code = models.CharField(
        _("code"),
        max_length=4,
        validators=[
            RegexValidator(ids.PLANT_CODE, _("Four capital letters, e.g. KATS."))
        ],
    )
    name = models.CharField(_("name"), max_length=80)
    capacity_kwp = models.DecimalField(
        _("capacity (kWp)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0.01)],
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Kolkata")
    village = models.CharField(_("village"), max_length=80, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["state__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["state", "code"], name="plant_code_unique"),
            models.CheckConstraint(
                condition=Q(capacity_kwp__gt=0), name="plant_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.name}"

    @property
    def key(self) -> str:
        """State + plant code, the prefix of every customer ID here: ``BHKATS``."""
        return f"{self.state.code}{self.code}"


class Feeder(models.Model):
    plant = models.ForeignKey(Plant, on_delete=models.PROTECT, related_name="feeders")
    code = models.CharField(
        _("code"),
        max_length=8,
        validators=[
            RegexValidator(ids.FEEDER_CODE, _("1 to 8 capital letters or digits."))
        ],
    )
    name = models.CharField(_("name"), max_length=80, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plant_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plant", "code"], name="feeder_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plant.key}-{self.code}"


class Pole(models.Model):
    feeder = models.ForeignKey(Feeder, on_delete=models.PROTECT, related_name="poles")
    plant = models.ForeignKey(Plant, on_delete=models.PROTECT, related_name="poles")
    number = models.PositiveSmallIntegerField(
        _("pole number"), validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plant_id", "number"]
        constraints = [
            # The pole number is part of the customer ID, so it is unique per plant.
            models.UniqueConstraint(
                fields=["plant", "number"], name="pole_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=999), name="pole_number_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plant.key}/{self.number:03d}"


class User(AbstractUser):
    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        CUSTOMER = "customer", _("Customer")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STAFF)
    phone = PhoneNumberField(_("mobile number"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    history = HistoricalRecords(
        excluded_fields=["password", "last_login"], user_model="org.User"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["phone"],
                condition=Q(kind="customer"),
                name="customer_user_phone_unique",
            ),
        ]


class Designation(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    TECHNICIAN = "technician", _("Technician")
    CSA = "csa", _("Customer Service Agent")
    CLUSTER_INCHARGE = "cluster_incharge", _("Cluster In-charge")
    STATE_INCHARGE = "state_incharge", _("State In-charge")
    HO_MANAGER = "ho_manager", _("Head Office Manager")
    ADMIN = "admin", _("Admin")


class ScopeLevel(models.TextChoices):
    PLANT = "plant", _("Plant")
    CLUSTER = "cluster", _("Cluster")
    STATE = "state", _("State")
    COMPANY = "company", _("Company")


class Staff(models.Model):
    """A member of staff: one designation and one scope node."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="staff")
    designation = models.CharField(
        _("designation"), max_length=20, choices=Designation.choices
    )
    scope_level = models.CharField(
        _("scope"), max_length=10, choices=ScopeLevel.choices
    )
    # The scope node and its ancestors, denormalised (set by staff services).
    state = models.ForeignKey(State, null=True, blank=True, on_delete=models.PROTECT)
    cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.PROTECT
    )
    plant = models.ForeignKey(Plant, null=True, blank=True, on_delete=models.PROTECT)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = _("staff")
        constraints = [
            models.CheckConstraint(
                name="staff_scope_consistent",
                condition=(
                    Q(
                        scope_level="company",
                        state__isnull=True,
                        cluster__isnull=True,
                        plant__isnull=True,
                    )
                    | Q(
                        scope_level="state",
                        state__isnull=False,
                        cluster__isnull=True,
                        plant__isnull=True,
                    )
                    | Q(
                        scope_level="cluster",
                        state__isnull=False,
                        cluster__isnull=False,
                        plant__isnull=True,
                    )
                    | Q(
                        scope_level="plant",
                        state__isnull=False,
                        cluster__isnull=False,
                        plant__isnull=False,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        name = self.user.get_full_name() or self.user.username
        return f"{name} ({self.get_designation_display()})"

    @property
    def scope_node(self) -> Company | State | Cluster | Plant:
        return self.plant or self.cluster or self.state or self.company
