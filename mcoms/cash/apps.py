from django.apps import AppConfig


class CashConfig(AppConfig):
    """Cash in hand and bank deposits (manual 2.4.3, 3.7.7; docs/collection.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "mcoms.cash"
    label = "cash"
    verbose_name = "Cash and bank deposits"

    def ready(self) -> None:
        from mcoms.cash.alerts import limit_check_after_payment
        from mcoms.payments.hooks import register_payment_created

        register_payment_created(limit_check_after_payment)
