from django.urls import path

from mcoms.payments import web

app_name = "payments"

urlpatterns = [
    path("return/<str:provider>/<str:company>/", web.return_page, name="return"),
    path(
        "simulator/<str:company>/<str:link>/",
        web.simulator_page,
        name="simulator-page",
    ),
]
