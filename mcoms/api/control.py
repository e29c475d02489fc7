"""Meter control and OpenPAYGO tokens.

* ``/meter-commands/``: list the commands of the user's scope; create one
  (``Idempotency-Key`` header: a retry answers 200 with the first command).
  One meter's ON/OFF/AUTO/reset/token needs ``meter.control``; a feeder, a
  plant, a load limit or a schedule ``meter.group_control``. A meter, feeder
  or plant outside the user's scope is a 404 and nothing is written.
* ``/meter-commands/{id}/``: a command with its events and, for a feeder or
  plant, one line per meter.
* ``/meters/{serial}/control/``: a meter's switch state, load limit, schedule
  and latest commands.
* ``/meters/{serial}/tokens/``: the tokens of a load limiter; issue one for a
  payment (``token.issue``; the payment reference is the natural key: asked
  again, the same token answers 200).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, Api, actor, validated
from mcoms.api.ledger import IDEMPOTENCY_HEADER, POST_ERRORS, idempotency_key
from mcoms.metering import control, tokens
from mcoms.metering import control_selectors as sel
from mcoms.metering.models import (
    CommandAction,
    CommandState,
    CommandTarget,
    Meter,
    MeterCommand,
    SwitchState,
    TokenIssue,
)
from mcoms.org import access
from mcoms.org.permissions import Action

TAGS = ["meter control"]


class EventOut(serializers.Serializer):
    at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=CommandState.choices)
    note = serializers.CharField()
    by = serializers.CharField(source="by.username", default=None)

    class Meta:
        ref_name = "CommandEvent"


class CommandOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    target = serializers.ChoiceField(choices=CommandTarget.choices)
    plant = serializers.CharField(source="plant.key")
    feeder = serializers.CharField(source="feeder.code", default=None)
    meter = serializers.CharField(source="meter.serial", default=None)
    action = serializers.ChoiceField(choices=CommandAction.choices)
    params = serializers.DictField()
    reason = serializers.CharField()
    state = serializers.ChoiceField(choices=CommandState.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField()
    requested_by = serializers.CharField(source="requested_by.username", default=None)
    requested_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    failed_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "MeterCommand"


class ChildOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    meter = serializers.CharField(source="meter.serial")
    state = serializers.ChoiceField(choices=CommandState.choices)
    attempts = serializers.IntegerField()
    last_error = serializers.CharField()

    class Meta:
        ref_name = "MeterCommandChild"


class CommandDetailOut(CommandOut):
    events = EventOut(many=True)
    meters = serializers.SerializerMethodField(
        help_text="For a feeder or plant: one line per meter."
    )

    class Meta:
        ref_name = "MeterCommandDetail"

    @extend_schema_field(ChildOut(many=True))
    def get_meters(self, command: MeterCommand) -> list[dict[str, Any]]:
        children = command.children.select_related("meter").order_by("meter__serial")
        return list(ChildOut(children, many=True).data)


def _detail(command: MeterCommand, code: int = status.HTTP_200_OK) -> Response:
    command = sel.with_events(MeterCommand.objects.filter(pk=command.pk)).get()
    return Response(CommandDetailOut(command).data, status=code)


def _target(request: Request, data: dict[str, Any]) -> control.Target:
    """The meter, feeder or plant named, in the user's scope, for the
    permission the action needs (403 designation, 404 scope)."""
    needed = control.required_action(target=data["target"], action=data["action"])
    if data["target"] == CommandTarget.METER:
        if not data.get("meter"):
            raise serializers.ValidationError({"meter": "Name the meter."})
        return sel.get_meter_for_control(request.user, data["meter"], needed)
    if not data.get("plant"):
        raise serializers.ValidationError({"plant": "Name the plant."})
    if data["target"] == CommandTarget.FEEDER:
        if not data.get("feeder"):
            raise serializers.ValidationError({"feeder": "Name the feeder."})
        return access.get_feeder_for_user(
            request.user, data["plant"], data["feeder"], needed
        )
    return access.get_plant_for_user(request.user, data["plant"], needed)


class CommandListCreateApi(Api):
    class FilterSerializer(serializers.Serializer):
        plant = serializers.CharField(required=False, max_length=6)
        meter = serializers.CharField(required=False, max_length=40)
        target = serializers.ChoiceField(choices=CommandTarget.choices, required=False)
        action = serializers.ChoiceField(choices=CommandAction.choices, required=False)
        state = serializers.ChoiceField(choices=CommandState.choices, required=False)

    class InputSerializer(serializers.Serializer):
        target = serializers.ChoiceField(choices=CommandTarget.choices)
        action = serializers.ChoiceField(choices=CommandAction.choices)
        plant = serializers.CharField(
            max_length=6, required=False, help_text="Plant key (feeder and plant)."
        )
        feeder = serializers.CharField(max_length=8, required=False)
        meter = serializers.CharField(max_length=40, required=False)
        params = serializers.DictField(
            required=False,
            default=dict,
            help_text='set_limit: {"limit_w": 60}; set_schedule: {"windows": '
            '[{"from": "18:00", "to": "06:00"}]}; token: {"token": "123456789"}.',
        )
        reason = serializers.CharField(max_length=120, required=False, default="")

        class Meta:
            ref_name = "MeterCommandCreate"

    @extend_schema(
        tags=TAGS,
        operation_id="meter_commands_list",
        parameters=[FilterSerializer],
        responses={200: CommandOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Commands of the user's scope (one meter, feeder, plant), newest first."""
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = dict(filters.validated_data)
        qs = sel.commands_for(request.user)
        plant = wanted.pop("plant", "").upper()
        if plant:
            qs = qs.filter(plant__state__code=plant[:2], plant__code=plant[2:])
        serial = wanted.pop("meter", "").strip().upper()
        if serial:
            qs = qs.filter(meter__serial=serial)
        return self.paginated(qs.filter(**wanted), CommandOut)

    @extend_schema(
        tags=TAGS,
        operation_id="meter_commands_create",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: CommandDetailOut, 200: CommandDetailOut, **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Switch one meter, a feeder or a whole plant ON, OFF or AUTO, reset
        it, set a load limit or schedule, or send a token. The command is
        queued; its state moves queued -> sent -> acknowledged (or failed)."""
        data = validated(self.InputSerializer, request)
        target = _target(request, data)  # 403 designation, 404 scope
        key = idempotency_key(request)
        command, created = control.command_request(
            target=target,
            action=data["action"],
            params=data["params"],
            reason=data["reason"],
            key=key,
            by=actor(request),
        )
        return _detail(command, status.HTTP_201_CREATED if created else 200)


class CommandDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="meter_commands_retrieve",
        responses={200: CommandDetailOut, **READ_ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        """A command with its audit trail and, for a feeder or plant, its meters."""
        return _detail(sel.get_command_for_user(request.user, pk))


class MeterControlOut(serializers.Serializer):
    serial = serializers.CharField()
    kind = serializers.CharField()
    driver = serializers.CharField()
    plant = serializers.CharField(source="plant.key", default=None)
    reachable = serializers.SerializerMethodField()
    switch_state = serializers.ChoiceField(choices=SwitchState.choices)
    load_limit_w = serializers.IntegerField(allow_null=True)
    schedule = serializers.ListField(child=serializers.DictField())
    commands = serializers.SerializerMethodField(help_text="The latest 20.")

    class Meta:
        ref_name = "MeterControl"

    def get_reachable(self, meter: Meter) -> bool:
        return control.is_reachable(meter)

    @extend_schema_field(CommandOut(many=True))
    def get_commands(self, meter: Meter) -> list[dict[str, Any]]:
        return list(CommandOut(sel.meter_commands(meter), many=True).data)


class MeterControlApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="meters_control_retrieve",
        responses={200: MeterControlOut, **READ_ERRORS},
    )
    def get(self, request: Request, serial: str) -> Response:
        """A meter's last acknowledged switch state, load limit and schedule,
        and its latest commands."""
        meter = sel.get_meter_for_control(request.user, serial, Action.CUSTOMER_VIEW)
        return Response(MeterControlOut(meter).data)


# --- tokens -------------------------------------------------------------------------
class TokenOut(serializers.Serializer):
    meter = serializers.CharField(source="meter.serial")
    payment_ref = serializers.CharField()
    token = serializers.CharField()
    count = serializers.IntegerField()
    days = serializers.DecimalField(max_digits=8, decimal_places=2)
    mode = serializers.CharField()
    issued_at = serializers.DateTimeField()
    by = serializers.CharField(source="by.username", default=None)

    class Meta:
        ref_name = "PaygToken"


class TokenListCreateApi(Api):
    class InputSerializer(serializers.Serializer):
        payment_ref = serializers.CharField(max_length=100)
        days = serializers.IntegerField(min_value=0, max_value=tokens.MAX_DAYS)
        mode = serializers.ChoiceField(choices=list(tokens.MODES), default="add_time")

        class Meta:
            ref_name = "TokenIssue"

    @extend_schema(
        tags=TAGS,
        operation_id="meters_tokens_list",
        responses={200: TokenOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request, serial: str) -> Response:
        """The tokens issued for a load limiter, newest first."""
        meter = sel.get_meter_for_control(request.user, serial, Action.TOKEN_ISSUE)
        qs = TokenIssue.objects.filter(meter=meter).select_related("meter", "by")
        return self.paginated(qs, TokenOut)

    @extend_schema(
        tags=TAGS,
        operation_id="meters_tokens_issue",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: TokenOut, 200: TokenOut, **POST_ERRORS},
    )
    def post(self, request: Request, serial: str) -> Response:
        """The OpenPAYGO token for a payment: made once, with the device's next
        count; asked again for the same payment, the same token (200)."""
        meter = sel.get_meter_for_control(request.user, serial, Action.TOKEN_ISSUE)
        data = validated(self.InputSerializer, request)
        idempotency_key(request)
        issue, created = tokens.token_issue(meter=meter, by=actor(request), **data)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(TokenOut(issue).data, status=code)


class TokenDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="meters_tokens_retrieve",
        responses={200: TokenOut, **READ_ERRORS},
    )
    def get(self, request: Request, serial: str, payment_ref: str) -> Response:
        """The token issued for one payment."""
        meter = sel.get_meter_for_control(request.user, serial, Action.TOKEN_ISSUE)
        issue = (
            TokenIssue.objects.select_related("meter", "by")
            .filter(meter=meter, payment_ref=payment_ref)
            .first()
        )
        if issue is None:
            raise Http404("No token for this payment.")
        return Response(TokenOut(issue).data)


command_urls: list[URLPattern] = [
    path("", CommandListCreateApi.as_view(), name="meter-command-list"),
    path("<int:pk>/", CommandDetailApi.as_view(), name="meter-command-detail"),
]
meter_urls: list[URLPattern] = [
    path("<str:serial>/control/", MeterControlApi.as_view(), name="meter-control"),
    path("<str:serial>/tokens/", TokenListCreateApi.as_view(), name="token-list"),
    path(
        "<str:serial>/tokens/<str:payment_ref>/",
        TokenDetailApi.as_view(),
        name="token-detail",
    ),
]
