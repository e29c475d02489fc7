"""The customer app's connection request (manual 4.2.1), public: the plants of
a company, a code by SMS to the number the connection is for, then the request
with the code. A signed-in customer may refer someone else by naming one of
their own accounts, and lists their requests. The request enters the pipeline
at stage 3 (docs/acquisition.md).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.acquisition import selectors, services
from mcoms.acquisition.models import Prospect
from mcoms.api.common import Api, actor, errors, validated
from mcoms.api.ledger import IDEMPOTENCY_HEADER, idempotency_key
from mcoms.core.errors import ValidationFailed
from mcoms.customers.models import Customer, Segment
from mcoms.org.models import Company, Language, Plant, User

app_name = "connection_requests"
PUBLIC_TAGS = ["connection requests"]


def _company(code: str) -> Company:
    company = Company.objects.filter(code=code).first()
    if company is None:
        raise Http404(f"No company {code:.20}.")
    return company


class PublicPlantOut(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    village = serializers.CharField()

    class Meta:
        ref_name = "PublicPlant"


class RequestPlantListApi(Api):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    class FilterSerializer(serializers.Serializer):
        company = serializers.CharField(max_length=20)

    @extend_schema(
        tags=PUBLIC_TAGS,
        operation_id="connection_requests_plants",
        parameters=[FilterSerializer],
        responses={200: PublicPlantOut(many=True), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        """The plants of a company where a connection can be asked for."""
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        company = _company(filters.validated_data["company"])
        plants = Plant.objects.filter(company=company).select_related("state")
        return self.paginated(plants.order_by("state__code", "code"), PublicPlantOut)


class RequestOtpApi(Api):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_scope = "otp"

    class InputSerializer(serializers.Serializer):
        phone = serializers.CharField(max_length=20)
        language = serializers.ChoiceField(choices=Language.choices, default="hi")

        class Meta:
            ref_name = "ConnectionRequestOtp"

    class SentOut(serializers.Serializer):
        detail = serializers.CharField()

        class Meta:
            ref_name = "ConnectionRequestCodeSent"

    @extend_schema(
        tags=PUBLIC_TAGS,
        operation_id="connection_requests_otp",
        request=InputSerializer,
        responses={202: SentOut, **errors(400, 429)},
    )
    def post(self, request: Request) -> Response:
        """Send a code by SMS to the number the connection is for."""
        services.connection_request_start(**validated(self.InputSerializer, request))
        body = self.SentOut({"detail": "A code has been sent by SMS."}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class IsCustomer(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.kind == User.Kind.CUSTOMER)


class RequestListCreateApi(Api):
    throttle_scope = "otp"

    class InputSerializer(serializers.Serializer):
        company = serializers.CharField(max_length=20)
        plant = serializers.CharField(max_length=6)
        name = serializers.CharField(max_length=120)
        phone = serializers.CharField(max_length=20)
        code = serializers.CharField(max_length=10, help_text="The code from the SMS.")
        address = serializers.CharField(max_length=200, required=False, default="")
        segment = serializers.ChoiceField(choices=Segment.choices, default="household")
        language = serializers.ChoiceField(choices=Language.choices, default="hi")
        note = serializers.CharField(max_length=300, required=False, default="")
        referrer = serializers.CharField(
            max_length=11,
            required=False,
            help_text="For someone else: the signed-in customer's own customer ID.",
        )

        class Meta:
            ref_name = "ConnectionRequestCreate"

    class RequestOut(serializers.Serializer):
        ref = serializers.CharField()
        name = serializers.CharField()
        plant = serializers.CharField(source="plant.key")
        stage = serializers.CharField()
        status = serializers.CharField()
        customer_id = serializers.CharField(source="customer.customer_id", default=None)
        created_at = serializers.DateTimeField()

        class Meta:
            ref_name = "ConnectionRequest"

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated(), IsCustomer()]

    def get_throttles(self) -> list[Any]:
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        tags=PUBLIC_TAGS,
        operation_id="connection_requests_list",
        responses={200: RequestOut(many=True), **errors(401, 403)},
    )
    def get(self, request: Request) -> Response:
        """The signed-in customer's connection requests and how far they are."""
        qs: QuerySet[Prospect] = selectors.connection_requests_for_customer(
            actor(request)
        )
        return self.paginated(qs, self.RequestOut)

    @extend_schema(
        tags=PUBLIC_TAGS,
        operation_id="connection_requests_create",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={
            201: RequestOut,
            200: RequestOut,
            **errors(400, 404, 409, 429),
        },
    )
    def post(self, request: Request) -> Response:
        """Ask for a connection for oneself or (signed in, naming one's own
        account as ``referrer``) for someone else, with the code sent by SMS."""
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        company = _company(data.pop("company"))
        key_plant = data.pop("plant").upper()
        plant = Plant.objects.filter(
            company=company, state__code=key_plant[:2], code=key_plant[2:]
        ).first()
        if plant is None:
            raise Http404(f"No plant {key_plant:.6} at {company.code}.")
        user = request.user if isinstance(request.user, User) else None
        requester = (
            user if user is not None and user.kind == User.Kind.CUSTOMER else None
        )
        referrer = _referrer(requester, data.pop("referrer", ""))
        prospect, created = services.connection_request_submit(
            plant=plant,
            referrer=referrer,
            requested_by=requester,
            idempotency_key=key,
            **data,
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.RequestOut(prospect).data, status=code)


def _referrer(user: User | None, customer_id: str) -> Customer | None:
    """The referring account: one of the signed-in customer's own."""
    if not customer_id:
        return None
    found = (
        Customer.objects.filter(user=user, customer_id=customer_id.upper()).first()
        if user is not None
        else None
    )
    if found is None:
        raise ValidationFailed(
            "referrer_not_yours",
            "Sign in and name one of your own customer IDs to refer someone.",
            field="referrer",
        )
    return found


urlpatterns: list[URLPattern] = [
    path(
        "",
        RequestListCreateApi.as_view(),
        name="connection-request-list",
    ),
    path(
        "otp/",
        RequestOtpApi.as_view(),
        name="connection-request-otp",
    ),
    path(
        "plants/",
        RequestPlantListApi.as_view(),
        name="connection-request-plants",
    ),
]
