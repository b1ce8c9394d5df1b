"""What is deducted from a sale before the household is credited, by the fee rules.

The rule is a pure function (`sale_fees`) over rules loaded once (`fee_rules`), so the product
page's price breakdown (`price_breakdown`) and the ledger's credit at payment compute the same
figures: the same fees, shared among the same households (`sale_parties`) to the same fen."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from catalogue.models import Category
from impact.models import ZERO, FeeRule, FeeType
from logistics.selectors import stations_by_township
from shop.core.money import round_to_fen, split_to_fen


@dataclass(frozen=True)
class SaleFacts:
    """What the fees depend on: the product's categories and certificate, the station, the units."""

    category_ids: frozenset[int]
    station_id: int | None
    certified: bool
    quantity: int
    gross: Decimal


def categories_with_ancestors(products) -> dict[int, frozenset[int]]:
    """{product id: its categories and every category above them} (categories prefetched): a fee
    rule for "Poultry" also covers a product filed under "Poultry > Chicken". One query for the
    ancestors, none when every category is a top-level one (its own id is known already)."""
    step = Category.steplen
    products = list(products)
    known = {c.path: c.pk for p in products for c in p.categories.all()}
    prefixes = {
        p.pk: {c.path[:i] for c in p.categories.all() for i in range(step, len(c.path) + 1, step)} for p in products
    }
    wanted = set().union(*prefixes.values()) - known.keys() if prefixes else set()
    if wanted:
        known.update(Category.objects.filter(path__in=wanted).values_list("path", "pk"))
    return {pk: frozenset(known[path] for path in paths if path in known) for pk, paths in prefixes.items()}


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


def sale_parties(seller) -> list[tuple[int | None, Decimal]]:
    """[(household id or None, weight)] a seller's sale is shared among: its own household
    whole, or a cooperative's linked households by their shares, the rest staying with the
    cooperative (None). Benefit links must be loaded on the seller (or cost one query)."""
    if seller.household_id is not None:
        return [(seller.household_id, Decimal("1"))]
    shares: dict[int, Decimal] = defaultdict(Decimal)
    for link in seller.benefit_links.all():
        shares[link.household_id] += link.share
    kept = Decimal("1") - sum(shares.values(), Decimal("0"))
    parties = sorted(shares.items())
    if kept > 0:
        parties.append((None, kept))
    if not parties:  # links whose shares add up to more than the whole: share by them anyway
        parties = [(None, Decimal("1"))]
    return parties


# What the buyer is shown ------------------------------------------------------------------


def seller_station_id(seller) -> int | None:
    """The station that will take in the seller's goods (one query)."""
    station = stations_by_township([seller.township_id]).get(seller.township_id)
    return station.pk if station else None


def price_breakdown(
    *, product, stockrecord, price: Decimal | None, quantity: int = 1, rules: list[FeeRule] | None = None
) -> dict | None:
    """Where the buyer's money for `quantity` units at `price` goes when `stockrecord`'s seller
    fills the order: each fee (with the rule behind it), and what is credited to the households
    (a cooperative's share by its benefit links, the rest staying with the cooperative). None
    when there is nothing to say: no price, no offer, or the platform's own goods.

    Queries: the seller's station (one), the fee rules (one, unless `rules` are given), the
    categories' ancestors (one, none for top-level categories), a cooperative's benefit links
    (one, unless prefetched). The product's categories and the record's seller should come
    loaded (`catalogue.selectors.product_for_detail` loads both)."""
    seller = getattr(stockrecord.partner, "seller", None) if stockrecord is not None else None
    if price is None or seller is None or quantity < 1:
        return None
    rules = fee_rules() if rules is None else rules
    facts = SaleFacts(
        category_ids=categories_with_ancestors([product]).get(product.pk, frozenset()),
        station_id=seller_station_id(seller),
        certified=is_certified(product),
        quantity=quantity,
        gross=round_to_fen(price * quantity),
    )
    fees = sale_fees(rules, facts)
    applicable = applicable_rules(rules, facts)
    net = facts.gross - sum(fees.values(), ZERO)
    parties = sale_parties(seller)
    shares = list(zip((h for h, _w in parties), split_to_fen(net, [w for _h, w in parties]), strict=True))
    return {
        "price": facts.gross,
        "quantity": quantity,
        "certified": facts.certified,
        "fees": [
            {"type": fee_type, "label": FeeType(fee_type).label, "amount": amount,
             "rate": applicable[fee_type].rate, "per_unit": applicable[fee_type].per_unit}
            for fee_type, amount in fees.items()
        ],
        # Fees this product does not pay because it is certified (a rule applies but is waived).
        "waived": [
            {"type": fee_type, "label": FeeType(fee_type).label}
            for fee_type, rule in sorted(applicable.items())
            if facts.certified and rule.waived_for_certified and (rule.rate or rule.per_unit)
        ],
        "net": net,
        "to_households": sum((amount for household_id, amount in shares if household_id is not None), ZERO),
        "kept_by_seller": sum((amount for household_id, amount in shares if household_id is None), ZERO),
        "households": len({household_id for household_id, _a in shares if household_id is not None}),
        "shares": shares,
        "seller_kind": seller.kind,
        "seller_name": stockrecord.partner.name,
    }
