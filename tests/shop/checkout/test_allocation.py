"""Fair allocation of pooled products, split lines, no oversell, one shipment per station."""

from datetime import datetime
from decimal import Decimal

import pytest
from oscar.apps.order.exceptions import UnableToPlaceOrder

from catalogue.factories import ProductFactory
from catalogue.services import HANDMADE
from tests.personas import A_DAY_IN_2026, CHINA, MIAOBA, POJI
from tests.shopping import buy, offer

# "The lowest sales this year" depends on the day: every test here runs on one fixed day, and
# the year-boundary tests below move to theirs.
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(A_DAY_IN_2026, tick=False)]

# Midnight in Beijing is 16:00 UTC the day before: at all three moments the UTC date is 31 December.
NEW_YEARS_EVE_LATE = datetime(2025, 12, 31, 23, 30, tzinfo=CHINA)  # 15:30 UTC
NEW_YEARS_DAY_00_10 = datetime(2026, 1, 1, 0, 10, tzinfo=CHINA)  # 16:10 UTC, still 31 December
NEW_YEARS_DAY_00_30 = datetime(2026, 1, 1, 0, 30, tzinfo=CHINA)  # 16:30 UTC, still 31 December


def _sellers(order):
    return [(line.stockrecord_id, line.quantity) for line in order.lines.order_by("id")]


def test_the_sale_goes_to_the_household_with_the_lowest_sales_this_year(pooled):
    busy, quiet = offer(pooled), offer(pooled)
    other = ProductFactory(title="乌骨鸡蛋")
    record = offer(other)
    record.partner = busy.partner  # the busy household already sold eggs this year
    record.save()
    buy(other, 2, status="paid")
    assert _sellers(buy(pooled)) == [(quiet.pk, 1)]


def test_unpaid_orders_do_not_count_as_sales(pooled):
    first, _second = offer(pooled), offer(pooled)
    buy(pooled)  # pending: not income yet
    assert _sellers(buy(pooled)) == [(first.pk, 1)]


def test_ties_go_to_the_oldest_listing(pooled):
    first, _second = offer(pooled), offer(pooled)
    assert _sellers(buy(pooled)) == [(first.pk, 1)]


def test_a_line_is_split_when_one_household_has_too_little(pooled):
    small, large = offer(pooled, stock=2), offer(pooled, stock=10)
    order = buy(pooled, 5)
    assert _sellers(order) == [(small.pk, 2), (large.pk, 3)]
    assert order.total_incl_tax == Decimal("500.00")


def test_allocated_stock_is_reserved(pooled):
    record = offer(pooled, stock=3)
    buy(pooled, 2)
    record.refresh_from_db()
    assert record.num_allocated == 2 and record.net_stock_level == 1


def test_an_order_for_more_than_the_stock_is_refused_and_changes_nothing(pooled):
    record = offer(pooled, stock=3)
    from oscar.apps.basket.models import Basket
    from oscar.test.factories import create_order

    from sellers.partner.strategy import WumengStrategy

    basket = Basket.objects.create()
    basket.strategy = WumengStrategy()
    basket.add_product(pooled, quantity=3)
    record.num_in_stock = 2  # someone else's sale landed since
    record.save()
    with pytest.raises(UnableToPlaceOrder):
        create_order(basket=basket)
    record.refresh_from_db()
    assert (record.num_allocated or 0) == 0


def test_a_handmade_piece_is_sold_by_its_one_maker(stations):
    piece = ProductFactory(title="苗族刺绣挎包", kind=HANDMADE, category_slug="handicrafts")
    record = offer(piece, stock=1, price="380.00")
    assert _sellers(buy(piece)) == [(record.pk, 1)]


def test_each_station_gets_one_shipment_for_its_households_lines(stations):
    chicken, potatoes = ProductFactory(title="乌骨鸡"), ProductFactory(title="马铃薯")
    offer(chicken, township=MIAOBA)
    offer(potatoes, township=POJI)
    from oscar.apps.basket.models import Basket
    from oscar.test.factories import create_order

    from sellers.partner.strategy import WumengStrategy

    basket = Basket.objects.create()
    basket.strategy = WumengStrategy()
    basket.add_product(chicken)
    basket.add_product(potatoes)
    order = create_order(basket=basket)
    shipments = {s.station.township_id: [line.order_line.product.title for line in s.lines.all()]
                 for s in order.shipments.all()}
    assert shipments == {MIAOBA: ["乌骨鸡"], POJI: ["马铃薯"]}


def test_a_split_line_ships_from_each_households_station(stations):
    chicken = ProductFactory(title="乌骨鸡")
    offer(chicken, township=MIAOBA, stock=1)
    offer(chicken, township=POJI, stock=5)
    order = buy(chicken, 3)
    assert sorted(s.station.township_id for s in order.shipments.all()) == [MIAOBA, POJI]


def test_the_buyer_is_offered_the_household_that_sold_least(pooled):
    from sellers.partner.strategy import WumengStrategy

    first, second = offer(pooled), offer(pooled)
    assert WumengStrategy().fetch_for_product(pooled).stockrecord == first
    buy(pooled, 1, status="paid")
    assert WumengStrategy().fetch_for_product(pooled).stockrecord == second


# The year starts at midnight in China, not in UTC ---------------------------------------------


@pytest.mark.time_machine(NEW_YEARS_EVE_LATE, tick=False)
def test_a_household_that_sold_a_lot_on_new_years_eve_has_sold_nothing_on_new_years_day(pooled, time_machine):
    busy, _quiet = offer(pooled), offer(pooled)
    assert _sellers(buy(pooled, 5, status="paid")) == [(busy.pk, 5)]  # ¥500 on 31 December, 23:30
    time_machine.move_to(NEW_YEARS_DAY_00_30)
    # A new year in Zhaotong: both have sold nothing this year, so the older listing is picked.
    # Were the year to start at UTC midnight, it would still be 31 December (16:30 UTC) and the
    # ¥500 would send the sale to the quiet household.
    assert _sellers(buy(pooled)) == [(busy.pk, 1)]


@pytest.mark.time_machine(NEW_YEARS_DAY_00_10, tick=False)
def test_a_sale_in_the_first_minutes_of_new_years_day_counts_for_the_new_year(pooled, time_machine):
    busy, quiet = offer(pooled), offer(pooled)
    assert _sellers(buy(pooled, 5, status="paid")) == [(busy.pk, 5)]  # 1 January, 00:10 in China
    time_machine.move_to(NEW_YEARS_DAY_00_30)
    assert _sellers(buy(pooled)) == [(quiet.pk, 1)]
