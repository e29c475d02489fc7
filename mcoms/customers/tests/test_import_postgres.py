"""On PostgreSQL: an import and an agent adding a customer on the same pole at
the same moment both succeed, with different connection numbers."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from mcoms.customers.imports import import_commit, import_upload
from mcoms.customers.models import Customer
from mcoms.customers.services import customer_create
from mcoms.customers.tests.import_kit import customer, customers_file, with_packages
from mcoms.org.models import Pole
from mcoms.packages.models import ImportState


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_import_waits_for_an_agent_on_the_same_pole() -> None:
    from tests.builders import build_world

    world = build_world()
    with_packages(world)
    admin = world.user("admin")
    batch, _ = import_upload(
        user=admin, files=[customers_file([customer(1), customer(2)])]
    )
    assert batch.report["ok"]  # checked while pole 2 was empty
    pole = Pole.objects.get(plant=world.plants["BHKATS"], number=2)
    locked, release = threading.Event(), threading.Event()
    errors: list[Exception] = []

    def agent() -> None:
        try:
            with transaction.atomic():
                customer_create(pole=pole, name="Agent", phone="+919822222299", by=None)
                locked.set()  # the pole row is locked until this commits
                release.wait(10)
        except Exception as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    def importer() -> None:
        try:
            locked.wait(10)
            threading.Timer(0.5, release.set).start()
            import_commit(batch=batch, user=admin)
        except Exception as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=agent), threading.Thread(target=importer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    batch.refresh_from_db()
    assert batch.state == ImportState.COMMITTED
    ids = dict(Customer.objects.filter(pole=pole).values_list("name", "customer_id"))
    assert ids == {
        "Agent": "BHKATS00201",
        "Grahak 1": "BHKATS00202",
        "Grahak 2": "BHKATS00203",
    }
