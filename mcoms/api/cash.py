"""Cash in hand and bank deposits (docs/collection.md).

* ``GET cash/mine/``: the caller's cash in hand, deposits waiting, the limit.
* ``GET cash/in-hand/``: In Hand Cash per plant and agent (``cash.view``).
* ``GET|POST cash/deposits/``: the deposits of the scope; register one of
  one's own cash (``cash.deposit``; multipart with the slip; the
  ``Idempotency-Key`` header is the deposit's key: a retry answers 200 with
  the first deposit, a new one 201).
* ``GET cash/deposits/{id}/`` and ``.../slip/``: one deposit, its slip.
* ``POST cash/deposits/{id}/verify/`` and ``.../reject/``: head office
  (``cash.verify``); a repeat answers 200 and writes nothing.
* ``GET cash/review/``: registered against received per plant, anomalies.
* ``GET|POST cash/limits/``: the limit on cash in hand (``cash.limit_edit``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import FileResponse
from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, Api, actor, errors, validated
from mcoms.api.ledger import IDEMPOTENCY_HEADER, POST_ERRORS, idempotency_key
from mcoms.cash import selectors as sel
from mcoms.cash import services
from mcoms.cash.models import BankDeposit, CashLimit, DepositStatus
from mcoms.core.periods import period_or_default
from mcoms.org import access
from mcoms.org.models import ScopeLevel
from mcoms.org.permissions import Action

TAGS = ["cash"]
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class PeriodFilter(serializers.Serializer):
    start = serializers.DateField(
        required=False, help_text="Default: 1st of the month."
    )
    end = serializers.DateField(required=False, help_text="Default: today.")
    plant = serializers.CharField(required=False, max_length=6)

    class Meta:
        ref_name = "CashPeriodFilter"


def _filters(request: Request, action: Action) -> tuple[Any, Any]:
    f = PeriodFilter(data=request.query_params)
    f.is_valid(raise_exception=True)
    data = f.validated_data
    plant = None
    if data.get("plant"):
        plant = access.get_plant_for_user(request.user, data["plant"], action)
    return period_or_default(data.get("start"), data.get("end")), plant


class DepositOut(serializers.Serializer):
    id = serializers.UUIDField(source="uid")
    plant = serializers.CharField(source="plant.key")
    agent = serializers.CharField(source="agent.username")
    amount = serializers.DecimalField(**MONEY)
    currency = serializers.CharField()
    deposited_on = serializers.DateField()
    bank = serializers.CharField()
    reference = serializers.CharField()
    slip_type = serializers.CharField()
    status = serializers.ChoiceField(choices=DepositStatus.choices)
    mismatch = serializers.BooleanField()
    registered_at = serializers.DateTimeField()
    received_amount = serializers.DecimalField(**MONEY, allow_null=True)
    settled_by = serializers.CharField(source="settled_by.username", default=None)
    settled_at = serializers.DateTimeField(allow_null=True)
    settle_note = serializers.CharField()
    journal = serializers.IntegerField(source="journal_id")
    settle_journal = serializers.IntegerField(
        source="settle_journal_id", allow_null=True
    )

    class Meta:
        ref_name = "BankDeposit"


def _deposit(deposit: BankDeposit, code: int = 200) -> Response:
    fresh = BankDeposit.objects.select_related(
        "plant__state", "agent", "settled_by"
    ).get(pk=deposit.pk)
    return Response(DepositOut(fresh).data, status=code)


class MineApi(Api):
    class OutputSerializer(serializers.Serializer):
        in_hand = serializers.DecimalField(**MONEY)
        pending = serializers.DecimalField(**MONEY)
        pending_count = serializers.IntegerField()
        limit = serializers.DecimalField(**MONEY, allow_null=True)
        over_limit = serializers.BooleanField()

        class Meta:
            ref_name = "AgentCash"

    @extend_schema(
        tags=TAGS,
        operation_id="cash_mine",
        responses={200: OutputSerializer, **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The caller's cash in hand (their ledger account) and deposits waiting."""
        staff = access.require(request.user, Action.CASH_DEPOSIT)
        mine = sel.agent_cash(actor(request), staff.plant)
        return Response(self.OutputSerializer(mine).data)


class FiguresOut(serializers.Serializer):
    collected = serializers.DecimalField(**MONEY)
    deposited = serializers.DecimalField(**MONEY)
    in_hand = serializers.DecimalField(**MONEY)
    pending = serializers.DecimalField(**MONEY)

    class Meta:
        ref_name = "CashFigures"


class AgentOut(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    figures = FiguresOut()
    over_limit = serializers.BooleanField()

    class Meta:
        ref_name = "CashAgentLine"


class CashLineOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    figures = FiguresOut()
    agents = AgentOut(many=True)
    limit = serializers.DecimalField(**MONEY, allow_null=True)

    class Meta:
        ref_name = "CashLine"


class CashGroupOut(serializers.Serializer):
    plants = CashLineOut(many=True)
    subtotal = CashLineOut()

    class Meta:
        ref_name = "CashGroup"


class InHandApi(Api):
    class OutputSerializer(serializers.Serializer):
        start = serializers.DateField(source="period.start")
        end = serializers.DateField(source="period.end")
        groups = CashGroupOut(many=True)
        total = CashLineOut()

        class Meta:
            ref_name = "InHandCash"

    @extend_schema(
        tags=TAGS,
        operation_id="cash_in_hand",
        parameters=[PeriodFilter],
        responses={200: OutputSerializer, **READ_ERRORS, **errors(400)},
    )
    def get(self, request: Request) -> Response:
        """In Hand Cash (manual 3.7.7): collected and deposited in the period,
        cash in hand now, per plant and agent; cluster subtotals, total."""
        access.require(request.user, Action.CASH_VIEW)
        period, plant = _filters(request, Action.CASH_VIEW)
        report = sel.cash_in_hand(request.user, period=period, plant=plant)
        return Response(self.OutputSerializer(report).data)


class DepositListCreateApi(Api):
    parser_classes = (MultiPartParser, FormParser)

    class FilterSerializer(serializers.Serializer):
        plant = serializers.CharField(required=False, max_length=6)
        status = serializers.ChoiceField(choices=DepositStatus.choices, required=False)
        q = serializers.CharField(required=False, max_length=60)

        class Meta:
            ref_name = "DepositFilter"

    class InputSerializer(serializers.Serializer):
        plant = serializers.CharField(max_length=6, help_text="Plant key, BHKATS.")
        amount = serializers.CharField(
            max_length=20, help_text='As a string: "1500.00".'
        )
        deposited_on = serializers.DateField()
        bank = serializers.CharField(max_length=200)
        reference = serializers.CharField(
            max_length=200, required=False, default="", allow_blank=True
        )
        slip = serializers.FileField(
            help_text="Photo (JPEG, PNG, WebP) or PDF of the slip; 5 MB at most."
        )

        class Meta:
            ref_name = "DepositCreate"

    @extend_schema(
        tags=TAGS,
        operation_id="cash_deposits_list",
        parameters=[FilterSerializer],
        responses={200: DepositOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Deposits of the user's plants, newest first."""
        f = self.FilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        qs = sel.deposits_for(request.user)
        if key := f.validated_data.get("plant"):
            plant = access.get_plant_for_user(request.user, key, Action.CASH_VIEW)
            qs = qs.filter(plant=plant)
        if wanted := f.validated_data.get("status"):
            qs = qs.filter(status=wanted)
        qs = sel.deposit_search(qs, f.validated_data.get("q", ""))
        return self.paginated(qs, DepositOut)

    @extend_schema(
        tags=TAGS,
        operation_id="cash_deposits_create",
        parameters=[IDEMPOTENCY_HEADER],
        request={"multipart/form-data": InputSerializer},
        responses={201: DepositOut, 200: DepositOut, **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Register a bank deposit of the caller's cash in hand with the
        slip; more than the cash in hand is refused (nothing written)."""
        access.require(request.user, Action.CASH_DEPOSIT)
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        plant = access.get_plant_for_user(
            request.user, data["plant"], Action.CASH_DEPOSIT
        )
        deposit, created = services.bank_deposit_register(
            agent=actor(request),
            plant=plant,
            amount=data["amount"],
            deposited_on=data["deposited_on"],
            bank=data["bank"],
            reference=data["reference"],
            slip=data["slip"],
            client_key=key,
        )
        return _deposit(deposit, 201 if created else 200)


class DepositDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="cash_deposits_retrieve",
        responses={200: DepositOut, **READ_ERRORS},
    )
    def get(self, request: Request, uid: str) -> Response:
        return _deposit(sel.get_deposit_for_user(request.user, uid))


class DepositSlipApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="cash_deposits_slip",
        responses={
            200: OpenApiResponse(OpenApiTypes.BINARY, description="The slip."),
            **READ_ERRORS,
        },
    )
    def get(self, request: Request, uid: str) -> FileResponse:
        """The stored slip (only through this scoped call)."""
        deposit = sel.get_deposit_for_user(request.user, uid)
        return FileResponse(deposit.slip.open("rb"), content_type=deposit.slip_type)


class DepositVerifyApi(Api):
    class InputSerializer(serializers.Serializer):
        received_amount = serializers.CharField(
            max_length=20, help_text="The amount on the bank statement."
        )
        note = serializers.CharField(
            max_length=200, required=False, default="", allow_blank=True
        )

        class Meta:
            ref_name = "DepositVerify"

    @extend_schema(
        tags=TAGS,
        operation_id="cash_deposits_verify",
        request=InputSerializer,
        responses={201: DepositOut, 200: DepositOut, **POST_ERRORS},
    )
    def post(self, request: Request, uid: str) -> Response:
        """Head office saw it on the bank statement; a different amount goes
        back to the agent's cash in hand and shows as an anomaly."""
        deposit = sel.get_deposit_for_user(request.user, uid, Action.CASH_VERIFY)
        data = validated(self.InputSerializer, request)
        done, created = services.bank_deposit_verify(
            deposit=deposit,
            received_amount=data["received_amount"],
            note=data["note"],
            by=actor(request),
        )
        return _deposit(done, 201 if created else 200)


class DepositRejectApi(Api):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=200)

        class Meta:
            ref_name = "DepositReject"

    @extend_schema(
        tags=TAGS,
        operation_id="cash_deposits_reject",
        request=InputSerializer,
        responses={201: DepositOut, 200: DepositOut, **POST_ERRORS},
    )
    def post(self, request: Request, uid: str) -> Response:
        """Not in the bank: the registration is reversed (a journal), the cash
        is the agent's again."""
        deposit = sel.get_deposit_for_user(request.user, uid, Action.CASH_VERIFY)
        data = validated(self.InputSerializer, request)
        done, created = services.bank_deposit_reject(
            deposit=deposit, reason=data["reason"], by=actor(request)
        )
        return _deposit(done, 201 if created else 200)


class ReviewFiguresOut(serializers.Serializer):
    registered = serializers.DecimalField(**MONEY)
    registered_n = serializers.IntegerField()
    received = serializers.DecimalField(**MONEY)
    received_n = serializers.IntegerField()
    pending = serializers.DecimalField(**MONEY)
    pending_n = serializers.IntegerField()
    rejected = serializers.DecimalField(**MONEY)
    rejected_n = serializers.IntegerField()
    anomalies = serializers.IntegerField()

    class Meta:
        ref_name = "DepositReviewFigures"


class ReviewLineOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    figures = ReviewFiguresOut()

    class Meta:
        ref_name = "DepositReviewLine"


class ReviewGroupOut(serializers.Serializer):
    plants = ReviewLineOut(many=True)
    subtotal = ReviewLineOut()

    class Meta:
        ref_name = "DepositReviewGroup"


class AnomalyOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["rejected", "mismatch", "stale"])
    deposit = DepositOut()

    class Meta:
        ref_name = "DepositAnomaly"


class ReviewApi(Api):
    class OutputSerializer(serializers.Serializer):
        start = serializers.DateField(source="period.start")
        end = serializers.DateField(source="period.end")
        stale_days = serializers.IntegerField()
        groups = ReviewGroupOut(many=True)
        total = ReviewLineOut()
        anomalies = AnomalyOut(many=True)

        class Meta:
            ref_name = "DepositReview"

    @extend_schema(
        tags=TAGS,
        operation_id="cash_review",
        parameters=[PeriodFilter],
        responses={200: OutputSerializer, **READ_ERRORS, **errors(400)},
    )
    def get(self, request: Request) -> Response:
        """Bank Deposit Review (manual 3.7.7)."""
        access.require(request.user, Action.CASH_VIEW)
        period, plant = _filters(request, Action.CASH_VIEW)
        report = sel.deposit_review(request.user, period=period, plant=plant)
        return Response(self.OutputSerializer(report).data)


class LimitOut(serializers.Serializer):
    plant = serializers.CharField(source="plant.key", default=None)
    amount = serializers.DecimalField(**MONEY)
    changed_by = serializers.CharField(source="changed_by.username", default=None)
    changed_at = serializers.DateTimeField()

    class Meta:
        ref_name = "CashLimit"


class LimitApi(Api):
    class InputSerializer(serializers.Serializer):
        plant = serializers.CharField(
            max_length=6,
            required=False,
            default="",
            allow_blank=True,
            help_text="A plant key; empty: the company's (company-wide staff).",
        )
        amount = serializers.CharField(
            max_length=20,
            required=False,
            default="",
            allow_blank=True,
            help_text="Empty: remove the limit.",
        )

        class Meta:
            ref_name = "CashLimitSet"

    def _limits(self, request: Request) -> Response:
        staff = access.require(request.user, Action.CASH_LIMIT_EDIT)
        plants = access.plants_for(request.user, Action.CASH_LIMIT_EDIT)
        qs = CashLimit.objects.filter(company=staff.company).select_related(
            "plant__state", "changed_by"
        )
        visible = qs.filter(plant__in=plants) | qs.filter(plant__isnull=True)
        ordered = visible.order_by(F("plant_id").asc(nulls_first=True))
        return Response(LimitOut(ordered, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="cash_limits_list",
        responses={200: LimitOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The company's limit and the plants' own."""
        return self._limits(request)

    @extend_schema(
        tags=TAGS,
        operation_id="cash_limits_set",
        request=InputSerializer,
        responses={200: LimitOut(many=True), **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Set (or, with no amount, remove) a limit; setting the same value
        again changes nothing but the time."""
        staff = access.require(request.user, Action.CASH_LIMIT_EDIT)
        data = validated(self.InputSerializer, request)
        plant = None
        if data["plant"]:
            plant = access.get_plant_for_user(
                request.user, data["plant"], Action.CASH_LIMIT_EDIT
            )
        elif staff.scope_level != ScopeLevel.COMPANY:
            raise PermissionDenied("Only company-wide staff set the company's.")
        services.cash_limit_set(
            company=staff.company, plant=plant, amount=data["amount"], by=actor(request)
        )
        return self._limits(request)


urlpatterns: list[URLPattern] = [
    path("mine/", MineApi.as_view(), name="cash-mine"),
    path("in-hand/", InHandApi.as_view(), name="cash-in-hand"),
    path("review/", ReviewApi.as_view(), name="cash-review"),
    path("limits/", LimitApi.as_view(), name="cash-limits"),
    path("deposits/", DepositListCreateApi.as_view(), name="cash-deposit-list"),
    path("deposits/<str:uid>/", DepositDetailApi.as_view(), name="cash-deposit-detail"),
    path(
        "deposits/<str:uid>/slip/", DepositSlipApi.as_view(), name="cash-deposit-slip"
    ),
    path(
        "deposits/<str:uid>/verify/",
        DepositVerifyApi.as_view(),
        name="cash-deposit-verify",
    ),
    path(
        "deposits/<str:uid>/reject/",
        DepositRejectApi.as_view(),
        name="cash-deposit-reject",
    ),
]
