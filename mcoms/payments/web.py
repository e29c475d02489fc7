"""The two browser pages of the hosted-page flow (no sign-in needed):

* ``return_page``: where a gateway sends the payer back, with its signed
  parameters; stored and applied like a webhook, then the outcome is shown.
* ``simulator_page``: the simulator gateway's hosted page (demo and tests
  only, ``PAYMENT_SIMULATOR``): shows the amount, and on "Pay" sends the
  signed webhook (in process, through the same verification) and brings the
  payer back with signed parameters, like a real gateway.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from mcoms.payments.models import CheckoutSession, EventState
from mcoms.payments.providers.simulator import SimulatorGateway
from mcoms.payments.services import payment_from_callback, payment_from_return


@require_http_methods(["GET"])
def return_page(request: HttpRequest, provider: str, company: str) -> HttpResponse:
    event = payment_from_return(
        provider=provider,
        company_code=company,
        query={k: str(v) for k, v in request.GET.items()},
        remote_addr=request.META.get("REMOTE_ADDR"),
    )
    paid = event.state == EventState.PROCESSED and event.payment_id is not None
    context = {"event": event, "paid": paid, "payment": event.payment}
    return render(request, "payments/return.html", context, status=200)


@require_http_methods(["GET", "POST"])
def simulator_page(request: HttpRequest, company: str, link: str) -> HttpResponse:
    if not settings.PAYMENT_SIMULATOR:
        raise Http404("The payment simulator is off.")
    session = (
        CheckoutSession.objects.select_related("customer", "company")
        .filter(provider="simulator", company__code=company, order_ref=link)
        .first()
    )
    if session is None:
        raise Http404("No such payment link.")
    back = request.GET.get("callback_url", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        raise Http404("Unknown return address.")
    if request.method == "GET":
        return render(request, "payments/simulator.html", {"session": session})
    sim = SimulatorGateway(company)
    paid = request.POST.get("outcome") == "pay"
    payment_id = ""
    if paid:
        body, headers, payment_id = sim.webhook(
            amount=session.amount,
            currency=session.currency,
            method=session.channel,
            customer_id=session.customer.customer_id,
            session=session.uid.hex,
            link=link,
        )
        payment_from_callback(
            provider=sim.name,
            company_code=company,
            kind="webhook",
            body=body,
            headers=headers,
            remote_addr=request.META.get("REMOTE_ADDR"),
        )
    query = sim.return_query(
        link=link,
        session=session.uid.hex,
        payment_id=payment_id,
        status="paid" if paid else "failed",
    )
    return HttpResponseRedirect(f"{back}?{urlencode(query)}")
