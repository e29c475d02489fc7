from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "mcoms.billing"
    label = "billing"
    verbose_name = "Billing"
