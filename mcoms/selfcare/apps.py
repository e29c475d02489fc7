from django.apps import AppConfig


class SelfcareConfig(AppConfig):
    name = "mcoms.selfcare"
    label = "selfcare"
