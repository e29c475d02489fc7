"""One exception handler: every API error is JSON with a machine-readable code."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from mcoms.core.errors import DomainError


def _first_field_error(detail: Any) -> tuple[str | None, str, str]:
    if isinstance(detail, dict):
        for field, errors in detail.items():
            f, message, code = _first_field_error(errors)
            return (field if f is None else f"{field}.{f}"), message, code
    if isinstance(detail, list) and detail:
        return _first_field_error(detail[0])
    code = getattr(detail, "code", "invalid")
    return None, str(detail), str(code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"code": exc.code, "detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status)
    if isinstance(exc, Http404):
        return Response(
            {"code": "not_found", "detail": str(exc) or "Not found."},
            status=status.HTTP_404_NOT_FOUND,
        )
    if isinstance(exc, PermissionDenied):
        return Response(
            {"code": "permission_denied", "detail": str(exc) or "Forbidden."},
            status=status.HTTP_403_FORBIDDEN,
        )
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        field, message, code = _first_field_error(exc.detail)
        body = {
            "code": code if code != "invalid" else "invalid_input",
            "detail": message,
            "errors": exc.detail,
        }
        if field:
            body["field"] = field
        response.data = body
        return response
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = {"code": code, "detail": str(exc.detail)}
    return response
