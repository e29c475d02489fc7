"""Staff sign-in and sign-out. Failures are counted by django-axes, which
passes ``request`` to ``authenticate`` and locks a username after 5 failures."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from mcoms.backoffice.forms import LoginForm
from mcoms.backoffice.views.common import SELFCARE_URL, forbidden
from mcoms.core.http import safe_next_url
from mcoms.org.access import can
from mcoms.org.permissions import Action


def _next_url(request: HttpRequest) -> str:
    return safe_next_url(request, prefix="/backoffice/")


@require_http_methods(["GET", "POST"])
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and can(request.user, Action.BACKOFFICE_USE):
        return redirect("backoffice:dashboard")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        # On a locked-out username, AxesMiddleware swaps in the lockout page.
        if user is None:
            form.add_error(None, _("Wrong username or password."))
        elif getattr(user, "kind", "") == "customer":
            return HttpResponseRedirect(SELFCARE_URL)
        else:
            login(request, user)
            if not can(user, Action.BACKOFFICE_USE):
                return forbidden(request, field_app=True)
            return redirect(_next_url(request) or "backoffice:dashboard")
    context = {"form": form, "next": _next_url(request)}
    return render(request, "backoffice/login.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("backoffice:login")
