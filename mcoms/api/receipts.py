"""Receipts (docs/receipts.md).

* ``GET /receipts/?payment=&customer=``: the receipts of the user's scope (a
  customer: their own), newest first; ``payment`` finds a payment's receipt.
* ``GET /receipts/{number}/``: one receipt: number, payment, customer,
  amount, what it paid for, what was outstanding after, the verification link.
* ``GET /receipts/{number}/escpos/``, ``/png/``, ``/pdf/``: the files
  (``?lang=en|hi``, default the customer's); errors stay JSON.
* ``GET /receipts/{number}/sms/``: the SMS text; ``POST`` sends it (again) to
  the customer or to ``phone``, with an ``Idempotency-Key`` (``payment.take``).
* ``GET /receipts/verify/{token}/``: public, no sign-in, rate-limited: whether
  a receipt's QR token is genuine (``state``: genuine, fake, unknown).

Staff need ``payment.view`` and the receipt's plant in their scope; anything
else is 404 (403 for a designation without the action).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from mcoms.api.common import READ_ERRORS, Api, ErrorSerializer, actor, validated
from mcoms.api.ledger import IDEMPOTENCY_HEADER, POST_ERRORS, idempotency_key
from mcoms.billing.documents.sms import sms_size
from mcoms.org.permissions import Action
from mcoms.payments.models import Channel
from mcoms.receipts.models import Receipt
from mcoms.receipts.render.data import verify_url
from mcoms.receipts.render.files import FORMATS, receipt_file
from mcoms.receipts.render.sms import receipt_sms_text
from mcoms.receipts.selectors import (
    get_receipt_for_user,
    receipt_verify,
    receipts_for,
)
from mcoms.receipts.services import receipt_sms_send

TAGS = ["receipts"]
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
LANG = OpenApiParameter(
    "lang", str, enum=["en", "hi"], description="Default: the customer's."
)


SERVICE_HELP = "CHG, ACT, WATER, EMI, DEP, OTHER"


class AllocationOut(serializers.Serializer):
    service = serializers.CharField(help_text=SERVICE_HELP)
    amount = serializers.DecimalField(**MONEY)

    class Meta:
        ref_name = "ReceiptAllocation"


class OwedOut(serializers.Serializer):
    service = serializers.CharField(help_text=SERVICE_HELP)
    amount = serializers.DecimalField(**MONEY, help_text="Negative: in credit.")

    class Meta:
        ref_name = "ReceiptOutstanding"


class ReceiptOut(serializers.Serializer):
    number = serializers.CharField()
    payment = serializers.UUIDField(source="payment.uid")
    customer = serializers.CharField(source="payment.customer.customer_id")
    customer_name = serializers.CharField(source="payment.customer.name")
    plant = serializers.CharField(source="plant.key")
    amount = serializers.DecimalField(source="payment.amount", **MONEY)
    currency = serializers.CharField(source="payment.currency")
    channel = serializers.ChoiceField(source="payment.channel", choices=Channel.choices)
    status = serializers.CharField(
        source="payment.status",
        help_text="posted, reversed or refunded: a receipt keeps its number and "
        "says so.",
    )
    paid_at = serializers.DateTimeField(source="payment.created_at")
    issued_at = serializers.DateTimeField()
    language = serializers.CharField()
    collected_by = serializers.CharField(
        source="payment.collected_by.username", default=None
    )
    allocations = serializers.SerializerMethodField()
    outstanding = serializers.SerializerMethodField()
    outstanding_total = serializers.DecimalField(**MONEY)
    verify_url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "Receipt"

    @extend_schema_field(AllocationOut(many=True))
    def get_allocations(self, receipt: Receipt) -> list[dict[str, Any]]:
        rows = receipt.payment.allocations.order_by("pk")
        return [{"service": a.service, "amount": a.amount} for a in rows]

    @extend_schema_field(OwedOut(many=True))
    def get_outstanding(self, receipt: Receipt) -> list[dict[str, Any]]:
        return [{"service": s, "amount": a} for s, a in receipt.outstanding.items()]

    def get_verify_url(self, receipt: Receipt) -> str:
        return verify_url(receipt.token)


class ReceiptListApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="receipts_list",
        parameters=[
            OpenApiParameter("payment", str, description="A payment's id (UUID)."),
            OpenApiParameter("customer", str, description="A customer ID."),
        ],
        responses={200: ReceiptOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The receipts of my scope (a customer: my own), newest first."""
        qs = receipts_for(request.user).order_by("-issued_at", "-pk")
        if payment := str(request.query_params.get("payment", "")).strip():
            qs = qs.filter(payment__uid__in=_uuid_or_none(payment))
        if customer := str(request.query_params.get("customer", "")).strip():
            qs = qs.filter(payment__customer__customer_id=customer.upper())
        return self.paginated(qs, ReceiptOut)


def _uuid_or_none(text: str) -> list[str]:
    try:
        return [str(uuid.UUID(text))]
    except ValueError:
        return []


class ReceiptDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="receipts_retrieve",
        responses={200: ReceiptOut, **READ_ERRORS},
    )
    def get(self, request: Request, number: str) -> Response:
        """One receipt, by its number (``R-BHKATS-2026-000123``)."""
        return Response(ReceiptOut(get_receipt_for_user(request.user, number)).data)


class _FileRenderer(BaseRenderer):
    """Lets a client ask for the file's media type; errors stay JSON."""

    charset = None

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()


class EscposRenderer(_FileRenderer):
    media_type, format = "application/octet-stream", "escpos"


class PngRenderer(_FileRenderer):
    media_type, format = "image/png", "png"


class PdfRenderer(_FileRenderer):
    media_type, format = "application/pdf", "pdf"


def _file_schema(fmt: str, summary: str) -> dict[str, Any]:
    codes = (401, 403, 404, 503)
    return {
        "tags": TAGS,
        "operation_id": f"receipts_{fmt}_retrieve",
        "summary": summary,
        "parameters": [LANG],
        "responses": {
            (200, FORMATS[fmt][0]): OpenApiResponse(OpenApiTypes.BINARY),
            **{(code, "application/json"): ErrorSerializer for code in codes},
        },
    }


class _ReceiptFileApi(Api):
    fmt = ""

    def file(self, request: Request, number: str) -> HttpResponse:
        receipt = get_receipt_for_user(request.user, number)
        lang = str(request.query_params.get("lang", ""))
        file = receipt_file(receipt, self.fmt, lang)
        response = HttpResponse(file.data, content_type=file.content_type)
        disposition = "attachment" if self.fmt == "escpos" else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{file.filename}"'
        return response


class ReceiptEscposApi(_ReceiptFileApi):
    fmt = "escpos"
    renderer_classes = [JSONRenderer, EscposRenderer]

    @extend_schema(**_file_schema(fmt, "The print job for a 58 mm ESC/POS printer."))
    def get(self, request: Request, number: str) -> HttpResponse:
        """ESC/POS bytes: text and a raster QR code, or (Hindi) one raster."""
        return self.file(request, number)


class ReceiptPngApi(_ReceiptFileApi):
    fmt = "png"
    renderer_classes = [JSONRenderer, PngRenderer]

    @extend_schema(**_file_schema(fmt, "The receipt as an image."))
    def get(self, request: Request, number: str) -> HttpResponse:
        """A greyscale PNG 576 pixels wide."""
        return self.file(request, number)


class ReceiptPdfApi(_ReceiptFileApi):
    fmt = "pdf"
    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(**_file_schema(fmt, "The receipt as a PDF."))
    def get(self, request: Request, number: str) -> HttpResponse:
        """An A5 PDF (503 ``bill_font_missing`` without the Hindi fonts)."""
        return self.file(request, number)


class ReceiptSmsApi(Api):
    class InputSerializer(serializers.Serializer):
        phone = serializers.CharField(
            required=False, allow_blank=True, help_text="Default: the customer's."
        )

        class Meta:
            ref_name = "ReceiptSmsIn"

    class OutputSerializer(serializers.Serializer):
        text = serializers.CharField()
        language = serializers.CharField()
        encoding = serializers.CharField(help_text="GSM-7 or UCS-2")
        parts = serializers.IntegerField()

        class Meta:
            ref_name = "ReceiptSms"

    class SentSerializer(serializers.Serializer):
        phone = serializers.CharField()
        message = serializers.IntegerField(source="message_id")
        at = serializers.DateTimeField()

        class Meta:
            ref_name = "ReceiptSmsSent"

    @extend_schema(
        tags=TAGS,
        operation_id="receipts_sms_retrieve",
        parameters=[LANG],
        responses={200: OutputSerializer, **READ_ERRORS},
    )
    def get(self, request: Request, number: str) -> Response:
        """The receipt's SMS text, with its encoding and number of parts."""
        receipt = get_receipt_for_user(request.user, number)
        language = str(request.query_params.get("lang", "")) or receipt.language
        language = language if language in ("en", "hi") else receipt.language
        text = receipt_sms_text(receipt, language)
        size = sms_size(text)
        data = {
            "text": text,
            "language": language,
            "encoding": size.encoding,
            "parts": size.parts,
        }
        return Response(self.OutputSerializer(data).data)

    @extend_schema(
        tags=TAGS,
        operation_id="receipts_sms_create",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: SentSerializer, 200: SentSerializer, **POST_ERRORS},
    )
    def post(self, request: Request, number: str) -> Response:
        """Send the receipt by SMS (again); a retry with the same key sends
        nothing new and answers 200."""
        receipt = get_receipt_for_user(request.user, number, Action.PAYMENT_TAKE)
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        send, created = receipt_sms_send(
            receipt=receipt, key=key, by=actor(request), phone=data.get("phone", "")
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.SentSerializer(send).data, status=code)


class VerifyThrottle(SimpleRateThrottle):
    """Per address, ``RECEIPT_VERIFY_PER_MINUTE`` lookups a minute."""

    scope = "receipt_verify"

    def get_rate(self) -> str:
        return f"{settings.RECEIPT_VERIFY_PER_MINUTE}/min"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


class ReceiptVerifyApi(Api):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [VerifyThrottle]

    class OutputSerializer(serializers.Serializer):
        state = serializers.ChoiceField(
            choices=["genuine", "fake", "unknown"],
            help_text="fake: the token does not verify; unknown: no such receipt.",
        )
        genuine = serializers.BooleanField()
        number = serializers.CharField(allow_blank=True)
        amount = serializers.DecimalField(**MONEY, allow_null=True)
        currency = serializers.CharField(allow_blank=True)
        paid_at = serializers.DateTimeField(allow_null=True)
        company = serializers.CharField(allow_blank=True)
        plant = serializers.CharField(allow_blank=True)
        customer_id = serializers.CharField(allow_blank=True, help_text="Masked.")
        customer_name = serializers.CharField(allow_blank=True, help_text="Masked.")
        status = serializers.CharField(
            allow_blank=True, help_text="posted, reversed or refunded."
        )

        class Meta:
            ref_name = "ReceiptVerification"

    @extend_schema(
        tags=TAGS,
        operation_id="receipts_verify_retrieve",
        auth=[],
        responses={200: OutputSerializer, 429: ErrorSerializer},
    )
    def get(self, request: Request, token: str) -> Response:
        """Whether a receipt's QR token is genuine (no sign-in)."""
        result = receipt_verify(token[:80])
        data = {**result.__dict__, "genuine": result.genuine}
        return Response(self.OutputSerializer(data).data)


urlpatterns: list[URLPattern] = [
    path("", ReceiptListApi.as_view(), name="receipt-list"),
    path("verify/<str:token>/", ReceiptVerifyApi.as_view(), name="receipt-verify"),
    path("<str:number>/", ReceiptDetailApi.as_view(), name="receipt-detail"),
    path("<str:number>/escpos/", ReceiptEscposApi.as_view(), name="receipt-escpos"),
    path("<str:number>/png/", ReceiptPngApi.as_view(), name="receipt-png"),
    path("<str:number>/pdf/", ReceiptPdfApi.as_view(), name="receipt-pdf"),
    path("<str:number>/sms/", ReceiptSmsApi.as_view(), name="receipt-sms"),
]
