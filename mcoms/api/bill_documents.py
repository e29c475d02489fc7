"""Bill documents and a customer's money (docs/billing-documents.md).

* ``GET customers/{id}/payable/``: what the customer owes per service, the
  total and the latest bill (manual 4.6).
* ``GET customers/{id}/statement/?q=``: bills and charges (debits), payments
  and credits, newest first, with the running balance owed (manual 4.7).
* ``GET billing/bills/{number}/pdf/?lang=en|hi``: the bill as a PDF, in the
  customer's language unless ``lang`` says otherwise.

A customer (with their own token) reaches only their own accounts and bills;
staff need ``billing.view`` and the customer's plant in their scope. Anything
else is 404 (403 for a designation without the action).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, Api, ErrorSerializer
from mcoms.billing.documents.access import get_bill_for_user
from mcoms.billing.documents.data import bill_document
from mcoms.billing.documents.pdf import bill_pdf, languages
from mcoms.billing.documents.statement import amount_payable, customer_statement
from mcoms.customers.models import Customer
from mcoms.customers.selectors import get_customer_for_user
from mcoms.org import access
from mcoms.org.models import User
from mcoms.org.permissions import Action

TAGS = ["billing"]
ERRORS = (401, 403, 404, 503)
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


def _customer(request: Request, customer_id: str) -> Customer:
    """The customer, for a customer their own; staff also need billing.view."""
    user = request.user
    if getattr(user, "kind", "") != User.Kind.CUSTOMER:
        access.require(user, Action.BILLING_VIEW)
    return get_customer_for_user(user, customer_id)


class LastBillOut(serializers.Serializer):
    number = serializers.CharField()
    period_start = serializers.DateField(source="period.start")
    period_end = serializers.DateField(source="period.last_day")
    amount_due = serializers.DecimalField(**MONEY)
    due_date = serializers.DateField()
    estimated = serializers.BooleanField()

    class Meta:
        ref_name = "PayableLastBill"


class PayableApi(Api):
    class OutputSerializer(serializers.Serializer):
        class RowOut(serializers.Serializer):
            service = serializers.CharField(
                help_text="CHG, ACT, WATER, EMI, DEP, OTHER"
            )
            label = serializers.CharField()  # type: ignore[assignment]
            amount = serializers.DecimalField(**MONEY)

            class Meta:
                ref_name = "PayableService"

        customer = serializers.CharField()
        services = RowOut(many=True)
        total = serializers.DecimalField(**MONEY, help_text="Negative: in credit.")
        in_credit = serializers.BooleanField()
        last_bill = LastBillOut(allow_null=True)

        class Meta:
            ref_name = "AmountPayable"

    @extend_schema(
        tags=TAGS,
        operation_id="customers_payable_retrieve",
        responses={200: OutputSerializer, **READ_ERRORS},
    )
    def get(self, request: Request, customer_id: str) -> Response:
        """What the customer owes per service, with the total (manual 4.6)."""
        customer = _customer(request, customer_id)
        payable = amount_payable(customer)
        data = {
            "customer": customer.customer_id,
            "services": payable.rows,
            "total": payable.total,
            "in_credit": payable.in_credit,
            "last_bill": payable.last_bill,
        }
        return Response(self.OutputSerializer(data).data)


class StatementApi(Api):
    class OutputSerializer(serializers.Serializer):
        class RowOut(serializers.Serializer):
            journal = serializers.IntegerField(source="journal_id")
            posted_at = serializers.DateTimeField()
            kind = serializers.CharField(help_text="bill, cash_collection, ...")
            label = serializers.CharField()  # type: ignore[assignment]
            memo = serializers.CharField()
            services = serializers.ListField(child=serializers.CharField())
            amount = serializers.DecimalField(
                **MONEY, help_text="Positive: a debit (a bill); negative: a credit."
            )
            balance = serializers.DecimalField(**MONEY, help_text="Owed after it.")
            bill_number = serializers.CharField(allow_blank=True)

            class Meta:
                ref_name = "StatementRow"

        customer = serializers.CharField()
        balance = serializers.DecimalField(**MONEY, help_text="Owed now.")
        count = serializers.IntegerField(help_text="Rows before the search.")
        rows = RowOut(many=True)

        class Meta:
            ref_name = "CustomerStatement"

    @extend_schema(
        tags=TAGS,
        operation_id="customers_statement_retrieve",
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description="Text, bill number, amount or date (dd/mm/yyyy).",
            )
        ],
        responses={200: OutputSerializer, **READ_ERRORS},
    )
    def get(self, request: Request, customer_id: str) -> Response:
        """Billing and payment detail with the running balance (manual 4.7)."""
        customer = _customer(request, customer_id)
        q = str(request.query_params.get("q", "")).strip()[:60]
        found = customer_statement(customer, q)
        data = {
            "customer": customer.customer_id,
            "balance": found.balance,
            "count": found.count,
            "rows": found.rows,
        }
        return Response(self.OutputSerializer(data).data)


class PdfRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; errors stay JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()


class BillPdfApi(Api):
    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        tags=TAGS,
        operation_id="billing_bills_pdf_retrieve",
        parameters=[
            OpenApiParameter(
                "lang", str, enum=["en", "hi"], description="Default: the customer's."
            )
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            **{(code, "application/json"): ErrorSerializer for code in ERRORS},
        },
    )
    def get(self, request: Request, number: str) -> HttpResponse:
        """The bill as a PDF (503 ``bill_font_missing`` if the server lacks the
        Hindi fonts)."""
        bill = get_bill_for_user(request.user, number)
        language = str(request.query_params.get("lang", ""))
        if language not in languages():
            language = bill.customer.language
        data = bill_pdf(bill_document(bill), language=language)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{bill.number}.pdf"'
        return response


customer_urls: list[URLPattern] = [
    path("payable/", PayableApi.as_view(), name="customer-payable"),
    path("statement/", StatementApi.as_view(), name="customer-statement"),
]
bill_urls: list[URLPattern] = [
    path("bills/<str:number>/pdf/", BillPdfApi.as_view(), name="bill-pdf"),
]
