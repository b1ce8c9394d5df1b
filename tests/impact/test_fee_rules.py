"""The fee rules as a pure function (`impact.fees.sale_fees`): which rule applies, what a
certificate waives, and what is deducted, to the fen, against figures worked out by hand."""

from decimal import Decimal

from impact.fees import SaleFacts, sale_fees
from impact.models import FeeRule, FeeType

POULTRY, FRUIT = 7, 9  # category ids
MIAOBA, POJI = 3, 5  # station ids


def rule(pk, fee_type=FeeType.COMMISSION, *, category=None, station=None, rate="0", per_unit="0.00", waived=True):
    return FeeRule(pk=pk, fee_type=fee_type, category_id=category, station_id=station, rate=Decimal(rate),
                   per_unit=Decimal(per_unit), waived_for_certified=waived)


def sale(gross, *, categories=(POULTRY,), station=MIAOBA, certified=False, quantity=1) -> SaleFacts:
    return SaleFacts(category_ids=frozenset(categories), station_id=station, certified=certified,
                     quantity=quantity, gross=Decimal(gross))


# Which rule applies: the most specific of each fee type

COMMISSIONS = [
    rule(1, rate="0.1000"),  # default
    rule(2, category=POULTRY, rate="0.0800"),
    rule(3, station=MIAOBA, rate="0.0600"),
    rule(4, station=MIAOBA, category=POULTRY, rate="0.0400"),
]


def test_it_takes_the_station_and_category_rule_over_every_other():
    assert sale_fees(COMMISSIONS, sale("100.00")) == {"commission": Decimal("4.00")}


def test_it_takes_the_station_rule_over_a_category_rule():
    assert sale_fees(COMMISSIONS, sale("100.00", categories=(FRUIT,))) == {"commission": Decimal("6.00")}


def test_it_takes_the_category_rule_over_the_default():
    assert sale_fees(COMMISSIONS, sale("100.00", station=POJI)) == {"commission": Decimal("8.00")}


def test_it_falls_back_to_the_default_rule():
    assert sale_fees(COMMISSIONS, sale("100.00", categories=(FRUIT,), station=POJI)) == {"commission": Decimal("10.00")}


def test_a_category_rule_covers_a_sale_in_any_of_its_categories():
    assert sale_fees(COMMISSIONS, sale("100.00", categories=(FRUIT, POULTRY), station=POJI)) == {
        "commission": Decimal("8.00")}


def test_a_rule_of_another_station_never_applies():
    rules = [rule(1, station=POJI, rate="0.0500")]
    assert sale_fees(rules, sale("100.00", station=MIAOBA)) == {}


def test_a_station_rule_of_nought_lifts_the_default_commission_there():
    rules = [rule(1, rate="0.0500"), rule(2, station=MIAOBA, rate="0")]
    assert sale_fees(rules, sale("100.00")) == {}


def test_without_rules_nothing_is_deducted():
    assert sale_fees([], sale("128.00")) == {}


# Certified poverty-alleviation products


def test_a_certified_product_pays_no_commission_waived_for_it():
    rules = [rule(1, rate="0.0500")]
    assert sale_fees(rules, sale("128.00", certified=True)) == {}


def test_a_certified_product_still_pays_a_fee_not_waived_for_it():
    rules = [rule(1, rate="0.0500"), rule(2, FeeType.PACKING, per_unit="2.00", waived=False)]
    assert sale_fees(rules, sale("128.00", certified=True)) == {"packing": Decimal("2.00")}


def test_an_uncertified_product_pays_the_waivable_fee():
    rules = [rule(1, rate="0.0500")]
    assert sale_fees(rules, sale("128.00", certified=False)) == {"commission": Decimal("6.40")}


# Amounts: per unit, capped at the sale, rounded to the fen


def test_a_per_unit_fee_is_charged_for_every_unit():
    rules = [rule(1, FeeType.PACKING, per_unit="1.50")]
    assert sale_fees(rules, sale("99.00", quantity=3)) == {"packing": Decimal("4.50")}


def test_a_share_and_an_amount_per_unit_add_up_before_rounding():
    # 2 % of 99.99 = 1.9998, plus 3 × 0.50 = 3.4998 → 3.50
    rules = [rule(1, FeeType.PACKING, rate="0.0200", per_unit="0.50")]
    assert sale_fees(rules, sale("99.99", quantity=3)) == {"packing": Decimal("3.50")}


def test_commission_and_packing_are_both_deducted():
    # 10 % of 128.00 = 12.80; packing 5.40 a unit: the household keeps 109.80
    rules = [rule(1, rate="0.1000"), rule(2, FeeType.PACKING, per_unit="5.40")]
    fees = sale_fees(rules, sale("128.00"))
    assert fees == {"commission": Decimal("12.80"), "packing": Decimal("5.40")}
    assert Decimal("128.00") - sum(fees.values()) == Decimal("109.80")


def test_fees_never_take_more_than_the_sale():
    # 90 % of 10.00 = 9.00; then 5.00 of packing, of which only the 1.00 left can be taken
    rules = [rule(1, rate="0.9000"), rule(2, FeeType.PACKING, per_unit="5.00")]
    assert sale_fees(rules, sale("10.00")) == {"commission": Decimal("9.00"), "packing": Decimal("1.00")}


def test_a_half_fen_is_rounded_up():
    # 5 % of 12.30 = 0.615 → 0.62
    assert sale_fees([rule(1, rate="0.0500")], sale("12.30")) == {"commission": Decimal("0.62")}


def test_less_than_half_a_fen_is_rounded_down():
    # 3.3 % of 88.00 = 2.904 → 2.90
    assert sale_fees([rule(1, rate="0.0330")], sale("88.00")) == {"commission": Decimal("2.90")}


def test_a_fee_that_rounds_to_nothing_is_not_charged():
    # 0.4 % of 1.00 = 0.004 → 0.00
    assert sale_fees([rule(1, rate="0.0040")], sale("1.00")) == {}
