"""Meter stock: meters and load limiters by serial, per plant or in the company
warehouse. Reading needs ``org.view`` (plant stock of the user's scope; the
warehouse for company-wide staff only); receiving and moving need
``meter_stock.edit`` on a plant of the scope (the warehouse: company scope).

POSTs take an ``Idempotency-Key`` header like the other APIs; for a receipt the
serial itself is the natural key: the same serial with the same details again
answers 200 with the meter, with other details 409 ``meter_serial_taken``.

Change Meter (manual 3.8.2, ``meter.change``): ``changes/options/`` fills in
the customer's meters and the plant's stock, ``changes/`` makes the change
(a ``meter_change`` request left in Review for the acknowledgement).
Unreleased Meter (manual 3.8.3): ``{serial}/release/`` raises, ``releases/``
lists by the manual's tabs, ``releases/{number}/execute/`` records the new
location and executes; assign, confirm and reject are the chain's own
``/api/v1/requests/{number}/...`` steps. docs/metering.md has the rules.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, Api, actor, validated
from mcoms.api.ledger import IDEMPOTENCY_HEADER, POST_ERRORS, idempotency_key
from mcoms.customers.selectors import get_customer_for_user
from mcoms.metering import changes, releases, selectors, services
from mcoms.metering.models import (
    Meter,
    MeterAssignment,
    MeterKind,
    MeterLocation,
    MeterState,
)
from mcoms.metering.stock import with_customer
from mcoms.org import access
from mcoms.org.permissions import Action
from mcoms.workflow import selectors as wf
from mcoms.workflow.models import Request as WorkRequest
from mcoms.workflow.models import RequestState

app_name = "meters"
TAGS = ["meters"]


class MeterOut(serializers.Serializer):
    serial = serializers.CharField()
    kind = serializers.ChoiceField(choices=MeterKind.choices)
    driver = serializers.CharField()
    digit_capacity = serializers.IntegerField()
    plant = serializers.CharField(source="plant.key", default=None)
    location = serializers.ChoiceField(choices=MeterLocation.choices)
    state = serializers.ChoiceField(choices=MeterState.choices)
    customer = serializers.CharField(
        source="customer_id",
        default=None,
        allow_null=True,
        help_text="The customer it serves now (assigned or installed).",
    )
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Meter"


class AssignmentOut(serializers.Serializer):
    customer_id = serializers.CharField(source="customer.customer_id")
    assigned_at = serializers.DateTimeField()
    installed_at = serializers.DateTimeField(allow_null=True)
    removed_at = serializers.DateTimeField(allow_null=True)
    initial_reading = serializers.DecimalField(max_digits=12, decimal_places=3)
    by = serializers.CharField(source="by.username", default=None)

    class Meta:
        ref_name = "MeterAssignment"


class MeterDetailOut(MeterOut):
    assignments = AssignmentOut(many=True, help_text="Newest first.")

    class Meta:
        ref_name = "MeterDetail"


def _detail(meter: Meter, code: int = status.HTTP_200_OK) -> Response:
    meter = (
        with_customer(Meter.objects.select_related("plant__state"))
        .prefetch_related(
            Prefetch(
                "assignments",
                MeterAssignment.objects.select_related("customer", "by").order_by(
                    "-assigned_at", "-pk"
                ),
            )
        )
        .get(pk=meter.pk)
    )
    return Response(MeterDetailOut(meter).data, status=code)


class MeterListCreateApi(Api):
    class FilterSerializer(serializers.Serializer):
        plant = serializers.CharField(
            required=False, max_length=6, help_text="Plant key; `-` for the warehouse."
        )
        kind = serializers.ChoiceField(choices=MeterKind.choices, required=False)
        state = serializers.ChoiceField(choices=MeterState.choices, required=False)
        location = serializers.ChoiceField(
            choices=MeterLocation.choices, required=False
        )
        q = serializers.CharField(required=False, max_length=40, help_text="Serial.")

    class InputSerializer(serializers.Serializer):
        serial = serializers.CharField(max_length=40)
        kind = serializers.ChoiceField(choices=MeterKind.choices)
        driver = serializers.CharField(max_length=30, default="manual")
        digit_capacity = serializers.IntegerField(min_value=3, max_value=9, default=6)
        plant = serializers.CharField(
            max_length=6,
            required=False,
            help_text="Plant key; leave out to receive into the warehouse.",
        )

        class Meta:
            ref_name = "MeterReceive"

    @extend_schema(
        tags=TAGS,
        operation_id="meters_list",
        parameters=[FilterSerializer],
        responses={200: MeterOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Meters and load limiters of the user's scope, by serial."""
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = dict(filters.validated_data)
        qs = selectors.meters_for(request.user)
        plant = wanted.pop("plant", "").upper()
        if plant == "-":
            qs = qs.filter(plant__isnull=True)
        elif plant:
            qs = qs.filter(plant__state__code=plant[:2], plant__code=plant[2:])
        serial = wanted.pop("q", "").strip().upper()
        if serial:
            qs = qs.filter(serial__contains=serial)
        qs = with_customer(qs.filter(**wanted))
        return self.paginated(qs.order_by("serial"), MeterOut)

    @extend_schema(
        tags=TAGS,
        operation_id="meters_receive",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: MeterDetailOut, 200: MeterDetailOut, **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Receive a meter or load limiter into a plant's stock or the warehouse."""
        idempotency_key(request)
        data = validated(self.InputSerializer, request)
        key = data.pop("plant", "")
        if key:
            plant = access.get_plant_for_user(
                request.user, key, Action.METER_STOCK_EDIT
            )
            company = plant.company
        else:
            plant = None
            company = access.get_company_for_user(request.user, Action.METER_STOCK_EDIT)
        meter, created = services.meter_receive(
            company=company, plant=plant, by=actor(request), **data
        )
        return _detail(
            meter, status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class MeterDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="meters_retrieve",
        responses={200: MeterDetailOut, **READ_ERRORS},
    )
    def get(self, request: Request, serial: str) -> Response:
        """A meter with the connections it has served."""
        return _detail(selectors.get_meter_for_user(request.user, serial))


class MeterMoveApi(Api):
    class InputSerializer(serializers.Serializer):
        plant = serializers.CharField(max_length=6)

        class Meta:
            ref_name = "MeterMove"

    @extend_schema(
        tags=TAGS,
        operation_id="meters_move",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={200: MeterDetailOut, **POST_ERRORS},
    )
    def post(self, request: Request, serial: str) -> Response:
        """Move an available meter to a plant's stock (from the warehouse or
        another plant). Moving it again to the same plant changes nothing."""
        idempotency_key(request)
        meter = selectors.get_meter_for_user(request.user, serial, write=True)
        data = validated(self.InputSerializer, request)
        plant = access.get_plant_for_user(
            request.user, data["plant"], Action.METER_STOCK_EDIT
        )
        services.meter_move_to_plant(meter=meter, plant=plant, by=actor(request))
        return _detail(meter)


# --- Change Meter (manual 3.8.2) ----------------------------------------------------
class WorkOut(serializers.Serializer):
    """A Change Meter or Unreleased Meter request (see ``/api/v1/requests/``)."""

    number = serializers.CharField()
    kind = serializers.CharField()
    state = serializers.ChoiceField(choices=RequestState.choices)
    plant = serializers.CharField(source="plant.key")
    customer = serializers.CharField(source="subject.customer_id", default=None)
    customer_name = serializers.CharField(source="subject.name", default=None)
    comments = serializers.CharField()
    payload = serializers.JSONField()
    result = serializers.JSONField()
    raised_by = serializers.CharField(source="raised_by.username")
    raised_at = serializers.DateTimeField()
    assigned_to = serializers.CharField(source="assigned_to.username", default=None)
    executed_by = serializers.CharField(source="executed_by.username", default=None)
    executed_at = serializers.DateTimeField(allow_null=True)
    closed_by = serializers.CharField(source="closed_by.username", default=None)
    closed_at = serializers.DateTimeField(allow_null=True)
    actions = serializers.SerializerMethodField(
        help_text="The steps the signed-in user may take now."
    )

    class Meta:
        ref_name = "MeterWork"

    def get_actions(self, req: WorkRequest) -> list[str]:
        return wf.request_actions(self.context["user"], req)


WORK_RELATED = (
    "plant__state",
    "subject",
    "raised_by",
    "assigned_to",
    "executed_by",
    "closed_by",
)


def _work(request: Request, req: WorkRequest, code: int = 200) -> Response:
    req = WorkRequest.objects.select_related(*WORK_RELATED).get(pk=req.pk)
    data = WorkOut(req, context={"user": request.user}).data
    return Response(data, status=code)


class ReadingField(serializers.CharField):
    """A register reading in kWh, as text (``"1234.5"``); empty for none."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(
            max_length=20, required=False, allow_blank=True, allow_null=True, **kw
        )


class InstalledOut(serializers.Serializer):
    serial = serializers.CharField()
    kind = serializers.ChoiceField(choices=MeterKind.choices)
    digit_capacity = serializers.IntegerField()
    installed_at = serializers.DateTimeField()
    previous_reading = serializers.DecimalField(
        max_digits=12,
        decimal_places=3,
        help_text="The reading the final one counts from.",
    )
    previous_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "MeterChangeInstalled"


class ChangeOptionsApi(Api):
    class FilterSerializer(serializers.Serializer):
        customer = serializers.CharField(max_length=11, help_text="Customer ID.")

    class OutputSerializer(serializers.Serializer):
        customer = serializers.CharField()
        name = serializers.CharField()
        plant = serializers.CharField()
        package = serializers.CharField(allow_null=True)
        installed = InstalledOut(many=True)
        stock = MeterOut(many=True, help_text="Meters of the plant that fit.")
        reasons = serializers.DictField(child=serializers.CharField())

        class Meta:
            ref_name = "MeterChangeOptions"

    @extend_schema(
        tags=TAGS,
        operation_id="meters_change_options",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """What the Change Meter form fills in for a customer: the meters
        installed for them with the reading the final one counts from, and the
        plant's stock that fits their package."""
        access.require(request.user, Action.METER_CHANGE)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        customer = get_customer_for_user(
            request.user, filters.validated_data["customer"]
        )
        options = changes.change_options(customer)
        data = {
            "customer": customer.customer_id,
            "name": customer.name,
            "plant": customer.plant.key,
            "package": customer.package.package_id if customer.package else None,
            "installed": options.installed,
            "stock": with_customer(options.stock),
            "reasons": dict(changes.ChangeReason.choices),
        }
        return Response(self.OutputSerializer(data).data)


class ChangeApi(Api):
    class InputSerializer(serializers.Serializer):
        customer = serializers.CharField(max_length=11)
        old_meter = serializers.CharField(
            max_length=40, help_text="The installed meter that comes down."
        )
        final_reading = ReadingField(
            help_text="Last reading of the old meter (kWh); needed for "
            "conventional and smart meters."
        )
        new_meter = serializers.CharField(
            max_length=40, help_text="A meter available in the plant's stock."
        )
        first_reading = ReadingField(
            help_text="First reading of the new meter (kWh); 0 when left out."
        )
        rollover = serializers.BooleanField(
            default=False,
            help_text="The old meter's counter passed its last digit since the "
            "previous reading.",
        )
        reason = serializers.ChoiceField(choices=changes.ChangeReason.choices)
        comments = serializers.CharField(
            max_length=1000, required=False, allow_blank=True, default=""
        )

        class Meta:
            ref_name = "MeterChangeIn"

    @extend_schema(
        tags=TAGS,
        operation_id="meters_change",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: WorkOut, 200: WorkOut, **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Change a customer's meter now: the old one comes down with its final
        reading, the new one goes up with its first; the ``meter_change``
        request waits in Review for the State In-charge's acknowledgement
        (``POST /api/v1/requests/{number}/complete/``). A retry with the same
        key answers 200 with the first change."""
        key = idempotency_key(request)
        access.require(request.user, Action.METER_CHANGE)
        data = validated(self.InputSerializer, request)
        user = request.user
        req, created = changes.meter_change(
            customer=get_customer_for_user(user, data["customer"]),
            old_meter=selectors.get_meter_for_user(user, data["old_meter"]),
            new_meter=selectors.get_meter_for_user(user, data["new_meter"]),
            final_reading=data.get("final_reading"),
            first_reading=data.get("first_reading"),
            rollover=data["rollover"],
            reason=data["reason"],
            comments=data["comments"],
            idempotency_key=key,
            by=actor(request),
        )
        return _work(request, req, 201 if created else 200)


# --- Unreleased Meter (manual 3.8.3) ------------------------------------------------
class ReleaseRaiseApi(Api):
    class InputSerializer(serializers.Serializer):
        reason = serializers.ChoiceField(choices=releases.ReleaseReason.choices)
        comments = serializers.CharField(
            max_length=1000, required=False, allow_blank=True, default=""
        )

        class Meta:
            ref_name = "MeterReleaseIn"

    @extend_schema(
        tags=TAGS,
        operation_id="meters_release",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: WorkOut, 200: WorkOut, **POST_ERRORS},
    )
    def post(self, request: Request, serial: str) -> Response:
        """Raise the release of a meter that serves a connection (Pending). The
        Cluster In-charge assigns it (``/api/v1/requests/{number}/assign/``).
        A meter with an open release is 409 ``request_already_open``."""
        key = idempotency_key(request)
        meter = selectors.get_meter_for_user(request.user, serial)
        data = validated(self.InputSerializer, request)
        req, created = releases.meter_release_raise(
            meter=meter,
            reason=data["reason"],
            comments=data["comments"],
            idempotency_key=key,
            by=actor(request),
        )
        return _work(request, req, 201 if created else 200)


class ReleaseListApi(Api):
    class FilterSerializer(serializers.Serializer):
        tab = serializers.ChoiceField(
            choices=list(releases.TABS), required=False, help_text="The manual's tab."
        )
        plant = serializers.CharField(required=False, max_length=6)
        since = serializers.DateField(required=False, help_text="Closed on or after.")
        until = serializers.DateField(required=False, help_text="Closed on or before.")

    @extend_schema(
        tags=TAGS,
        operation_id="meters_releases_list",
        parameters=[FilterSerializer],
        responses={200: WorkOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Meter release requests of my plants, newest first: a tab (pending,
        review, completed, rejected), a plant, and the dates they closed."""
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = dict(filters.validated_data)
        plant = None
        if "plant" in data:
            plant = access.get_plant_for_user(request.user, data["plant"])
        qs = releases.releases_for(
            request.user,
            tab=data.get("tab", ""),
            plant=plant,
            since=data.get("since"),
            until=data.get("until"),
        ).select_related(*WORK_RELATED)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self) or []
        out = WorkOut(page, many=True, context={"user": request.user}).data
        return paginator.get_paginated_response(out)


class ReleaseSummaryApi(Api):
    class OutputSerializer(serializers.Serializer):
        tabs = serializers.DictField(child=serializers.IntegerField())
        waiting_for_me = serializers.IntegerField(
            help_text="To assign, to execute or to confirm by me (the bell)."
        )

        class Meta:
            ref_name = "MeterReleaseSummary"

    @extend_schema(
        tags=TAGS,
        operation_id="meters_releases_summary",
        responses={200: OutputSerializer, **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """How many meter release requests are in each tab, and how many wait
        for my step (the count on the field app's bell, manual 3.3.3)."""
        data = {
            "tabs": releases.tab_counts(releases.releases_for(request.user)),
            "waiting_for_me": releases.waiting_on(request.user).count(),
        }
        return Response(self.OutputSerializer(data).data)


class ReleaseExecuteApi(Api):
    class InputSerializer(serializers.Serializer):
        destination = serializers.ChoiceField(choices=releases.Destination.choices)
        customer = serializers.CharField(
            max_length=11,
            required=False,
            allow_blank=True,
            default="",
            help_text="For ``reassign``: the connection of the plant it goes to.",
        )
        final_reading = ReadingField(
            help_text="The meter's last reading (kWh), if it was installed."
        )
        rollover = serializers.BooleanField(default=False)
        note = serializers.CharField(
            max_length=1000, required=False, allow_blank=True, default=""
        )

        class Meta:
            ref_name = "MeterReleaseExecuteIn"

    @extend_schema(
        tags=TAGS,
        operation_id="meters_releases_execute",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={200: WorkOut, **POST_ERRORS},
    )
    def post(self, request: Request, number: str) -> Response:
        """The assignee records where the meter goes and executes the release
        (In Process -> Review): the final reading if it was installed, the
        connection closed, the meter placed. A retry with the same key returns
        the request as it is."""
        key = idempotency_key(request)
        req = wf.get_request_for_user(request.user, number)
        if req.kind != releases.METER_RELEASE:
            raise Http404(f"No meter release {number:.20} in your scope.")
        data = validated(self.InputSerializer, request)
        req = releases.meter_release_execute(
            request=req,
            destination=data["destination"],
            customer=data["customer"],
            final_reading=data.get("final_reading"),
            rollover=data["rollover"],
            note=data["note"],
            idempotency_key=key,
            by=actor(request),
        )
        return _work(request, req)


urlpatterns: list[URLPattern] = [
    path("", MeterListCreateApi.as_view(), name="meter-list"),
    path("changes/", ChangeApi.as_view(), name="meter-change"),
    path("changes/options/", ChangeOptionsApi.as_view(), name="meter-change-options"),
    path("releases/", ReleaseListApi.as_view(), name="meter-release-list"),
    path(
        "releases/summary/",
        ReleaseSummaryApi.as_view(),
        name="meter-release-summary",
    ),
    path(
        "releases/<str:number>/execute/",
        ReleaseExecuteApi.as_view(),
        name="meter-release-execute",
    ),
    path("<str:serial>/", MeterDetailApi.as_view(), name="meter-detail"),
    path("<str:serial>/move/", MeterMoveApi.as_view(), name="meter-move"),
    path("<str:serial>/release/", ReleaseRaiseApi.as_view(), name="meter-release"),
]
