"""A cooperative's sale is credited to its linked households by their benefit-link shares, the
rest to the cooperative, and the parts add up to the sale's net to the fen, whatever the
amount. `split_to_fen`, the one rule behind every such sharing, is checked over many amounts."""

import random
from decimal import Decimal
from fractions import Fraction

import pytest

from catalogue.factories import ProductFactory
from impact.models import EntryKind, FeeRule, FeeType, HouseholdYear, LedgerEntry, SellerYear
from shop.core.money import split_to_fen
from shop.factories import UserFactory
from shop.order.refunds import order_refund
from tests.impact.ledger_orders import (
    balance,
    cooperative,
    cooperative_offer,
    entries_of,
    fee_rules_standard,
)
from tests.personas import A_DAY_IN_2026
from tests.shipping import paid_order

pytestmark = pytest.mark.time_machine(A_DAY_IN_2026, tick=False)


def sold(seller, price: str, *, quantity: int = 1):
    product = ProductFactory()
    cooperative_offer(product, seller, price=price)
    return paid_order(product, quantity=quantity)


def credits(order) -> dict:
    """{household id, or None for the cooperative's own part: credit}."""
    return {e.household_id: e.amount for e in entries_of(order, kind=EntryKind.SALE_PENDING)}


# Through a real order -------------------------------------------------------------------------


@pytest.mark.django_db
def test_thirds_of_an_awkward_amount_add_up_to_the_net(people):
    fee_rules_standard()  # ¥100.01: commission ¥5.00 (5.0005), packing ¥1.00, net ¥94.01
    seller, (a, b, c) = cooperative(["0.3333", "0.3333", "0.3334"])

    order = sold(seller, "100.01")

    # 9401 fen × (0.3333, 0.3333, 0.3334) = 3133.35, 3133.35, 3134.29: the fen left over goes to
    # the earlier of the two largest remainders.
    assert credits(order) == {a.pk: Decimal("31.34"), b.pk: Decimal("31.33"), c.pk: Decimal("31.34")}
    assert sum(credits(order).values()) == Decimal("94.01")


@pytest.mark.django_db
def test_the_cooperative_keeps_what_no_link_passes_on(people):
    seller, (a, b, c) = cooperative(["0.25", "0.25", "0.2"])  # the cooperative keeps 0.3

    order = sold(seller, "0.05")

    # 5 fen × (0.25, 0.25, 0.2, 0.3) = 1.25, 1.25, 1, 1.5: the fen left over goes to the cooperative.
    assert credits(order) == {a.pk: Decimal("0.01"), b.pk: Decimal("0.01"), c.pk: Decimal("0.01"),
                              None: Decimal("0.02")}
    (kept,) = entries_of(order, kind=EntryKind.SALE_PENDING, household__isnull=True)
    assert kept.seller == seller


@pytest.mark.django_db
def test_each_household_is_credited_its_share_of_the_price_as_gross_sales(people):
    seller, (a, b, c) = cooperative(["0.25", "0.25", "0.2"])

    sold(seller, "100.01", quantity=3)  # ¥300.03

    gross = dict(HouseholdYear.objects.filter(household__in=[a, b, c]).values_list("household_id", "gross_sales"))
    assert gross == {a.pk: Decimal("75.01"), b.pk: Decimal("75.01"), c.pk: Decimal("60.00")}
    assert SellerYear.objects.get(seller=seller).net_income == Decimal("300.03")


@pytest.mark.django_db
def test_each_linked_household_is_owed_its_credit(people):
    seller, (a, b, c) = cooperative(["0.3333", "0.3333", "0.3334"])

    sold(seller, "0.05")

    # 5 fen × (0.3333, 0.3333, 0.3334) = 1.6665, 1.6665, 1.667: the largest remainder first, then the earlier.
    assert [balance(h)[0] for h in (a, b, c)] == [Decimal("0.02"), Decimal("0.01"), Decimal("0.02")]


@pytest.mark.django_db
def test_a_refund_of_a_cooperatives_sale_takes_back_exactly_what_each_household_got(people):
    from shop.factories import UserFactory
    from shop.order.refunds import order_refund

    seller, households = cooperative(["0.3333", "0.3333", "0.3334"])
    order = sold(seller, "33.37", quantity=3)
    line = order.lines.get()
    operator = UserFactory(is_staff=True)

    for _unit in range(3):
        order_refund(order=order, quantities={line.pk: 1}, by=operator)

    assert [balance(h) for h in households] == [(Decimal("0.00"),) * 3] * 3


# split_to_fen over many amounts ----------------------------------------------------------------

RUNS = 2000


def random_weights(rng: random.Random) -> list[Decimal]:
    """2 to 6 weights with four decimals, like benefit-link shares (one may be 0)."""
    weights = [Decimal(rng.randint(0, 10_000)).scaleb(-4) for _ in range(rng.randint(2, 6))]
    if not any(weights):
        weights[0] = Decimal("0.0001")
    return weights


def random_amount(rng: random.Random) -> Decimal:
    """Anything from ¥0.00 to ¥99,999.99, small amounts often."""
    fen = rng.choice([rng.randint(0, 10), rng.randint(0, 1000), rng.randint(0, 9_999_999)])
    return Decimal(fen).scaleb(-2)


def test_the_parts_always_add_up_to_the_total():
    rng = random.Random(20260615)
    for _ in range(RUNS):
        total, weights = random_amount(rng), random_weights(rng)
        assert sum(split_to_fen(total, weights), Decimal("0.00")) == total, (total, weights)


def test_each_part_is_within_a_fen_of_its_exact_share():
    rng = random.Random(20260616)
    for _ in range(RUNS):
        total, weights = random_amount(rng), random_weights(rng)
        whole = sum(Fraction(w) for w in weights)
        for part, weight in zip(split_to_fen(total, weights), weights, strict=True):
            exact = Fraction(total) * Fraction(weight) / whole
            assert abs(Fraction(part) - exact) < Fraction(1, 100), (total, weights)


def test_every_part_is_whole_fen_and_never_negative():
    rng = random.Random(20260617)
    for _ in range(RUNS):
        for part in split_to_fen(random_amount(rng), random_weights(rng)):
            assert part >= 0 and part == part.quantize(Decimal("0.01")) and part.as_tuple().exponent == -2


def test_a_zero_weight_gets_nothing():
    rng = random.Random(20260618)
    for _ in range(RUNS):
        weights = [*random_weights(rng), Decimal("0")]
        assert split_to_fen(random_amount(rng), weights)[-1] == 0


def test_equal_weights_get_parts_at_most_a_fen_apart_the_earlier_first():
    rng = random.Random(20260619)
    for _ in range(RUNS):
        n = rng.randint(2, 7)
        parts = split_to_fen(random_amount(rng), [Decimal("1")] * n)
        assert max(parts) - min(parts) <= Decimal("0.01")
        assert parts == sorted(parts, reverse=True)


def test_the_same_amount_and_weights_always_split_the_same_way():
    rng = random.Random(20260620)
    for _ in range(200):
        total, weights = random_amount(rng), random_weights(rng)
        assert split_to_fen(total, weights) == split_to_fen(total, list(weights))


def test_it_refuses_negative_or_all_zero_weights():
    with pytest.raises(ValueError):
        split_to_fen(Decimal("1.00"), [Decimal("0.5"), Decimal("-0.1")])
    with pytest.raises(ValueError):
        split_to_fen(Decimal("1.00"), [Decimal("0"), Decimal("0")])


def test_refunds_one_unit_at_a_time_never_push_a_part_back_up(people):
    """Thirds (0.333 each, 0.001 kept), 5 % commission and ¥1 a unit packing, 5 units at ¥4.20:
    the parts to undo are 1.05, 5.00, 4.98, 4.98, 4.98 and 0.01. Refunding unit by unit, each
    refund reverses only what is left: no reversal is ever positive, and the last undoes the rest."""
    FeeRule.objects.filter(fee_type=FeeType.COMMISSION).update(waived_for_certified=False)
    product = ProductFactory()
    seller, _households = cooperative(["0.333", "0.333", "0.333"])
    cooperative_offer(product, seller, price="4.20")
    order = paid_order(product, quantity=5)
    line = order.lines.get()
    operator = UserFactory(username="operator", is_staff=True)

    for _unit in range(5):
        order_refund(order=order, quantities={line.pk: 1}, by=operator)

    reversals = LedgerEntry.objects.filter(order=order, kind=EntryKind.REVERSAL)
    assert all(r.amount <= 0 for r in reversals)
    assert sum(e.amount for e in LedgerEntry.objects.filter(order=order)) == Decimal("0.00")
