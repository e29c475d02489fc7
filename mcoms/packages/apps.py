from django.apps import AppConfig


class PackagesConfig(AppConfig):
    name = "mcoms.packages"
    label = "packages"
