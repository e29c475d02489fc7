from django.apps import AppConfig


class ReceiptsConfig(AppConfig):
    name = "mcoms.receipts"
    label = "receipts"
    verbose_name = "Receipts"

    def ready(self) -> None:
        from mcoms.payments.hooks import register_payment_created
        from mcoms.receipts.services import receipt_on_payment

        register_payment_created(receipt_on_payment)
