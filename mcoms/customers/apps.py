from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _name_index(using: str = "default", **kwargs: Any) -> None:
    """Put back the name index's triggers if a table rebuild dropped them."""
    from django.db import connections

    from mcoms.customers import search_index

    connection = connections[using]
    if "customers_customer" in connection.introspection.table_names():
        search_index.install(connection)


class CustomersConfig(AppConfig):
    name = "mcoms.customers"
    label = "customers"

    def ready(self) -> None:
        post_migrate.connect(_name_index, sender=self, dispatch_uid="customers_fts")
