"""Meter stock: meters and load limiters by serial, per plant or in the company
warehouse. Reading needs ``org.view`` (plant stock of the user's scope; the
warehouse for company-wide staff only); receiving and moving need
``meter_stock.edit`` on a plant of the scope (the warehouse: company scope).

POSTs take an ``Idempotency-Key`` header like the other APIs; for a receipt the
serial itself is the natural key: the same serial with the same details again
answers 200 with the meter, with other details 409 ``meter_serial_taken``.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, Api, actor, validated
from mcoms.api.ledger import IDEMPOTENCY_HEADER, POST_ERRORS, idempotency_key
from mcoms.metering import selectors, services
from mcoms.metering.models import (
    Meter,
    MeterAssignment,
    MeterKind,
    MeterLocation,
    MeterState,
)
from mcoms.org import access
from mcoms.org.permissions import Action

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
        Meter.objects.select_related("plant__state")
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
        return self.paginated(qs.filter(**wanted).order_by("serial"), MeterOut)

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


urlpatterns: list[URLPattern] = [
    path("", MeterListCreateApi.as_view(), name="meter-list"),
    path("<str:serial>/", MeterDetailApi.as_view(), name="meter-detail"),
    path("<str:serial>/move/", MeterMoveApi.as_view(), name="meter-move"),
]
