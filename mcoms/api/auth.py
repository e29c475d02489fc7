"""Signing in and out: staff by username and password, customers by SMS code.

Password sign-in goes through ``django.contrib.auth.authenticate`` with the Django
request, so django-axes counts failures and locks the username (JSON 403
``locked_out``, answered by ``mcoms.core.lockout``).
"""

from __future__ import annotations

from django.contrib.auth import authenticate, logout
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import Api, actor, errors, validated
from mcoms.core.errors import ValidationFailed
from mcoms.customers.auth import customer_login_finish, customer_login_start
from mcoms.org.access import staff_for
from mcoms.org.models import User

TAGS = ["auth"]


class TokenOut(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")

    class Meta:
        ref_name = "Token"


class SentOut(serializers.Serializer):
    detail = serializers.CharField()

    class Meta:
        ref_name = "CodeSent"


def token_for(user: User) -> Response:
    token, _ = Token.objects.get_or_create(user=user)
    return Response(TokenOut({"token": token.key}).data)


class TokenCreateApi(Api):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField()
        password = serializers.CharField(style={"input_type": "password"})

        class Meta:
            ref_name = "TokenRequest"

    @extend_schema(
        tags=TAGS,
        operation_id="auth_token",
        request=InputSerializer,
        responses={200: TokenOut, **errors(400, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        """A staff member's API token, for their username and password."""
        data = validated(self.InputSerializer, request)
        user = authenticate(request=request._request, **data)
        if not isinstance(user, User) or staff_for(user) is None:
            raise ValidationFailed("invalid_credentials", "Wrong username or password.")
        return token_for(user)


class OtpRequestApi(Api):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_scope = "otp"

    class InputSerializer(serializers.Serializer):
        phone = serializers.CharField(help_text="The customer's mobile number.")

        class Meta:
            ref_name = "OtpRequest"

    @extend_schema(
        tags=TAGS,
        operation_id="auth_otp_request",
        request=InputSerializer,
        responses={202: SentOut, **errors(400, 429)},
    )
    def post(self, request: Request) -> Response:
        """Send a sign-in code by SMS to a customer's mobile number."""
        customer_login_start(**validated(self.InputSerializer, request))
        body = SentOut({"detail": "A sign-in code has been sent by SMS."}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class OtpVerifyApi(Api):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_scope = "otp"

    class InputSerializer(serializers.Serializer):
        phone = serializers.CharField()
        code = serializers.CharField(help_text="The code from the SMS.")

        class Meta:
            ref_name = "OtpVerify"

    @extend_schema(
        tags=TAGS,
        operation_id="auth_otp_verify",
        request=InputSerializer,
        responses={200: TokenOut, **errors(400, 429)},
    )
    def post(self, request: Request) -> Response:
        """The customer's API token, for the code sent by SMS."""
        user = customer_login_finish(**validated(self.InputSerializer, request))
        return token_for(user)


class LogoutApi(Api):
    @extend_schema(
        tags=TAGS, operation_id="auth_logout", request=None, responses={204: None}
    )
    def post(self, request: Request) -> Response:
        """Delete the user's token and end the session."""
        Token.objects.filter(user=actor(request)).delete()
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
