from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Dashboards and reports: reads only, no models, no state."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "mcoms.reports"
    verbose_name = "Reports"
