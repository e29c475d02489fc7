"""The import's files: reading an upload (size, encoding), the columns, the
rows as the spreadsheet numbers them, and the report of problems."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings

from mcoms.core.errors import ValidationFailed
from mcoms.org.permissions import Action

IMPORT = Action.CUSTOMER_IMPORT
EXPIRY = timedelta(hours=24)
CHUNK = 2000
PACKAGE_COLUMNS = (
    "plant",
    "type_code",
    "timing_code",
    "load_w",
    "prepaid_amount",
    "prepaid_period_days",
    "rate_per_kwh",
    "slabs",
    "fixed_monthly",
    "monthly_amount",
    "activation_charge",
    "deposit_rule",
    "deposit_amount",
    "deposit_multiple",
    "credit_limit",
    "offered",
)
PACKAGE_REQUIRED = ("plant", "type_code", "timing_code", "load_w")
CUSTOMER_COLUMNS = (
    "plant",
    "pole",
    "connection",
    "customer_id",
    "name",
    "phone",
    "address",
    "segment",
    "status",
    "status_reason",
    "package",
    "activated_on",
    "language",
)
CUSTOMER_REQUIRED = ("plant", "pole", "name", "phone", "package")
KINDS = {"packages": PACKAGE_COLUMNS, "customers": CUSTOMER_COLUMNS}
REQUIRED = {"packages": PACKAGE_REQUIRED, "customers": CUSTOMER_REQUIRED}
YES, NO = {"yes", "y", "true", "1", ""}, {"no", "n", "false", "0"}
NAME_MAX, ADDRESS_MAX = 120, 200


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 5 * 1024 * 1024))


# --- the files ------------------------------------------------------------------------
@dataclass(frozen=True)
class CsvFile:
    kind: str  # "packages" or "customers"
    name: str
    text: str
    sha256: str


def read_upload(kind: str, name: str, raw: bytes) -> CsvFile:
    """An uploaded file as text: UTF-8 with or without the BOM Excel writes,
    at most ``IMPORT_MAX_UPLOAD_BYTES``. Refusals name the file's field."""
    if len(raw) > max_bytes():
        raise ValidationFailed(
            "import_too_large",
            f"The file is over {max_bytes() // (1024 * 1024)} MB; split it.",
            field=kind,
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "import_not_utf8",
            f"Byte {exc.start} is not UTF-8. Save the sheet as 'CSV UTF-8'.",
            field=kind,
        ) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    digest = hashlib.sha256(text.encode()).hexdigest()
    return CsvFile(kind=kind, name=name[:200], text=text, sha256=digest)


def read_uploaded(kind: str, upload: Any) -> CsvFile:
    """An uploaded file object (Django's ``UploadedFile``), read no further
    than one byte past the limit."""
    return read_upload(kind, str(upload.name or kind), upload.read(max_bytes() + 1))


@dataclass(frozen=True)
class Problem:
    file: str
    row: int  # the spreadsheet's row (header = 1); 0 for the whole file
    column: str
    code: str
    message: str


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "errors": [asdict(p) for p in self.problems],
        }


def _delimiter(text: str) -> str:
    """Excel writes ";" where the decimal mark is a comma: take whichever of
    , ; and tab the header has most of."""
    header = text.split("\n", 1)[0]
    return max([",", ";", "\t"], key=header.count)


def rows_of(file: CsvFile, report: Report) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: stripped text}) for each non-empty data row; the
    header's problems go to ``report`` (and then no rows come)."""
    reader = csv.reader(
        io.StringIO(file.text, newline=""), delimiter=_delimiter(file.text)
    )
    header = [h.strip().lower().replace(" ", "_") for h in next(reader, [])]
    bad = _header_problems(file.kind, header)
    if bad:
        report.problems += [Problem(file.kind, 1, c, code, m) for c, code, m in bad]
        return
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            report.problems.append(
                Problem(
                    file.kind,
                    number,
                    "",
                    "row_too_long",
                    f"{len(cells)} cells for {len(header)} columns.",
                )
            )
            continue
        yield number, {h: c.strip() for h, c in zip(header, cells, strict=False)}


def _header_problems(kind: str, header: list[str]) -> list[tuple[str, str, str]]:
    out = []
    for name in header:
        if name not in KINDS[kind]:
            known = ", ".join(KINDS[kind])
            out.append((name, "column_unknown", f"Unknown column; known: {known}."))
        elif header.count(name) > 1:
            out.append((name, "column_twice", "This column is there twice."))
    for name in REQUIRED[kind]:
        if name not in header:
            out.append((name, "column_missing", "This column is required."))
    return out
