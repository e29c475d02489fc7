"""The approval chain (manual 3.5.6): requests by their number (``BHKATS-00012``)
with their steps, the transitions, and the customers flagged "to de-activate".

Every POST needs an ``Idempotency-Key`` header: a retried raise returns the
first request (200 instead of 201); a retried step returns the request as it
is. A step the request's state does not allow is 409 ``request_wrong_state``;
a designation without the step's permission 403; a request outside the scope
404. docs/workflow.md has the states and who takes which step.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from mcoms.api.common import READ_ERRORS, Api, actor, validated
from mcoms.api.ledger import IDEMPOTENCY_HEADER, POST_ERRORS, idempotency_key
from mcoms.core.errors import ValidationFailed
from mcoms.customers.selectors import get_customer_for_user
from mcoms.customers.status import flagged_customers_for
from mcoms.org.access import get_plant_for_user
from mcoms.org.models import User
from mcoms.org.permissions import Action
from mcoms.workflow import selectors as wf
from mcoms.workflow import services
from mcoms.workflow.kinds import kind_choices, kind_label
from mcoms.workflow.models import Request as WorkRequest
from mcoms.workflow.models import RequestState

TAGS = ["requests"]
USERS = ("raised_by", "approved_by", "assigned_to", "assigned_by", "executed_by")


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


class RequestOut(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.SerializerMethodField()
    state = serializers.ChoiceField(choices=RequestState.choices)
    plant = serializers.CharField(source="plant.key")
    customer = serializers.CharField(source="subject.customer_id", default=None)
    customer_name = serializers.CharField(source="subject.name", default=None)
    comments = serializers.CharField()
    payload = serializers.JSONField()
    result = serializers.JSONField()
    raised_by = serializers.CharField(source="raised_by.username")
    raised_at = serializers.DateTimeField()
    approved_by = serializers.CharField(source="approved_by.username", default=None)
    approved_at = serializers.DateTimeField(allow_null=True)
    assigned_to = serializers.CharField(source="assigned_to.username", default=None)
    assigned_by = serializers.CharField(source="assigned_by.username", default=None)
    assigned_at = serializers.DateTimeField(allow_null=True)
    executed_by = serializers.CharField(source="executed_by.username", default=None)
    executed_at = serializers.DateTimeField(allow_null=True)
    closed_by = serializers.CharField(source="closed_by.username", default=None)
    closed_at = serializers.DateTimeField(allow_null=True)
    reject_reason = serializers.CharField()

    class Meta:
        ref_name = "WorkRequest"

    def get_kind_label(self, req: WorkRequest) -> str:
        return kind_label(req.kind)


class StepOut(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.CharField(source="by.username")
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    note = serializers.CharField()
    assignee = serializers.CharField(source="assignee.username", default=None)

    class Meta:
        ref_name = "WorkRequestStep"


class RequestDetailOut(RequestOut):
    steps = StepOut(source="steps.all", many=True)
    actions = serializers.SerializerMethodField(
        help_text="The steps the signed-in user may take now."
    )

    class Meta:
        ref_name = "WorkRequestDetail"

    def get_actions(self, req: WorkRequest) -> list[str]:
        return wf.request_actions(self.context["user"], req)


def _loaded(qs: QuerySet[WorkRequest]) -> QuerySet[WorkRequest]:
    return qs.select_related(*USERS, "closed_by", "plant__state", "subject")


def _detail(request: Request, number: str, code: int = 200) -> Response:
    req = wf.get_request_for_user(request.user, number)
    req = _loaded(WorkRequest.objects.filter(pk=req.pk)).prefetch_related(
        "steps__by", "steps__assignee"
    )[0]
    data = RequestDetailOut(req, context={"user": request.user}).data
    return Response(data, status=code)


class RequestListCreateApi(Api):
    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=RequestState.choices, required=False)
        kind = serializers.CharField(required=False, max_length=40)
        plant = serializers.CharField(required=False, max_length=6)
        mine = serializers.BooleanField(
            required=False, help_text="Only requests assigned to me."
        )

    class InputSerializer(serializers.Serializer):
        kind = serializers.CharField(max_length=40, help_text="deactivation, ...")
        plant = serializers.CharField(max_length=6, help_text="Plant key: BHKATS.")
        customer = serializers.CharField(
            max_length=11, required=False, help_text="Customer ID, if the kind has one."
        )
        comments = serializers.CharField(
            max_length=1000, required=False, allow_blank=True, default=""
        )
        payload = serializers.DictField(
            required=False,
            default=dict,
            help_text='Details the kind asks for, e.g. {"reason": "non_payment", '
            '"ban": false} for a de-activation.',
        )

        class Meta:
            ref_name = "WorkRequestIn"

    @extend_schema(
        tags=TAGS,
        operation_id="requests_list",
        parameters=[FilterSerializer],
        responses={200: RequestOut(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Requests of the plants in my scope, newest first."""
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        qs = _loaded(wf.requests_for(request.user))
        if "state" in data:
            qs = qs.filter(state=data["state"])
        if "kind" in data:
            qs = qs.filter(kind=data["kind"])
        if "plant" in data:
            qs = qs.filter(plant=get_plant_for_user(request.user, data["plant"]))
        if data.get("mine"):
            qs = qs.filter(assigned_to=actor(request))
        return self.paginated(qs, RequestOut)

    @extend_schema(
        tags=TAGS,
        operation_id="requests_create",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={201: RequestDetailOut, 200: RequestDetailOut, **POST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Raise a request (kinds: see ``kind_choices``)."""
        key = idempotency_key(request)
        data = validated(self.InputSerializer, request)
        user = request.user
        plant = get_plant_for_user(user, data["plant"], Action.REQUEST_RAISE)
        customer = None
        if data.get("customer"):
            customer = get_customer_for_user(user, data["customer"])
        req, created = services.request_raise(
            kind=data["kind"],
            plant=plant,
            subject=customer,
            comments=data["comments"],
            payload=data["payload"],
            idempotency_key=key,
            by=actor(request),
        )
        return _detail(request, req.number, 201 if created else 200)


class RequestDetailApi(Api):
    @extend_schema(
        tags=TAGS,
        operation_id="requests_retrieve",
        responses={200: RequestDetailOut, **READ_ERRORS},
    )
    def get(self, request: Request, number: str) -> Response:
        """One request with its steps and the steps I may take now."""
        return _detail(request, number)


class NoteIn(serializers.Serializer):
    note = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )

    class Meta:
        ref_name = "WorkRequestNoteIn"


class AssignIn(NoteIn):
    assignee = serializers.CharField(
        max_length=150, help_text="Username of a technician or CSA of the plant."
    )

    class Meta:
        ref_name = "WorkRequestAssignIn"


class RejectIn(serializers.Serializer):
    reason = serializers.CharField(max_length=255)

    class Meta:
        ref_name = "WorkRequestRejectIn"


def transition_api(action: str, body: type[serializers.Serializer], doc: str) -> Any:
    """An API class for one step of the chain."""

    class TransitionApi(Api):
        @extend_schema(
            tags=TAGS,
            operation_id=f"requests_{action}",
            parameters=[IDEMPOTENCY_HEADER],
            request=body,
            responses={200: RequestDetailOut, **POST_ERRORS},
            description=doc,
        )
        def post(self, request: Request, number: str) -> Response:
            key = idempotency_key(request)
            req = wf.get_request_for_user(request.user, number)
            data = validated(body, request)
            assignee = None
            if "assignee" in data:
                assignee = wf.staff_user(req.company_id, data["assignee"])
                if assignee is None:
                    raise ValidationFailed(
                        "assignee_unknown",
                        f"No staff member {data['assignee']!r:.40}.",
                        field="assignee",
                    )
            services.request_step(
                request=req,
                action=action,
                by=actor(request),
                note=data.get("note", ""),
                reason=data.get("reason", ""),
                assignee=assignee,
                idempotency_key=key,
            )
            return _detail(request, number)

    TransitionApi.__name__ = f"Request{action.title()}Api"
    return TransitionApi


STEPS = {
    "approve": (NoteIn, "Request -> Approved. State In-charge (request.approve)."),
    "assign": (
        AssignIn,
        "Approved -> In Process, or re-assign while In Process. Cluster "
        "In-charge (request.assign); the assignee executes requests and works "
        "at the plant.",
    ),
    "reject": (
        RejectIn,
        "At Request, Approved or In Process: closes the request as Rejected. At "
        "Review: sends it back to In Process for the assignee.",
    ),
    "execute": (
        NoteIn,
        "In Process -> Review: the assignee (request.execute) did the work; "
        "runs the kind's handler (e.g. the customer's status changes).",
    ),
    "complete": (
        NoteIn,
        "Review -> Completed: a reviewer (request.review) other than the one "
        "who executed it.",
    ),
}


class AssigneeListApi(Api):
    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField(source="user.username")
        name = serializers.CharField(source="user.get_full_name")
        designation = serializers.CharField()
        scope = serializers.CharField(source="scope_node")

        class Meta:
            ref_name = "WorkRequestAssignee"

    @extend_schema(
        tags=TAGS,
        operation_id="requests_assignees_list",
        responses={200: OutputSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request: Request, number: str) -> Response:
        """Who may be assigned this request (the plant's people first)."""
        req = wf.get_request_for_user(request.user, number)
        people = wf.assignable_staff(req.plant)
        return Response(self.OutputSerializer(people, many=True).data)


class KindListApi(Api):
    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        label = serializers.CharField()  # type: ignore[assignment]

        class Meta:
            ref_name = "WorkRequestKind"

    @extend_schema(
        tags=TAGS,
        operation_id="requests_kinds_list",
        responses={200: OutputSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The kinds of request that can be raised."""
        wf.requests_for(request.user)  # the 403 for non-staff
        rows = [{"code": c, "label": label} for c, label in kind_choices()]
        return Response(self.OutputSerializer(rows, many=True).data)


class FlaggedCustomerListApi(Api):
    class FilterSerializer(serializers.Serializer):
        plant = serializers.CharField(required=False, max_length=6)

    class OutputSerializer(serializers.Serializer):
        customer_id = serializers.CharField()
        name = serializers.CharField()
        phone = serializers.CharField()
        plant = serializers.CharField(source="plant.key")
        package = serializers.CharField(source="package.package_id", default=None)
        credit_limit = serializers.DecimalField(
            source="package.credit_limit", max_digits=14, decimal_places=2
        )
        outstanding = serializers.DecimalField(
            source="flagged_outstanding", max_digits=14, decimal_places=2
        )
        flagged_at = serializers.DateTimeField()
        open_request = serializers.SerializerMethodField()

        class Meta:
            ref_name = "FlaggedCustomer"

        def get_open_request(self, customer: Any) -> str | None:
            req = self.context["open"].get(customer.pk)
            return req.number if req is not None else None

    @extend_schema(
        tags=["customers"],
        operation_id="flagged_customers_list",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Active customers over their credit limit ("to de-activate"), largest
        outstanding first, with the open status request if there is one."""
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = flagged_customers_for(request.user)
        if "plant" in filters.validated_data:
            plant = get_plant_for_user(request.user, filters.validated_data["plant"])
            qs = qs.filter(plant=plant)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self) or []
        context = {"open": wf.open_requests_for_subjects([c.pk for c in page])}
        data = self.OutputSerializer(page, many=True, context=context).data
        return paginator.get_paginated_response(data)


urlpatterns: list[URLPattern] = [
    path("", RequestListCreateApi.as_view(), name="request-list"),
    path("kinds/", KindListApi.as_view(), name="request-kinds"),
    path("<str:number>/", RequestDetailApi.as_view(), name="request-detail"),
    path(
        "<str:number>/assignees/",
        AssigneeListApi.as_view(),
        name="request-assignees",
    ),
    *[
        path(
            f"<str:number>/{action}/",
            transition_api(action, body, doc).as_view(),
            name=f"request-{action}",
        )
        for action, (body, doc) in STEPS.items()
    ],
]
