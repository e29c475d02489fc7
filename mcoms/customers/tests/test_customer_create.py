from __future__ import annotations

import threading

import pytest
from django.db import connection

from mcoms.core.errors import ValidationFailed
from mcoms.customers.models import Customer
from mcoms.customers.services import customer_create
from mcoms.org.models import Pole
from tests.builders import World


def test_ids_are_built_from_state_plant_pole_and_connection(world: World) -> None:
    pole = Pole.objects.get(plant=world.plants["BHKATS"], number=2)
    first = customer_create(pole=pole, name="A", phone="+919811111111", by=None)
    second = customer_create(pole=pole, name="B", phone="+919811111112", by=None)
    assert (first.customer_id, second.customer_id) == ("BHKATS00201", "BHKATS00202")


def test_one_mobile_number_holds_several_accounts(world: World) -> None:
    pole = Pole.objects.get(plant=world.plants["BHKATS"], number=3)
    a = customer_create(pole=pole, name="Shop", phone="+919811111113", by=None)
    b = customer_create(pole=pole, name="Home", phone="9811111113", by=None)
    assert a.user == b.user
    assert set(a.user.customer_accounts.all()) == {a, b}


def test_it_refuses_an_invalid_phone_and_writes_nothing(world: World) -> None:
    pole = Pole.objects.get(plant=world.plants["BHKATS"], number=3)
    before = Customer.objects.count()
    with pytest.raises(ValidationFailed) as err:
        customer_create(pole=pole, name="X", phone="12", by=None)
    assert err.value.field == "phone"
    assert Customer.objects.count() == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_agents_at_the_same_moment_get_different_ids() -> None:
    from tests.builders import build_world

    world = build_world()
    pole = Pole.objects.get(plant=world.plants["BHMADH"], number=1)
    barrier = threading.Barrier(4)
    made: list[str] = []
    errors: list[Exception] = []

    def agent(n: int) -> None:
        try:
            barrier.wait()
            made.append(
                customer_create(
                    pole=pole, name=f"N{n}", phone=f"+91982222220{n}", by=None
                ).customer_id
            )
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(made) == [f"BHMADH001{n:02d}" for n in range(1, 5)]
