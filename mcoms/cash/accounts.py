"""The ledger accounts cash moves through: an agent's cash in hand
(``STF:<username>:CASH``, made by the first cash payment they take), the
company's deposits in transit (``CO:BANK:TRANSIT``) and its bank (``CO:BANK``)."""

from __future__ import annotations

from mcoms.ledger import services as ledger
from mcoms.ledger.models import Account, AccountKind, HolderType
from mcoms.org.models import Company

TRANSIT_CODE = "CO:BANK:TRANSIT"


def cash_code(username: str) -> str:
    return f"STF:{username}:CASH"


def cash_account_of(company: Company | int, username: str) -> Account | None:
    """The agent's cash in hand, or None if they never held cash (a read:
    nothing is created)."""
    company_id = company if isinstance(company, int) else company.pk
    return Account.objects.filter(
        company_id=company_id, code=cash_code(username)
    ).first()


def transit_account_of(company: Company) -> Account | None:
    return Account.objects.filter(company=company, code=TRANSIT_CODE).first()


def transit_account(company: Company) -> Account:
    """Deposits registered by agents and not yet seen on the bank statement."""
    return ledger.account_get_or_create(
        company=company,
        code=TRANSIT_CODE,
        name="Bank deposits in transit",
        kind=AccountKind.ASSET,
        holder_type=HolderType.COMPANY,
        holder_ref=company.code,
    )
