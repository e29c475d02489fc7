from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "mcoms.customers"
    label = "customers"
