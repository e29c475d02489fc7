"""Receipts: numbering, the verification token and page, and the four
formats of manual 2.2.5 plus PDF (docs/receipts.md)."""
