"""Small shared pieces of the API: the base view, input validation, error schemas."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mcoms.api.pagination import Pagination
from mcoms.org.models import User


class ErrorSerializer(serializers.Serializer):
    """Every error: a stable machine-readable ``code``, a message, maybe a field."""

    code = serializers.CharField()
    detail = serializers.CharField()
    field = serializers.CharField(required=False)

    class Meta:
        ref_name = "Error"


def errors(*statuses: int) -> dict[int, type[ErrorSerializer]]:
    """Schema responses for the given error statuses."""
    return dict.fromkeys(statuses, ErrorSerializer)


READ_ERRORS = errors(401, 403, 404)
WRITE_ERRORS = errors(400, 401, 403, 404)


def validated(
    serializer_class: type[serializers.Serializer],
    request: Request,
    *,
    partial: bool = False,
) -> dict[str, Any]:
    """The request body checked by ``serializer_class``; a 400 if it is malformed."""
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def actor(request: Request) -> User:
    """The signed-in user who makes a change (views require authentication)."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (IsAuthenticated ran before)
    return user


# Base of every API class: paginated lists through the one paginator. (No docstring:
# the schema would show it as the description of every operation.)
class Api(APIView):
    pagination_class = Pagination

    def paginated(
        self, queryset: QuerySet[Any], serializer_class: type[serializers.Serializer]
    ) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        data = serializer_class(page, many=True).data
        return paginator.get_paginated_response(data)
