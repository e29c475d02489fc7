"""Ledger writes: post journals (one or many), reverse them, and get-or-create
the standard accounts. Every money movement in MCOMS goes through here.

* A journal has two or more non-zero entries that sum to exactly zero, all on
  accounts of the journal's company in one currency.
* Posting is idempotent per (company, idempotency key): a replay returns the
  first journal and writes nothing; the same key with other lines is refused.
  ``journal_post_once`` and ``journal_reverse_once`` also say whether this call
  wrote the journal (True) or replayed it (False), decided in the transaction
  that posts, so two racing callers can never both be told "created".
* Cached account balances are updated under row locks taken in pk order, in
  the transaction that writes the entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from mcoms.core.errors import Conflict, ValidationFailed
from mcoms.core.money import MAX_AMOUNT, quantize
from mcoms.ledger.locks import lock_accounts
from mcoms.ledger.models import (
    Account,
    AccountKind,
    Entry,
    HolderType,
    Journal,
    Service,
)
from mcoms.org.models import Company, Plant

Line = tuple[Account, Decimal]
_Sig = tuple[tuple[int, Decimal], ...]


@dataclass(frozen=True)
class JournalSpec:
    """One journal for ``journal_post_many``."""

    idempotency_key: str
    lines: Sequence[Line]
    kind: str
    memo: str = ""
    posted_by: Any = None
    reverses: Journal | None = field(default=None)


# --- validation -------------------------------------------------------------------
def _check_amount(amount: object) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValidationFailed(
            "amount_not_decimal", "Ledger amounts must be finite Decimals."
        )
    if amount == 0:
        raise ValidationFailed("amount_zero", "A ledger line cannot be zero.")
    if quantize(amount) != amount:
        raise ValidationFailed("amount_too_precise", "At most 2 decimal places.")
    if abs(amount) > MAX_AMOUNT:
        raise ValidationFailed("amount_too_large", "Amount is too large.")
    return quantize(amount)


def _validate(company: Company, spec: JournalSpec) -> _Sig:
    """Refuse a bad journal; return its signature (sorted account/amount pairs)."""
    if not spec.idempotency_key or len(spec.idempotency_key) > 120:
        raise ValidationFailed(
            "idempotency_key_invalid",
            "An idempotency key of 1-120 characters is needed.",
        )
    if len(spec.lines) < 2:
        raise ValidationFailed(
            "journal_too_few_lines", "A journal needs at least two lines."
        )
    currencies = set()
    pairs = []
    for account, raw in spec.lines:
        amount = _check_amount(raw)
        if account.pk is None or account.company_id != company.pk:
            raise ValidationFailed(
                "account_other_company",
                f"Account {account.code} does not belong to {company.code}.",
            )
        currencies.add(account.currency)
        pairs.append((account.pk, amount))
    if len(currencies) != 1:
        raise ValidationFailed(
            "currency_mismatch", "All lines of a journal must be in one currency."
        )
    total = sum((amount for _, amount in pairs), Decimal("0"))
    if total != 0:
        raise ValidationFailed(
            "journal_unbalanced", f"Debits and credits differ by {total}."
        )
    return tuple(sorted(pairs))


def _signature(journal: Journal) -> _Sig:
    rows = Entry.objects.filter(journal=journal).values_list("account_id", "amount")
    return tuple(sorted((a, quantize(m)) for a, m in rows))


def _replay(existing: Journal, sig: _Sig, reverses: Journal | None) -> Journal:
    """A replay with the same key: the first journal if it is the same posting."""
    same_target = existing.reverses_id == (reverses.pk if reverses else None)
    if not same_target or _signature(existing) != sig:
        raise Conflict(
            "idempotency_key_reused",
            f"Key {existing.idempotency_key!r} was already used for another journal.",
        )
    return existing


# --- writing ------------------------------------------------------------------------
def _write(company: Company, specs: list[JournalSpec]) -> list[Journal]:
    """Insert journals and entries, then move cached balances (caller locks)."""
    now = timezone.now()
    journals = Journal.objects.bulk_create(
        [
            Journal(
                company=company,
                idempotency_key=s.idempotency_key,
                kind=s.kind,
                memo=s.memo,
                posted_at=now,
                posted_by=s.posted_by,
                reverses=s.reverses,
            )
            for s in specs
        ]
    )
    rows: list[tuple[int, int, Decimal, str]] = []
    deltas: dict[int, Decimal] = defaultdict(Decimal)
    for journal, spec in zip(journals, specs, strict=True):
        for account, amount in spec.lines:
            rows.append((journal.pk, account.pk, amount, account.currency))
            deltas[account.pk] += amount
    _insert_entries(rows)
    _move_balances(deltas)
    return journals


def _insert_entries(rows: list[tuple[int, int, Decimal, str]]) -> None:
    """Entries are plain validated tuples by now: one executemany, not thousands
    of model instances (the hot path of billing runs; see bench_ledger)."""
    qn = connection.ops.quote_name
    table = qn(Entry._meta.db_table)
    columns = ", ".join(
        qn(c) for c in ("journal_id", "account_id", "amount", "currency")
    )
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s)"  # noqa: S608
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[i : i + 5000])


def _move_balances(deltas: dict[int, Decimal]) -> None:
    """One UPDATE per touched account (locked by the caller), in pk order."""
    rows = [(delta, pk) for pk, delta in sorted(deltas.items()) if delta]
    if len(rows) == 1:
        delta, pk = rows[0]
        Account.objects.filter(pk=pk).update(balance=F("balance") + delta)
    elif rows:
        table = connection.ops.quote_name(Account._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET balance = balance + %s WHERE id = %s",  # noqa: S608
                rows,
            )


def _account_ids(specs: Iterable[JournalSpec]) -> set[int]:
    return {account.pk for s in specs for account, _ in s.lines}


def _post(company: Company, specs: list[JournalSpec]) -> list[tuple[Journal, bool]]:
    """Post the specs; for each, its journal and whether this call wrote it."""
    sigs: dict[str, _Sig] = {}
    unique: dict[str, JournalSpec] = {}
    for spec in specs:
        sig = _validate(company, spec)
        if spec.idempotency_key in sigs and sigs[spec.idempotency_key] != sig:
            raise Conflict(
                "idempotency_key_reused",
                f"Key {spec.idempotency_key!r} appears twice with different lines.",
            )
        sigs[spec.idempotency_key] = sig
        unique.setdefault(spec.idempotency_key, spec)
    with transaction.atomic():
        lock_accounts(_account_ids(unique.values()))
        for _attempt in range(3):
            done = _existing(company, unique, sigs)
            todo = [s for k, s in unique.items() if k not in done]
            _refuse_reversed_twice(todo)
            try:
                with transaction.atomic():
                    written = _write(company, todo) if todo else []
            except IntegrityError:
                continue  # a concurrent writer won a key: re-read and replay
            created = {j.idempotency_key for j in written}
            done.update((j.idempotency_key, j) for j in written)
            return [
                (done[s.idempotency_key], s.idempotency_key in created) for s in specs
            ]
    raise Conflict("journal_post_race", "Could not post: concurrent writers.")


def _existing(
    company: Company, specs: dict[str, JournalSpec], sigs: dict[str, _Sig]
) -> dict[str, Journal]:
    found: dict[str, Journal] = {}
    keys = list(specs)
    for i in range(0, len(keys), 500):
        qs = Journal.objects.filter(
            company=company, idempotency_key__in=keys[i : i + 500]
        )
        for journal in qs:
            key = journal.idempotency_key
            found[key] = _replay(journal, sigs[key], specs[key].reverses)
    return found


def _refuse_reversed_twice(specs: list[JournalSpec]) -> None:
    targets = [s.reverses.pk for s in specs if s.reverses is not None]
    if len(targets) != len(set(targets)) or (
        targets and Journal.objects.filter(reverses_id__in=targets).exists()
    ):
        raise Conflict("journal_already_reversed", "This journal is already reversed.")


def journal_post(
    *,
    company: Company,
    idempotency_key: str,
    lines: Sequence[Line],
    kind: str,
    memo: str = "",
    posted_by: Any = None,
) -> Journal:
    """Post one balanced journal; a replay with the same key returns the first."""
    journal, _created = journal_post_once(
        company=company,
        idempotency_key=idempotency_key,
        lines=lines,
        kind=kind,
        memo=memo,
        posted_by=posted_by,
    )
    return journal


def journal_post_once(
    *,
    company: Company,
    idempotency_key: str,
    lines: Sequence[Line],
    kind: str,
    memo: str = "",
    posted_by: Any = None,
) -> tuple[Journal, bool]:
    """``journal_post``, and whether this call wrote the journal (False: a replay
    returned the journal an earlier or concurrent call with the key wrote)."""
    spec = JournalSpec(idempotency_key, list(lines), kind, memo, posted_by)
    return _post(company, [spec])[0]


def journal_post_many(
    *, company: Company, journals: Sequence[JournalSpec]
) -> list[Journal]:
    """Post many journals in one transaction (billing runs); all or nothing.

    Same validation and idempotency as ``journal_post``; journals and entries are
    bulk-inserted and each touched account's cached balance gets one UPDATE."""
    if not journals:
        return []
    return [journal for journal, _created in _post(company, list(journals))]


def journal_reverse(
    *, journal: Journal, idempotency_key: str, posted_by: Any = None, memo: str = ""
) -> Journal:
    """Post the mirror journal of ``journal``; a journal is reversed at most once."""
    mirror, _created = journal_reverse_once(
        journal=journal, idempotency_key=idempotency_key, posted_by=posted_by, memo=memo
    )
    return mirror


def journal_reverse_once(
    *, journal: Journal, idempotency_key: str, posted_by: Any = None, memo: str = ""
) -> tuple[Journal, bool]:
    """``journal_reverse``, and whether this call wrote the mirror (False: a
    replay of the same key returned the mirror written before)."""
    lines = [(e.account, -e.amount) for e in journal.entries.select_related("account")]
    spec = JournalSpec(
        idempotency_key,
        lines,
        "reversal",
        memo or f"Reverses journal {journal.pk}",
        posted_by,
        reverses=journal,
    )
    return _post(journal.company, [spec])[0]


# --- standard accounts --------------------------------------------------------------
def account_get_or_create(
    *,
    company: Company,
    code: str,
    name: str,
    kind: str,
    holder_type: str,
    holder_ref: str = "",
    service: str = "",
    plant: Plant | None = None,
) -> Account:
    """The account with this code, created if missing; safe when two race."""
    account = Account.objects.filter(company=company, code=code).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(
                company=company,
                code=code,
                name=name,
                kind=kind,
                service=service,
                holder_type=holder_type,
                holder_ref=holder_ref,
                plant=plant,
                currency=company.currency,
            )
    except IntegrityError:
        return Account.objects.get(company=company, code=code)


def account_for_customer(
    *, company: Company, customer_id: str, plant: Plant | None, service: str
) -> Account:
    """A customer's receivable for one service (DEP: the deposit liability)."""
    if service == Service.DEPOSIT:
        return account_for_customer_deposit(
            company=company, customer_id=customer_id, plant=plant
        )
    label = Service(service).label
    return account_get_or_create(
        company=company,
        code=f"CUS:{customer_id}:AR:{service}",
        name=f"{customer_id} receivable, {label}",
        kind=AccountKind.ASSET,
        holder_type=HolderType.CUSTOMER,
        holder_ref=customer_id,
        service=service,
        plant=plant,
    )


def account_for_customer_deposit(
    *, company: Company, customer_id: str, plant: Plant | None
) -> Account:
    return account_get_or_create(
        company=company,
        code=f"CUS:{customer_id}:DEP",
        name=f"{customer_id} security deposit",
        kind=AccountKind.LIABILITY,
        holder_type=HolderType.CUSTOMER,
        holder_ref=customer_id,
        service=Service.DEPOSIT,
        plant=plant,
    )


def account_for_plant_revenue(*, plant: Plant, service: str) -> Account:
    key = plant.key
    return account_get_or_create(
        company=plant.company,
        code=f"PLT:{key}:REV:{service}",
        name=f"{key} revenue, {Service(service).label}",
        kind=AccountKind.INCOME,
        holder_type=HolderType.PLANT,
        holder_ref=key,
        service=service,
        plant=plant,
    )


def account_for_staff_cash(
    *, company: Company, username: str, plant: Plant | None = None
) -> Account:
    return account_get_or_create(
        company=company,
        code=f"STF:{username}:CASH",
        name=f"Cash in hand, {username}",
        kind=AccountKind.ASSET,
        holder_type=HolderType.STAFF,
        holder_ref=username,
        plant=plant,
    )


def account_for_company_bank(*, company: Company) -> Account:
    return account_get_or_create(
        company=company,
        code="CO:BANK",
        name=f"{company.name} bank",
        kind=AccountKind.ASSET,
        holder_type=HolderType.COMPANY,
        holder_ref=company.code,
    )


def account_for_provider_clearing(*, company: Company, provider: str) -> Account:
    return account_get_or_create(
        company=company,
        code=f"PRV:{provider}:CLR",
        name=f"{provider} clearing",
        kind=AccountKind.ASSET,
        holder_type=HolderType.PROVIDER,
        holder_ref=provider,
    )
