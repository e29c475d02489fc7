"""Packages and their code tables (docs/packages.md).

Everyone on the staff reads (``package.view``) within their scope; head office
(``package.edit``) creates packages at the plants of its scope, revises them
(a new version), withdraws them or offers them again, and edits the company's
type and timing codes (company-wide staff only). A package is addressed by
plant, package ID and version: ``/packages/BHKATS/A1.1(NN)/17/160/v1/``.
Every POST needs an ``Idempotency-Key`` header: a retry returns the first
result (200 instead of 201) and writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path, re_path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, WRITE_ERRORS, Api, actor, validated
from mcoms.api.ledger import IDEMPOTENCY_HEADER, POST_ERRORS, idempotency_key
from mcoms.core.errors import ValidationFailed
from mcoms.org.access import get_plant_for_user
from mcoms.org.permissions import Action
from mcoms.packages import ids, selectors, services, tariff
from mcoms.packages.models import BillingType, Package, WriteAction
from mcoms.packages.terms import TERMS

EDIT = Action.PACKAGE_EDIT
TAGS = ["packages"]
PACKAGE_PATH = (
    r"^packages/(?P<plant>[A-Za-z]{6})/"
    r"(?P<package_id>[A-Za-z0-9.]+\([A-Za-z]+\)/\d+/\d+(?:\.\d+)?)/"
    r"v(?P<version>\d+)/"
)

PATH_PARAMS = [
    OpenApiParameter("plant", str, OpenApiParameter.PATH, description="BHKATS"),
    OpenApiParameter(
        "package_id", str, OpenApiParameter.PATH, description="A1.1(NN)/17/160"
    ),
    OpenApiParameter("version", int, OpenApiParameter.PATH, description="1"),
]


def package_ref(package: Package) -> str:
    """``BHKATS/A1.1(NN)/17/160/v1``: how URLs name one package."""
    return f"{package.plant.key}/{package.package_id}/v{package.version}"


# --- output -------------------------------------------------------------------------
class PackageTypeOut(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    billing_type = serializers.ChoiceField(choices=BillingType.choices)
    default = serializers.SerializerMethodField(
        method_name="shared_default",
        help_text="A default code shared by every company (editing it makes "
        "the company's own copy).",
    )
    packages = serializers.IntegerField(
        source="n_packages", help_text="The company's packages that use it."
    )

    class Meta:
        ref_name = "PackageType"

    def shared_default(self, row: Any) -> bool:
        return row.company_id is None


class TimingCodeOut(PackageTypeOut):
    billing_type = None  # type: ignore[assignment]
    slots = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Local-time [start, end) pairs: [["18:00", "06:00"]].',
    )
    hours_per_day = serializers.SerializerMethodField()

    class Meta:
        ref_name = "TimingCode"

    def get_hours_per_day(self, row: Any) -> str:
        return f"{ids.hours_per_day(row.slots):.2f}"


class VersionOut(serializers.Serializer):
    ref = serializers.SerializerMethodField()
    package_id = serializers.CharField()
    version = serializers.IntegerField()
    offered = serializers.BooleanField(source="active")
    customers = serializers.IntegerField(source="n_customers")
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "PackageVersion"

    def get_ref(self, package: Package) -> str:
        return package_ref(package)


def _money(**kw: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kw)


class PackageOut(VersionOut):
    plant = serializers.CharField(source="plant.key")
    type_code = serializers.CharField(source="package_type.code")
    type_label = serializers.CharField(source="package_type.label")
    billing_type = serializers.ChoiceField(choices=BillingType.choices)
    timing_code = serializers.CharField(source="timing.code")
    timing_label = serializers.CharField(source="timing.label")
    slots = serializers.JSONField(source="timing.slots")
    load_w = serializers.IntegerField()
    prepaid_amount = _money(allow_null=True)
    prepaid_period_days = serializers.IntegerField(allow_null=True)
    rate_per_kwh = serializers.DecimalField(
        max_digits=10, decimal_places=4, allow_null=True
    )
    slabs = serializers.JSONField()
    fixed_monthly = _money(allow_null=True)
    monthly_amount = _money(allow_null=True)
    monthly_charge = serializers.SerializerMethodField(
        help_text="The charge in the package ID."
    )
    anticipated_monthly_bill = serializers.SerializerMethodField()
    activation_charge = _money()
    deposit_rule = serializers.CharField()
    deposit_amount = _money(allow_null=True)
    deposit_multiple = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True
    )
    deposit = serializers.SerializerMethodField(
        help_text="The security deposit the rule gives."
    )
    credit_limit = _money()
    newest = serializers.BooleanField(source="is_newest")

    class Meta:
        ref_name = "Package"

    def get_monthly_charge(self, package: Package) -> str:
        return str(tariff.monthly_charge(package))

    def get_anticipated_monthly_bill(self, package: Package) -> str:
        return str(tariff.anticipated_monthly_bill(package))

    def get_deposit(self, package: Package) -> str:
        return str(tariff.deposit_for(package))


class PackageDetailOut(PackageOut):
    versions = VersionOut(many=True, help_text="Every version, oldest first.")

    class Meta:
        ref_name = "PackageDetail"


# --- input --------------------------------------------------------------------------
@extend_schema_field(OpenApiTypes.STR)
class TermField(serializers.Field):
    """A term as sent (string, whole number or null); the service checks it,
    so that a float amount or a bad rate gets the domain's own error code."""

    def to_internal_value(self, data: object) -> object:
        return data

    def to_representation(self, value: object) -> object:
        return value


def _term(help_text: str = "") -> TermField:
    return TermField(required=False, allow_null=True, help_text=help_text)


class TermsIn(serializers.Serializer):
    type_code = serializers.CharField(max_length=10, help_text="A1.1, B1.1, C1.1...")
    timing_code = serializers.CharField(max_length=4, help_text="NN, DD, FD, EV...")
    load_w = _term("Maximum load in watts, above 0.")
    prepaid_amount = _term("Pre-paid: the amount per period.")
    prepaid_period_days = _term("Pre-paid: the period in days.")
    rate_per_kwh = _term("Metered: the rate per kWh (4 decimals).")
    slabs = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text='Metered: [{"upto_kwh": "30", "rate": "5"}] or "30:5; 100:7".',
    )
    fixed_monthly = _term("Metered: the fixed monthly charge.")
    monthly_amount = _term("Unmetered: the monthly amount.")
    activation_charge = _term("ACT, 0 by default.")
    deposit_rule = serializers.CharField(
        required=False, max_length=10, help_text="fixed (default) or multiple."
    )
    deposit_amount = _term("Fixed rule: the deposit.")
    deposit_multiple = _term("Multiple rule: N x the anticipated monthly bill.")
    credit_limit = _term("0 by default.")

    class Meta:
        ref_name = "PackageTermsIn"


class PackageCreateIn(TermsIn):
    plant = serializers.CharField(max_length=6, help_text="Plant key: BHKATS.")
    offered = serializers.BooleanField(required=False, default=True)

    class Meta:
        ref_name = "PackageCreateIn"


class PackageReviseIn(TermsIn):
    """Only the terms that change; the others are kept."""

    type_code = serializers.CharField(max_length=10, required=False)
    timing_code = serializers.CharField(max_length=4, required=False)

    class Meta:
        ref_name = "PackageReviseIn"


def _only(request: Request, allowed: set[str]) -> None:
    """Refuse body fields that cannot be set here (plant, version, ...)."""
    data = request.data if isinstance(request.data, dict) else {}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationFailed(
            "field_not_editable", f"Cannot set {unknown[0]:.40}.", field=unknown[0]
        )


# --- packages -----------------------------------------------------------------------
def _detail(package: Package, code: int = 200) -> Response:
    rows = selectors.with_usage(Package.objects.filter(pk=package.pk))
    package = rows.select_related("plant__state", "package_type", "timing")[0]
    package.versions = selectors.package_versions(package)  # type: ignore[attr-defined]
    return Response(PackageDetailOut(package).data, status=code)


class PackageListCreateApi(Api):
    class FilterSerializer(serializers.Serializer):
        plant = serializers.CharField(required=False, max_length=6)
        billing_type = serializers.ChoiceField(
            choices=BillingType.choices, required=False
        )
        offered = serializers.BooleanField(
            required=False, allow_null=True, default=None
        )
        q = serializers.CharField(
            required=False, max_length=60, help_text="Part of a package ID."
        )

    @extend_schema(
        tags=TAGS,
        operation_id="packages_list",
        parameters=[FilterSerializer],
        responses={200: PackageOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Packages at the plants of my scope, every version."""
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        qs = selectors.with_usage(selectors.packages_for(request.user))
        if data.get("plant"):
            qs = qs.filter(plant=get_plant_for_user(request.user, data["plant"]))
        if data.get("billing_type"):
            qs = qs.filter(billing_type=data["billing_type"])
        if data.get("offered") is not None:
            qs = qs.filter(active=data["offered"])
        if data.get("q"):
            qs = qs.filter(package_id__icontains=data["q"])
        return self.paginated(
            qs.order_by("plant_id", "package_id", "version"), PackageOut
        )

    @extend_schema(
        tags=TAGS,
        operation_id="packages_create",
        parameters=[IDEMPOTENCY_HEADER],
        request=PackageCreateIn,
        responses={201: PackageDetailOut, 200: PackageDetailOut, **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """A new package at a plant of my scope (head office)."""
        key = idempotency_key(request)
        _only(request, {*TERMS, "plant", "offered"})
        data = validated(PackageCreateIn, request)
        plant = get_plant_for_user(request.user, data.pop("plant"), EDIT)
        package, created = services.packages_write_once(
            company=plant.company,
            key=key,
            action=WriteAction.PACKAGE_CREATE,
            by=actor(request),
            write=lambda: services.package_create(
                plant=plant, by=actor(request), **data
            ),
        )
        return _detail(package, 201 if created else 200)


class PackageDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="packages_retrieve",
        parameters=PATH_PARAMS,
        responses={200: PackageDetailOut, **READ_ERRORS},
    )
    def get(
        self, request: Request, plant: str, package_id: str, version: str
    ) -> Response:
        """One package with its deposit, its versions and how many customers
        are on each."""
        package = selectors.get_package_for_user(
            request.user, plant, package_id, int(version)
        )
        return _detail(package)


class PackageReviseApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="packages_revise",
        parameters=[*PATH_PARAMS, IDEMPOTENCY_HEADER],
        request=PackageReviseIn,
        responses={201: PackageDetailOut, 200: PackageDetailOut, **POST_ERRORS},
    )
    def post(
        self, request: Request, plant: str, package_id: str, version: str
    ) -> Response:
        """A new version with the terms sent changed (the others kept); the old
        version stays as it was for its customers and leaves the offer. Only
        the newest version is revised (409 ``package_superseded``)."""
        key = idempotency_key(request)
        _only(request, set(TERMS))
        package = selectors.get_package_for_user(
            request.user, plant, package_id, int(version), EDIT
        )
        changes = validated(PackageReviseIn, request)
        new, created = services.packages_write_once(
            company=package.plant.company,
            key=key,
            action=WriteAction.PACKAGE_REVISE,
            by=actor(request),
            write=lambda: services.package_revise(
                package=package, by=actor(request), **changes
            ),
        )
        return _detail(new, 201 if created else 200)


def offer_api(action: WriteAction, doc: str) -> Any:
    """The withdraw and offer-again endpoints."""
    write = (
        services.package_withdraw
        if action == WriteAction.PACKAGE_WITHDRAW
        else services.package_offer
    )
    name = action.value.removeprefix("package_")

    class OfferApi(Api):
        @extend_schema(
            tags=TAGS,
            operation_id=f"packages_{name}",
            parameters=[*PATH_PARAMS, IDEMPOTENCY_HEADER],
            request=None,
            responses={200: PackageDetailOut, **POST_ERRORS},
            description=doc,
        )
        def post(
            self, request: Request, plant: str, package_id: str, version: str
        ) -> Response:
            key = idempotency_key(request)
            package = selectors.get_package_for_user(
                request.user, plant, package_id, int(version), EDIT
            )
            done, _ = services.packages_write_once(
                company=package.plant.company,
                key=key,
                action=action,
                by=actor(request),
                write=lambda: write(package=package, by=actor(request)),
            )
            return _detail(done)

    OfferApi.__name__ = f"Package{name.title()}Api"
    return OfferApi


# --- code tables --------------------------------------------------------------------
class PackageTypeIn(serializers.Serializer):
    code = serializers.CharField(max_length=10, help_text="e.g. A2.1")
    label = serializers.CharField(max_length=80)  # type: ignore[assignment]
    billing_type = serializers.ChoiceField(choices=BillingType.choices)

    class Meta:
        ref_name = "PackageTypeIn"


class PackageTypeEditIn(serializers.Serializer):
    label = serializers.CharField(max_length=80, required=False)  # type: ignore[assignment]
    billing_type = serializers.ChoiceField(choices=BillingType.choices, required=False)

    class Meta:
        ref_name = "PackageTypeEditIn"


class TimingCodeIn(serializers.Serializer):
    code = serializers.CharField(max_length=4, help_text="Two to four capitals.")
    label = serializers.CharField(max_length=80)  # type: ignore[assignment]
    slots = serializers.JSONField(help_text='[["18:00", "06:00"]]')

    class Meta:
        ref_name = "TimingCodeIn"


class TimingCodeEditIn(serializers.Serializer):
    label = serializers.CharField(max_length=80, required=False)  # type: ignore[assignment]
    slots = serializers.JSONField(required=False)

    class Meta:
        ref_name = "TimingCodeEditIn"


class PackageTypeListCreateApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="package_types_list",
        responses={200: PackageTypeOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The company's type codes: its own, then the defaults it kept."""
        return self.paginated(selectors.package_types_for(request.user), PackageTypeOut)

    @extend_schema(
        tags=TAGS,
        operation_id="package_types_create",
        parameters=[IDEMPOTENCY_HEADER],
        request=PackageTypeIn,
        responses={201: PackageTypeOut, 200: PackageTypeOut, **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        key = idempotency_key(request)
        company = selectors.company_for(request.user, EDIT)
        data = validated(PackageTypeIn, request)
        data["code"] = data["code"].upper()
        row, created = services.packages_write_once(
            company=company,
            key=key,
            action=WriteAction.TYPE_CREATE,
            by=actor(request),
            write=lambda: services.package_type_create(
                company=company, by=actor(request), **data
            ),
        )
        out = selectors.get_package_type_for_user(request.user, row.code)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(PackageTypeOut(out).data, status=code)


class PackageTypeDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="package_types_retrieve",
        responses={200: PackageTypeOut, **READ_ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        row = selectors.get_package_type_for_user(request.user, code)
        return Response(PackageTypeOut(row).data)

    @extend_schema(
        tags=TAGS,
        operation_id="package_types_update",
        request=PackageTypeEditIn,
        responses={200: PackageTypeOut, **WRITE_ERRORS},
    )
    def patch(self, request: Request, code: str) -> Response:
        """Change the label, or the billing type while no package uses the
        code (``package_type_in_use``). A default becomes the company's copy."""
        row = selectors.get_package_type_for_user(request.user, code, EDIT)
        _only(request, {"label", "billing_type"})
        data = validated(PackageTypeEditIn, request, partial=True)
        services.package_type_update(
            company=selectors.company_for(request.user, EDIT),
            package_type=row,
            by=actor(request),
            **data,
        )
        out = selectors.get_package_type_for_user(request.user, code)
        return Response(PackageTypeOut(out).data)


class TimingCodeListCreateApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="timing_codes_list",
        responses={200: TimingCodeOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The company's timing codes: its own, then the defaults it kept."""
        return self.paginated(selectors.timing_codes_for(request.user), TimingCodeOut)

    @extend_schema(
        tags=TAGS,
        operation_id="timing_codes_create",
        parameters=[IDEMPOTENCY_HEADER],
        request=TimingCodeIn,
        responses={201: TimingCodeOut, 200: TimingCodeOut, **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        key = idempotency_key(request)
        company = selectors.company_for(request.user, EDIT)
        data = validated(TimingCodeIn, request)
        data["code"] = data["code"].upper()
        row, created = services.packages_write_once(
            company=company,
            key=key,
            action=WriteAction.TIMING_CREATE,
            by=actor(request),
            write=lambda: services.timing_code_create(
                company=company, by=actor(request), **data
            ),
        )
        out = selectors.get_timing_for_user(request.user, row.code)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(TimingCodeOut(out).data, status=code)


class TimingCodeDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="timing_codes_retrieve",
        responses={200: TimingCodeOut, **READ_ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        row = selectors.get_timing_for_user(request.user, code)
        return Response(TimingCodeOut(row).data)

    @extend_schema(
        tags=TAGS,
        operation_id="timing_codes_update",
        request=TimingCodeEditIn,
        responses={200: TimingCodeOut, **WRITE_ERRORS},
    )
    def patch(self, request: Request, code: str) -> Response:
        """Change the label, or the slots while no package uses the code
        (``timing_code_in_use``). A default becomes the company's copy."""
        row = selectors.get_timing_for_user(request.user, code, EDIT)
        _only(request, {"label", "slots"})
        data = validated(TimingCodeEditIn, request, partial=True)
        services.timing_code_update(
            company=selectors.company_for(request.user, EDIT),
            timing=row,
            by=actor(request),
            **data,
        )
        out = selectors.get_timing_for_user(request.user, code)
        return Response(TimingCodeOut(out).data)


urlpatterns: list[URLPattern] = [
    path(
        "package-types/", PackageTypeListCreateApi.as_view(), name="package-type-list"
    ),
    path(
        "package-types/<str:code>/",
        PackageTypeDetailApi.as_view(),
        name="package-type-detail",
    ),
    path("timing-codes/", TimingCodeListCreateApi.as_view(), name="timing-code-list"),
    path(
        "timing-codes/<str:code>/",
        TimingCodeDetailApi.as_view(),
        name="timing-code-detail",
    ),
    path("packages/", PackageListCreateApi.as_view(), name="package-list"),
    re_path(PACKAGE_PATH + "$", PackageDetailApi.as_view(), name="package-detail"),
    re_path(
        PACKAGE_PATH + "revise/$", PackageReviseApi.as_view(), name="package-revise"
    ),
    re_path(
        PACKAGE_PATH + "withdraw/$",
        offer_api(
            WriteAction.PACKAGE_WITHDRAW,
            "Take the package off offer: no new customer may take it; those on "
            "it keep it. Withdrawing a withdrawn package changes nothing.",
        ).as_view(),
        name="package-withdraw",
    ),
    re_path(
        PACKAGE_PATH + "offer/$",
        offer_api(
            WriteAction.PACKAGE_OFFER,
            "Offer a withdrawn package again; 400 ``package_duplicate`` while "
            "another package with the same ID is offered at the plant.",
        ).as_view(),
        name="package-offer",
    ),
]
