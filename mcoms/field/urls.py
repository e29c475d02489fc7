from django.urls import path

from mcoms.field import acquisition, customers, packages, requests, views

app_name = "field"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("consumers/", customers.consumers, name="consumers"),
    path("consumers/<str:customer_id>/", customers.account, name="customer"),
    path("consumers/<str:customer_id>/edit/", customers.edit, name="customer-edit"),
    path(
        "consumers/<str:customer_id>/changes/<int:pk>/<str:action>/",
        customers.change_action,
        name="customer-change",
    ),
    path("contacts/", views.contacts, name="contacts"),
    path("notifications/", views.notifications, name="notifications"),
    path("requests/", requests.request_home, name="requests"),
    path("requests/new/", requests.request_create, name="request-create"),
    path("requests/<str:number>/", requests.request_detail, name="request-detail"),
    path(
        "requests/<str:number>/<str:action>/",
        requests.request_action,
        name="request-action",
    ),
    path("packages/", packages.packages, name="packages"),
    path("flagged/", requests.flagged, name="flagged"),
    path(
        "flagged/<str:customer_id>/raise/",
        requests.flagged_raise,
        name="flagged-raise",
    ),
    path("acquisition/", acquisition.pipeline, name="acq-list"),
    path("acquisition/new/", acquisition.prospect_new, name="acq-new"),
    path("acquisition/instant/", acquisition.instant, name="acq-instant"),
    path("acquisition/connections/", acquisition.connections, name="acq-connections"),
    path("acquisition/<str:ref>/", acquisition.prospect_detail, name="acq-detail"),
    path(
        "acquisition/<str:ref>/<str:name>/",
        acquisition.prospect_step,
        name="acq-step",
    ),
    path("offline/", views.offline, name="offline"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
]
