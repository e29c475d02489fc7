"""Billing (docs/billing.md): periods per plant, their run, bills.

Reading needs ``billing.view`` within the user's scope; creating a period and
starting (or resuming) its run need ``billing.run``; adjustments for the next
bill need ``billing.adjust``. A period is named by its plant and first day:
``/billing/periods/BHKATS/2026-10-01/``; a bill by its number.

Retries write nothing: the same period again answers 200 with it (another
period overlapping it: 409 ``period_overlaps``); starting a run that exists
resumes it or, when done, answers with it; an adjustment needs an
``Idempotency-Key`` header.
"""

from __future__ import annotations

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, Api, actor, errors, validated
from mcoms.api.ledger import IDEMPOTENCY_HEADER, POST_ERRORS, idempotency_key
from mcoms.billing import selectors, services
from mcoms.billing.models import BILLED_SERVICES, BillingPeriod, RunStatus
from mcoms.customers.selectors import get_customer_for_user
from mcoms.org import access
from mcoms.org.permissions import Action

app_name = "billing"
TAGS = ["billing"]
PERIOD_PARAMS = [
    OpenApiParameter("plant", str, OpenApiParameter.PATH, description="BHKATS"),
    OpenApiParameter("start", str, OpenApiParameter.PATH, description="2026-10-01"),
]


# --- output -------------------------------------------------------------------------
class RunOut(serializers.Serializer):
    status = serializers.ChoiceField(choices=RunStatus.choices)
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    started_by = serializers.CharField(source="started_by.username", default=None)
    touched_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField()
    error = serializers.CharField()

    class Meta:
        ref_name = "BillingRun"


class PeriodOut(serializers.Serializer):
    plant = serializers.CharField(source="plant.key")
    start = serializers.DateField()
    end = serializers.DateField(help_text="The day after the last day.")
    last_day = serializers.DateField()
    due_date = serializers.DateField()
    days = serializers.IntegerField()
    run = serializers.SerializerMethodField()

    class Meta:
        ref_name = "BillingPeriod"

    @extend_schema_field(RunOut(allow_null=True))
    def get_run(self, period: BillingPeriod) -> dict | None:
        run = getattr(period, "run", None)
        return None if run is None else RunOut(run).data


class LineOut(serializers.Serializer):
    service = serializers.ChoiceField(choices=BILLED_SERVICES)
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3)
    unit_price = serializers.DecimalField(
        max_digits=14, decimal_places=4, allow_null=True
    )
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    estimated = serializers.BooleanField()

    class Meta:
        ref_name = "BillLine"


class BillOut(serializers.Serializer):
    number = serializers.CharField()
    customer_id = serializers.CharField(source="customer.customer_id")
    customer_name = serializers.CharField(source="customer.name")
    plant = serializers.CharField(source="plant.key")
    period_start = serializers.DateField(source="period.start")
    period_end = serializers.DateField(source="period.end")
    package_id = serializers.CharField(source="package.package_id", default=None)
    billing_type = serializers.CharField()
    issued_at = serializers.DateTimeField()
    due_date = serializers.DateField()
    previous_balance = serializers.DecimalField(max_digits=14, decimal_places=2)
    payments = serializers.DecimalField(max_digits=14, decimal_places=2)
    new_charges = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount_due = serializers.DecimalField(max_digits=14, decimal_places=2)
    charges = serializers.DictField(
        child=serializers.CharField(), help_text='By service: {"CHG": "120.00"}.'
    )
    estimated = serializers.BooleanField()
    kwh = serializers.DecimalField(max_digits=12, decimal_places=3, allow_null=True)

    class Meta:
        ref_name = "Bill"


class BillDetailOut(BillOut):
    journal = serializers.IntegerField(source="journal_id", allow_null=True)
    lines = LineOut(many=True, source="lines.all")

    class Meta:
        ref_name = "BillDetail"


# --- periods ------------------------------------------------------------------------
class PeriodListCreateApi(Api):
    class FilterSerializer(serializers.Serializer):
        plant = serializers.CharField(required=False, help_text="BHKATS")

    class InputSerializer(serializers.Serializer):
        plant = serializers.CharField(help_text="BHKATS")
        start = serializers.DateField()
        end = serializers.DateField(
            required=False, help_text="The day after the last; a month by default."
        )
        due_days = serializers.IntegerField(required=False, default=15)

        class Meta:
            ref_name = "BillingPeriodIn"

    @extend_schema(
        tags=TAGS,
        operation_id="billing_periods_list",
        parameters=[FilterSerializer],
        responses={200: PeriodOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.periods_for(request.user)
        if plant := filters.validated_data.get("plant"):
            qs = qs.filter(plant=access.get_plant_for_user(request.user, plant))
        return self.paginated(qs, PeriodOut)

    @extend_schema(
        tags=TAGS,
        operation_id="billing_periods_create",
        request=InputSerializer,
        responses={201: PeriodOut, 200: PeriodOut, **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request)
        plant = access.get_plant_for_user(
            request.user, data["plant"], Action.BILLING_RUN
        )
        end = data.get("end") or services.month_after(data["start"])
        same = BillingPeriod.objects.filter(
            plant=plant, start=data["start"], end=end
        ).first()
        if same is not None:
            return Response(PeriodOut(same).data)
        period = services.billing_period_create(
            plant=plant,
            start=data["start"],
            end=end,
            due_days=data["due_days"],
            by=actor(request),
        )
        return Response(PeriodOut(period).data, status=status.HTTP_201_CREATED)


class PeriodDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="billing_periods_retrieve",
        parameters=PERIOD_PARAMS,
        responses={200: PeriodOut, **READ_ERRORS},
    )
    def get(self, request: Request, plant: str, start: str) -> Response:
        period = selectors.get_period_for_user(request.user, plant, start)
        return Response(PeriodOut(period).data)


class RunApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="billing_runs_retrieve",
        parameters=PERIOD_PARAMS,
        responses={200: RunOut, **READ_ERRORS},
    )
    def get(self, request: Request, plant: str, start: str) -> Response:
        period = selectors.get_period_for_user(request.user, plant, start)
        run = selectors.run_of(period)
        if run is None:
            return Response(
                {"code": "run_not_started", "detail": "This period has no run yet."},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(RunOut(run).data)

    @extend_schema(
        tags=TAGS,
        operation_id="billing_runs_start",
        parameters=PERIOD_PARAMS,
        request=None,
        responses={202: RunOut, 200: RunOut, **POST_ERRORS, **errors(409)},
        description="Start the period's run, or resume it; the task worker "
        "bills. A finished run is returned as it is (200).",
    )
    def post(self, request: Request, plant: str, start: str) -> Response:
        period = selectors.get_period_for_user(
            request.user, plant, start, Action.BILLING_RUN
        )
        run = services.billing_run_start(period=period, by=actor(request), enqueue=True)
        code = status.HTTP_200_OK if run.status == RunStatus.DONE else 202
        return Response(RunOut(run).data, status=code)


# --- bills --------------------------------------------------------------------------
class PeriodBillListApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="billing_period_bills_list",
        parameters=PERIOD_PARAMS,
        responses={200: BillOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request, plant: str, start: str) -> Response:
        period = selectors.get_period_for_user(request.user, plant, start)
        qs = selectors.bills_of_period(period).select_related("plant__state", "period")
        return self.paginated(qs, BillOut)


class BillListApi(Api):
    class FilterSerializer(serializers.Serializer):
        customer = serializers.CharField(required=False, help_text="BHKATS00101")
        plant = serializers.CharField(required=False, help_text="BHKATS")

    @extend_schema(
        tags=TAGS,
        operation_id="billing_bills_list",
        parameters=[FilterSerializer],
        responses={200: BillOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.bills_for(request.user)
        if customer_id := filters.validated_data.get("customer"):
            qs = qs.filter(customer=get_customer_for_user(request.user, customer_id))
        if plant := filters.validated_data.get("plant"):
            qs = qs.filter(plant=access.get_plant_for_user(request.user, plant))
        return self.paginated(qs.order_by("-issued_at", "-pk"), BillOut)


class BillDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="billing_bills_retrieve",
        responses={200: BillDetailOut, **READ_ERRORS},
    )
    def get(self, request: Request, number: str) -> Response:
        bill = selectors.get_bill_for_user(request.user, number)
        return Response(BillDetailOut(bill).data)


class AdjustmentCreateApi(Api):
    class InputSerializer(serializers.Serializer):
        customer = serializers.CharField(help_text="BHKATS00101")
        service = serializers.ChoiceField(choices=BILLED_SERVICES)
        amount = serializers.CharField(help_text="A charge, or with a minus a credit.")
        description = serializers.CharField(max_length=200)

        class Meta:
            ref_name = "BillingAdjustmentIn"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        customer_id = serializers.CharField(source="customer.customer_id")
        service = serializers.CharField()
        amount = serializers.DecimalField(max_digits=14, decimal_places=2)
        description = serializers.CharField()
        bill = serializers.CharField(source="bill.number", default=None)

        class Meta:
            ref_name = "BillingAdjustment"

    @extend_schema(
        tags=TAGS,
        operation_id="billing_adjustments_create",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: OutputSerializer, 200: OutputSerializer, **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        access.require(request.user, Action.BILLING_ADJUST)
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        customer = get_customer_for_user(request.user, data["customer"])
        adjustment, created = services.adjustment_add(
            customer=customer,
            service=data["service"],
            amount=data["amount"],
            description=data["description"],
            idempotency_key=key,
            by=actor(request),
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.OutputSerializer(adjustment).data, status=code)


urlpatterns: list[URLPattern] = [
    path("periods/", PeriodListCreateApi.as_view(), name="period-list"),
    path(
        "periods/<str:plant>/<str:start>/",
        PeriodDetailApi.as_view(),
        name="period-detail",
    ),
    path("periods/<str:plant>/<str:start>/run/", RunApi.as_view(), name="run"),
    path(
        "periods/<str:plant>/<str:start>/bills/",
        PeriodBillListApi.as_view(),
        name="period-bills",
    ),
    path("bills/", BillListApi.as_view(), name="bill-list"),
    path("bills/<str:number>/", BillDetailApi.as_view(), name="bill-detail"),
    path("adjustments/", AdjustmentCreateApi.as_view(), name="adjustment-create"),
]
