"""Organisation structure by business key: states, clusters and plants.

Lists are filtered to the user's scope (``Action.ORG_VIEW``); creates and edits need
``Action.ORG_EDIT_STRUCTURE`` and a parent inside the user's scope.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, WRITE_ERRORS, Api, actor, validated
from mcoms.org import access
from mcoms.org import services as org
from mcoms.org.models import Plant
from mcoms.org.permissions import Action

EDIT = Action.ORG_EDIT_STRUCTURE
TAGS = ["organisation"]


class StateOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "State"


class ClusterOut(serializers.Serializer):
    key = serializers.CharField(help_text="State code, dash, cluster code: BH-NORTH.")
    code = serializers.CharField()
    name = serializers.CharField()
    state = serializers.CharField(source="state.code")

    class Meta:
        ref_name = "Cluster"


class PlantOut(serializers.Serializer):
    key = serializers.CharField(help_text="State code + plant code: BHKATS.")
    code = serializers.CharField()
    name = serializers.CharField()
    state = serializers.CharField(source="state.code")
    cluster = serializers.SerializerMethodField()
    capacity_kwp = serializers.DecimalField(max_digits=8, decimal_places=2)
    timezone = serializers.CharField()
    village = serializers.CharField()

    class Meta:
        ref_name = "Plant"

    def get_cluster(self, plant: Plant) -> str:
        return f"{plant.state.code}-{plant.cluster.code}"


class StateListCreateApi(Api):
    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(help_text="Two capital letters, e.g. BH.")
        name = serializers.CharField()

        class Meta:
            ref_name = "StateCreate"

    @extend_schema(tags=TAGS, operation_id="states_list", responses=StateOut(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(access.states_for(request.user), StateOut)

    @extend_schema(
        tags=TAGS,
        operation_id="states_create",
        request=InputSerializer,
        responses={201: StateOut, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        company = access.get_company_for_user(request.user, EDIT)
        data = validated(self.InputSerializer, request)
        state = org.state_create(company=company, by=actor(request), **data)
        return Response(StateOut(state).data, status=status.HTTP_201_CREATED)


class StateDetailApi(Api):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(required=False)

        class Meta:
            ref_name = "StateUpdate"

    @extend_schema(
        tags=TAGS,
        operation_id="states_retrieve",
        responses={200: StateOut, **READ_ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(StateOut(access.get_state_for_user(request.user, code)).data)

    @extend_schema(
        tags=TAGS,
        operation_id="states_update",
        request=InputSerializer,
        responses={200: StateOut, **WRITE_ERRORS},
    )
    def patch(self, request: Request, code: str) -> Response:
        state = access.get_state_for_user(request.user, code, EDIT)
        data = validated(self.InputSerializer, request, partial=True)
        state = org.state_update(state=state, by=actor(request), **data)
        return Response(StateOut(state).data)


class ClusterListCreateApi(Api):
    class InputSerializer(serializers.Serializer):
        state = serializers.CharField(help_text="Code of the parent state.")
        code = serializers.CharField(help_text="2 to 12 capital letters or digits.")
        name = serializers.CharField()

        class Meta:
            ref_name = "ClusterCreate"

    @extend_schema(
        tags=TAGS, operation_id="clusters_list", responses=ClusterOut(many=True)
    )
    def get(self, request: Request) -> Response:
        return self.paginated(access.clusters_for(request.user), ClusterOut)

    @extend_schema(
        tags=TAGS,
        operation_id="clusters_create",
        request=InputSerializer,
        responses={201: ClusterOut, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request)
        state = access.get_state_for_user(request.user, data.pop("state"), EDIT)
        cluster = org.cluster_create(state=state, by=actor(request), **data)
        return Response(ClusterOut(cluster).data, status=status.HTTP_201_CREATED)


class ClusterDetailApi(Api):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(required=False)

        class Meta:
            ref_name = "ClusterUpdate"

    @extend_schema(
        tags=TAGS,
        operation_id="clusters_retrieve",
        responses={200: ClusterOut, **READ_ERRORS},
    )
    def get(self, request: Request, key: str) -> Response:
        cluster = access.get_cluster_for_user(request.user, key)
        return Response(ClusterOut(cluster).data)

    @extend_schema(
        tags=TAGS,
        operation_id="clusters_update",
        request=InputSerializer,
        responses={200: ClusterOut, **WRITE_ERRORS},
    )
    def patch(self, request: Request, key: str) -> Response:
        cluster = access.get_cluster_for_user(request.user, key, EDIT)
        data = validated(self.InputSerializer, request, partial=True)
        cluster = org.cluster_update(cluster=cluster, by=actor(request), **data)
        return Response(ClusterOut(cluster).data)


class PlantListCreateApi(Api):
    class InputSerializer(serializers.Serializer):
        cluster = serializers.CharField(help_text="Key of the parent cluster.")
        code = serializers.CharField(help_text="Four capital letters, e.g. KATS.")
        name = serializers.CharField()
        capacity_kwp = serializers.DecimalField(max_digits=8, decimal_places=2)
        timezone = serializers.CharField(default="Asia/Kolkata")
        village = serializers.CharField(required=False, allow_blank=True)

        class Meta:
            ref_name = "PlantCreate"

    @extend_schema(tags=TAGS, operation_id="plants_list", responses=PlantOut(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(access.plants_for(request.user), PlantOut)

    @extend_schema(
        tags=TAGS,
        operation_id="plants_create",
        request=InputSerializer,
        responses={201: PlantOut, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request)
        cluster = access.get_cluster_for_user(request.user, data.pop("cluster"), EDIT)
        plant = org.plant_create(cluster=cluster, by=actor(request), **data)
        return Response(PlantOut(plant).data, status=status.HTTP_201_CREATED)


class PlantDetailApi(Api):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(required=False)
        capacity_kwp = serializers.DecimalField(
            max_digits=8, decimal_places=2, required=False
        )
        timezone = serializers.CharField(required=False)
        village = serializers.CharField(required=False, allow_blank=True)
        cluster = serializers.CharField(
            required=False, help_text="Move to another cluster of the same state."
        )

        class Meta:
            ref_name = "PlantUpdate"

    @extend_schema(
        tags=TAGS,
        operation_id="plants_retrieve",
        responses={200: PlantOut, **READ_ERRORS},
    )
    def get(self, request: Request, key: str) -> Response:
        return Response(PlantOut(access.get_plant_for_user(request.user, key)).data)

    @extend_schema(
        tags=TAGS,
        operation_id="plants_update",
        request=InputSerializer,
        responses={200: PlantOut, **WRITE_ERRORS},
    )
    def patch(self, request: Request, key: str) -> Response:
        plant = access.get_plant_for_user(request.user, key, EDIT)
        data = validated(self.InputSerializer, request, partial=True)
        if "cluster" in data:
            data["cluster"] = access.get_cluster_for_user(
                request.user, data["cluster"], EDIT
            )
        plant = org.plant_update(plant=plant, by=actor(request), **data)
        return Response(PlantOut(plant).data)
