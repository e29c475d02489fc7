"""The low-voltage network of a plant: feeders and poles, under the plant's key.

Lists are filtered to the user's scope (``Action.ORG_VIEW``); creates and edits need
``Action.ORG_EDIT_NETWORK`` on a plant inside the user's scope.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, WRITE_ERRORS, Api, actor, validated
from mcoms.org import access
from mcoms.org import services as org
from mcoms.org.models import Feeder, Pole
from mcoms.org.permissions import Action

EDIT = Action.ORG_EDIT_NETWORK
TAGS = ["network"]


class FeederOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    plant = serializers.SerializerMethodField()

    class Meta:
        ref_name = "Feeder"

    def get_plant(self, feeder: Feeder) -> str:
        return feeder.plant.key


class PoleOut(serializers.Serializer):
    number = serializers.IntegerField()
    feeder = serializers.CharField(source="feeder.code")
    plant = serializers.SerializerMethodField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, allow_null=True
    )

    class Meta:
        ref_name = "Pole"

    def get_plant(self, pole: Pole) -> str:
        return pole.plant.key


class FeederListCreateApi(Api):
    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(help_text="1 to 8 capital letters or digits.")
        name = serializers.CharField(required=False, allow_blank=True)

        class Meta:
            ref_name = "FeederCreate"

    @extend_schema(
        tags=TAGS,
        operation_id="feeders_list",
        responses={200: FeederOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request, plant: str) -> Response:
        node = access.get_plant_for_user(request.user, plant)
        return self.paginated(
            access.feeders_for(request.user).filter(plant=node), FeederOut
        )

    @extend_schema(
        tags=TAGS,
        operation_id="feeders_create",
        request=InputSerializer,
        responses={201: FeederOut, **WRITE_ERRORS},
    )
    def post(self, request: Request, plant: str) -> Response:
        node = access.get_plant_for_user(request.user, plant, EDIT)
        data = validated(self.InputSerializer, request)
        feeder = org.feeder_create(plant=node, by=actor(request), **data)
        return Response(FeederOut(feeder).data, status=status.HTTP_201_CREATED)


class FeederDetailApi(Api):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(required=False, allow_blank=True)

        class Meta:
            ref_name = "FeederUpdate"

    @extend_schema(
        tags=TAGS,
        operation_id="feeders_retrieve",
        responses={200: FeederOut, **READ_ERRORS},
    )
    def get(self, request: Request, plant: str, code: str) -> Response:
        feeder = access.get_feeder_for_user(request.user, plant, code)
        return Response(FeederOut(feeder).data)

    @extend_schema(
        tags=TAGS,
        operation_id="feeders_update",
        request=InputSerializer,
        responses={200: FeederOut, **WRITE_ERRORS},
    )
    def patch(self, request: Request, plant: str, code: str) -> Response:
        feeder = access.get_feeder_for_user(request.user, plant, code, EDIT)
        data = validated(self.InputSerializer, request, partial=True)
        feeder = org.feeder_update(feeder=feeder, by=actor(request), **data)
        return Response(FeederOut(feeder).data)


class PoleListCreateApi(Api):
    class InputSerializer(serializers.Serializer):
        feeder = serializers.CharField(help_text="Code of a feeder of this plant.")
        number = serializers.IntegerField(help_text="1 to 999, unique in the plant.")
        latitude = serializers.DecimalField(
            max_digits=9, decimal_places=6, required=False, allow_null=True
        )
        longitude = serializers.DecimalField(
            max_digits=9, decimal_places=6, required=False, allow_null=True
        )

        class Meta:
            ref_name = "PoleCreate"

    @extend_schema(
        tags=TAGS,
        operation_id="poles_list",
        responses={200: PoleOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request, plant: str) -> Response:
        node = access.get_plant_for_user(request.user, plant)
        return self.paginated(
            access.poles_for(request.user).filter(plant=node), PoleOut
        )

    @extend_schema(
        tags=TAGS,
        operation_id="poles_create",
        request=InputSerializer,
        responses={201: PoleOut, **WRITE_ERRORS},
    )
    def post(self, request: Request, plant: str) -> Response:
        data = validated(self.InputSerializer, request)
        feeder = access.get_feeder_for_user(
            request.user, plant, data.pop("feeder"), EDIT
        )
        pole = org.pole_create(feeder=feeder, by=actor(request), **data)
        return Response(PoleOut(pole).data, status=status.HTTP_201_CREATED)


class PoleDetailApi(Api):
    class InputSerializer(serializers.Serializer):
        feeder = serializers.CharField(required=False, help_text="Move to a feeder.")
        latitude = serializers.DecimalField(
            max_digits=9, decimal_places=6, required=False, allow_null=True
        )
        longitude = serializers.DecimalField(
            max_digits=9, decimal_places=6, required=False, allow_null=True
        )

        class Meta:
            ref_name = "PoleUpdate"

    @extend_schema(
        tags=TAGS,
        operation_id="poles_retrieve",
        responses={200: PoleOut, **READ_ERRORS},
    )
    def get(self, request: Request, plant: str, number: int) -> Response:
        pole = access.get_pole_for_user(request.user, plant, number)
        return Response(PoleOut(pole).data)

    @extend_schema(
        tags=TAGS,
        operation_id="poles_update",
        request=InputSerializer,
        responses={200: PoleOut, **WRITE_ERRORS},
    )
    def patch(self, request: Request, plant: str, number: int) -> Response:
        pole = access.get_pole_for_user(request.user, plant, number, EDIT)
        data = validated(self.InputSerializer, request, partial=True)
        if "feeder" in data:
            data["feeder"] = access.get_feeder_for_user(
                request.user, plant, data["feeder"], EDIT
            )
        pole = org.pole_update(pole=pole, by=actor(request), **data)
        return Response(PoleOut(pole).data)
