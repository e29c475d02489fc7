"""CSV import of packages and customers (docs/import.md), head office only
(``customer.import``).

``POST /imports/`` takes a ``packages`` file, a ``customers`` file or both
(multipart) and an ``Idempotency-Key``. With ``dry_run`` (the default) it
checks every row, writes nothing but the kept upload, and answers 201 with the
report and a ``token``; ``POST /imports/<token>/commit/`` then imports it. With
``dry_run=false`` it checks and imports in one call. An import with any bad
row writes nothing and answers 400 ``import_rows_invalid`` with the report.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, Api, ErrorSerializer, actor, validated
from mcoms.api.ledger import IDEMPOTENCY_HEADER, POST_ERRORS, idempotency_key
from mcoms.customers import imports
from mcoms.packages.models import ImportBatch, ImportState

TAGS = ["imports"]


class ProblemOut(serializers.Serializer):
    file = serializers.ChoiceField(choices=["packages", "customers"])
    row = serializers.IntegerField(help_text="The spreadsheet's row; 0: the file.")
    column = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()

    class Meta:
        ref_name = "ImportProblem"


class ImportOut(serializers.Serializer):
    token = serializers.UUIDField()
    state = serializers.ChoiceField(choices=ImportState.choices)
    ok = serializers.BooleanField(source="report.ok")
    packages_file = serializers.CharField(source="packages_name")
    customers_file = serializers.CharField(source="customers_name")
    rows = serializers.DictField(
        child=serializers.IntegerField(), source="report.rows", help_text="Per file."
    )
    created = serializers.DictField(
        child=serializers.IntegerField(),
        source="report.created",
        default=None,
        help_text="What the import wrote: packages and customers.",
    )
    errors = ProblemOut(source="report.errors", many=True)  # type: ignore[assignment]
    created_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()
    committed_by = serializers.CharField(source="committed_by.username", default=None)
    committed_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "Import"


class RefusedOut(ErrorSerializer):
    import_ = ImportOut(source="batch")

    class Meta:
        ref_name = "ImportRefused"

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["import"] = fields.pop("import_")
        return fields


def _answer(batch: ImportBatch, code: int) -> Response:
    if batch.state != ImportState.COMMITTED and not batch.report.get("ok"):
        body = {
            "code": "import_rows_invalid",
            "detail": "Bad rows: nothing was imported. See import.errors.",
            "batch": batch,
        }
        return Response(RefusedOut(body).data, status=status.HTTP_400_BAD_REQUEST)
    return Response(ImportOut(batch).data, status=code)


class ImportListCreateApi(Api):
    parser_classes = (MultiPartParser, FormParser)

    class InputSerializer(serializers.Serializer):
        packages = serializers.FileField(
            required=False, help_text="Packages CSV (docs/import.md), UTF-8."
        )
        customers = serializers.FileField(
            required=False, help_text="Customers CSV (docs/import.md), UTF-8."
        )
        dry_run = serializers.BooleanField(
            required=False,
            default=True,
            help_text="True (default): check only. False: check and import.",
        )

        class Meta:
            ref_name = "ImportUpload"

    @extend_schema(
        tags=TAGS,
        operation_id="imports_list",
        responses={200: ImportOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Uploads and imports, newest first."""
        return self.paginated(imports.imports_for(request.user), ImportOut)

    @extend_schema(
        tags=TAGS,
        operation_id="imports_create",
        parameters=[IDEMPOTENCY_HEADER],
        request={"multipart/form-data": InputSerializer},
        responses={
            201: ImportOut,
            200: ImportOut,
            400: RefusedOut,
            **{k: v for k, v in POST_ERRORS.items() if k != 400},
        },
    )
    def post(self, request: Request) -> Response:
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        files = [
            imports.read_uploaded(kind, data[kind])
            for kind in ("packages", "customers")
            if data.get(kind) is not None
        ]
        batch, created = imports.import_upload(
            user=actor(request), files=files, idempotency_key=key
        )
        if created and not data["dry_run"] and batch.report.get("ok"):
            batch = imports.import_commit(batch=batch, user=actor(request))
        return _answer(batch, status.HTTP_201_CREATED if created else 200)


class ImportDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="imports_retrieve",
        responses={200: ImportOut, **READ_ERRORS},
    )
    def get(self, request: Request, token: str) -> Response:
        batch = imports.get_import_for_user(request.user, token)
        return Response(ImportOut(batch).data)


class ImportCommitApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="imports_commit",
        parameters=[IDEMPOTENCY_HEADER],
        request=None,
        responses={
            200: ImportOut,
            400: RefusedOut,
            **{k: v for k, v in POST_ERRORS.items() if k != 400},
        },
    )
    def post(self, request: Request, token: str) -> Response:
        """Import a checked upload: every row is checked again, and nothing is
        written if any is bad. Committing an imported upload returns it."""
        idempotency_key(request)
        batch = imports.get_import_for_user(request.user, token)
        batch = imports.import_commit(batch=batch, user=actor(request))
        return _answer(batch, status.HTTP_200_OK)


urlpatterns: list[URLPattern] = [
    path("", ImportListCreateApi.as_view(), name="import-list"),
    path("<str:token>/", ImportDetailApi.as_view(), name="import-detail"),
    path("<str:token>/commit/", ImportCommitApi.as_view(), name="import-commit"),
]
