from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data: sits on top of every domain app; nothing imports it."""

    name = "mcoms.demo"
    label = "demo"
