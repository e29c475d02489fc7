"""Demo data for cash in hand and bank deposits (docs/collection.md), built
through the services after the rest of the demo:

* a company limit on cash in hand (``CASH_LIMIT``);
* at the first three plants, the CSA (who holds the demo's collected cash)
  banks part of it: a deposit head office verified, one verified with a
  smaller amount (an anomaly, first plant only), one rejected, one waiting
  and one waiting for a week (an anomaly), each with a generated slip photo.

Deterministic for a seed.
"""

from __future__ import annotations

import io
import random
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from mcoms.cash.accounts import cash_account_of
from mcoms.cash.models import BankDeposit
from mcoms.cash.services import (
    bank_deposit_register,
    bank_deposit_reject,
    bank_deposit_verify,
    cash_limit_set,
)
from mcoms.org.models import Plant, User

PLANTS = 3
CASH_LIMIT = Decimal("25000.00")
# (days ago, share of the cash in hand, what head office did)
STEPS = [
    (10, Decimal("0.20"), "verified"),
    (7, Decimal("0.10"), "short"),
    (5, Decimal("0.05"), "rejected"),
    (6, Decimal("0.05"), "stale"),
    (1, Decimal("0.10"), "waiting"),
]


def _slip(text: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (320, 160), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 4, 315, 155), outline="black")
    draw.text((16, 20), "BANK DEPOSIT SLIP (demo)", fill="black")
    draw.text((16, 70), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return SimpleUploadedFile("slip.jpg", buffer.getvalue(), "image/jpeg")


def build_cash(demo: object, *, seed: int = 1) -> list[BankDeposit]:
    company = getattr(demo, "company", None)
    if company is None:
        return []
    head = User.objects.filter(username="ho.manager").first()
    if head is not None:
        cash_limit_set(company=company, plant=None, amount=str(CASH_LIMIT), by=head)
    rng = random.Random(f"cash:{seed}")
    made: list[BankDeposit] = []
    for index, plant in enumerate(list(getattr(demo, "plants", []))[:PLANTS]):
        agent = User.objects.filter(username=f"csa.{plant.key.lower()}").first()
        if agent is None or head is None:
            continue
        made += _deposits(plant, agent, head, rng, short=index == 0)
    return made


def _deposits(
    plant: Plant, agent: User, head: User, rng: random.Random, *, short: bool
) -> list[BankDeposit]:
    made = []
    today = timezone.localdate()
    for days, share, outcome in STEPS:
        if outcome == "short" and not short:
            continue
        account = cash_account_of(plant.company, agent.get_username())
        held = account.balance if account is not None else Decimal("0")
        amount = (held * share).quantize(Decimal("10"))
        if amount <= 0:
            break
        deposit, _created = bank_deposit_register(
            agent=agent,
            plant=plant,
            amount=str(amount),
            deposited_on=today - timedelta(days=days),
            bank=rng.choice(["SBI", "PNB", "Bank of Baroda"]) + f" {plant.name}",
            reference=f"{rng.randrange(100000, 999999)}",
            slip=_slip(f"{plant.key}  {amount}"),
            client_key=f"demo:deposit:{plant.key}:{days}",
        )
        if outcome in ("verified", "short"):
            received = amount if outcome == "verified" else amount * Decimal("0.9")
            bank_deposit_verify(
                deposit=deposit, received_amount=f"{received:.2f}", by=head
            )
        elif outcome == "rejected":
            bank_deposit_reject(
                deposit=deposit,
                reason="Not on the bank statement of that day",
                by=head,
            )
        elif outcome == "stale":
            BankDeposit.objects.filter(pk=deposit.pk).update(
                registered_at=timezone.now() - timedelta(days=days)
            )
        made.append(deposit)
    return made
