"""What is deducted from a sale before the household is credited, by the fee rules.

The rule is a pure function (`sale_fees`) over rules loaded once (`fee_rules`), so the product
page's price breakdown and the ledger's credit at payment compute the same figures."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from impact.models import ZERO, FeeRule, FeeType
from shop.core.money import round_to_fen


@dataclass(frozen=True)
class SaleFacts:
    """What the fees depend on: the product's categories and certificate, the station, the units."""

    category_ids: frozenset[int]
    station_id: int | None
    certified: bool
    quantity: int
    gross: Decimal


def fee_rules() -> list[FeeRule]:
    """Every rule (a short table), for `sale_fees`."""
    return list(FeeRule.objects.all())


def is_certified(product, *, today: date | None = None) -> bool:
    """A poverty-alleviation product certificate that has not expired."""
    if not product.certificate_number:
        return False
    today = today or timezone.localdate()
    return product.certificate_expires is None or product.certificate_expires >= today


def _specificity(rule: FeeRule, facts: SaleFacts) -> int | None:
    """How closely a rule fits the sale (higher wins), or None when it does not apply."""
    if rule.station_id is not None and rule.station_id != facts.station_id:
        return None
    if rule.category_id is not None and rule.category_id not in facts.category_ids:
        return None
    return (2 if rule.station_id is not None else 0) + (1 if rule.category_id is not None else 0)


def applicable_rules(rules: list[FeeRule], facts: SaleFacts) -> dict[str, FeeRule]:
    """The most specific rule of each fee type (ties: the older rule)."""
    best: dict[str, tuple[int, int, FeeRule]] = {}
    for rule in rules:
        fit = _specificity(rule, facts)
        if fit is None:
            continue
        current = best.get(rule.fee_type)
        if current is None or (fit, -rule.pk) > (current[0], -current[1]):
            best[rule.fee_type] = (fit, rule.pk, rule)
    return {fee_type: entry[2] for fee_type, entry in best.items()}


def sale_fees(rules: list[FeeRule], facts: SaleFacts) -> dict[str, Decimal]:
    """{fee type: amount} deducted from this sale; never more than the sale itself. Certified
    poverty-alleviation products carry no fee whose rule is waived for them."""
    fees: dict[str, Decimal] = {}
    left = facts.gross
    for fee_type in (FeeType.COMMISSION, FeeType.PACKING):
        rule = applicable_rules(rules, facts).get(fee_type)
        if rule is None or (facts.certified and rule.waived_for_certified):
            continue
        amount = min(round_to_fen(facts.gross * rule.rate + rule.per_unit * facts.quantity), left)
        if amount > ZERO:
            fees[fee_type] = amount
            left -= amount
    return fees
