"""Collection reports (docs/collection.md), read only.

* ``GET reports/cash-register/``: payments newest first (paginated) with the
  split by service and the total (``payment.view``; manual 3.4.4).
* ``GET reports/receivables/?plant=``: a plant's customers with billed and
  outstanding, filters, sort, search, the total bar (``receivable.view``;
  3.4.6). The plant is required: users see one plant at a time.
* ``GET reports/ageing/``: Aging Receivables per plant (3.4.6.1).
* ``GET reports/total-collection/``: per plant POS / wallet / card and the
  YTD outstanding (``payment.view``; 3.4.3.2).
* ``GET customers/{id}/deposit-ledger/``: the Security and Deposit Ledger
  (``ledger.view``; 3.5.2). The Cash Ledger is ``customers/{id}/statement/``,
  the Transaction tab ``payments/?customer=``.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, Api, errors
from mcoms.api.payments import PaymentOut
from mcoms.core.periods import period_or_default
from mcoms.customers.models import CustomerStatus
from mcoms.customers.selectors import get_customer_for_user
from mcoms.ledger.models import Service
from mcoms.org import access
from mcoms.org.permissions import Action
from mcoms.reports.ageing import ACTIVE_BUCKETS, BANNED_BUCKETS, ageing
from mcoms.reports.cash_register import cash_register
from mcoms.reports.collection import total_collection
from mcoms.reports.deposit_ledger import deposit_ledger
from mcoms.reports.receivables import SORTS, STATUSES, receivables

TAGS = ["collection"]
MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}
READ_400 = {**READ_ERRORS, **errors(400)}


class PeriodFilter(serializers.Serializer):
    start = serializers.DateField(
        required=False, help_text="Default: 1st of the month."
    )
    end = serializers.DateField(required=False, help_text="Default: today.")
    plant = serializers.CharField(required=False, max_length=6)

    class Meta:
        ref_name = "CollectionPeriodFilter"


class RegisterFilter(PeriodFilter):
    q = serializers.CharField(
        required=False, max_length=60, help_text="Customer name or ID."
    )

    class Meta:
        ref_name = "CashRegisterFilter"


def _plant(request: Request, key: str | None, action: Action) -> Any:
    return access.get_plant_for_user(request.user, key, action) if key else None


class ShareOut(serializers.Serializer):
    service = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    amount = serializers.DecimalField(**MONEY)

    class Meta:
        ref_name = "ServiceShare"


class CashRegisterApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="reports_cash_register",
        parameters=[RegisterFilter],
        responses={200: PaymentOut(many=True), **READ_400},
        description=(
            "The paginated payments, newest first; beside ``results`` the body "
            "has ``by_service`` (standing payments per service), ``total``, "
            "``payments`` (their number), ``start`` and ``end``."
        ),
    )
    def get(self, request: Request) -> Response:
        """Cash Register (manual 3.4.4)."""
        access.require(request.user, Action.PAYMENT_VIEW)
        f = RegisterFilter(data=request.query_params)
        f.is_valid(raise_exception=True)
        data = f.validated_data
        report = cash_register(
            request.user,
            period=period_or_default(data.get("start"), data.get("end")),
            plant=_plant(request, data.get("plant"), Action.PAYMENT_VIEW),
            q=data.get("q", ""),
        )
        response = self.paginated(report.payments, PaymentOut)
        response.data["by_service"] = ShareOut(report.by_service, many=True).data
        response.data["total"] = str(report.total)
        response.data["payments"] = report.count
        response.data["start"] = report.period.start.isoformat()
        response.data["end"] = report.period.end.isoformat()
        return response


class ReceivableRowOut(serializers.Serializer):
    customer = serializers.CharField(source="customer_id")
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=CustomerStatus.choices)
    billed = serializers.DecimalField(**MONEY)
    outstanding = serializers.DecimalField(**MONEY)

    class Meta:
        ref_name = "ReceivableRow"


class ReceivablesApi(Api):
    class FilterSerializer(serializers.Serializer):
        plant = serializers.CharField(max_length=6, help_text="Required: one plant.")
        month = serializers.DateField(
            required=False, input_formats=["%Y-%m"], help_text="YYYY-MM."
        )
        status = serializers.ChoiceField(choices=list(STATUSES), required=False)
        service = serializers.ChoiceField(choices=Service.choices, required=False)
        sort = serializers.ChoiceField(choices=list(SORTS), required=False)
        q = serializers.CharField(required=False, max_length=60)

        class Meta:
            ref_name = "ReceivableFilter"

    @extend_schema(
        tags=TAGS,
        operation_id="reports_receivables",
        parameters=[FilterSerializer],
        responses={200: ReceivableRowOut(many=True), **READ_400},
        description=(
            "The plant's customers (paginated) with what was billed in the "
            "month and what they owe; beside ``results``: ``plant``, ``month``, "
            "``billed`` and ``outstanding`` (the total bar)."
        ),
    )
    def get(self, request: Request) -> Response:
        """Receivable (manual 3.4.6)."""
        access.require(request.user, Action.RECEIVABLE_VIEW)
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        data = dict(f.validated_data)
        plant = _plant(request, data.pop("plant"), Action.RECEIVABLE_VIEW)
        report = receivables(request.user, plant=plant, **data)
        response = self.paginated(report.customers, ReceivableRowOut)
        response.data["plant"] = plant.key
        response.data["month"] = report.month.strftime("%Y-%m")
        response.data["billed"] = str(report.billed)
        response.data["outstanding"] = str(report.outstanding)
        return response


class CellOut(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY)
    count = serializers.IntegerField()

    class Meta:
        ref_name = "AgeingCell"


class AgeLineOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    active = serializers.DictField(
        child=CellOut(), help_text=", ".join(k for k, *_r in ACTIVE_BUCKETS)
    )
    banned = serializers.DictField(
        child=CellOut(), help_text=", ".join(k for k, *_r in BANNED_BUCKETS)
    )
    active_total = CellOut()
    banned_total = CellOut()

    class Meta:
        ref_name = "AgeingLine"


class AgeGroupOut(serializers.Serializer):
    plants = AgeLineOut(many=True)
    subtotal = AgeLineOut()

    class Meta:
        ref_name = "AgeingGroup"


class AgeingApi(Api):
    class FilterSerializer(serializers.Serializer):
        plant = serializers.CharField(required=False, max_length=6)

        class Meta:
            ref_name = "AgeingFilter"

    class OutputSerializer(serializers.Serializer):
        as_of = serializers.DateField()
        groups = AgeGroupOut(many=True)
        total = AgeLineOut()

        class Meta:
            ref_name = "Ageing"

    @extend_schema(
        tags=TAGS,
        operation_id="reports_ageing",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **READ_400},
    )
    def get(self, request: Request) -> Response:
        """Aging Receivables (manual 3.4.6.1): active 45-60, 61-90, 91-120,
        over 120 days; banned under 30, 30-60, 60-90, over 90 days."""
        access.require(request.user, Action.RECEIVABLE_VIEW)
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        plant = _plant(request, f.validated_data.get("plant"), Action.RECEIVABLE_VIEW)
        report = ageing(request.user, plant=plant)
        return Response(self.OutputSerializer(report).data)


class CollectionFiguresOut(serializers.Serializer):
    pos = serializers.DecimalField(**MONEY)
    wallet = serializers.DecimalField(**MONEY)
    card = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)
    payments = serializers.IntegerField()
    ytd_billed = serializers.DecimalField(**MONEY)
    ytd_outstanding = serializers.DecimalField(**MONEY)
    ytd_share = serializers.DecimalField(
        max_digits=6, decimal_places=1, allow_null=True
    )

    class Meta:
        ref_name = "CollectionFigures"


class CollectionLineOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    figures = CollectionFiguresOut()

    class Meta:
        ref_name = "CollectionLine"


class CollectionGroupOut(serializers.Serializer):
    plants = CollectionLineOut(many=True)
    subtotal = CollectionLineOut()

    class Meta:
        ref_name = "CollectionGroup"


class TotalCollectionApi(Api):
    class OutputSerializer(serializers.Serializer):
        start = serializers.DateField(source="period.start")
        end = serializers.DateField(source="period.end")
        year_start = serializers.DateField()
        groups = CollectionGroupOut(many=True)
        total = CollectionLineOut()

        class Meta:
            ref_name = "TotalCollection"

    @extend_schema(
        tags=TAGS,
        operation_id="reports_total_collection",
        parameters=[PeriodFilter],
        responses={200: OutputSerializer, **READ_400},
    )
    def get(self, request: Request) -> Response:
        """Total Collection (manual 3.4.3.2)."""
        access.require(request.user, Action.PAYMENT_VIEW)
        f = PeriodFilter(data=request.query_params)
        f.is_valid(raise_exception=True)
        data = f.validated_data
        report = total_collection(
            request.user,
            period=period_or_default(data.get("start"), data.get("end")),
            plant=_plant(request, data.get("plant"), Action.PAYMENT_VIEW),
        )
        return Response(self.OutputSerializer(report).data)


class DepositRowOut(serializers.Serializer):
    journal = serializers.IntegerField(source="journal_id")
    posted_at = serializers.DateTimeField()
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    memo = serializers.CharField()
    due_change = serializers.DecimalField(**MONEY)
    held_change = serializers.DecimalField(**MONEY)
    due = serializers.DecimalField(**MONEY)
    held = serializers.DecimalField(**MONEY)

    class Meta:
        ref_name = "DepositLedgerRow"


class DepositLedgerApi(Api):
    class OutputSerializer(serializers.Serializer):
        customer = serializers.CharField()
        due = serializers.DecimalField(**MONEY)
        held = serializers.DecimalField(**MONEY)
        rows = DepositRowOut(many=True)

        class Meta:
            ref_name = "DepositLedger"

    @extend_schema(
        tags=TAGS,
        operation_id="customers_deposit_ledger",
        responses={200: OutputSerializer, **READ_ERRORS},
    )
    def get(self, request: Request, customer_id: str) -> Response:
        """The Security and Deposit Ledger, newest first."""
        access.require(request.user, Action.LEDGER_VIEW)
        customer = get_customer_for_user(request.user, customer_id)
        book = deposit_ledger(customer)
        data = {
            "customer": customer.customer_id,
            "due": book.due,
            "held": book.held,
            "rows": book.rows,
        }
        return Response(self.OutputSerializer(data).data)


urlpatterns: list[URLPattern] = [
    path("cash-register/", CashRegisterApi.as_view(), name="report-cash-register"),
    path("receivables/", ReceivablesApi.as_view(), name="report-receivables"),
    path("ageing/", AgeingApi.as_view(), name="report-ageing"),
    path(
        "total-collection/",
        TotalCollectionApi.as_view(),
        name="report-total-collection",
    ),
]
customer_urls: list[URLPattern] = [
    path("deposit-ledger/", DepositLedgerApi.as_view(), name="customer-deposit-ledger"),
]
