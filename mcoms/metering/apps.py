from django.apps import AppConfig


class MeteringConfig(AppConfig):
    name = "mcoms.metering"
    label = "metering"
