"""Demo data for Consumer Activity (manual 3.5.6), built through the services
like real work (checked, recorded step by step, notified):

* the first plant offers a package with a low credit limit, taken by its
  bulk-built active customers, so the credit-limit check flags those whose
  activation charge is unpaid ("To de-activate");
* status requests at that plant stand at every step of the chain: Request,
  Approved, In Process, Review, Rejected, Completed; the customer of the
  completed de-activation is re-activated through the chain too.

Deterministic: the same demo gets the same flags and requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mcoms.customers.models import Customer, CustomerStatus
from mcoms.customers.status import DEACTIVATION, REACTIVATION
from mcoms.customers.status import customers_flag_over_credit_limit as flag_check
from mcoms.org.models import Plant, User
from mcoms.packages.services import package_create
from mcoms.workflow import services
from mcoms.workflow.models import Request

if TYPE_CHECKING:
    from mcoms.demo.builder import Demo

# How far each demo de-activation goes along the chain.
DEACTIVATIONS = ["request", "approved", "in_process", "review", "rejected", "completed"]
ORDER = ["request", "approved", "in_process", "review", "completed"]


def build_requests(demo: Demo) -> None:
    if not demo.plants:
        return
    plant = demo.plants[0]
    _offer_low_limit_package(plant)
    flag_check(company=demo.company)
    people = _people(demo, plant)
    at_plant = Customer.objects.filter(plant=plant).order_by("customer_id")
    flagged = at_plant.filter(flagged_at__isnull=False)
    active = at_plant.filter(status=CustomerStatus.ACTIVE, flagged_at__isnull=True)
    candidates = [*flagged.order_by("-flagged_outstanding", "customer_id"), *active]
    for n, (customer, goal) in enumerate(zip(candidates, DEACTIVATIONS, strict=False)):
        payload = {"reason": "non_payment", "ban": False}
        req = _raise(DEACTIVATION, customer, people["csa"], payload, n)
        if goal == "rejected":
            reason = "Paid at the office today"
            services.request_reject(request=req, reason=reason, by=people["si"])
            continue
        _walk(req, goal, people)
        if goal == "completed":  # and the customer comes back through the chain
            payload = {"reason": "customer_wish"}
            back = _raise(REACTIVATION, customer, people["csa"], payload, 99)
            _walk(back, "completed", people)


def _offer_low_limit_package(plant: Plant) -> None:
    """A package whose credit limit (100) is below the demo's activation
    charges, given to the plant's active customers that have none."""
    package = package_create(
        plant=plant,
        type_code="A1.1",
        timing_code="NN",
        load_w=40,
        prepaid_amount="250",
        prepaid_period_days=30,
        activation_charge="200",
        deposit_amount="150",
        credit_limit="100",
        by=None,
    )
    Customer.objects.filter(
        plant=plant, status=CustomerStatus.ACTIVE, package__isnull=True
    ).update(package=package)


def _people(demo: Demo, plant: Plant) -> dict[str, User]:
    key, state = plant.key.lower(), plant.state.code.lower()
    cluster = f"ci.{state}-{plant.cluster.code.lower()}"
    return {
        "csa": demo.staff[f"csa.{key}"].user,
        "tech": demo.staff[f"tech.{key}"].user,
        "ci": demo.staff[cluster].user,
        "si": demo.staff[f"si.{state}"].user,
    }


def _raise(
    kind: str, customer: Customer, by: User, payload: dict[str, Any], n: int
) -> Request:
    req, _created = services.request_raise(
        kind=kind,
        plant=customer.plant,
        subject=customer,
        payload=payload,
        comments="Raised for the demo",
        idempotency_key=f"demo:request:{n}",
        by=by,
    )
    return req


def _walk(req: Request, goal: str, people: dict[str, User]) -> Request:
    """Take the request through the chain up to ``goal``."""
    for state in ORDER[1 : ORDER.index(goal) + 1]:
        if state == "approved":
            req = services.request_approve(request=req, by=people["si"])
        elif state == "in_process":
            req = services.request_assign(
                request=req, assignee=people["tech"], by=people["ci"]
            )
        elif state == "review":
            req = services.request_execute(
                request=req, by=people["tech"], note="Meter switched off"
            )
        else:
            req = services.request_complete(request=req, by=people["ci"])
    return req
