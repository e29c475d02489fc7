"""The REST API: ``/api/v1/...``, its OpenAPI schema and offline docs."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from mcoms.api import (
    auth,
    bill_documents,
    collection,
    control,
    me,
    network,
    org,
    requests,
    staff,
)

app_name = "api"


class OfflineRedocView(SpectacularRedocView):
    """Redoc from the sidecar, without the web fonts the stock page links to."""

    template_name = "api/redoc.html"


def not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Unknown API paths answer JSON like every other API error."""
    return JsonResponse({"code": "not_found", "detail": "Not found."}, status=404)


v1: list[URLPattern | URLResolver] = [
    path("states/", org.StateListCreateApi.as_view(), name="state-list"),
    path("states/<str:code>/", org.StateDetailApi.as_view(), name="state-detail"),
    path("clusters/", org.ClusterListCreateApi.as_view(), name="cluster-list"),
    path("clusters/<str:key>/", org.ClusterDetailApi.as_view(), name="cluster-detail"),
    path("plants/", org.PlantListCreateApi.as_view(), name="plant-list"),
    path("plants/<str:key>/", org.PlantDetailApi.as_view(), name="plant-detail"),
    path(
        "plants/<str:plant>/feeders/",
        network.FeederListCreateApi.as_view(),
        name="feeder-list",
    ),
    path(
        "plants/<str:plant>/feeders/<str:code>/",
        network.FeederDetailApi.as_view(),
        name="feeder-detail",
    ),
    path(
        "plants/<str:plant>/poles/",
        network.PoleListCreateApi.as_view(),
        name="pole-list",
    ),
    path(
        "plants/<str:plant>/poles/<int:number>/",
        network.PoleDetailApi.as_view(),
        name="pole-detail",
    ),
    path("staff/", staff.StaffListCreateApi.as_view(), name="staff-list"),
    path("staff/<str:username>/", staff.StaffDetailApi.as_view(), name="staff-detail"),
    path("customers/", include("mcoms.api.customers")),
    path("customers/<str:customer_id>/", include(bill_documents.customer_urls)),
    path("customers/<str:customer_id>/", include(collection.customer_urls)),
    path("reports/", include(collection.urlpatterns)),
    path("cash/", include("mcoms.api.cash")),
    path("auth/token/", auth.TokenCreateApi.as_view(), name="auth-token"),
    path("auth/otp/request/", auth.OtpRequestApi.as_view(), name="auth-otp-request"),
    path("auth/otp/verify/", auth.OtpVerifyApi.as_view(), name="auth-otp-verify"),
    path("auth/logout/", auth.LogoutApi.as_view(), name="auth-logout"),
    path("me/", me.MeApi.as_view(), name="me"),
    path("ledger/", include("mcoms.api.ledger")),
    path("", include("mcoms.api.packages")),
    path("imports/", include("mcoms.api.imports")),
    path("requests/", include("mcoms.api.requests")),
    path("", include("mcoms.api.acquisition")),
    path("connection-requests/", include("mcoms.api.connection_requests")),
    path("meter-commands/", include(control.command_urls)),
    path("meters/", include(control.meter_urls)),
    path("meters/", include("mcoms.api.meters")),
    path("readings/", include("mcoms.api.readings")),
    path("billing/", include("mcoms.api.billing")),
    path("payments/", include("mcoms.api.payments")),
    path("receipts/", include("mcoms.api.receipts")),
    path("billing/", include(bill_documents.bill_urls)),
    path(
        "flagged-customers/",
        requests.FlaggedCustomerListApi.as_view(),
        name="flagged-customer-list",
    ),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", OfflineRedocView.as_view(url_name="api:schema"), name="redoc"),
    re_path(r"^.*$", not_found),
]
