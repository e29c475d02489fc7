"""Customers, read-only for now: staff see their scope, a customer their accounts."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, Api
from mcoms.customers.models import Customer
from mcoms.customers.selectors import customers_for, get_customer_for_user

TAGS = ["customers"]


class CustomerOut(serializers.Serializer):
    customer_id = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()
    language = serializers.CharField()
    status = serializers.CharField()
    plant = serializers.SerializerMethodField()
    pole = serializers.IntegerField(source="pole.number")
    connection_no = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Customer"

    def get_plant(self, customer: Customer) -> str:
        return customer.plant.key


class CustomerListApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="customers_list",
        parameters=[
            OpenApiParameter(
                "q", str, description="Part of a name, customer ID or mobile number."
            )
        ],
        responses={200: CustomerOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Customers in the user's scope; a customer sees all their own accounts."""
        qs = customers_for(request.user)
        q = request.query_params.get("q", "").strip()
        if q:
            qs = qs.filter(
                Q(name__icontains=q)
                | Q(customer_id__icontains=q)
                | Q(phone__contains=q.replace(" ", ""))
            )
        return self.paginated(qs, CustomerOut)


class CustomerDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="customers_retrieve",
        responses={200: CustomerOut, **READ_ERRORS},
    )
    def get(self, request: Request, customer_id: str) -> Response:
        customer = get_customer_for_user(request.user, customer_id)
        return Response(CustomerOut(customer).data)
