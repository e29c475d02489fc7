from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "mcoms.payments"
    label = "payments"
    verbose_name = "Payments"
