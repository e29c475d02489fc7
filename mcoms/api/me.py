"""Who am I: the signed-in user, their designation and scope or customer IDs."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import Api, actor, errors
from mcoms.api.staff import ScopeSerializer, scope_of
from mcoms.org.access import staff_for
from mcoms.org.models import User


class MeApi(Api):
    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        kind = serializers.ChoiceField(choices=User.Kind.choices)
        first_name = serializers.CharField()
        last_name = serializers.CharField()
        phone = serializers.CharField()
        language = serializers.CharField()
        designation = serializers.CharField(allow_null=True)
        scope = ScopeSerializer(allow_null=True)
        customer_ids = serializers.ListField(child=serializers.CharField())

        class Meta:
            ref_name = "Me"

    @extend_schema(
        tags=["auth"],
        operation_id="me_retrieve",
        responses={200: OutputSerializer, **errors(401)},
    )
    def get(self, request: Request) -> Response:
        """The signed-in user: staff with designation and scope, a customer with
        the IDs of all their accounts."""
        user = actor(request)
        staff = staff_for(user)
        accounts = user.customer_accounts.order_by("customer_id")
        data = {
            "username": user.username,
            "kind": user.kind,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": str(user.phone or ""),
            "language": user.language,
            "designation": staff.designation if staff else None,
            "scope": scope_of(staff) if staff else None,
            "customer_ids": [c.customer_id for c in accounts],
        }
        return Response(self.OutputSerializer(data).data)
