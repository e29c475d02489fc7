from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "mcoms.org"
    label = "org"
