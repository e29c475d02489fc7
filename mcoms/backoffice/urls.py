from django.urls import path

from mcoms.backoffice.views import (
    account_tabs,
    acquisition,
    acquisition_work,
    auth,
    billing,
    billing_dashboard,
    cash,
    collection,
    control,
    customers,
    dashboard,
    imports,
    meters,
    network,
    packages,
    payments,
    pwa,
    readings,
    requests,
    staff,
    structure,
)

app_name = "backoffice"

PLANT = "plants/<str:plant_key>/"
PACKAGE = "packages/<str:plant_key>/<path:package_id>/v<int:version>/"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # payments and the conflicts queue (docs/payments.md)
    path("payments/", payments.payment_list, name="payment-list"),
    path("payments/conflicts/", payments.conflict_list, name="payment-conflicts"),
    path(
        "payments/conflicts/<int:pk>/settle/",
        payments.conflict_settle,
        name="payment-conflict-settle",
    ),
    path("payments/<str:uid>/", payments.payment_detail, name="payment-detail"),
    path("payments/<str:uid>/undo/", payments.payment_undo, name="payment-undo"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    # states > clusters > plants
    path("states/", structure.state_list, name="state-list"),
    path("states/new/", structure.state_create, name="state-create"),
    path("states/<str:code>/", structure.state_detail, name="state-detail"),
    path("states/<str:code>/edit/", structure.state_edit, name="state-edit"),
    path(
        "states/<str:code>/clusters/new/",
        structure.cluster_create,
        name="cluster-create",
    ),
    path("clusters/", structure.cluster_list, name="cluster-list"),
    path("clusters/<str:key>/", structure.cluster_detail, name="cluster-detail"),
    path("clusters/<str:key>/edit/", structure.cluster_edit, name="cluster-edit"),
    path("clusters/<str:key>/plants/new/", structure.plant_create, name="plant-create"),
    path("plants/", structure.plant_list, name="plant-list"),
    path("plants/<str:key>/", structure.plant_detail, name="plant-detail"),
    path("plants/<str:key>/edit/", structure.plant_edit, name="plant-edit"),
    # feeders and poles of a plant
    path(PLANT + "feeders/", network.feeder_list, name="feeder-list"),
    path(PLANT + "feeders/new/", network.feeder_create, name="feeder-create"),
    path(PLANT + "feeders/<str:code>/", network.feeder_detail, name="feeder-detail"),
    path(PLANT + "feeders/<str:code>/edit/", network.feeder_edit, name="feeder-edit"),
    path(
        PLANT + "feeders/<str:code>/poles/new/",
        network.pole_create,
        name="pole-create",
    ),
    path(PLANT + "poles/", network.pole_list, name="pole-list"),
    path(PLANT + "poles/<int:number>/", network.pole_detail, name="pole-detail"),
    path(PLANT + "poles/<int:number>/edit/", network.pole_edit, name="pole-edit"),
    # staff
    path("staff/", staff.staff_list, name="staff-list"),
    path("staff/new/", staff.staff_create, name="staff-create"),
    path("staff/<str:username>/", staff.staff_detail, name="staff-detail"),
    path("staff/<str:username>/edit/", staff.staff_edit, name="staff-edit"),
    # customer acquisition: the pipeline board and the prospects
    path("acquisition/", acquisition.board, name="acq-board"),
    path("acquisition/prospects/", acquisition.prospect_list, name="acq-list"),
    path("acquisition/new/", acquisition_work.prospect_new, name="acq-new"),
    path("acquisition/instant/", acquisition_work.prospect_instant, name="acq-instant"),
    path(
        "acquisition/prospects/<str:ref>/",
        acquisition.prospect_detail,
        name="acq-detail",
    ),
    path(
        "acquisition/prospects/<str:ref>/documents/<int:pk>/",
        acquisition.prospect_document,
        name="acq-document",
    ),
    path(
        "acquisition/prospects/<str:ref>/<str:name>/",
        acquisition_work.prospect_step,
        name="acq-step",
    ),
    # the package catalogue and its code tables
    path("packages/", packages.package_list, name="package-list"),
    path("packages/new/", packages.package_create, name="package-create"),
    path("packages/codes/", packages.code_tables, name="package-codes"),
    path(
        "packages/codes/types/new/",
        packages.package_type_create,
        name="package-type-create",
    ),
    path(
        "packages/codes/types/<str:code>/",
        packages.package_type_edit,
        name="package-type-edit",
    ),
    path("packages/codes/timings/new/", packages.timing_create, name="timing-create"),
    path(
        "packages/codes/timings/<str:code>/", packages.timing_edit, name="timing-edit"
    ),
    path(PACKAGE, packages.package_detail, name="package-detail"),
    path(PACKAGE + "revise/", packages.package_revise, name="package-revise"),
    path(
        PACKAGE + "withdraw/",
        packages.package_offer_change,
        {"action": "withdraw"},
        name="package-withdraw",
    ),
    path(
        PACKAGE + "offer/",
        packages.package_offer_change,
        {"action": "offer"},
        name="package-offer",
    ),
    # CSV import of customers and packages
    path("imports/", imports.import_home, name="import-home"),
    path(
        "imports/template/<str:kind>.csv",
        imports.import_template,
        name="import-template",
    ),
    path("imports/<str:token>/", imports.import_detail, name="import-detail"),
    path(
        "imports/<str:token>/commit/",
        imports.import_confirm,
        name="import-confirm",
    ),
    # consumer activity: the approval chain and the credit-limit flags
    path("requests/", requests.request_list, name="request-list"),
    path("requests/new/", requests.request_create, name="request-create"),
    path("requests/flagged/", requests.flagged_list, name="flagged-list"),
    path("requests/<str:number>/", requests.request_detail, name="request-detail"),
    path(
        "requests/<str:number>/<str:action>/",
        requests.request_action,
        name="request-action",
    ),
    # billing periods, runs and bills (docs/billing.md)
    path("billing/", billing.period_list, name="billing-periods"),
    path("billing/new/", billing.period_create, name="billing-period-create"),
    path("billing/bills/<str:number>/", billing.bill_detail, name="billing-bill"),
    path(
        PLANT + "billing/<str:start>/",
        billing.period_detail,
        name="billing-period",
    ),
    path(
        PLANT + "billing/<str:start>/run/",
        billing.run_start,
        name="billing-run-start",
    ),
    path(
        PLANT + "billing/<str:start>/progress/",
        billing.run_progress,
        name="billing-run-progress",
    ),
    # Total Billing (manual 3.4.3.1) and bill PDFs (docs/billing-documents.md)
    path(
        "reports/total-billing/",
        billing_dashboard.total_billing_page,
        name="total-billing",
    ),
    path(
        "billing/bills/<str:number>/pdf/",
        billing_dashboard.bill_pdf_view,
        name="bill-pdf",
    ),
    # collection: Cash Register, Receivable, Aging, Total Collection (manual
    # 3.4.3, 3.4.4, 3.4.6); cash in hand and bank deposits (2.4.3, 3.7.7)
    path(
        "reports/cash-register/",
        collection.cash_register_page,
        name="cash-register",
    ),
    path("reports/receivables/", collection.receivables_page, name="receivables"),
    path("reports/ageing/", collection.ageing_page, name="ageing"),
    path(
        "reports/total-collection/",
        collection.total_collection_page,
        name="total-collection",
    ),
    path("cash/", cash.cash_in_hand_page, name="cash-in-hand"),
    path("cash/limits/", cash.cash_limits, name="cash-limits"),
    path("cash/deposits/", cash.deposit_list, name="deposit-list"),
    path("cash/deposits/new/", cash.deposit_new, name="deposit-new"),
    path("cash/deposits/review/", cash.deposit_review_page, name="deposit-review"),
    path("cash/deposits/<str:uid>/", cash.deposit_detail, name="deposit-detail"),
    path("cash/deposits/<str:uid>/slip/", cash.deposit_slip, name="deposit-slip"),
    path(
        "cash/deposits/<str:uid>/<str:action>/",
        cash.deposit_settle,
        name="deposit-settle",
    ),
    # meter control (manual 3.4.5, 3.5.8, 3.8.4, 3.8.5; docs/metering.md)
    path("control/meters/", control.meter_list, name="control-meters"),
    path("control/meters/<str:serial>/", control.meter_detail, name="control-meter"),
    path(
        "control/meters/<str:serial>/command/",
        control.meter_command,
        name="control-meter-command",
    ),
    path(
        "control/meters/<str:serial>/token/",
        control.meter_token,
        name="control-meter-token",
    ),
    path(
        "control/plants/<str:plant_key>/",
        control.plant_control,
        name="control-plant",
    ),
    path(
        "control/plants/<str:plant_key>/switch/",
        control.group_switch,
        name="control-plant-switch",
    ),
    path(
        "control/plants/<str:plant_key>/feeders/<str:feeder_code>/switch/",
        control.group_switch,
        name="control-feeder-switch",
    ),
    path("control/commands/", control.command_list, name="control-commands"),
    path(
        "control/commands/<int:pk>/",
        control.command_detail,
        name="control-command",
    ),
    # meter stock, Change Meter, Unreleased Meter (manual 4.4, 3.8.2, 3.8.3)
    path("meters/", meters.meter_list, name="meter-list"),
    path("meters/receive/", meters.meter_receive, name="meter-receive"),
    path("meters/change/", meters.meter_change, name="meter-change"),
    path("meters/releases/", meters.release_list, name="meter-releases"),
    path("meters/releases/new/", meters.release_new, name="meter-release-new"),
    path("meters/releases/<str:number>/", meters.release_detail, name="meter-release"),
    path(
        "meters/releases/<str:number>/<str:action>/",
        meters.release_action,
        name="meter-release-action",
    ),
    path("meters/<str:serial>/", meters.meter_detail, name="meter-detail"),
    path("meters/<str:serial>/move/", meters.meter_move, name="meter-move"),
    # consumer list and account page (manual 3.5.4, 3.5.2)
    path("customers/", customers.customer_list, name="customer-list"),
    path(
        "customers/<str:customer_id>/",
        customers.customer_detail,
        name="customer-detail",
    ),
    path(
        "customers/<str:customer_id>/readings/",
        readings.customer_readings,
        name="customer-readings",
    ),
    # the account page's money tabs (manual 3.5.2; docs/collection.md)
    path(
        "customers/<str:customer_id>/transactions/",
        account_tabs.customer_transactions_tab,
        name="customer-transactions",
    ),
    path(
        "customers/<str:customer_id>/receipts/<str:number>.<str:ext>",
        account_tabs.customer_receipt_file,
        name="customer-receipt-file",
    ),
    path(
        "customers/<str:customer_id>/cash-ledger/",
        account_tabs.customer_cash_ledger,
        name="customer-cash-ledger",
    ),
    path(
        "customers/<str:customer_id>/deposit-ledger/",
        account_tabs.customer_deposit_ledger,
        name="customer-deposit-ledger",
    ),
    path(
        "customers/<str:customer_id>/edit/",
        customers.customer_edit,
        name="customer-edit",
    ),
    path(
        "customers/<str:customer_id>/changes/<int:pk>/<str:action>/",
        customers.change_action,
        name="profile-change-action",
    ),
    # meter readings: review (manual 3.8.7), the reading day, interval imports;
    # "import" first: it is six letters like a plant key
    path("readings/", readings.reading_home, name="reading-home"),
    path("readings/import/", readings.interval_import, name="reading-import"),
    path("readings/batches/<int:pk>/", readings.interval_batch, name="reading-batch"),
    path("readings/<str:plant_key>/", readings.reading_plant, name="reading-plant"),
    path(
        "readings/<str:plant_key>/<int:pk>/<str:action>/",
        readings.reading_action,
        name="reading-action",
    ),
]
