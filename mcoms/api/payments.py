"""Payments (docs/payments.md).

* ``/payments/``: list the payments of the user's scope (a customer: their
  own); record a cash payment (``payment.take``; ``Idempotency-Key`` header: a
  retry answers 200 with the first payment's body, a new payment 201).
* ``/payments/{id}/``: one payment with where it went and its reversal.
* ``/payments/{id}/reverse/`` and ``/refund/``: ``payment.reverse``.
* ``/payments/checkout/``: card / UPI on the gateway's hosted page (the payer
  or staff with ``payment.take``); ``/payments/checkout/{id}/`` its state.
* ``/payments/conflicts/``: callbacks that did not match, and settling one
  (``payment.conflict_settle``, company-wide staff).
* ``/payments/webhooks/...``: the providers' callbacks; no session or token:
  the provider's signature (or, for M-Pesa, the URL's token and the caller's
  address) is the authentication. Every callback is stored before it is read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, Api, actor, errors, validated
from mcoms.api.ledger import IDEMPOTENCY_HEADER, POST_ERRORS, idempotency_key
from mcoms.customers.selectors import customers_for
from mcoms.org.permissions import Action
from mcoms.payments import selectors as sel
from mcoms.payments import services
from mcoms.payments.models import (
    HOSTED_CHANNELS,
    PAYABLE_SERVICES,
    SETTLE_ACTIONS,
    Channel,
    CheckoutSession,
    EventState,
    Payment,
    PaymentStatus,
    ReversalKind,
    SessionState,
)
from mcoms.payments.providers import callback_answer

TAGS = ["payments"]
HOOK_TAGS = ["payment webhooks"]


@extend_schema_field(OpenApiTypes.STR)
class AmountField(serializers.Field):
    """An amount as a string ("150.50"); checked by the service against the
    currency (zero, negative, junk, too many decimals: a 400 with a code)."""

    def to_internal_value(self, data: object) -> object:
        return data

    def to_representation(self, value: Decimal) -> str:
        return str(value)


class AllocationOut(serializers.Serializer):
    service = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ref_name = "PaymentAllocation"


class ReversalOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReversalKind.choices)
    reason = serializers.CharField()
    by = serializers.CharField(source="by.username")
    at = serializers.DateTimeField()
    journal = serializers.IntegerField(source="journal_id")

    class Meta:
        ref_name = "PaymentReversal"


class PaymentOut(serializers.Serializer):
    id = serializers.UUIDField(source="uid")
    customer = serializers.CharField(source="customer.customer_id")
    customer_name = serializers.CharField(source="customer.name")
    plant = serializers.CharField(source="plant.key")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    service = serializers.CharField(help_text="The service named; empty: oldest first.")
    status = serializers.ChoiceField(choices=PaymentStatus.choices)
    provider = serializers.CharField()
    provider_ref = serializers.CharField()
    payer = serializers.CharField()
    collected_by = serializers.CharField(source="collected_by.username", default=None)
    created_at = serializers.DateTimeField()
    journal = serializers.IntegerField(source="journal_id")
    allocations = AllocationOut(many=True)
    reversal = serializers.SerializerMethodField()

    class Meta:
        ref_name = "Payment"

    @extend_schema_field(ReversalOut(allow_null=True))
    def get_reversal(self, payment: Payment) -> dict[str, Any] | None:
        reversal = getattr(payment, "reversal", None)
        return None if reversal is None else dict(ReversalOut(reversal).data)


def _detail(payment: Payment, code: int = status.HTTP_200_OK) -> Response:
    payment = (
        Payment.objects.select_related(
            "customer", "plant__state", "collected_by", "reversal__by"
        )
        .prefetch_related("allocations")
        .get(pk=payment.pk)
    )
    return Response(PaymentOut(payment).data, status=code)


class PaymentListCreateApi(Api):
    class FilterSerializer(serializers.Serializer):
        customer = serializers.CharField(required=False, max_length=11)
        plant = serializers.CharField(required=False, max_length=6)
        channel = serializers.ChoiceField(choices=Channel.choices, required=False)
        status = serializers.ChoiceField(choices=PaymentStatus.choices, required=False)

    class InputSerializer(serializers.Serializer):
        customer = serializers.CharField(max_length=11, help_text="Customer ID.")
        amount = AmountField()
        service = serializers.ChoiceField(
            choices=PAYABLE_SERVICES, required=False, default="", allow_blank=True
        )
        client_key = serializers.CharField(
            required=False,
            default="",
            allow_blank=True,
            max_length=64,
            help_text="The field app's client-made UUID, if any.",
        )
        note = serializers.CharField(
            required=False, default="", allow_blank=True, max_length=200
        )

        class Meta:
            ref_name = "PaymentCreate"

    @extend_schema(
        tags=TAGS,
        operation_id="payments_list",
        parameters=[FilterSerializer],
        responses={200: PaymentOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Payments of the user's scope, newest first (a customer: their own)."""
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = dict(filters.validated_data)
        qs = sel.payments_for(request.user).prefetch_related("allocations")
        if customer := wanted.pop("customer", "").strip().upper():
            qs = qs.filter(customer__customer_id=customer)
        if plant := wanted.pop("plant", "").upper():
            qs = qs.filter(plant__state__code=plant[:2], plant__code=plant[2:])
        return self.paginated(qs.filter(**wanted), PaymentOut)

    @extend_schema(
        tags=TAGS,
        operation_id="payments_create",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: PaymentOut, 200: PaymentOut, **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Record cash a field agent took (point of sale). The amount goes to the
        service named, otherwise to the oldest charges first."""
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        customer = sel.get_customer_for_payment(request.user, data["customer"])
        recorded = services.payment_take_cash(
            customer=customer,
            amount=data["amount"],
            by=actor(request),
            service=data["service"],
            client_key=data["client_key"],
            idempotency_key=key,
            note=data["note"],
        )
        return _detail(recorded.payment, 201 if recorded.created else 200)


class PaymentDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="payments_retrieve",
        responses={200: PaymentOut, **READ_ERRORS},
    )
    def get(self, request: Request, uid: str) -> Response:
        return _detail(sel.get_payment_for_user(request.user, uid))


class _UndoApi(Api):
    kind = ReversalKind.REVERSAL

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=200)

        class Meta:
            ref_name = "PaymentUndo"

    def post(self, request: Request, uid: str) -> Response:
        key = idempotency_key(request)
        payment = sel.get_payment_for_user(request.user, uid, Action.PAYMENT_REVERSE)
        data = validated(self.InputSerializer, request)
        undo = (
            services.payment_refund
            if self.kind == ReversalKind.REFUND
            else services.payment_reverse
        )
        _reversal, created = undo(
            payment=payment,
            reason=data["reason"],
            by=actor(request),
            idempotency_key=key,
        )
        return _detail(payment, 201 if created else 200)


class PaymentReverseApi(_UndoApi):
    kind = ReversalKind.REVERSAL

    @extend_schema(
        tags=TAGS,
        operation_id="payments_reverse",
        parameters=[IDEMPOTENCY_HEADER],
        request=_UndoApi.InputSerializer,
        responses={201: PaymentOut, 200: PaymentOut, **POST_ERRORS},
    )
    def post(self, request: Request, uid: str) -> Response:
        """Undo a payment recorded by mistake (the mirror journal); once."""
        return super().post(request, uid)


class PaymentRefundApi(_UndoApi):
    kind = ReversalKind.REFUND

    @extend_schema(
        tags=TAGS,
        operation_id="payments_refund",
        parameters=[IDEMPOTENCY_HEADER],
        request=_UndoApi.InputSerializer,
        responses={201: PaymentOut, 200: PaymentOut, **POST_ERRORS},
    )
    def post(self, request: Request, uid: str) -> Response:
        """Give a payment back to the payer (the mirror journal); once."""
        return super().post(request, uid)


# --- card / UPI on the gateway's hosted page --------------------------------------
class SessionOut(serializers.Serializer):
    id = serializers.UUIDField(source="uid")
    customer = serializers.CharField(source="customer.customer_id")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    service = serializers.CharField()
    provider = serializers.CharField()
    checkout_url = serializers.SerializerMethodField(
        help_text="The gateway's hosted page: send the payer there."
    )
    state = serializers.ChoiceField(choices=SessionState.choices)
    payment = serializers.UUIDField(source="payment.uid", default=None)
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "CheckoutSession"

    def get_checkout_url(self, session: CheckoutSession) -> str:
        request = self.context.get("request")
        url = session.checkout_url
        if request is not None and url.startswith("/"):
            return request.build_absolute_uri(url)
        return url


class CheckoutCreateApi(Api):
    class InputSerializer(serializers.Serializer):
        customer = serializers.CharField(max_length=11)
        amount = AmountField()
        channel = serializers.ChoiceField(choices=HOSTED_CHANNELS)
        service = serializers.ChoiceField(
            choices=PAYABLE_SERVICES, required=False, default="", allow_blank=True
        )

        class Meta:
            ref_name = "CheckoutCreate"

    @extend_schema(
        tags=TAGS,
        operation_id="payments_checkout_create",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: SessionOut, 200: SessionOut, **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Start a card or UPI payment on the gateway's hosted page; the payment
        is recorded when the gateway's signed callback arrives."""
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        customer = sel.get_customer_for_checkout(request.user, data["customer"])
        session, created = services.checkout_session_create(
            customer=customer,
            amount=data["amount"],
            channel=data["channel"],
            service=data["service"],
            site_url=request.build_absolute_uri("/"),
            by=actor(request),
            idempotency_key=key,
        )
        body = SessionOut(session, context={"request": request}).data
        return Response(body, status=201 if created else 200)


class CheckoutDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="payments_checkout_retrieve",
        responses={200: SessionOut, **READ_ERRORS},
    )
    def get(self, request: Request, uid: str) -> Response:
        session = sel.get_session_for_user(request.user, uid)
        return Response(SessionOut(session, context={"request": request}).data)


# --- the conflicts queue ------------------------------------------------------------
class EventOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    provider = serializers.CharField()
    kind = serializers.CharField()
    received_at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=EventState.choices)
    signature_ok = serializers.BooleanField()
    error_code = serializers.CharField()
    error = serializers.CharField()
    event_ref = serializers.CharField(help_text="The provider's transaction id.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    reference = serializers.CharField()
    channel = serializers.CharField()
    times = serializers.IntegerField(default=1, help_text="How often it arrived.")
    payment = serializers.UUIDField(source="payment.uid", default=None)
    settlement = serializers.CharField()
    settled_by = serializers.CharField(source="settled_by.username", default=None)
    settled_at = serializers.DateTimeField(allow_null=True)
    settle_note = serializers.CharField()

    class Meta:
        ref_name = "ProviderEvent"


class ConflictListApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="payments_conflicts_list",
        responses={200: EventOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Callbacks whose amount, currency or reference did not match, waiting
        for a person: one row per provider transaction, oldest first."""
        rows = sel.conflicts_for(request.user)
        return Response(EventOut(rows, many=True).data)


class ConflictSettleApi(Api):
    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=SETTLE_ACTIONS)
        customer = serializers.CharField(max_length=11, required=False, default="")
        service = serializers.ChoiceField(
            choices=PAYABLE_SERVICES, required=False, default="", allow_blank=True
        )
        note = serializers.CharField(
            max_length=200, required=False, default="", allow_blank=True
        )

        class Meta:
            ref_name = "ConflictSettle"

    @extend_schema(
        tags=TAGS,
        operation_id="payments_conflicts_settle",
        request=InputSerializer,
        responses={200: EventOut, **POST_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Apply the callback to a customer (records the payment) or dismiss it
        with a reason."""
        event = sel.get_event_for_user(request.user, pk)
        data = validated(self.InputSerializer, request)
        customer = None
        if data["customer"]:
            customer = (
                customers_for(request.user)
                .filter(customer_id=data["customer"].strip().upper())
                .first()
            )
        event = services.provider_event_settle(
            event=event,
            action=data["action"],
            by=actor(request),
            customer=customer,
            service=data["service"],
            note=data["note"],
        )
        return Response(EventOut(event).data)


# --- webhooks (no session: the provider's signature) ---------------------------------
class _WebhookApi(Api):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = ()
    kind = "webhook"

    def receive(self, request: Request, provider: str, company: str) -> Response:
        event = services.payment_from_callback(
            provider=provider,
            company_code=company,
            kind=self.kind,
            body=request.body,
            headers=dict(request.headers),
            query={k: str(v) for k, v in request.query_params.items()},
            remote_addr=request.META.get("REMOTE_ADDR"),
        )
        code, body = callback_answer(event)
        return Response(body, status=code)


WEBHOOK_ANSWER = inline_serializer(
    "WebhookAnswer",
    {
        "state": serializers.ChoiceField(choices=EventState.choices),
        "code": serializers.CharField(),
        "payment": serializers.UUIDField(required=False),
    },
)
MPESA_ANSWER = inline_serializer(
    "MpesaAnswer",
    {"ResultCode": serializers.CharField(), "ResultDesc": serializers.CharField()},
)


class GatewayWebhookApi(_WebhookApi):
    @extend_schema(
        tags=HOOK_TAGS,
        operation_id="payments_webhook_gateway",
        auth=[],
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: WEBHOOK_ANSWER, **errors(403)},
    )
    def post(self, request: Request, provider: str, company: str) -> Response:
        """A UPI / card / wallet gateway's webhook (``razorpay`` or the
        ``simulator``), signed with HMAC-SHA256 over the raw body with the
        company's webhook secret. Stored first; a bad signature is a 403 and
        is kept as a refused event; a mismatch waits in the conflicts queue."""
        return self.receive(request, provider, company)


class MpesaValidationApi(_WebhookApi):
    kind = "validation"

    @extend_schema(
        tags=HOOK_TAGS,
        operation_id="payments_webhook_mpesa_validation",
        auth=[],
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: MPESA_ANSWER, 403: MPESA_ANSWER},
    )
    def post(self, request: Request, company: str) -> Response:
        """M-Pesa Daraja C2B validation: accept or reject before the money moves
        (``?token=`` the company's shared secret)."""
        return self.receive(request, "mpesa", company)


class MpesaConfirmationApi(_WebhookApi):
    kind = "confirmation"

    @extend_schema(
        tags=HOOK_TAGS,
        operation_id="payments_webhook_mpesa_confirmation",
        auth=[],
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: MPESA_ANSWER, 403: MPESA_ANSWER},
    )
    def post(self, request: Request, company: str) -> Response:
        """M-Pesa Daraja C2B confirmation: records the payment (once per
        ``TransID``)."""
        return self.receive(request, "mpesa", company)


urlpatterns: list[URLPattern] = [
    path("", PaymentListCreateApi.as_view(), name="payment-list"),
    path("checkout/", CheckoutCreateApi.as_view(), name="payment-checkout-create"),
    path(
        "checkout/<str:uid>/",
        CheckoutDetailApi.as_view(),
        name="payment-checkout-detail",
    ),
    path("conflicts/", ConflictListApi.as_view(), name="payment-conflict-list"),
    path(
        "conflicts/<int:pk>/settle/",
        ConflictSettleApi.as_view(),
        name="payment-conflict-settle",
    ),
    path(
        "webhooks/mpesa/<str:company>/validation/",
        MpesaValidationApi.as_view(),
        name="payment-webhook-mpesa-validation",
    ),
    path(
        "webhooks/mpesa/<str:company>/confirmation/",
        MpesaConfirmationApi.as_view(),
        name="payment-webhook-mpesa-confirmation",
    ),
    path(
        "webhooks/<str:provider>/<str:company>/",
        GatewayWebhookApi.as_view(),
        name="payment-webhook",
    ),
    path("<str:uid>/", PaymentDetailApi.as_view(), name="payment-detail"),
    path("<str:uid>/reverse/", PaymentReverseApi.as_view(), name="payment-reverse"),
    path("<str:uid>/refund/", PaymentRefundApi.as_view(), name="payment-refund"),
]
