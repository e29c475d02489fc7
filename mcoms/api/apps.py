from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "mcoms.api"
    label = "api"
