"""Customer app (manual chapter 4): sign-in by mobile number and SMS code,
the dashboard, the profile of each account."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login, logout
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.core.errors import ValidationFailed
from mcoms.core.pwa import manifest_response, service_worker_response
from mcoms.customers.auth import customer_login_finish, customer_login_start
from mcoms.customers.models import Customer
from mcoms.customers.selectors import get_customer_for_user
from mcoms.notifications.selectors import inbox_for
from mcoms.notifications.services import inbox_mark_read
from mcoms.org.models import User
from mcoms.org.selectors import plant_csa
from mcoms.selfcare import queries
from mcoms.selfcare.access import customer_view
from mcoms.selfcare.errors import message_for
from mcoms.selfcare.forms import CodeForm, PhoneForm

SESSION_PHONE = "selfcare_phone"
SESSION_ACCOUNT = "selfcare_account"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _is_customer(user: Any) -> bool:
    return bool(user.is_authenticated and user.kind == User.Kind.CUSTOMER)


@require_http_methods(["GET", "POST"])
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Manual 4.2.2: the registered mobile number; a code goes by SMS."""
    if _is_customer(request.user):
        return redirect("selfcare:home")
    initial = {"phone": request.session.get(SESSION_PHONE, "")}
    form = PhoneForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            customer_login_start(phone=phone)
        except ValidationFailed as exc:
            form.add_error("phone", message_for(exc))
        else:
            request.session[SESSION_PHONE] = phone
            return redirect("selfcare:verify")
    return render(request, "selfcare/login.html", {"form": form})


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@never_cache
def verify_view(request: HttpRequest) -> HttpResponse:
    """The code from the SMS; a right code signs the customer in."""
    phone = request.session.get(SESSION_PHONE)
    if not phone:
        return redirect("selfcare:login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = customer_login_finish(phone=phone, code=form.cleaned_data["code"])
        except ValidationFailed as exc:
            form.add_error("code", message_for(exc))
        else:
            login(request, user, backend=BACKEND)
            request.session.pop(SESSION_PHONE, None)
            return redirect("selfcare:home")
    return render(request, "selfcare/verify.html", {"form": form, "phone": phone})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("selfcare:login")


@require_GET
@customer_view
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard of the account last chosen, else the first."""
    accounts = queries.accounts_for(request.user)
    if not accounts:
        return render(request, "selfcare/no_account.html")
    return redirect("selfcare:account", _chosen_id(request, accounts))


def _chosen_id(request: HttpRequest, accounts: list[Customer]) -> str:
    ids = [a.customer_id for a in accounts]
    chosen = request.session.get(SESSION_ACCOUNT)
    return chosen if chosen in ids else ids[0]


def _account_context(request: HttpRequest, customer_id: str) -> dict[str, Any]:
    customer: Customer = get_customer_for_user(request.user, customer_id)
    request.session[SESSION_ACCOUNT] = customer.customer_id
    return {
        "customer": customer,
        "accounts": queries.accounts_for(request.user),
        "helpline": customer.company.helpline,
        "csa": plant_csa(plant_id=customer.plant_id),
    }


@require_GET
@customer_view
def account(request: HttpRequest, customer_id: str) -> HttpResponse:
    """Manual 4.3: status and tiles of one account."""
    context = _account_context(request, customer_id)
    context["tiles"] = queries.tiles_for(context["customer"])
    return render(request, "selfcare/dashboard.html", context)


@require_GET
@customer_view
def notifications(request: HttpRequest) -> HttpResponse:
    """Manual 4.10: messages to me, newest first (they cannot be deleted)."""
    page = Paginator(inbox_for(request.user), 50).get_page(request.GET.get("page"))
    accounts = queries.accounts_for(request.user)
    context: dict[str, Any] = {"page": page, "accounts": accounts}
    if accounts:
        context.update(_account_context(request, _chosen_id(request, accounts)))
    response = render(request, "selfcare/notifications.html", context)
    inbox_mark_read(user=request.user, messages=page.object_list)  # shown: now read
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "selfcare/offline.html")


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    return manifest_response(
        name="MCOMS Customer",
        start_url=reverse("selfcare:home"),
        icon=static("selfcare/icon.svg"),
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served under /selfcare/ so that its scope is the whole app."""
    return service_worker_response(
        request,
        app="selfcare",
        keep=[
            static("css/mcoms.css"),
            static("selfcare/selfcare.css"),
            static("selfcare/icon.svg"),
        ],
        offline=reverse("selfcare:offline"),
    )
