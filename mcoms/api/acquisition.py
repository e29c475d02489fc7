"""The acquisition pipeline: prospects by reference (``P-BHKATS-000123``), one
POST per stage action, the board and Add Instant Consumer. (The customer app's
public connection request is in ``connection_requests.py``.)

Reading needs ``customer.view``; stages 1-6 ``acquisition.work``, stages 7-8
``connection.work``, on a plant of the user's scope (404 outside it, 403
without the designation). Every POST needs an ``Idempotency-Key`` header: a
retried create returns the first prospect (200 instead of 201), a retried step
returns the prospect as it is. A step out of turn is 409 ``stage_wrong_order``.
docs/acquisition.md has the stages, the refusals and who is told.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.acquisition import selectors, services
from mcoms.acquisition.models import (
    ConnectionStep,
    IdType,
    KycDocument,
    KycKind,
    MarketingMethod,
    Prospect,
    ProspectStatus,
    Stage,
    StageEvent,
)
from mcoms.api.common import READ_ERRORS, Api, actor, validated
from mcoms.api.ledger import IDEMPOTENCY_HEADER, POST_ERRORS, idempotency_key
from mcoms.core.errors import ValidationFailed
from mcoms.customers.models import Segment
from mcoms.metering.models import Meter
from mcoms.org import access
from mcoms.org.models import Language, Plant, Pole, User
from mcoms.org.permissions import Action
from mcoms.packages.models import Package

app_name = "acquisition"
TAGS = ["acquisition"]
PUBLIC_TAGS = ["connection requests"]


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


# --- output -------------------------------------------------------------------------
class ProspectOut(serializers.Serializer):
    ref = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()
    plant = serializers.CharField(source="plant.key")
    pole = serializers.IntegerField(source="pole.number", default=None)
    stage = serializers.ChoiceField(choices=Stage.choices, help_text="Last stage done.")
    next_stage = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=ProspectStatus.choices)
    channel = serializers.CharField()
    segment = serializers.CharField()
    deferred = serializers.ListField(
        child=serializers.CharField(), help_text="Stages to complete later."
    )
    rejected_stage = serializers.CharField()
    customer_id = serializers.CharField(source="customer.customer_id", default=None)
    package = serializers.CharField(source="package.package_id", default=None)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    class Meta:
        ref_name = "Prospect"


class EventOut(serializers.Serializer):
    stage = serializers.CharField()
    kind = serializers.CharField()
    step = serializers.CharField()
    note = serializers.CharField()
    details = serializers.JSONField(source="data")
    by = serializers.CharField(source="by.username", default=None)
    at = serializers.DateTimeField()

    class Meta:
        ref_name = "ProspectEvent"


class DocumentOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=KycKind.choices)
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_by = serializers.CharField(source="uploaded_by.username", default=None)
    uploaded_at = serializers.DateTimeField()

    class Meta:
        ref_name = "KycDocument"


class ProspectDetailOut(ProspectOut):
    language = serializers.CharField()
    address = serializers.CharField()
    distance_m = serializers.DecimalField(
        max_digits=6, decimal_places=1, allow_null=True
    )
    distance_override = serializers.CharField()
    appliances = serializers.JSONField()
    hours_per_day = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True
    )
    anticipated_load_w = serializers.IntegerField(allow_null=True)
    marketing_method = serializers.CharField()
    marketing_on = serializers.DateField(allow_null=True)
    marketing_note = serializers.CharField()
    referrer = serializers.CharField(source="referrer.customer_id", default=None)
    phone_verified_at = serializers.DateTimeField(allow_null=True)
    id_type = serializers.CharField()
    id_number = serializers.CharField()
    commitments_ack_at = serializers.DateTimeField(allow_null=True)
    commitments_ack_by = serializers.CharField(
        source="commitments_ack_by.username", default=None
    )
    deposit_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True
    )
    activation_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True
    )
    meter = serializers.CharField(source="meter_assignment.meter.serial", default=None)
    meter_installed_at = serializers.DateTimeField(
        source="meter_assignment.installed_at", default=None
    )
    connection_step = serializers.CharField()
    rejection_reason = serializers.CharField()
    activated_at = serializers.DateTimeField(allow_null=True)
    created_by = serializers.CharField(source="created_by.username", default=None)
    events = EventOut(many=True)
    documents = DocumentOut(many=True)

    class Meta:
        ref_name = "ProspectDetail"


def _detail(prospect: Prospect, code: int = status.HTTP_200_OK) -> Response:
    prospect = (
        Prospect.objects.select_related(
            "plant__state",
            "pole",
            "package",
            "customer",
            "referrer",
            "created_by",
            "commitments_ack_by",
            "meter_assignment__meter",
        )
        .prefetch_related(
            Prefetch("events", StageEvent.objects.select_related("by")),
            Prefetch("documents", KycDocument.objects.select_related("uploaded_by")),
        )
        .get(pk=prospect.pk)
    )
    return Response(ProspectDetailOut(prospect).data, status=code)


def _created(prospect: Prospect, created: bool) -> Response:
    return _detail(prospect, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


# --- lookups --------------------------------------------------------------------------
def _pole(plant: Plant, number: int | None) -> Pole | None:
    if number is None:
        return None
    pole = Pole.objects.filter(plant=plant, number=number).first()
    if pole is None:
        raise ValidationFailed(
            "pole_other_plant",
            f"Pole {number} is not a pole of {plant.key}.",
            field="pole",
        )
    return pole


def _package(plant: Plant, package_id: str) -> Package | None:
    """The package with this ID offered at the plant (None: the service says
    ``package_not_offered``)."""
    return Package.objects.filter(
        plant=plant, package_id=package_id, active=True
    ).first()


def _prospect(request: Request, ref: str, stage: str) -> Prospect:
    """The prospect, for a step of ``stage`` (its permission, in scope)."""
    return selectors.get_prospect_for_user(
        request.user, ref, action=selectors.action_for_stage(stage)
    )


STEP_RESPONSES = {200: ProspectDetailOut, **POST_ERRORS}


def _step_schema(operation: str, request: Any, summary: str) -> Any:
    return extend_schema(
        tags=TAGS,
        operation_id=operation,
        summary=summary,
        parameters=[IDEMPOTENCY_HEADER],
        request=request,
        responses=STEP_RESPONSES,
    )


# --- list, create, detail -------------------------------------------------------------
class ApplianceIn(serializers.Serializer):
    name = serializers.CharField(max_length=40)
    count = serializers.IntegerField(min_value=1, max_value=100, default=1)
    watts = serializers.IntegerField(
        min_value=0, max_value=100_000, required=False, allow_null=True
    )

    class Meta:
        ref_name = "ApplianceIn"


class SurveyFields(serializers.Serializer):
    pole = serializers.IntegerField(help_text="Number of the nearest pole.")
    distance_m = serializers.DecimalField(
        max_digits=6, decimal_places=1, help_text="Metres from the pole (30 at most)."
    )
    distance_override = serializers.CharField(
        max_length=200,
        required=False,
        default="",
        help_text="Why to connect a house farther than 30 m.",
    )
    appliances = ApplianceIn(many=True, required=False)
    hours_per_day = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, allow_null=True
    )
    anticipated_load_w = serializers.IntegerField(required=False, allow_null=True)

    class Meta:
        ref_name = "SurveyFields"


class ProspectListCreateApi(Api):
    class FilterSerializer(serializers.Serializer):
        stage = serializers.ChoiceField(choices=Stage.choices, required=False)
        status = serializers.ChoiceField(choices=ProspectStatus.choices, required=False)
        plant = serializers.CharField(required=False, max_length=6)
        q = serializers.CharField(
            required=False, help_text="Part of a name, reference or mobile number."
        )

    class InputSerializer(SurveyFields):
        plant = serializers.CharField(max_length=6, help_text="Plant key, e.g. BHKATS.")
        name = serializers.CharField(max_length=120)
        phone = serializers.CharField(max_length=20)
        segment = serializers.ChoiceField(choices=Segment.choices, default="household")
        language = serializers.ChoiceField(choices=Language.choices, default="hi")
        address = serializers.CharField(max_length=200, required=False, default="")

        class Meta:
            ref_name = "ProspectCreate"

    @extend_schema(
        tags=TAGS,
        operation_id="prospects_list",
        parameters=[FilterSerializer],
        responses={200: ProspectOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Prospects at the plants of the user's scope, newest first."""
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.prospect_filter(
            selectors.prospects_for(request.user), **filters.validated_data
        )
        return self.paginated(qs.order_by("-created_at", "-pk"), ProspectOut)

    @extend_schema(
        tags=TAGS,
        operation_id="prospects_create",
        summary="Stage 1: catchment survey",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: ProspectDetailOut, 200: ProspectDetailOut, **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """A prospect found in the catchment survey, near a pole of the plant."""
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        plant = access.get_plant_for_user(
            request.user, data.pop("plant"), Action.ACQUISITION_WORK
        )
        data["pole"] = _pole(plant, data["pole"])
        prospect, created = services.prospect_create(
            plant=plant, idempotency_key=key, by=actor(request), **data
        )
        return _created(prospect, created)


class ProspectDetailApi(Api):
    class UpdateSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120, required=False)
        phone = serializers.CharField(max_length=20, required=False)
        address = serializers.CharField(max_length=200, required=False)
        language = serializers.ChoiceField(choices=Language.choices, required=False)
        segment = serializers.ChoiceField(choices=Segment.choices, required=False)

        class Meta:
            ref_name = "ProspectUpdate"

    @extend_schema(
        tags=TAGS,
        operation_id="prospects_retrieve",
        responses={200: ProspectDetailOut, **READ_ERRORS},
    )
    def get(self, request: Request, ref: str) -> Response:
        """A prospect with its history (who did each step, when) and documents."""
        return _detail(selectors.get_prospect_for_user(request.user, ref))

    @extend_schema(
        tags=TAGS,
        operation_id="prospects_partial_update",
        request=UpdateSerializer,
        responses={200: ProspectDetailOut, **POST_ERRORS},
    )
    def patch(self, request: Request, ref: str) -> Response:
        """Correct the contact details (only before the account exists)."""
        prospect = selectors.get_prospect_for_user(request.user, ref, write=True)
        changes = validated(self.UpdateSerializer, request, partial=True)
        services.prospect_update(prospect=prospect, by=actor(request), **changes)
        return _detail(prospect)


# --- one POST per stage action --------------------------------------------------------
class ProspectSurveyApi(Api):
    @_step_schema("prospects_survey", SurveyFields, "Stage 1, completed later")
    def post(self, request: Request, ref: str) -> Response:
        """Record the survey of a prospect that skipped it (a request from the
        app, an instant consumer)."""
        prospect = _prospect(request, ref, Stage.SURVEY)
        key = idempotency_key(request)
        data = validated(SurveyFields, request)
        data["pole"] = _pole(prospect.plant, data["pole"])
        services.prospect_survey_record(
            prospect=prospect, idempotency_key=key, by=actor(request), **data
        )
        return _detail(prospect)


class ProspectMarketingApi(Api):
    class InputSerializer(serializers.Serializer):
        method = serializers.ChoiceField(choices=MarketingMethod.choices)
        contacted_on = serializers.DateField(required=False, allow_null=True)
        note = serializers.CharField(max_length=300, required=False, default="")

        class Meta:
            ref_name = "ProspectMarketing"

    @_step_schema("prospects_marketing", InputSerializer, "Stage 2: marketing")
    def post(self, request: Request, ref: str) -> Response:
        prospect = _prospect(request, ref, Stage.MARKETING)
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        services.prospect_marketing_record(
            prospect=prospect, idempotency_key=key, by=actor(request), **data
        )
        return _detail(prospect)


class NoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, default="")

    class Meta:
        ref_name = "ProspectNote"


class ProspectAcquireApi(Api):
    @_step_schema("prospects_acquire", NoteIn, "Stage 3: acquisition in person")
    def post(self, request: Request, ref: str) -> Response:
        prospect = _prospect(request, ref, Stage.ACQUISITION)
        key = idempotency_key(request)
        data = validated(NoteIn, request)
        services.prospect_acquire(
            prospect=prospect, idempotency_key=key, by=actor(request), **data
        )
        return _detail(prospect)


class ProspectKycApi(Api):
    class InputSerializer(serializers.Serializer):
        id_type = serializers.ChoiceField(choices=IdType.choices)
        id_number = serializers.CharField(max_length=40)
        commitments_acknowledged = serializers.BooleanField(
            help_text="The customer acknowledged the supplier's commitments."
        )

        class Meta:
            ref_name = "ProspectKyc"

    @_step_schema("prospects_kyc", InputSerializer, "Stage 4: KYC")
    def post(self, request: Request, ref: str) -> Response:
        """ID type and number and the acknowledgement; upload the ID proof first."""
        prospect = _prospect(request, ref, Stage.KYC)
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        services.prospect_kyc_complete(
            prospect=prospect, idempotency_key=key, by=actor(request), **data
        )
        return _detail(prospect)


class KycDocumentCreateApi(Api):
    parser_classes = (MultiPartParser, FormParser)

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=KycKind.choices)
        file = serializers.FileField(
            help_text="JPEG, PNG or WebP photo, or PDF; 5 MB at most."
        )

        class Meta:
            ref_name = "KycDocumentUpload"

    @extend_schema(
        tags=TAGS,
        operation_id="prospects_kyc_documents_create",
        summary="Stage 4: a KYC photo or document",
        parameters=[IDEMPOTENCY_HEADER],
        request={"multipart/form-data": InputSerializer},
        responses={201: DocumentOut, 200: DocumentOut, **POST_ERRORS},
    )
    def post(self, request: Request, ref: str) -> Response:
        prospect = _prospect(request, ref, Stage.KYC)
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        doc, created = services.kyc_document_add(
            prospect=prospect,
            kind=data["kind"],
            upload=data["file"],
            idempotency_key=key,
            by=actor(request),
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(DocumentOut(doc).data, status=code)


class KycDocumentFileApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="prospects_kyc_documents_file",
        responses={
            200: OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            **READ_ERRORS,
        },
    )
    def get(self, request: Request, ref: str, pk: int) -> FileResponse:
        """The stored file of a KYC document (only through this scoped call)."""
        prospect = selectors.get_prospect_for_user(request.user, ref)
        doc = prospect.documents.filter(pk=pk).first()
        if doc is None:
            raise Http404(f"No document {pk} of {prospect.ref}.")
        return FileResponse(doc.file.open("rb"), content_type=doc.content_type)


class ProspectPackageApi(Api):
    class InputSerializer(serializers.Serializer):
        package = serializers.CharField(
            max_length=60, help_text="Package ID offered at the plant."
        )

        class Meta:
            ref_name = "ProspectPackage"

    @_step_schema("prospects_package", InputSerializer, "Stage 5: package")
    def post(self, request: Request, ref: str) -> Response:
        """Assign a package; the deposit and activation charge go to the
        customer by SMS."""
        prospect = _prospect(request, ref, Stage.PACKAGE)
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        package = _package(prospect.plant, data["package"])
        services.prospect_package_assign(
            prospect=prospect,
            package=package,  # type: ignore[arg-type]
            idempotency_key=key,
            by=actor(request),
        )
        return _detail(prospect)


class ProspectAccountApi(Api):
    @_step_schema("prospects_account", None, "Stage 6: account creation")
    def post(self, request: Request, ref: str) -> Response:
        """Create the customer account with its unique customer ID."""
        prospect = _prospect(request, ref, Stage.ACCOUNT)
        key = idempotency_key(request)
        services.prospect_account_create(
            prospect=prospect, idempotency_key=key, by=actor(request)
        )
        return _detail(prospect)


class ProspectMeterApi(Api):
    class InputSerializer(serializers.Serializer):
        meter = serializers.CharField(max_length=40, help_text="Serial number.")

        class Meta:
            ref_name = "ProspectMeter"

    @_step_schema("prospects_meter", InputSerializer, "Stage 7: pick a meter")
    def post(self, request: Request, ref: str) -> Response:
        """Assign a meter or load limiter from the plant's stock."""
        prospect = _prospect(request, ref, Stage.METER)
        key = idempotency_key(request)
        serial = validated(self.InputSerializer, request)["meter"].strip().upper()
        meter = Meter.objects.filter(company=prospect.company, serial=serial).first()
        if meter is None:
            raise ValidationFailed(
                "meter_not_in_stock",
                f"Meter {serial} is not in the stock of {prospect.plant.key}.",
                field="meter",
            )
        services.prospect_meter_assign(
            prospect=prospect, meter=meter, idempotency_key=key, by=actor(request)
        )
        return _detail(prospect)


class ProspectConnectionStepApi(Api):
    class InputSerializer(serializers.Serializer):
        step = serializers.ChoiceField(
            choices=[c for c in ConnectionStep.choices if c[0] != "review"]
        )
        note = serializers.CharField(max_length=300, required=False, default="")

        class Meta:
            ref_name = "ProspectConnectionStep"

    @_step_schema(
        "prospects_connection_step", InputSerializer, "Stage 7: a connection step"
    )
    def post(self, request: Request, ref: str) -> Response:
        """At Pole, then House wire, then Service Wire."""
        prospect = _prospect(request, ref, Stage.METER)
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        services.prospect_connection_step(
            prospect=prospect, idempotency_key=key, by=actor(request), **data
        )
        return _detail(prospect)


class ProspectInstallApi(Api):
    class InputSerializer(serializers.Serializer):
        initial_reading = serializers.CharField(
            max_length=20, default="0", help_text="First reading in kWh (a string)."
        )

        class Meta:
            ref_name = "ProspectInstall"

    @_step_schema("prospects_install", InputSerializer, "Stage 7: meter installed")
    def post(self, request: Request, ref: str) -> Response:
        prospect = _prospect(request, ref, Stage.METER)
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        services.prospect_meter_install(
            prospect=prospect, idempotency_key=key, by=actor(request), **data
        )
        return _detail(prospect)


class ProspectActivateApi(Api):
    @_step_schema("prospects_activate", None, "Stage 8: activation")
    def post(self, request: Request, ref: str) -> Response:
        """Confirm the connection: the customer turns active; the activation
        charge and the deposit become due on the ledger."""
        prospect = _prospect(request, ref, Stage.ACTIVATION)
        key = idempotency_key(request)
        services.prospect_activate(
            prospect=prospect, idempotency_key=key, by=actor(request)
        )
        return _detail(prospect)


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300)

    class Meta:
        ref_name = "ProspectReason"


class ProspectRejectApi(Api):
    @_step_schema("prospects_reject", ReasonIn, "Reject at the stage it waits for")
    def post(self, request: Request, ref: str) -> Response:
        prospect = selectors.get_prospect_for_user(request.user, ref)
        access.require(
            request.user,
            selectors.action_for_stage(prospect.next_stage or Stage.ACTIVATION),
        )
        key = idempotency_key(request)
        data = validated(ReasonIn, request)
        services.prospect_reject(
            prospect=prospect, idempotency_key=key, by=actor(request), **data
        )
        return _detail(prospect)


class ProspectReopenApi(Api):
    @_step_schema("prospects_reopen", ReasonIn, "Reopen a rejected prospect")
    def post(self, request: Request, ref: str) -> Response:
        prospect = selectors.get_prospect_for_user(request.user, ref)
        stage = prospect.rejected_stage or prospect.next_stage or Stage.ACTIVATION
        access.require(request.user, selectors.action_for_stage(stage))
        key = idempotency_key(request)
        data = validated(ReasonIn, request)
        services.prospect_reopen(
            prospect=prospect, idempotency_key=key, by=actor(request), **data
        )
        return _detail(prospect)


# --- board and instant consumer -------------------------------------------------------
class BoardRowOut(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Per stage (the last done; activation = activated) and rejected.",
    )
    in_progress = serializers.IntegerField()
    total = serializers.IntegerField()

    class Meta:
        ref_name = "PipelineBoardRow"


class BoardOut(serializers.Serializer):
    class ClusterOut(serializers.Serializer):
        key = serializers.CharField(source="cluster.key")
        name = serializers.CharField(source="cluster.name")
        plants = BoardRowOut(many=True)
        subtotal = BoardRowOut()

        class Meta:
            ref_name = "PipelineBoardCluster"

    clusters = ClusterOut(many=True)
    total = BoardRowOut()

    class Meta:
        ref_name = "PipelineBoard"


class BoardApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="prospects_board",
        responses={200: BoardOut, **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Counts per stage per plant of the user's scope, with cluster
        subtotals and a total."""
        return Response(BoardOut(selectors.board_for(request.user)).data)


class InstantApi(Api):
    class InputSerializer(serializers.Serializer):
        plant = serializers.CharField(max_length=6)
        name = serializers.CharField(max_length=120)
        phone = serializers.CharField(max_length=20)
        pole = serializers.IntegerField()
        package = serializers.CharField(max_length=60, help_text="Package ID.")
        language = serializers.ChoiceField(choices=Language.choices, default="hi")
        segment = serializers.ChoiceField(choices=Segment.choices, default="household")
        address = serializers.CharField(max_length=200, required=False, default="")

        class Meta:
            ref_name = "InstantConsumer"

    @extend_schema(
        tags=TAGS,
        operation_id="prospects_instant",
        summary="Add Instant Consumer",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: ProspectDetailOut, 200: ProspectDetailOut, **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Name, phone, pole and package: the account at once; the survey,
        marketing and KYC are completed later."""
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        plant = access.get_plant_for_user(
            request.user, data.pop("plant"), Action.ACQUISITION_WORK
        )
        data["pole"] = _pole(plant, data["pole"])
        data["package"] = _package(plant, data["package"])
        prospect, created = services.prospect_instant_create(
            plant=plant, idempotency_key=key, by=actor(request), **data
        )
        return _created(prospect, created)


urlpatterns: list[URLPattern] = [
    path("prospects/", ProspectListCreateApi.as_view(), name="prospect-list"),
    path("prospects/board/", BoardApi.as_view(), name="prospect-board"),
    path("prospects/instant/", InstantApi.as_view(), name="prospect-instant"),
    path("prospects/<str:ref>/", ProspectDetailApi.as_view(), name="prospect-detail"),
    *[
        path(f"prospects/<str:ref>/{segment}/", view.as_view(), name=f"prospect-{name}")
        for segment, view, name in [
            ("survey", ProspectSurveyApi, "survey"),
            ("marketing", ProspectMarketingApi, "marketing"),
            ("acquire", ProspectAcquireApi, "acquire"),
            ("kyc", ProspectKycApi, "kyc"),
            ("kyc/documents", KycDocumentCreateApi, "kyc-documents"),
            ("package", ProspectPackageApi, "package"),
            ("account", ProspectAccountApi, "account"),
            ("meter", ProspectMeterApi, "meter"),
            ("connection-steps", ProspectConnectionStepApi, "connection-step"),
            ("install", ProspectInstallApi, "install"),
            ("activate", ProspectActivateApi, "activate"),
            ("reject", ProspectRejectApi, "reject"),
            ("reopen", ProspectReopenApi, "reopen"),
        ]
    ],
    path(
        "prospects/<str:ref>/kyc/documents/<int:pk>/",
        KycDocumentFileApi.as_view(),
        name="prospect-kyc-document",
    ),
]
