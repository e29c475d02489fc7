from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from mcoms.backoffice.views.home import home
from mcoms.core.views import healthz
from mcoms.receipts.views import verify as receipt_verify

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("r/<str:token>", receipt_verify, name="receipt-verify"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", include("mcoms.api.urls")),
    path("backoffice/", include("mcoms.backoffice.urls")),
    path("field/", include("mcoms.field.urls")),
    path("selfcare/", include("mcoms.selfcare.urls")),
    path("payments/", include("mcoms.payments.urls")),
]
