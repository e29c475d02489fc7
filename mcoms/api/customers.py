"""Customers: staff see their scope, a customer their own accounts.

* ``GET customers/?q=`` finds customers by name (any word's start), customer
  ID, mobile number, current meter serial or package ID (at most 50, sorted by
  customer ID; the header ``X-More-Results: true`` says there were more);
  without ``q``, every customer in scope, paginated.
* ``GET customers/{id}/`` is the account page's Profile tab (manual 3.5.2).
* ``GET customers/{id}/history/``: who changed the contact details, when,
  from what to what.
* Profile changes (seed 2.2.6, docs/customers.md): ``POST
  customers/{id}/profile-changes/`` proposes new contact details. Staff need
  ``customer.edit``; their change waits for the codes sent to the customer. A
  customer (with their own token) changes their own details at once, except a
  new number, which waits for the code sent to it. Then ``confirm`` with the
  codes, ``cancel``, or ``resend`` the codes.

Every POST needs an ``Idempotency-Key`` header: a retried request returns the
first change (200 instead of 201); a retried confirm or cancel returns the
change as it is; a retried resend sends nothing more.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, Api, actor, validated
from mcoms.api.ledger import IDEMPOTENCY_HEADER, POST_ERRORS, idempotency_key
from mcoms.customers import profile
from mcoms.customers.models import (
    Customer,
    ProfileChange,
    ProfileChangeState,
    Segment,
)
from mcoms.customers.selectors import (
    current_meter,
    customer_for_page,
    customers_find,
    customers_for,
    get_customer_for_user,
    pending_change,
    profile_changes_for,
    profile_history,
)
from mcoms.org.access import get_plant_for_user
from mcoms.org.models import Language, User

TAGS = ["customers"]


class CustomerOut(serializers.Serializer):
    customer_id = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()
    language = serializers.CharField()
    status = serializers.CharField()
    plant = serializers.SerializerMethodField()
    pole = serializers.IntegerField(source="pole.number")
    connection_no = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Customer"

    def get_plant(self, customer: Customer) -> str:
        return customer.plant.key


class PackageOut(serializers.Serializer):
    package_id = serializers.CharField()
    billing_type = serializers.CharField()
    load_w = serializers.IntegerField(help_text="Load limit in watts.")
    timing = serializers.CharField(source="timing.code")
    rate_per_kwh = serializers.DecimalField(
        max_digits=10, decimal_places=4, allow_null=True
    )
    slabs = serializers.JSONField()
    fixed_monthly = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True
    )
    monthly_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True
    )
    prepaid_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True
    )
    prepaid_period_days = serializers.IntegerField(allow_null=True)
    credit_limit = serializers.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ref_name = "CustomerPackage"


class MeterOut(serializers.Serializer):
    serial = serializers.CharField(source="meter.serial")
    kind = serializers.CharField(source="meter.kind")
    assigned_at = serializers.DateTimeField()
    installed_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "CustomerMeter"


class ProfileChangeOut(serializers.Serializer):
    id = serializers.IntegerField()
    customer = serializers.CharField(source="customer.customer_id")
    source = serializers.CharField(help_text="customer (the app) or staff")  # type: ignore[assignment]
    requested_by = serializers.CharField(source="requested_by.username")
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(allow_blank=True)),
        help_text='Field -> [old, new], e.g. {"address": ["", "Ward 4"]}.',
    )
    state = serializers.ChoiceField(choices=ProfileChangeState.choices)
    needs_code_registered = serializers.SerializerMethodField()
    needs_code_new = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    closed_by = serializers.CharField(source="closed_by.username", default=None)
    note = serializers.CharField()

    class Meta:
        ref_name = "ProfileChange"

    def get_needs_code_registered(self, change: ProfileChange) -> bool:
        """A code from the registered number is still needed."""
        return change.needs_registered_code and change.registered_confirmed_at is None

    def get_needs_code_new(self, change: ProfileChange) -> bool:
        """A code from the new number is still needed."""
        return change.needs_new_code and change.new_confirmed_at is None


class CustomerDetailOut(CustomerOut):
    plant_name = serializers.CharField(source="plant.name")
    feeder = serializers.CharField(source="pole.feeder.code")
    address = serializers.CharField()
    alt_phone = serializers.CharField()
    segment = serializers.CharField()
    status_reason = serializers.CharField()
    status_changed_at = serializers.DateTimeField(allow_null=True)
    package = PackageOut(allow_null=True)
    meter = serializers.SerializerMethodField()
    activated_at = serializers.DateTimeField(allow_null=True)
    pending_change = serializers.SerializerMethodField()

    class Meta:
        ref_name = "CustomerDetail"

    @extend_schema_field(MeterOut(allow_null=True))
    def get_meter(self, customer: Customer) -> dict[str, Any] | None:
        """The meter or load limiter serving the connection now."""
        assignment = current_meter(customer)
        return MeterOut(assignment).data if assignment else None  # type: ignore[return-value]

    @extend_schema_field(ProfileChangeOut(allow_null=True))
    def get_pending_change(self, customer: Customer) -> dict[str, Any] | None:
        change = pending_change(profile_changes_for(customer, limit=5))
        return ProfileChangeOut(change).data if change else None  # type: ignore[return-value]


class CustomerListApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="customers_list",
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description="Start of a name's words, a customer ID, a mobile "
                "number, a meter serial or a package ID: at most 50 customers, "
                "by customer ID; the header X-More-Results: true says there "
                "were more.",
            ),
            OpenApiParameter("plant", str, description="Only this plant: BHKATS."),
        ],
        responses={200: CustomerOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Customers in the user's scope; a customer sees all their own accounts."""
        plant = None
        if request.query_params.get("plant"):
            plant = get_plant_for_user(request.user, request.query_params["plant"])
        q = request.query_params.get("q", "").strip()
        if q:
            found = customers_find(request.user, q, plant=plant)
            response = self.paginated(found.customers, CustomerOut)  # type: ignore[arg-type]
            response["X-More-Results"] = "true" if found.more else "false"
            return response
        qs = customers_for(request.user)
        if plant is not None:
            qs = qs.filter(plant=plant)
        return self.paginated(qs, CustomerOut)


class CustomerDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="customers_retrieve",
        responses={200: CustomerDetailOut, **READ_ERRORS},
    )
    def get(self, request: Request, customer_id: str) -> Response:
        """The Profile tab: contact details, connection, package, meter, dates."""
        customer = customer_for_page(get_customer_for_user(request.user, customer_id))
        return Response(CustomerDetailOut(customer).data)


class HistoryApi(Api):
    class OutputSerializer(serializers.Serializer):
        when = serializers.DateTimeField()
        who = serializers.CharField()
        reason = serializers.CharField()
        changes = serializers.ListField(child=serializers.DictField())

        class Meta:
            ref_name = "CustomerHistoryEntry"

    @extend_schema(
        tags=TAGS,
        operation_id="customers_history",
        responses={200: OutputSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request: Request, customer_id: str) -> Response:
        """Changes of the contact details, newest first: who, when, and each
        field's old and new value."""
        customer = get_customer_for_user(request.user, customer_id)
        entries = [
            {
                "when": e.when,
                "who": e.who,
                "reason": e.reason,
                "changes": [vars(c) for c in e.changes],
            }
            for e in profile_history(customer)
        ]
        return Response(self.OutputSerializer(entries, many=True).data)


def _customer(request: Request, customer_id: str, write: bool) -> Customer:
    """Staff writing need ``customer.edit``; a customer only reads through the
    access helper and the service checks the account is theirs."""
    is_customer = actor(request).kind == User.Kind.CUSTOMER
    return get_customer_for_user(request.user, customer_id, write and not is_customer)


def _change(request: Request, customer_id: str, pk: int, write: bool) -> ProfileChange:
    customer = _customer(request, customer_id, write)
    change = customer.profile_changes.select_related("customer").filter(pk=pk).first()
    if change is None:
        raise Http404(f"No profile change {pk} of {customer.customer_id}.")
    return change


def _out(change: ProfileChange, status: int = 200) -> Response:
    change = ProfileChange.objects.select_related(
        "customer", "requested_by", "closed_by"
    ).get(pk=change.pk)
    return Response(ProfileChangeOut(change).data, status=status)


class ProfileChangeListCreateApi(Api):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200, required=False)
        phone = serializers.CharField(max_length=30, required=False)
        alt_phone = serializers.CharField(
            max_length=30, required=False, allow_blank=True
        )
        address = serializers.CharField(
            max_length=400, required=False, allow_blank=True
        )
        language = serializers.ChoiceField(choices=Language.choices, required=False)
        segment = serializers.ChoiceField(choices=Segment.choices, required=False)

        class Meta:
            ref_name = "ProfileChangeIn"

    @extend_schema(
        tags=TAGS,
        operation_id="customers_profile_changes_list",
        responses={200: ProfileChangeOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request, customer_id: str) -> Response:
        """The latest profile changes of the customer, newest first."""
        customer = get_customer_for_user(request.user, customer_id)
        changes = profile_changes_for(customer)
        return Response(ProfileChangeOut(changes, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="customers_profile_changes_create",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: ProfileChangeOut, 200: ProfileChangeOut, **POST_ERRORS},
    )
    def post(self, request: Request, customer_id: str) -> Response:
        """Propose new contact details (only the fields sent). A customer may
        send phone, alt_phone, address and language."""
        key = idempotency_key(request)
        customer = _customer(request, customer_id, write=True)
        data = validated(self.InputSerializer, request)
        change, created = profile.profile_change_request(
            customer=customer, changes=data, by=actor(request), idempotency_key=key
        )
        return _out(change, 201 if created else 200)


class ProfileChangeDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="customers_profile_changes_retrieve",
        responses={200: ProfileChangeOut, **READ_ERRORS},
    )
    def get(self, request: Request, customer_id: str, pk: int) -> Response:
        return _out(_change(request, customer_id, pk, write=False))


class CodesIn(serializers.Serializer):
    code_registered = serializers.CharField(
        max_length=6,
        required=False,
        allow_blank=True,
        help_text="The code sent to the registered number (staff changes).",
    )
    code_new = serializers.CharField(
        max_length=6,
        required=False,
        allow_blank=True,
        help_text="The code sent to the new number (when the number changes).",
    )

    class Meta:
        ref_name = "ProfileChangeCodesIn"


class ProfileChangeConfirmApi(Api):
    throttle_scope = "otp"

    @extend_schema(
        tags=TAGS,
        operation_id="customers_profile_changes_confirm",
        parameters=[IDEMPOTENCY_HEADER],
        request=CodesIn,
        responses={200: ProfileChangeOut, **POST_ERRORS},
    )
    def post(self, request: Request, customer_id: str, pk: int) -> Response:
        """Apply the change with the customer's codes. A wrong code is 400
        ``otp_wrong`` and changes nothing; an expired change 409."""
        idempotency_key(request)
        change = _change(request, customer_id, pk, write=True)
        data = validated(CodesIn, request)
        change = profile.profile_change_confirm(
            change=change,
            by=actor(request),
            code_registered=data.get("code_registered", ""),
            code_new=data.get("code_new", ""),
        )
        return _out(change)


class ProfileChangeCancelApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="customers_profile_changes_cancel",
        parameters=[IDEMPOTENCY_HEADER],
        request=None,
        responses={200: ProfileChangeOut, **POST_ERRORS},
    )
    def post(self, request: Request, customer_id: str, pk: int) -> Response:
        """Withdraw a waiting change (staff, or the customer declining it)."""
        idempotency_key(request)
        change = _change(request, customer_id, pk, write=True)
        return _out(profile.profile_change_cancel(change=change, by=actor(request)))


class ProfileChangeResendApi(Api):
    throttle_scope = "otp"

    @extend_schema(
        tags=TAGS,
        operation_id="customers_profile_changes_resend",
        parameters=[IDEMPOTENCY_HEADER],
        request=None,
        responses={200: ProfileChangeOut, **POST_ERRORS},
    )
    def post(self, request: Request, customer_id: str, pk: int) -> Response:
        """Send new codes for the numbers not yet confirmed."""
        key = idempotency_key(request)
        change = _change(request, customer_id, pk, write=True)
        change = profile.profile_change_resend(
            change=change, by=actor(request), idempotency_key=key
        )
        return _out(change)


CHANGE = "<str:customer_id>/profile-changes/<int:pk>/"
urlpatterns: list[URLPattern] = [
    path("", CustomerListApi.as_view(), name="customer-list"),
    path("<str:customer_id>/", CustomerDetailApi.as_view(), name="customer-detail"),
    path(
        "<str:customer_id>/history/",
        HistoryApi.as_view(),
        name="customer-history",
    ),
    path(
        "<str:customer_id>/profile-changes/",
        ProfileChangeListCreateApi.as_view(),
        name="profile-change-list",
    ),
    path(CHANGE, ProfileChangeDetailApi.as_view(), name="profile-change-detail"),
    path(
        CHANGE + "confirm/",
        ProfileChangeConfirmApi.as_view(),
        name="profile-change-confirm",
    ),
    path(
        CHANGE + "cancel/",
        ProfileChangeCancelApi.as_view(),
        name="profile-change-cancel",
    ),
    path(
        CHANGE + "resend/",
        ProfileChangeResendApi.as_view(),
        name="profile-change-resend",
    ),
]
