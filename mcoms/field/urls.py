from django.urls import path

from mcoms.field import (
    account_tabs,
    acquisition,
    billing,
    cash,
    collection,
    control,
    customers,
    meters,
    packages,
    payments,
    readings,
    receipts,
    requests,
    views,
)

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
    path("dashboard/", billing.dashboard, name="dashboard"),
    # Add Transaction (docs/payments.md)
    path(
        "consumers/<str:customer_id>/pay/",
        payments.add_transaction,
        name="add-transaction",
    ),
    path("payments/<str:uid>/", payments.payment_page, name="payment"),
    # receipts (docs/receipts.md)
    path("receipts/<str:number>/", receipts.receipt_page, name="receipt"),
    path(
        "receipts/<str:number>.<str:ext>",
        receipts.receipt_download,
        name="receipt-file",
    ),
    path("receipts/<str:number>/sms/", receipts.receipt_sms, name="receipt-sms"),
    path(
        "payments/<str:uid>/receipt/",
        receipts.payment_receipt,
        name="payment-receipt",
    ),
    path(
        "consumers/<str:customer_id>/transactions/",
        receipts.transactions,
        name="transactions",
    ),
    # the account's ledgers (manual 3.5.2; docs/collection.md)
    path(
        "consumers/<str:customer_id>/cash-ledger/",
        account_tabs.cash_ledger,
        name="cash-ledger",
    ),
    path(
        "consumers/<str:customer_id>/deposit-ledger/",
        account_tabs.deposit_ledger_page,
        name="deposit-ledger",
    ),
    # Cash Register, Receivables, Aging, Total Collection (manual 3.4.3-3.4.6)
    path("cash-register/", collection.cash_register_page, name="cash-register"),
    path("receivables/", collection.receivables_page, name="receivables"),
    path("receivables/ageing/", collection.ageing_page, name="ageing"),
    path("collection/", collection.total_collection_page, name="total-collection"),
    # Bank Deposit (manual 3.7.7)
    path("bank-deposit/", cash.deposits, name="deposits"),
    path("bank-deposit/new/", cash.deposit_new, name="deposit-new"),
    path("bank-deposit/in-hand/", cash.in_hand, name="in-hand"),
    path("bank-deposit/review/", cash.review, name="deposit-review"),
    path("bank-deposit/<str:uid>/", cash.deposit_page, name="deposit"),
    path("bank-deposit/<str:uid>/slip/", cash.deposit_slip, name="deposit-slip"),
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
    # meter stock, Change Meter, Unreleased Meter (manual 3.8.2, 3.8.3)
    path("meters/", meters.stock, name="meters"),
    path("meters/receive/", meters.receive, name="meter-receive"),
    path("meters/change/", meters.change, name="meter-change"),
    path("meters/releases/", meters.release_list, name="meter-releases"),
    path("meters/releases/new/", meters.release_new, name="meter-release-new"),
    path(
        "meters/releases/<str:number>/",
        meters.release_detail,
        name="meter-release",
    ),
    path(
        "meters/releases/<str:number>/<str:action>/",
        meters.release_action,
        name="meter-release-action",
    ),
    # meter control (manual 3.4.5, 3.5.8, 3.8.4, 3.8.5, 3.8.8)
    path("smart-meters/", control.meter_list, name="smart-meters"),
    path("smart-meters/<str:serial>/", control.meter_page, name="smart-meter"),
    path(
        "smart-meters/<str:serial>/command/",
        control.meter_command,
        name="smart-meter-command",
    ),
    path(
        "smart-meters/<str:serial>/token/",
        control.meter_token,
        name="smart-meter-token",
    ),
    path("feeders/", control.feeder_status, name="feeders"),
    path(
        "feeders/<str:plant_key>/<str:feeder_code>/switch/",
        control.group_switch,
        name="feeder-switch",
    ),
    path("plants/<str:plant_key>/switch/", control.group_switch, name="plant-switch"),
    path("meter-commands/<int:pk>/", control.command_page, name="meter-command"),
    # meter readings (manual 3.8.6, 3.8.7); review first: "review" is six
    # letters like a plant key
    path("readings/", readings.board, name="readings"),
    path("readings/review/", readings.review_board, name="reading-review"),
    path(
        "readings/review/<str:plant_key>/",
        readings.review_plant,
        name="reading-review-plant",
    ),
    path(
        "readings/review/<str:plant_key>/<int:pk>/<str:action>/",
        readings.review_action,
        name="reading-review-action",
    ),
    path("readings/<str:plant_key>/", readings.plant_list, name="readings-plant"),
    path(
        "readings/<str:plant_key>/<str:serial>/",
        readings.enter,
        name="readings-enter",
    ),
    path("offline/", views.offline, name="offline"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
]
