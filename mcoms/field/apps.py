from django.apps import AppConfig


class FieldConfig(AppConfig):
    name = "mcoms.field"
    label = "field"
