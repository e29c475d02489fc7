from django.urls import path

from mcoms.selfcare import bills, connection, profile, readings, transactions, views

app_name = "selfcare"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.verify_view, name="verify"),
    path("logout/", views.logout_view, name="logout"),
    path("a/<str:customer_id>/", views.account, name="account"),
    path("a/<str:customer_id>/profile/", profile.profile_page, name="profile"),
    path(
        "a/<str:customer_id>/readings/",
        readings.meter_readings,
        name="readings",
    ),
    path(
        "a/<str:customer_id>/profile/edit/",
        profile.profile_edit,
        name="profile-edit",
    ),
    path(
        "a/<str:customer_id>/profile/changes/<int:pk>/<str:action>/",
        profile.profile_change_action,
        name="profile-change",
    ),
    path("a/<str:customer_id>/payable/", bills.payable, name="payable"),
    path("a/<str:customer_id>/bills/", bills.statement, name="statement"),
    path(
        "a/<str:customer_id>/bills/<str:number>.pdf",
        bills.bill_download,
        name="bill-pdf",
    ),
    # the transaction history with receipts (docs/receipts.md)
    path(
        "a/<str:customer_id>/transactions/",
        transactions.transactions,
        name="transactions",
    ),
    path(
        "a/<str:customer_id>/receipts/<str:number>/",
        transactions.receipt_page,
        name="receipt",
    ),
    path(
        "a/<str:customer_id>/receipts/<str:number>.<str:ext>",
        transactions.receipt_download,
        name="receipt-file",
    ),
    path("notifications/", views.notifications, name="notifications"),
    path("connection/", connection.start, name="connection"),
    path("connection/me/", connection.for_me, name="connection-for-me"),
    path("connection/verify/", connection.verify, name="connection-verify"),
    path("connection/details/", connection.details, name="connection-details"),
    path("connection/done/", connection.done, name="connection-done"),
    path("offline/", views.offline, name="offline"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
]
