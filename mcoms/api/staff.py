"""People: staff members by username, with their designation and scope.

Lists need ``Action.STAFF_VIEW`` and show the user's scope; creates and edits need
``Action.STAFF_EDIT`` and a scope node inside the creator's scope.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, WRITE_ERRORS, Api, actor, validated
from mcoms.org import access
from mcoms.org import services as org
from mcoms.org.models import (
    Cluster,
    Company,
    Designation,
    Language,
    Plant,
    ScopeLevel,
    Staff,
    State,
)
from mcoms.org.permissions import Action

EDIT = Action.STAFF_EDIT
TAGS = ["staff"]


class ScopeSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=ScopeLevel.choices)
    key = serializers.CharField(
        required=False,
        help_text="Plant key (BHKATS), cluster key (BH-NORTH), state code (BH) or "
        "company code; may be left out for the company.",
    )

    class Meta:
        ref_name = "Scope"


def scope_of(staff: Staff) -> dict[str, str]:
    level = staff.scope_level
    if level == ScopeLevel.PLANT and staff.plant is not None:
        key = staff.plant.key
    elif level == ScopeLevel.CLUSTER and staff.state and staff.cluster:
        key = f"{staff.state.code}-{staff.cluster.code}"
    elif level == ScopeLevel.STATE and staff.state is not None:
        key = staff.state.code
    else:
        key = staff.company.code
    return {"level": level, "key": key}


def resolve_scope(
    request: Request, scope: dict[str, str]
) -> Company | State | Cluster | Plant:
    """The scope node named in a request, if it lies in the user's own scope."""
    return access.get_scope_node_for_user(
        request.user, scope["level"], scope.get("key", ""), EDIT
    )


class StaffOut(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    phone = serializers.CharField(source="user.phone")
    language = serializers.CharField(source="user.language")
    designation = serializers.CharField()
    scope = serializers.SerializerMethodField()
    is_active = serializers.BooleanField()

    class Meta:
        ref_name = "Staff"

    @extend_schema_field(ScopeSerializer)
    def get_scope(self, staff: Staff) -> dict[str, str]:
        return scope_of(staff)


def staff_queryset(request: Request, action: Action = Action.STAFF_VIEW) -> Any:
    qs = access.staff_list_for(request.user, action)
    return qs.select_related("company", "user").order_by("user__username")


class StaffListCreateApi(Api):
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(
            required=False, write_only=True, help_text="Left out: no password sign-in."
        )
        first_name = serializers.CharField(max_length=150)
        last_name = serializers.CharField(required=False, allow_blank=True)
        phone = serializers.CharField(required=False, allow_blank=True)
        language = serializers.ChoiceField(choices=Language.choices, required=False)
        designation = serializers.ChoiceField(choices=Designation.choices)
        scope = ScopeSerializer()

        class Meta:
            ref_name = "StaffCreate"

    @extend_schema(
        tags=TAGS,
        operation_id="staff_list",
        responses={200: StaffOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        return self.paginated(staff_queryset(request), StaffOut)

    @extend_schema(
        tags=TAGS,
        operation_id="staff_create",
        request=InputSerializer,
        responses={201: StaffOut, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        access.require(request.user, EDIT)
        data = validated(self.InputSerializer, request)
        data["scope"] = resolve_scope(request, data["scope"])
        data.setdefault("password", None)
        staff = org.staff_create(by=actor(request), **data)
        return Response(StaffOut(staff).data, status=status.HTTP_201_CREATED)


class StaffDetailApi(Api):
    class InputSerializer(serializers.Serializer):
        first_name = serializers.CharField(max_length=150, required=False)
        last_name = serializers.CharField(required=False, allow_blank=True)
        phone = serializers.CharField(required=False, allow_blank=True)
        language = serializers.ChoiceField(choices=Language.choices, required=False)
        designation = serializers.ChoiceField(
            choices=Designation.choices, required=False
        )
        scope = ScopeSerializer(required=False)
        is_active = serializers.BooleanField(required=False)

        class Meta:
            ref_name = "StaffUpdate"

    @extend_schema(
        tags=TAGS,
        operation_id="staff_retrieve",
        responses={200: StaffOut, **READ_ERRORS},
    )
    def get(self, request: Request, username: str) -> Response:
        staff = access.get_staff_for_user(request.user, username)
        return Response(StaffOut(staff).data)

    @extend_schema(
        tags=TAGS,
        operation_id="staff_update",
        request=InputSerializer,
        responses={200: StaffOut, **WRITE_ERRORS},
    )
    def patch(self, request: Request, username: str) -> Response:
        staff = access.get_staff_for_user(request.user, username, EDIT)
        data = validated(self.InputSerializer, request, partial=True)
        if "scope" in data:
            data["scope"] = resolve_scope(request, data["scope"])
        staff = org.staff_update(staff=staff, by=actor(request), **data)
        return Response(StaffOut(staff).data)
