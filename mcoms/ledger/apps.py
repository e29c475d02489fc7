from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "mcoms.ledger"
    label = "ledger"
