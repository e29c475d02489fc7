"""Checking every row of the files against the database, for one user's
scope; reads only. The ``Plan`` is what the import writes when the report
is clean."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from mcoms.core import ids
from mcoms.core.errors import Conflict, DomainError, ValidationFailed
from mcoms.customers.imports.files import (
    ADDRESS_MAX,
    CHUNK,
    CUSTOMER_COLUMNS,
    IMPORT,
    NAME_MAX,
    NO,
    YES,
    CsvFile,
    Problem,
    Report,
    rows_of,
)
from mcoms.customers.models import Customer, CustomerStatus, Segment, StatusReason
from mcoms.notifications.phones import phone_normalise
from mcoms.org.access import plants_for, require
from mcoms.org.models import Language, Plant, Pole, Staff, User
from mcoms.packages import terms as package_terms
from mcoms.packages.models import ImportBatch, ImportState, Package


# --- checking -------------------------------------------------------------------------
@dataclass
class PackageRow:
    row: int
    plant: Plant
    terms: dict[str, Any]
    offered: bool
    package_id: str


@dataclass
class CustomerRow:
    row: int
    plant: Plant
    pole: Pole
    connection: int | None
    name: str
    phone: str
    address: str
    segment: str
    status: str
    status_reason: str
    package: int | tuple[int, str]  # a saved package's pk, or one of the file's
    activated_at: datetime | None
    language: str


@dataclass
class Plan:
    packages: list[PackageRow] = field(default_factory=list)
    customers: list[CustomerRow] = field(default_factory=list)


class Checker:
    """Checks the files against the database, for one user's scope. Reads
    only; ``plan`` is what the import writes when the report is clean."""

    def __init__(self, user: Any) -> None:
        self.staff: Staff = require(user, IMPORT)
        self.company = self.staff.company
        self.plants = {p.key: p for p in plants_for(user, IMPORT)}
        self.report = Report()
        self.plan = Plan()

    def run(self, files: Iterable[CsvFile]) -> tuple[Report, Plan]:
        by_kind = {f.kind: f for f in files}
        for f in by_kind.values():
            self._refuse_imported(f)
        if "packages" in by_kind:
            self._packages(by_kind["packages"])
        if "customers" in by_kind:
            self._customers(by_kind["customers"])
        self.report.problems.sort(key=lambda p: (p.file != "packages", p.row))
        return self.report, self.plan

    def add(self, kind: str, row: int, column: str, exc: DomainError) -> None:
        self.report.problems.append(Problem(kind, row, column, exc.code, exc.message))

    def _refuse_imported(self, f: CsvFile) -> None:
        done = (
            ImportBatch.objects.filter(
                company=self.company, state=ImportState.COMMITTED
            )
            .filter(**{f"{f.kind}_sha256": f.sha256})
            .select_related("committed_by")
            .first()
        )
        if done is not None and done.committed_at is not None:
            who = done.committed_by.username if done.committed_by else "?"
            self.add(
                f.kind,
                0,
                "",
                Conflict(
                    "import_already_done",
                    f"This {f.kind} file was imported on "
                    f"{done.committed_at:%Y-%m-%d %H:%M} by {who}; "
                    "importing it again would double it.",
                ),
            )

    def _plant(self, kind: str, row: int, key: str) -> Plant | None:
        plant = self.plants.get(key.upper())
        if plant is None:
            self.add(
                kind,
                row,
                "plant",
                ValidationFailed(
                    "plant_unknown",
                    f"No plant {key!r:.12} in your scope (a key like BHKATS).",
                ),
            )
        return plant

    # --- packages -----------------------------------------------------------------
    def _packages(self, f: CsvFile) -> None:
        seen: dict[tuple[int, str], int] = {}
        count = 0
        for number, cells in rows_of(f, self.report):
            count += 1
            row = self._package_row(number, cells)
            if row is None:
                continue
            key = (row.plant.pk, row.package_id)
            if row.offered and key in seen:
                self.add(
                    "packages",
                    number,
                    "",
                    ValidationFailed(
                        "package_duplicate_in_file",
                        f"{row.package_id} at {row.plant.key} is also on row "
                        f"{seen[key]}.",
                    ),
                )
                continue
            seen.setdefault(key, number)
            self.plan.packages.append(row)
        self.report.rows["packages"] = count

    def _package_row(self, number: int, cells: dict[str, str]) -> PackageRow | None:
        plant = self._plant("packages", number, cells.get("plant", ""))
        offered = cells.get("offered", "").lower()
        if offered not in YES | NO:
            self.add(
                "packages",
                number,
                "offered",
                ValidationFailed("offered_invalid", "Write yes or no."),
            )
        terms = {k: cells.get(k, "") for k in package_terms.TERMS}
        terms["deposit_rule"] = terms["deposit_rule"].lower() or "fixed"
        before = len(self.report.problems)
        for column, parse in PACKAGE_PARSERS.items():
            try:
                parse(terms[column])
            except DomainError as exc:
                self.add("packages", number, column, exc)
        if (
            plant is None
            or len(self.report.problems) > before
            or offered not in (YES | NO)
        ):
            return None
        try:
            package = package_terms.package_check(plant=plant, terms=terms)
            if offered in YES:
                _refuse_offered(package)
        except DomainError as exc:
            self.add("packages", number, exc.field or "", exc)
            return None
        return PackageRow(number, plant, terms, offered in YES, package.package_id)

    # --- customers ----------------------------------------------------------------
    def _customers(self, f: CsvFile) -> None:
        rows = list(rows_of(f, self.report))
        self.report.rows["customers"] = len(rows)
        keys = {c.get("plant", "").upper() for _, c in rows}
        world = _World.load([self.plants[k] for k in keys if k in self.plants])
        world.add_file_packages(self.plan.packages)
        seen: dict[tuple[str, ...], int] = {}
        checked = []
        for number, cells in rows:
            same = tuple(cells.get(c, "").lower() for c in CUSTOMER_COLUMNS)
            if same in seen:
                self.add(
                    "customers",
                    number,
                    "",
                    ValidationFailed("row_duplicate", f"The same as row {seen[same]}."),
                )
                continue
            seen[same] = number
            row = _CustomerCheck(self, world, number, cells).run()
            if row is not None:
                checked.append(row)
        world.check_users(self, checked)
        self.plan.customers = world.number(self, checked)


def _refuse_offered(package: Package) -> None:
    if Package.objects.filter(
        plant=package.plant, package_id=package.package_id, active=True
    ).exists():
        raise ValidationFailed(
            "package_duplicate",
            f"{package.package_id} is already offered at {package.plant.key}.",
        )


PACKAGE_PARSERS = {
    "load_w": package_terms.parse_load,
    "prepaid_amount": lambda v: package_terms.parse_money(v, "prepaid_amount"),
    "prepaid_period_days": package_terms.parse_days,
    "rate_per_kwh": lambda v: package_terms.parse_rate(v, "rate_per_kwh"),
    "slabs": package_terms.parse_slabs,
    "fixed_monthly": lambda v: package_terms.parse_money(v, "fixed_monthly"),
    "monthly_amount": lambda v: package_terms.parse_money(v, "monthly_amount"),
    "activation_charge": lambda v: package_terms.parse_money(v, "activation_charge"),
    "deposit_amount": lambda v: package_terms.parse_money(v, "deposit_amount"),
    "deposit_multiple": package_terms.parse_multiple,
    "credit_limit": lambda v: package_terms.parse_money(v, "credit_limit"),
}


class _World:
    """What the database already holds at the file's plants, loaded in a few
    queries: poles, connections in use, packages."""

    def __init__(self) -> None:
        self.poles: dict[tuple[int, int], Pole] = {}
        self.taken: dict[tuple[int, int], str] = {}  # (pole, conn) -> customer ID
        self.top: dict[int, int] = {}  # pole -> highest connection in use
        self.existing: dict[tuple[int, str, str], str] = {}  # pole, name, phone
        self.packages: dict[tuple[int, str], int | tuple[int, str]] = {}

    @classmethod
    def load(cls, plants: list[Plant]) -> _World:
        w = cls()
        for pole in Pole.objects.filter(plant__in=plants):
            w.poles[(pole.plant_id, pole.number)] = pole
        rows = Customer.objects.filter(plant__in=plants).values_list(
            "pole_id", "connection_no", "customer_id", "name", "phone"
        )
        for pole_id, conn, customer_id, name, phone in rows.iterator(CHUNK):
            w.taken[(pole_id, conn)] = customer_id
            w.top[pole_id] = max(w.top.get(pole_id, 0), conn)
            w.existing[(pole_id, name.casefold(), str(phone))] = customer_id
        offered: dict[tuple[int, str], tuple[bool, int, int]] = {}
        for pk, plant_id, package_id, version, active in Package.objects.filter(
            plant__in=plants
        ).values_list("pk", "plant_id", "package_id", "version", "active"):
            rank = (active, version, pk)  # the offered one, else the newest
            if offered.get((plant_id, package_id), (False, 0, 0)) < rank:
                offered[(plant_id, package_id)] = rank
        w.packages = {k: v[2] for k, v in offered.items()}
        return w

    def add_file_packages(self, rows: list[PackageRow]) -> None:
        for row in rows:
            self.packages[(row.plant.pk, row.package_id)] = (
                row.plant.pk,
                row.package_id,
            )

    def check_users(self, checker: Checker, rows: list[CustomerRow]) -> None:
        """A new number's sign-in user is ``c<number>``: refuse a number whose
        username a member of staff already holds."""
        names = {f"c{r.phone}" for r in rows}
        taken: set[str] = set()
        for chunk in chunks(sorted(names)):
            taken |= set(
                User.objects.filter(username__in=chunk)
                .exclude(kind=User.Kind.CUSTOMER)
                .values_list("username", flat=True)
            )
        for r in rows:
            if f"c{r.phone}" in taken:
                checker.add(
                    "customers",
                    r.row,
                    "phone",
                    ValidationFailed(
                        "phone_username_taken",
                        "A staff account already uses this number's sign-in name.",
                    ),
                )

    def number(self, checker: Checker, rows: list[CustomerRow]) -> list[CustomerRow]:
        """Connection numbers: the file's own first, then the next free ones
        (after the highest in use or in the file) in row order."""
        given: dict[tuple[int, int], int] = {}
        for r in rows:
            if r.connection is None:
                continue
            key = (r.pole.pk, r.connection)
            if key in given:
                checker.add(
                    "customers",
                    r.row,
                    "connection",
                    ValidationFailed(
                        "connection_duplicate_in_file",
                        f"Row {given[key]} has the same pole and connection.",
                    ),
                )
                continue
            given[key] = r.row
            self.top[r.pole.pk] = max(self.top.get(r.pole.pk, 0), r.connection)
        for r in rows:
            if r.connection is not None:
                continue
            nxt = self.top.get(r.pole.pk, 0) + 1
            if nxt > 99:
                checker.add(
                    "customers",
                    r.row,
                    "pole",
                    ValidationFailed(
                        "pole_full", f"Pole {r.pole.number} has no free connection."
                    ),
                )
                continue
            self.top[r.pole.pk] = r.connection = nxt
        return rows


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _CustomerCheck:
    """One customer row: every column checked, every problem reported."""

    def __init__(
        self, checker: Checker, world: _World, number: int, cells: dict[str, str]
    ) -> None:
        self.checker, self.world, self.number, self.cells = (
            checker,
            world,
            number,
            cells,
        )
        self.failed = False

    def bad(self, column: str, code: str, message: str) -> None:
        self.failed = True
        self.checker.add(
            "customers", self.number, column, ValidationFailed(code, message)
        )

    def run(self) -> CustomerRow | None:
        c = self.cells
        plant = self.checker._plant("customers", self.number, c.get("plant", ""))
        self.failed = plant is None
        pole = self._pole(plant) if plant else None
        connection = self._connection(plant, pole)
        name = self._text("name", NAME_MAX, required=True)
        phone = self._phone()
        address = self._text("address", ADDRESS_MAX)
        segment = self._choice("segment", Segment, Segment.HOUSEHOLD)
        status = self._choice("status", CustomerStatus, CustomerStatus.ACTIVE)
        reason = self._reason(status)
        package = self._package(plant)
        activated = self._date(plant, status)
        language = self._choice("language", Language, Language.HINDI)
        if pole is not None and connection is None and phone and name:
            exists = self.world.existing.get((pole.pk, name.casefold(), phone))
            if exists:
                self.bad(
                    "connection",
                    "customer_exists",
                    f"{exists} has this name and number on this pole. Give the "
                    "connection number to import another connection.",
                )
        if self.failed or plant is None or pole is None or package is None:
            return None
        return CustomerRow(
            self.number,
            plant,
            pole,
            connection,
            name,
            phone,
            address,
            segment,
            status,
            reason,
            package,
            activated,
            language,
        )

    def _pole(self, plant: Plant) -> Pole | None:
        raw = self.cells.get("pole", "")
        if not raw.isdigit() or not 1 <= int(raw) <= 999:
            self.bad("pole", "pole_invalid", f"{raw!r:.12} is not a pole number.")
            return None
        pole = self.world.poles.get((plant.pk, int(raw)))
        if pole is None:
            self.bad("pole", "pole_unknown", f"{plant.key} has no pole {int(raw)}.")
        return pole

    def _connection(self, plant: Plant | None, pole: Pole | None) -> int | None:
        raw = self.cells.get("connection", "")
        given_id = self.cells.get("customer_id", "").upper()
        number: int | None = None
        if raw:
            if not raw.isdigit() or not 1 <= int(raw) <= 99:
                self.bad("connection", "connection_invalid", "A connection is 1 to 99.")
                return None
            number = int(raw)
        if given_id and plant is not None and pole is not None:
            number = self._from_customer_id(given_id, plant, pole, number)
        if number is not None and pole is not None:
            taken = self.world.taken.get((pole.pk, number))
            if taken:
                self.bad(
                    "connection",
                    "connection_in_use",
                    f"Connection {number} of pole {pole.number} is {taken} already.",
                )
        return number

    def _from_customer_id(
        self, given: str, plant: Plant, pole: Pole, number: int | None
    ) -> int | None:
        try:
            parts = ids.parse_customer_id(given)
        except ValidationFailed as exc:
            self.bad("customer_id", exc.code, exc.message)
            return number
        conn = int(parts["conn"])
        wrong = (
            parts["state"] + parts["plant"] != plant.key
            or int(parts["pole"]) != pole.number
            or (number is not None and number != conn)
            or conn == 0
        )
        if wrong:
            self.bad(
                "customer_id",
                "customer_id_mismatch",
                f"{given} does not match plant, pole and connection of the row.",
            )
        return conn

    def _text(self, column: str, limit: int, *, required: bool = False) -> str:
        value = " ".join(self.cells.get(column, "").split())
        if required and not value:
            self.bad(column, f"{column}_missing", "This is required.")
        if len(value) > limit:
            self.bad(column, f"{column}_too_long", f"At most {limit} characters.")
        return value

    def _phone(self) -> str:
        try:
            return phone_normalise(phone=self.cells.get("phone", ""))
        except ValidationFailed as exc:
            self.bad("phone", exc.code, exc.message)
            return ""

    def _choice(self, column: str, choices: Any, default: str) -> str:
        raw = self.cells.get(column, "")
        if not raw:
            return default
        wanted = raw.casefold().replace("-", "_").replace(" ", "_")
        for value, label in choices.choices:
            if wanted in (value, str(label).casefold().replace(" ", "_")):
                return str(value)
        self.bad(
            column,
            f"{column}_unknown",
            f"{raw!r:.20} is not one of {', '.join(choices.values)}.",
        )
        return default

    def _reason(self, status: str) -> str:
        raw = self.cells.get("status_reason", "")
        if status in (CustomerStatus.ACTIVE, CustomerStatus.NEW):
            if raw:
                self.bad(
                    "status_reason",
                    "status_reason_not_allowed",
                    "Only an inactive or banned customer has a status reason.",
                )
            return ""
        if not raw:
            self.bad(
                "status_reason",
                "status_reason_missing",
                f"Give the reason: {', '.join(StatusReason.values)}.",
            )
            return ""
        return self._choice("status_reason", StatusReason, StatusReason.OTHER)

    def _package(self, plant: Plant | None) -> int | tuple[int, str] | None:
        raw = self.cells.get("package", "").replace(" ", "")
        if plant is None:
            return None
        found = self.world.packages.get((plant.pk, raw))
        if found is None:
            self.bad(
                "package",
                "package_unknown",
                f"No package {raw!r:.40} at {plant.key} (nor on a good row of "
                "the packages file).",
            )
        return found

    def _date(self, plant: Plant | None, status: str) -> datetime | None:
        raw = self.cells.get("activated_on", "")
        if not raw:
            return None
        if status == CustomerStatus.NEW:
            self.bad(
                "activated_on",
                "activated_on_not_allowed",
                "A customer awaiting connection has no activation date.",
            )
            return None
        day = _parse_date(raw)
        if day is None:
            self.bad(
                "activated_on",
                "date_invalid",
                f"{raw!r:.20} is not a date (2024-03-31 or 31/03/2024).",
            )
            return None
        zone = ZoneInfo(plant.timezone if plant else settings.TIME_ZONE)
        if day > timezone.now().astimezone(zone).date():
            self.bad("activated_on", "date_in_future", "The date is in the future.")
            return None
        return datetime(day.year, day.month, day.day, tzinfo=zone)


def _parse_date(raw: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a bare date
        except ValueError:
            continue
    return None


def import_check(*, user: Any, files: Iterable[CsvFile]) -> Report:
    """The dry run: every row of every file checked; nothing written."""
    return Checker(user).run(files)[0]
