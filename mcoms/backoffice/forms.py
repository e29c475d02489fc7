"""Back-office forms: shape and type checks only; the services keep the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from mcoms.org.models import Designation, Language


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeField(forms.CharField):
    """A business code: typed in any case, stored in capitals."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).upper()


def _code(max_length: int, help_text: Any) -> forms.CharField:
    return CodeField(label=_("Code"), max_length=max_length, help_text=help_text)


class StateForm(forms.Form):
    code = _code(2, _("Two capital letters, e.g. BH."))
    name = forms.CharField(label=_("Name"), max_length=80)


class ClusterForm(forms.Form):
    code = _code(12, _("2 to 12 capital letters or digits."))
    name = forms.CharField(label=_("Name"), max_length=80)


class NameForm(forms.Form):
    """Editing a state, cluster or feeder: only the name may change."""

    name = forms.CharField(label=_("Name"), max_length=80)


class PlantForm(forms.Form):
    code = _code(4, _("Four capital letters, e.g. KATS."))
    name = forms.CharField(label=_("Name"), max_length=80)
    capacity_kwp = forms.DecimalField(
        label=_("Capacity (kWp)"),
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    timezone = forms.CharField(label=_("Time zone"), initial="Asia/Kolkata")
    village = forms.CharField(label=_("Village"), max_length=80, required=False)


class PlantEditForm(PlantForm):
    cluster = forms.ChoiceField(label=_("Cluster"))

    def __init__(self, *args: Any, clusters: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        del self.fields["code"]
        field = self.fields["cluster"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = clusters


class FeederForm(forms.Form):
    code = _code(8, _("1 to 8 capital letters or digits."))
    name = forms.CharField(label=_("Name"), max_length=80, required=False)


class FeederEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, required=False)


class PoleForm(forms.Form):
    number = forms.IntegerField(label=_("Pole number"), min_value=1, max_value=999)
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, required=False
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, required=False
    )


class PoleEditForm(PoleForm):
    feeder = forms.ChoiceField(label=_("Feeder"))

    def __init__(self, *args: Any, feeders: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        del self.fields["number"]
        field = self.fields["feeder"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = feeders


class StaffEditForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    phone = forms.CharField(label=_("Mobile number"), max_length=20, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    designation = forms.ChoiceField(label=_("Designation"), choices=Designation.choices)
    scope = forms.ChoiceField(label=_("Scope"))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, scopes: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["scope"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = scopes


# Words that are paths under /backoffice/staff/, so no username may take them.
RESERVED_USERNAMES = {"new"}


class StaffCreateForm(StaffEditForm):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Letters, digits and @/./+/-/_ only.")},
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        min_length=8,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = ["username", "password"]

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        del self.fields["is_active"]

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if username.lower() in RESERVED_USERNAMES:
            raise forms.ValidationError(_("This username is taken."))
        return username
