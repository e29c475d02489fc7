"""Writing an import, and the kept uploads (``ImportBatch``): upload with
the dry run's report, confirm by token, read back."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber
from simple_history.utils import bulk_create_with_history

from mcoms.core import ids
from mcoms.core.errors import NotFound, ValidationFailed
from mcoms.customers.imports.checks import (
    Checker,
    CustomerRow,
    Plan,
    chunks,
    import_check,
)
from mcoms.customers.imports.files import (
    CHUNK,
    EXPIRY,
    IMPORT,
    KINDS,
    CsvFile,
    Report,
    rows_of,
)
from mcoms.customers.models import Customer
from mcoms.org.access import plants_for, require
from mcoms.org.models import Pole, ScopeLevel, User
from mcoms.packages.models import ImportBatch, ImportState, Package
from mcoms.packages.services import package_create


# --- writing --------------------------------------------------------------------------
class CheckedPhone(PhoneNumber):
    """A number the checker has already parsed and validated: the model field
    would otherwise parse and validate it again for every row and history row
    (most of an import's time)."""

    def is_valid(self) -> bool:
        return True


def _write(plan: Plan, *, by: User, reason: str) -> dict[str, int]:
    made: dict[tuple[int, str], Package] = {}
    for p in plan.packages:
        made[(p.plant.pk, p.package_id)] = package_create(
            plant=p.plant, offered=p.offered, by=by, reason=reason, **p.terms
        )
    phones = {r.phone: CheckedPhone.from_string(r.phone) for r in plan.customers}
    users = _users(plan.customers, phones)
    rows = [_customer(r, made, users, phones) for r in plan.customers]
    bulk_create_with_history(
        rows,
        Customer,
        batch_size=CHUNK,
        default_user=by,
        default_change_reason=reason,
    )
    return {"packages": len(made), "customers": len(rows)}


def _users(rows: list[CustomerRow], phones: dict[str, PhoneNumber]) -> dict[str, int]:
    """The sign-in user of every number in the file (made for new numbers)."""
    users: dict[str, int] = {}
    for chunk in chunks(sorted(phones)):
        found = User.objects.filter(
            kind=User.Kind.CUSTOMER, phone__in=[phones[p] for p in chunk]
        )
        users |= {str(p): pk for p, pk in found.values_list("phone", "pk")}
    language = {r.phone: r.language for r in reversed(rows)}
    new = []
    for phone in sorted(set(phones) - set(users)):
        # Unusable like set_unusable_password(): "!" and a random suffix (one
        # urandom call, not forty random choices, per user).
        user = User(
            username=f"c{phone}",
            kind=User.Kind.CUSTOMER,
            phone=phones[phone],
            language=language[phone],
            password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
        )
        new.append(user)
    bulk_create_with_history(new, User, batch_size=CHUNK)
    users |= {str(u.phone): u.pk for u in new if u.pk}
    missing = [phones[str(u.phone)] for u in new if not u.pk]  # SQLite < 3.35
    for chunk in chunks(missing):
        found = User.objects.filter(kind=User.Kind.CUSTOMER, phone__in=chunk)
        users |= {str(p): pk for p, pk in found.values_list("phone", "pk")}
    return users


def _customer(
    r: CustomerRow,
    made: dict[tuple[int, str], Package],
    users: dict[str, int],
    phones: dict[str, PhoneNumber],
) -> Customer:
    assert r.connection is not None  # noqa: S101 - numbered by the checker
    package_pk = made[r.package].pk if isinstance(r.package, tuple) else r.package
    return Customer(
        company_id=r.plant.company_id,
        plant=r.plant,
        pole=r.pole,
        connection_no=r.connection,
        customer_id=ids.customer_id(
            state=r.plant.state.code,
            plant=r.plant.code,
            pole=r.pole.number,
            connection=r.connection,
        ),
        name=r.name,
        phone=phones[r.phone],
        language=r.language,
        status=r.status,
        status_reason=r.status_reason,
        address=r.address,
        segment=r.segment,
        package_id=package_pk,
        activated_at=r.activated_at,
        user_id=users[r.phone],
    )


# --- batches: upload, confirm ---------------------------------------------------------
def _files(batch: ImportBatch) -> list[CsvFile]:
    out = []
    for kind in KINDS:
        name = getattr(batch, f"{kind}_name")
        if name:
            text = getattr(batch, f"{kind}_csv")
            sha = getattr(batch, f"{kind}_sha256")
            out.append(CsvFile(kind=kind, name=name, text=text, sha256=sha))
    return out


def import_upload(
    *, user: Any, files: list[CsvFile], idempotency_key: str | None = None
) -> tuple[ImportBatch, bool]:
    """Keep the files with the dry run's report; True if this call made the
    batch (False: a retry with the same key gets the first batch)."""
    staff = require(user, IMPORT)
    key = (idempotency_key or "").strip()[:120] or None
    if key:
        done = ImportBatch.objects.filter(
            company=staff.company, idempotency_key=key
        ).first()
        if done is not None:
            return done, False
    if not files:
        raise ValidationFailed(
            "import_no_file", "Choose a packages file, a customers file or both."
        )
    report = import_check(user=user, files=files)
    batch = ImportBatch(
        company=staff.company,
        created_by=user,
        idempotency_key=key,
        report=report.as_json(),
    )
    for f in files:
        setattr(batch, f"{f.kind}_name", f.name)
        setattr(batch, f"{f.kind}_csv", f.text)
        setattr(batch, f"{f.kind}_sha256", f.sha256)
    with transaction.atomic():
        stale = timezone.now() - EXPIRY
        ImportBatch.objects.filter(
            company=staff.company, state=ImportState.CHECKED, created_at__lt=stale
        ).delete()
        batch.save()
    return batch, True


def import_commit(*, batch: ImportBatch, user: Any) -> ImportBatch:
    """Import a kept batch, all or nothing: inside one transaction, with the
    poles of its plants locked, every row is checked again; any bad row and
    nothing is written (the batch keeps the new report). Committing a
    committed batch returns it unchanged."""
    if require(user, IMPORT).company_id != batch.company_id:
        raise NotFound("import_unknown", "No such import in your company.")
    if batch.state == ImportState.COMMITTED:
        return batch
    if batch.created_at < timezone.now() - EXPIRY:
        raise ValidationFailed(
            "import_expired", "This upload is over a day old; upload the files again."
        )
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.state == ImportState.COMMITTED:
            return batch
        files = _files(batch)
        _lock_poles(user, files)
        report, plan = Checker(user).run(files)
        if report.ok:
            reason = f"imported ({batch.token})"
            created = _write(plan, by=user, reason=reason)
            batch.state = ImportState.COMMITTED
            batch.committed_at = timezone.now()
            batch.committed_by = user
            batch.report = report.as_json() | {"created": created}
            batch.save()
            return batch
    ImportBatch.objects.filter(pk=batch.pk).update(report=report.as_json())
    batch.report = report.as_json()
    return batch


def _lock_poles(user: Any, files: list[CsvFile]) -> None:
    """The poles of the customers file's plants, locked in a fixed order as
    ``customer_create`` locks one: no one adds a connection there meanwhile."""
    customers = next((f for f in files if f.kind == "customers"), None)
    if customers is None:
        return
    keys = {cells.get("plant", "").upper() for _, cells in rows_of(customers, Report())}
    plants = [p for p in plants_for(user, IMPORT) if p.key in keys]
    list(
        Pole.objects.filter(plant__in=plants)
        .order_by("pk")
        .select_for_update(of=("self",))
        .values_list("pk", flat=True)
    )


# --- reads ----------------------------------------------------------------------------
def imports_for(user: Any) -> QuerySet[ImportBatch]:
    """Batches the user may see: all of the company's for company-wide staff
    with ``customer.import``, else only their own."""
    staff = require(user, IMPORT)
    qs = ImportBatch.objects.filter(company=staff.company).select_related(
        "created_by", "committed_by"
    )
    if staff.scope_level != ScopeLevel.COMPANY:
        qs = qs.filter(created_by=user)
    return qs


def get_import_for_user(user: Any, token: str) -> ImportBatch:
    try:
        batch = imports_for(user).filter(token=str(token)).first()
    except (ValueError, DjangoValidationError) as exc:  # not a UUID
        raise Http404("No such import.") from exc
    if batch is None:
        raise Http404("No such import in your scope.")
    return batch
