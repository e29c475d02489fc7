"""Billing in the back office: periods of the user's plants, a new period, a
period's run (start, progress) and bills, one bill; scope and rights."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from mcoms.billing.models import Bill, BillingPeriod, BillingRun
from mcoms.billing.services import billing_run_start, billing_run_work
from mcoms.billing.tests.conftest import OCT, Site, build_site
from mcoms.notifications.testing import IMMEDIATE_TASKS
from tests.builders import World

LIST = "/backoffice/billing/"
NEW = "/backoffice/billing/new/"
PERIOD = "/backoffice/plants/BHKATS/billing/2026-10-01/"

AsUser = Callable[[str], Client]


@pytest.fixture
def site(world: World) -> Site:
    return build_site(world)


@pytest.fixture
def billed(site: Site) -> Site:
    site.add("a", site.unmetered)
    site.add("b", site.prepaid)
    billing_run_work(run=billing_run_start(period=site.period(OCT), by=None))
    return site


def test_the_in_charges_see_the_periods_and_only_runners_get_the_button(
    billed: Site, as_user: AsUser
):
    page = as_user("cluster_incharge").get(LIST)
    html = page.content.decode()
    assert page.status_code == 200
    assert PERIOD in html and NEW not in html
    assert as_user("cluster_incharge").get(NEW).status_code == 403
    assert NEW in as_user("state_incharge").get(LIST).content.decode()
    assert 'href="/backoffice/billing/"' in html  # the menu item


def test_field_staff_are_kept_out(billed: Site, as_user: AsUser):
    assert as_user("csa").get(LIST).status_code == 403
    assert as_user("technician").get(PERIOD).status_code == 403


def test_a_period_outside_the_scope_is_not_found(billed: Site, as_user: AsUser):
    assert as_user("other_admin").get(PERIOD).status_code == 404
    number = Bill.objects.first().number
    bill_url = f"/backoffice/billing/bills/{number}/"
    assert as_user("other_admin").get(bill_url).status_code == 404
    assert as_user("cluster_incharge").get(bill_url).status_code == 200


def test_a_new_period_and_an_overlap_shown_next_to_the_field(
    site: Site, as_user: AsUser
):
    client = as_user("state_incharge")
    made = client.post(NEW, {"plant": "BHKATS", "start": "2026-10-01", "due_days": 15})
    assert made.status_code == 302 and made["Location"] == PERIOD
    clash = client.post(NEW, {"plant": "BHKATS", "start": "2026-10-15", "due_days": 15})
    assert clash.status_code == 200
    assert "overlap another billing period" in clash.content.decode()
    assert BillingPeriod.objects.count() == 1


def test_starting_the_run_bills_and_the_page_shows_progress_and_bills(
    site: Site, as_user: AsUser, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE_TASKS
    site.add("a", site.unmetered)
    site.period(OCT)
    client = as_user("state_incharge")
    assert "Start the run" in client.get(PERIOD).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(PERIOD + "run/")
    assert started.status_code == 302
    assert BillingRun.objects.get().status == "done"
    progress = client.get(PERIOD + "progress/").json()
    assert (progress["status"], progress["done"], progress["total"]) == ("done", 1, 1)
    html = client.get(PERIOD).content.decode()
    assert "BHKATS-2026-000001" in html and "Start the run" not in html
    assert as_user("cluster_incharge").post(PERIOD + "run/").status_code == 403


def test_a_run_refused_says_why(site: Site, as_user: AsUser):
    site.period(OCT.replace(month=11), OCT.replace(month=12))
    url = "/backoffice/plants/BHKATS/billing/2026-11-01/"
    page = as_user("admin").post(url + "run/", follow=True)
    assert "has not ended yet" in page.content.decode()
    assert not BillingRun.objects.exists()


def test_the_bill_page_shows_lines_and_the_amounts(billed: Site, as_user: AsUser):
    bill = Bill.objects.get(customer=billed.customers["a"])
    html = (
        as_user("cluster_incharge")
        .get(f"/backoffice/billing/bills/{bill.number}/")
        .content.decode()
    )
    for text in (bill.number, "Monthly amount", "300.00", "Amount due"):
        assert text in html
