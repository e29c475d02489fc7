"""Meter readings (docs/metering.md, "Readings").

* ``GET readings/``: readings of meters in the user's scope (filters: plant,
  meter, customer, status, source).
* ``POST readings/``: a manual reading of a conventional meter
  (``reading.enter``); the ``Idempotency-Key`` header is the client's key: a
  retry returns the first reading (200). It waits for review.
* ``GET readings/{id}/``; ``POST readings/{id}/approve/`` and ``.../reject/``
  (``reading.review``, with a ``reason``).
* ``GET readings/due/?plant=``: the plant's manually read meters, due first,
  with the previous reading (``reading.enter``).
* ``GET readings/ledger/{customer_id}/?meter=``: the reading ledger of one of
  the customer's meters (staff in scope; a customer their own accounts).
* ``POST readings/intervals/``: smart meters' interval readings, at most
  10,000 a request (``reading.import``), idempotent on the batch key (the
  ``Idempotency-Key`` header, or ``key`` in the body); bad rows are refused and
  reported while the good ones are stored; duplicates, gaps and counter resets
  are reported. ``GET readings/batches/`` and ``readings/batches/{id}/``.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, Api, actor, errors, validated
from mcoms.api.ledger import IDEMPOTENCY_HEADER, POST_ERRORS, idempotency_key
from mcoms.core.errors import ValidationFailed
from mcoms.customers.selectors import get_customer_for_user
from mcoms.metering import reading_selectors as selectors
from mcoms.metering.ingest import MAX_BATCH, intervals_ingest
from mcoms.metering.models import (
    BatchSource,
    Reading,
    ReadingBatch,
    ReadingSource,
    ReadingStatus,
)
from mcoms.metering.readings import (
    reading_approve,
    reading_record,
    reading_reject,
    reading_window,
)
from mcoms.metering.selectors import meters_for
from mcoms.org.access import get_plant_for_user, require
from mcoms.org.permissions import Action

app_name = "readings"
TAGS = ["readings"]


class ReadingOut(serializers.Serializer):
    id = serializers.IntegerField()
    meter = serializers.CharField(source="meter.serial")
    customer_id = serializers.CharField(source="customer.customer_id", default=None)
    package = serializers.CharField(source="package.package_id", default=None)
    taken_at = serializers.DateTimeField()
    value = serializers.DecimalField(max_digits=12, decimal_places=3)
    units = serializers.DecimalField(max_digits=12, decimal_places=3, allow_null=True)
    source = serializers.ChoiceField(choices=ReadingSource.choices)  # type: ignore[assignment]
    status = serializers.ChoiceField(choices=ReadingStatus.choices)
    rollover = serializers.BooleanField()
    replacement = serializers.BooleanField()
    counter_reset = serializers.BooleanField()
    missing_intervals = serializers.IntegerField()
    note = serializers.CharField()
    entered_by = serializers.CharField(source="entered_by.username", default=None)
    reviewed_by = serializers.CharField(source="reviewed_by.username", default=None)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    reject_reason = serializers.CharField()

    class Meta:
        ref_name = "Reading"


class ReadingListApi(Api):
    class FilterSerializer(serializers.Serializer):
        plant = serializers.CharField(required=False, max_length=6)
        meter = serializers.CharField(required=False, max_length=40)
        customer = serializers.CharField(required=False, max_length=11)
        status = serializers.ChoiceField(choices=ReadingStatus.choices, required=False)
        source = serializers.ChoiceField(  # type: ignore[assignment]
            choices=ReadingSource.choices, required=False
        )

    class InputSerializer(serializers.Serializer):
        meter = serializers.CharField(max_length=40)
        value = serializers.CharField(
            max_length=20, help_text="kWh on the register, as a string."
        )
        taken_at = serializers.DateTimeField(
            required=False, help_text="When it was read; now if left out."
        )
        rollover = serializers.BooleanField(default=False)
        replacement = serializers.BooleanField(default=False)
        note = serializers.CharField(max_length=200, required=False, default="")

        class Meta:
            ref_name = "ReadingRecord"

    @extend_schema(
        tags=TAGS,
        operation_id="readings_list",
        parameters=[FilterSerializer],
        responses={200: ReadingOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Readings of meters at plants of the user's scope, newest first."""
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        qs = selectors.readings_for(request.user)
        if wanted.get("plant"):
            plant = get_plant_for_user(request.user, wanted["plant"])
            qs = qs.filter(meter__plant=plant)
        if wanted.get("meter"):
            qs = qs.filter(meter__serial=wanted["meter"].strip().upper())
        if wanted.get("customer"):
            qs = qs.filter(customer__customer_id=wanted["customer"].strip().upper())
        for name in ("status", "source"):
            if wanted.get(name):
                qs = qs.filter(**{name: wanted[name]})
        return self.paginated(qs.order_by("-taken_at", "-pk"), ReadingOut)

    @extend_schema(
        tags=TAGS,
        operation_id="readings_record",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: ReadingOut, 200: ReadingOut, **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Record a manual reading; it waits for review."""
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        meter = (
            meters_for(request.user, Action.READING_ENTER)
            .filter(serial=data.pop("meter").strip().upper())
            .first()
        )
        if meter is None:
            raise Http404("No such meter in your scope.")
        reading, created = reading_record(
            meter=meter, client_key=key, by=actor(request), **data
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(ReadingOut(reading).data, status=code)


class ReadingDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="readings_retrieve",
        responses={200: ReadingOut, **READ_ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            ReadingOut(selectors.get_reading_for_user(request.user, pk)).data
        )


class ReviewIn(serializers.Serializer):
    reason = serializers.CharField(
        max_length=200, required=False, default="", help_text="Why it is rejected."
    )

    class Meta:
        ref_name = "ReadingReview"


class ReadingApproveApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="readings_approve",
        parameters=[IDEMPOTENCY_HEADER],
        request=None,
        responses={200: ReadingOut, **POST_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Approve a pending reading: its units are computed against the
        previous approved reading. Approving it again returns it as it is."""
        idempotency_key(request)
        reading = selectors.get_reading_for_user(
            request.user, pk, Action.READING_REVIEW
        )
        reading = reading_approve(reading=reading, by=actor(request))
        return Response(ReadingOut(reading).data)


class ReadingRejectApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="readings_reject",
        parameters=[IDEMPOTENCY_HEADER],
        request=ReviewIn,
        responses={200: ReadingOut, **POST_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Reject a pending reading with a reason; the meter is due again."""
        idempotency_key(request)
        reading = selectors.get_reading_for_user(
            request.user, pk, Action.READING_REVIEW
        )
        reason = validated(ReviewIn, request)["reason"]
        reading = reading_reject(reading=reading, by=actor(request), reason=reason)
        return Response(ReadingOut(reading).data)


class DueRowOut(serializers.Serializer):
    meter = serializers.CharField(source="assignment.meter.serial")
    customer_id = serializers.CharField(source="assignment.customer.customer_id")
    package = serializers.CharField(
        source="assignment.customer.package.package_id", default=None
    )
    digit_capacity = serializers.IntegerField(source="assignment.meter.digit_capacity")
    previous_value = serializers.DecimalField(max_digits=12, decimal_places=3)
    previous_at = serializers.DateTimeField()
    previous_units = serializers.DecimalField(
        source="previous.units", max_digits=12, decimal_places=3, default=None
    )
    current = ReadingOut(allow_null=True, help_text="This month's reading, if taken.")

    class Meta:
        ref_name = "ReadingDue"


class DueOut(serializers.Serializer):
    plant = serializers.CharField()
    opens = serializers.DateTimeField(help_text="This month's readings open.")
    closes = serializers.DateTimeField()
    open = serializers.BooleanField()
    meters = DueRowOut(many=True, help_text="Empty while the window is shut.")

    class Meta:
        ref_name = "ReadingsDue"


class ReadingDueApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="readings_due",
        parameters=[OpenApiParameter("plant", str, required=True)],
        responses={200: DueOut, **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The plant's manually read meters, due first (manual 3.8.6)."""
        key = request.query_params.get("plant", "")
        plant = get_plant_for_user(request.user, key, Action.READING_ENTER)
        window = reading_window(plant)
        rows = selectors.meters_due(plant, window) if window.is_open else []
        body = {
            "plant": plant.key,
            "opens": window.opens,
            "closes": window.closes,
            "open": window.is_open,
            "meters": rows,
        }
        return Response(DueOut(body).data)


class LedgerRowOut(serializers.Serializer):
    taken_at = serializers.DateTimeField()
    package = serializers.CharField(source="package.package_id", default=None)
    value = serializers.DecimalField(max_digits=12, decimal_places=3)
    units = serializers.DecimalField(max_digits=12, decimal_places=3, allow_null=True)
    status = serializers.ChoiceField(choices=ReadingStatus.choices)
    source = serializers.ChoiceField(choices=ReadingSource.choices)  # type: ignore[assignment]

    class Meta:
        ref_name = "ReadingLedgerRow"


class ReadingLedgerApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="readings_ledger",
        parameters=[
            OpenApiParameter(
                "meter", str, description="A serial; the current meter if left out."
            )
        ],
        responses={200: LedgerRowOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request, customer_id: str) -> Response:
        """The reading ledger of one of the customer's meters, newest first:
        date, package, reading, units since the last one (rejected readings
        left out). The header ``X-Meters`` lists the customer's meters."""
        customer = get_customer_for_user(request.user, customer_id)
        meters = selectors.customer_meters(customer)
        chosen = selectors.chosen_meter(meters, request.query_params.get("meter"))
        qs = selectors.reading_ledger(chosen) if chosen else Reading.objects.none()
        response = self.paginated(qs, LedgerRowOut)
        response["X-Meters"] = ",".join(a.meter.serial for a in meters)
        return response


# --- interval batches ---------------------------------------------------------------
class DecimalJSONParser(JSONParser):
    """JSON with its decimals read as Decimal (a counter is never a float)."""

    def parse(
        self, stream: Any, media_type: Any = None, parser_context: Any = None
    ) -> Any:
        try:
            return json.load(stream, parse_float=Decimal)
        except ValueError as exc:
            raise ValidationFailed("json_invalid", f"Not JSON: {exc}") from exc


class BatchOut(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", default=None)

    class Meta:
        model = ReadingBatch
        ref_name = "ReadingBatch"
        fields = [
            "id",
            "key",
            "source",
            "received_at",
            "by",
            "received",
            "stored",
            "duplicates",
            "rejected",
            "gaps",
            "resets",
            "report",
        ]


class IntervalRowIn(serializers.Serializer):
    meter = serializers.CharField(help_text="The smart meter's serial.")
    at = serializers.DateTimeField(
        help_text="End of the 15-minute interval, ISO 8601 with its UTC offset."
    )
    kwh = serializers.CharField(help_text="The energy counter (kWh) at that time.")

    class Meta:
        ref_name = "IntervalReadingIn"


class IntervalBatchIn(serializers.Serializer):
    key = serializers.CharField(
        required=False, help_text="The batch key, if no Idempotency-Key header."
    )
    readings = IntervalRowIn(many=True, help_text="At most 10,000.")

    class Meta:
        ref_name = "IntervalBatchIn"


def _rows(readings: list[Any]) -> list[tuple[int, Any, Any, Any]]:
    """(index, serial, time, counter); a row that is not an object is kept
    with no serial, to be refused and reported."""
    out = []
    for n, row in enumerate(readings):
        if isinstance(row, dict):
            serial = row.get("meter")
            serial = serial.strip().upper() if isinstance(serial, str) else None
            out.append((n, serial, row.get("at"), row.get("kwh")))
        else:
            out.append((n, None, None, None))
    return out


def _digest(rows: list[tuple[int, Any, Any, Any]]) -> str:
    text = "\n".join(f"{s}|{a}|{k}" for _n, s, a, k in rows)
    return hashlib.sha256(text.encode()).hexdigest()


class BatchTooLarge(ValidationFailed):
    status = 413

    def __init__(self) -> None:
        super().__init__(
            "batch_too_large",
            f"At most {MAX_BATCH} readings a request; split the delivery.",
            field="readings",
        )


class IntervalBatchApi(Api):
    parser_classes = [DecimalJSONParser]

    @extend_schema(
        tags=TAGS,
        operation_id="readings_intervals_ingest",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="The batch key (or send `key` in the body).",
            )
        ],
        request=IntervalBatchIn,
        responses={201: BatchOut, 200: BatchOut, **POST_ERRORS, **errors(413)},
    )
    def post(self, request: Request) -> Response:
        """Store a delivery of smart meters' interval readings. Each refused
        row is in the report with its index (``row``) and a code; so are the
        duplicates whose counter differs from the one held, the gaps
        (``missing`` intervals) and the counter resets."""
        staff = require(request.user, Action.READING_IMPORT)
        body = request.data
        if not isinstance(body, dict) or not isinstance(body.get("readings"), list):
            raise ValidationFailed(
                "readings_missing", 'Send {"readings": [...]}.', field="readings"
            )
        if len(body["readings"]) > MAX_BATCH:
            raise BatchTooLarge()
        key = request.headers.get("Idempotency-Key", "").strip() or str(
            body.get("key") or ""
        )
        rows = _rows(body["readings"])
        batch, created = intervals_ingest(
            company=staff.company,
            rows=rows,
            key=key,
            source=BatchSource.API,
            by=actor(request),
            scope=meters_for(request.user, Action.READING_IMPORT),
            digest=_digest(rows),
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(BatchOut(batch).data, status=code)


class BatchListApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="readings_batches_list",
        responses={200: BatchOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Interval deliveries: the company's for company-wide staff, else
        those the user delivered."""
        return self.paginated(selectors.batches_for(request.user), BatchOut)


class BatchDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="readings_batches_retrieve",
        responses={200: BatchOut, **READ_ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(BatchOut(selectors.get_batch_for_user(request.user, pk)).data)


urlpatterns: list[URLPattern] = [
    path("", ReadingListApi.as_view(), name="reading-list"),
    path("due/", ReadingDueApi.as_view(), name="reading-due"),
    path("intervals/", IntervalBatchApi.as_view(), name="reading-intervals"),
    path("batches/", BatchListApi.as_view(), name="reading-batch-list"),
    path("batches/<int:pk>/", BatchDetailApi.as_view(), name="reading-batch-detail"),
    path(
        "ledger/<str:customer_id>/",
        ReadingLedgerApi.as_view(),
        name="reading-ledger",
    ),
    path("<int:pk>/", ReadingDetailApi.as_view(), name="reading-detail"),
    path(
        "<int:pk>/approve/",
        ReadingApproveApi.as_view(),
        name="reading-approve",
    ),
    path(
        "<int:pk>/reject/",
        ReadingRejectApi.as_view(),
        name="reading-reject",
    ),
]
