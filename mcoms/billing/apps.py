from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "mcoms.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from mcoms.billing import adjustments
        from mcoms.billing.extensions import register_line_source

        register_line_source(
            adjustments.SOURCE,
            adjustments.adjustment_lines,
            on_billed=adjustments.mark_billed,
        )
