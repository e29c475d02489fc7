"""The QR code of a receipt's verification link (segno; error correction M,
no Micro QR). Choosing the best of the eight masks is most of the work of
making a code, so the mask is chosen once, when the receipt is issued, and
kept (``Receipt.qr_mask``): every rendering then draws the same symbol
without scoring the masks again (docs/decisions/0092)."""

from __future__ import annotations

import segno


def qr_code(url: str, mask: int | None = None) -> segno.QRCode:
    return segno.make(url, error="m", micro=False, mask=mask)


def qr_mask_for(url: str) -> int:
    """The mask with the lowest penalty for this link (0-7)."""
    return int(qr_code(url).mask)


def mask_or_none(value: str) -> int | None:
    return int(value) if value.isdigit() and int(value) < 8 else None
