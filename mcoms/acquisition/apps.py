from django.apps import AppConfig


class AcquisitionConfig(AppConfig):
    name = "mcoms.acquisition"
    label = "acquisition"
