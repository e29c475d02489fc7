"""The fonts of the bill PDFs. No font file lives in the repository: they come
from Debian's ``fonts-noto-core`` (``/usr/share/fonts/truetype/noto``), each
path overridable in settings (``BILL_FONT_LATIN``, ``BILL_FONT_DEVANAGARI``,
or ``BILL_FONT_DIR`` for both)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from mcoms.core.errors import DomainError

PACKAGE = "fonts-noto-core"


class BillFontMissing(DomainError):
    """A font the document needs is not installed: a set-up fault, not bad input."""

    status = 503


@dataclass(frozen=True)
class FontSet:
    latin: Path
    latin_bold: Path
    devanagari: Path
    devanagari_bold: Path


def _bold(regular: Path) -> Path:
    """``X-Regular.ttf`` -> ``X-Bold.ttf`` when installed; else the regular."""
    bold = regular.with_name(regular.name.replace("-Regular", "-Bold"))
    return bold if bold != regular and bold.is_file() else regular


def font_set() -> FontSet:
    """The installed fonts, or ``BillFontMissing`` naming what is missing."""
    latin = Path(settings.BILL_FONT_LATIN)
    devanagari = Path(settings.BILL_FONT_DEVANAGARI)
    missing = [str(p) for p in (latin, devanagari) if not p.is_file()]
    if missing:
        raise BillFontMissing(
            "bill_font_missing",
            f"The bill fonts are not installed ({', '.join(missing)}). "
            f"Install the Debian package {PACKAGE} or set BILL_FONT_LATIN and "
            "BILL_FONT_DEVANAGARI.",
        )
    return FontSet(latin, _bold(latin), devanagari, _bold(devanagari))


def fonts_installed() -> bool:
    try:
        font_set()
    except BillFontMissing:
        return False
    return True
