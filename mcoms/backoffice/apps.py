from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "mcoms.backoffice"
    label = "backoffice"
