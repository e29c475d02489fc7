"""Field agent app (manual chapter 3): small screens for cheap phones."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcoms.core.http import safe_next_url
from mcoms.core.pwa import manifest_response, service_worker_response
from mcoms.field.access import field_view
from mcoms.field.forms import LoginForm, SearchForm
from mcoms.field.meters import pending_counts, pending_total
from mcoms.field.modules import SECTIONS
from mcoms.notifications.selectors import inbox_for, unread_count
from mcoms.notifications.services import inbox_mark_read
from mcoms.org.access import can
from mcoms.org.models import Staff
from mcoms.org.permissions import Action
from mcoms.org.selectors import contacts_for

PAGE_SIZE = 50


def _next_url(request: HttpRequest) -> str:
    return safe_next_url(request, prefix="/field/") or reverse("field:home")


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Username and password; django-axes counts failures and locks out."""
    if can(request.user, Action.FIELD_USE):
        return redirect("field:home")
    form = LoginForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request=request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if user is None:
            form.add_error(None, _("Wrong username or password."))
        elif not can(user, Action.FIELD_USE):
            form.add_error(None, _("This app is for field staff only."))
            status = 403
        else:
            login(request, user)
            return redirect(_next_url(request))
    context = {"form": form, "next": _next_url(request)}
    return render(request, "field/login.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("field:login")


@require_GET
@field_view
def home(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Manual 3.3: module icons under their headings, the bell and the menu."""
    context = {
        "staff": staff,
        "sections": SECTIONS,
        "blocked": {
            m.url_name
            for section in SECTIONS
            for m in section.modules
            if m.action and not can(request.user, Action(m.action))
        },
        # The bell: unread messages and the requests waiting for me (3.3.3).
        "unread": unread_count(request.user) + pending_total(request.user),
    }
    return render(request, "field/home.html", context)


@require_GET
@field_view
def contacts(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Manual 3.10.4: people of the company around my plants; tap to call."""
    form = SearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    people = contacts_for(request.user, q)
    return render(request, "field/contacts.html", {"form": form, "people": people})


@require_GET
@field_view
def notifications(request: HttpRequest, staff: Staff) -> HttpResponse:
    """Manual 3.10: the in-app messages addressed to me, newest first."""
    page = Paginator(inbox_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "pending": pending_counts(request.user)}
    response = render(request, "field/notifications.html", context)
    inbox_mark_read(user=request.user, messages=page.object_list)  # shown: now read
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker when there is no network at all."""
    return render(request, "field/offline.html")


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    return manifest_response(
        name="MCOMS Field",
        start_url=reverse("field:home"),
        icon=static("field/icon.svg"),
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served under /field/ so that its scope is the whole app."""
    return service_worker_response(
        request,
        app="field",
        keep=[
            static("css/mcoms.css"),
            static("field/field.css"),
            static("field/icon.svg"),
        ],
        offline=reverse("field:offline"),
        home=reverse("field:home"),
    )
