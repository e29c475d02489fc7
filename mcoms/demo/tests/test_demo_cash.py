"""The demo's bank deposits: a limit on cash in hand and, at the first
plants, deposits verified, verified short, rejected and waiting, each with a
slip, every one a balanced journal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from mcoms.cash.models import BankDeposit, CashLimit
from mcoms.ledger.selectors import journals_unbalanced


@pytest.mark.django_db
def test_the_demo_seeds_deposits_of_every_kind(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", customers=120, seed=3)
    deposits = list(BankDeposit.objects.all())
    kinds = {d.status for d in deposits}
    assert kinds == {"registered", "verified", "rejected"}
    assert any(d.mismatch for d in deposits)
    assert all(d.slip.storage.exists(d.slip.name) for d in deposits)
    assert CashLimit.objects.filter(plant__isnull=True).exists()
    assert not journals_unbalanced().exists()
