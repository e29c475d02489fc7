"""Ledger endpoints: accounts (by code) with statements, manual journals and
reversals (by journal id). Reading needs ``ledger.view``; posting needs
``ledger.post`` and an ``Idempotency-Key`` header. Staff see the accounts of
plants in their scope; company-level accounts only with company scope.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, prefetch_related_objects
from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, WRITE_ERRORS, Api, actor, errors, validated
from mcoms.core.errors import ValidationFailed
from mcoms.core.money import parse_amount
from mcoms.ledger import selectors, services
from mcoms.ledger.models import Entry, Journal, Service
from mcoms.org import access
from mcoms.org.permissions import Action

app_name = "ledger"
TAGS = ["ledger"]
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A key unique per posting; a retry with it returns the first result.",
)
POST_ERRORS = {**WRITE_ERRORS, **errors(409)}


def idempotency_key(request: Request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise ValidationFailed(
            "idempotency_key_missing", "Send an Idempotency-Key header."
        )
    return key


@extend_schema_field(OpenApiTypes.STR)
class SignedAmountField(serializers.Field):
    """A signed amount sent as a string: debit positive, credit negative."""

    def to_internal_value(self, data: object) -> Decimal:
        if isinstance(data, str) and data.strip().startswith("-"):
            return -parse_amount(data.strip()[1:], field="amount")
        return parse_amount(data, field="amount")

    def to_representation(self, value: Decimal) -> str:
        return str(value)


def with_lines(journal: Journal) -> Journal:
    """The journal with its entries and their accounts loaded in one query, so
    that ``JournalOut`` costs the same however many lines the journal has."""
    prefetch_related_objects(
        [journal], Prefetch("entries", queryset=Entry.objects.select_related("account"))
    )
    return journal


class AccountOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    service = serializers.CharField()
    holder_type = serializers.CharField()
    holder_ref = serializers.CharField()
    plant = serializers.CharField(source="plant.key", default=None)
    currency = serializers.CharField()
    balance = serializers.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ref_name = "LedgerAccount"


class JournalOut(serializers.Serializer):
    class LineOut(serializers.Serializer):
        account = serializers.CharField(source="account.code")
        amount = serializers.DecimalField(max_digits=14, decimal_places=2)
        currency = serializers.CharField()

        class Meta:
            ref_name = "LedgerJournalLine"

    id = serializers.IntegerField()
    idempotency_key = serializers.CharField()
    kind = serializers.CharField()
    memo = serializers.CharField()
    posted_at = serializers.DateTimeField()
    posted_by = serializers.CharField(source="posted_by.username", default=None)
    reverses = serializers.IntegerField(source="reverses_id", allow_null=True)
    lines = LineOut(source="entries.all", many=True)

    class Meta:
        ref_name = "LedgerJournal"


class AccountListApi(Api):
    class FilterSerializer(serializers.Serializer):
        holder_ref = serializers.CharField(required=False)
        service = serializers.ChoiceField(choices=Service.choices, required=False)

    @extend_schema(
        tags=TAGS,
        operation_id="ledger_accounts_list",
        parameters=[FilterSerializer],
        responses={200: AccountOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = (
            selectors.accounts_for_user(request.user)
            .filter(**filters.validated_data)
            .select_related("plant__state")  # AccountOut shows plant.key
        )
        return self.paginated(qs.order_by("code"), AccountOut)


class AccountDetailApi(Api):
    class FilterSerializer(serializers.Serializer):
        start = serializers.DateTimeField(required=False)
        end = serializers.DateTimeField(required=False)

    class OutputSerializer(serializers.Serializer):
        class RowOut(serializers.Serializer):
            journal = serializers.IntegerField(source="journal_id")
            posted_at = serializers.DateTimeField()
            kind = serializers.CharField()
            memo = serializers.CharField()
            amount = serializers.DecimalField(max_digits=14, decimal_places=2)
            balance = serializers.DecimalField(max_digits=14, decimal_places=2)

            class Meta:
                ref_name = "LedgerStatementRow"

        account = AccountOut()
        opening_balance = serializers.DecimalField(max_digits=14, decimal_places=2)
        closing_balance = serializers.DecimalField(max_digits=14, decimal_places=2)
        rows = RowOut(many=True)

        class Meta:
            ref_name = "LedgerStatement"

    @extend_schema(
        tags=TAGS,
        operation_id="ledger_accounts_retrieve",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **READ_ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        account = selectors.get_account_for_user(request.user, code)
        window = self.FilterSerializer(data=request.query_params)
        window.is_valid(raise_exception=True)
        statement = selectors.account_statement(account, **window.validated_data)
        return Response(self.OutputSerializer(statement).data)


class JournalCreateApi(Api):
    class InputSerializer(serializers.Serializer):
        class LineIn(serializers.Serializer):
            account = serializers.CharField(help_text="Account code.")
            amount = SignedAmountField(
                help_text="Signed decimal string: debit positive, credit negative."
            )

            class Meta:
                ref_name = "LedgerJournalLineIn"

        memo = serializers.CharField(max_length=255)
        lines = LineIn(many=True)

        class Meta:
            ref_name = "LedgerJournalIn"

    @extend_schema(
        tags=TAGS,
        operation_id="ledger_journals_create",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: JournalOut, 200: JournalOut, **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        staff = access.require(request.user, Action.LEDGER_POST)
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        lines = [
            (
                selectors.get_account_for_user(
                    request.user, line["account"], Action.LEDGER_POST
                ),
                line["amount"],
            )
            for line in data["lines"]
        ]
        journal, created = services.journal_post_once(
            company=staff.company,
            idempotency_key=key,
            lines=lines,
            kind="manual",
            memo=data["memo"],
            posted_by=actor(request),
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(JournalOut(with_lines(journal)).data, status=code)


class JournalDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="ledger_journals_retrieve",
        responses={200: JournalOut, **READ_ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        journal = selectors.get_journal_for_user(request.user, pk)
        return Response(JournalOut(with_lines(journal)).data)


class JournalReverseApi(Api):
    class InputSerializer(serializers.Serializer):
        memo = serializers.CharField(max_length=255, required=False, default="")

        class Meta:
            ref_name = "LedgerReverseIn"

    @extend_schema(
        tags=TAGS,
        operation_id="ledger_journals_reverse",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: JournalOut, 200: JournalOut, **POST_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        key = idempotency_key(request)
        journal = selectors.get_journal_for_user(request.user, pk, Action.LEDGER_POST)
        data = validated(self.InputSerializer, request)
        mirror, created = services.journal_reverse_once(
            journal=journal,
            idempotency_key=key,
            posted_by=actor(request),
            memo=data["memo"],
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(JournalOut(with_lines(mirror)).data, status=code)


urlpatterns: list[URLPattern] = [
    path("accounts/", AccountListApi.as_view(), name="account-list"),
    path("accounts/<str:code>/", AccountDetailApi.as_view(), name="account-detail"),
    path("journals/", JournalCreateApi.as_view(), name="journal-create"),
    path("journals/<int:pk>/", JournalDetailApi.as_view(), name="journal-detail"),
    path(
        "journals/<int:pk>/reverse/",
        JournalReverseApi.as_view(),
        name="journal-reverse",
    ),
]
