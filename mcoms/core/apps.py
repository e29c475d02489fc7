from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mcoms.core"
    label = "core"
