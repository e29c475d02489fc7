"""The reading screens in Hindi: the field app's Meter Reading (a refusal
next to the field, the confirm step), the review, the back office's tab and
import report, and the customer app's Meter Readings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.test import Client

from mcoms.metering.readings import reading_record, reading_window_set
from mcoms.metering.tests.reading_kit import install
from tests.builders import World, customer_user


def hindi(world: World, user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "hi"
    return client


def meter(world: World):
    reading_window_set(company=world.company, day=1, by=None)
    since = datetime.now(UTC) - timedelta(days=40)
    return install(world, "CM-1", initial="100", installed_at=since)


def test_the_field_app_in_hindi(world: World) -> None:
    m = meter(world)
    tech = hindi(world, world.user("technician"))
    board = tech.get("/field/readings/").content.decode()
    assert "हाथ से रीडिंग" in board  # read by hand
    refused = tech.post("/field/readings/BHKATS/CM-1/", {"value": "99", "token": "t"})
    assert "रीडिंग पिछली रीडिंग से कम है" in refused.content.decode()
    confirm = tech.post("/field/readings/BHKATS/CM-1/", {"value": "120", "token": "t"})
    assert "जाँचें और पुष्टि करें" in confirm.content.decode()
    reading_record(meter=m, value="130", by=world.user("csa"))
    review = hindi(world, world.user("cluster_incharge"))
    page = review.get("/field/readings/review/BHKATS/").content.decode()
    assert "पिछली रीडिंग" in page and "लगाते समय" in page  # previous: at installation


def test_the_back_office_in_hindi(world: World) -> None:
    m = meter(world)
    reading_record(meter=m, value="130", by=world.user("csa"))
    admin = hindi(world, world.user("admin"))
    tab = admin.get("/backoffice/customers/BHKATS00101/readings/").content.decode()
    assert "मीटर रीडिंग" in tab and "समीक्षा बाकी" in tab  # awaiting review
    home = admin.get("/backoffice/readings/").content.decode()
    assert "मीटर रीडिंग स्वीकृतियाँ" in home and "रीडिंग का दिन" in home
    imp = admin.get("/backoffice/readings/import/").content.decode()
    assert "अंतराल रीडिंग आयात करें" in imp


def test_the_customer_app_in_hindi(world: World) -> None:
    m = meter(world)
    reading_record(meter=m, value="130", by=world.user("csa"))
    page = hindi(world, customer_user(world)).get("/selfcare/a/BHKATS00101/readings/")
    body = page.content.decode()
    assert "जाँच हो रही है" in body  # being checked
    assert "पिछली रीडिंग से इस्तेमाल यूनिट" in body
