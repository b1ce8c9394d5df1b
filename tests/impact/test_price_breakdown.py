"""The product page tells the buyer where their money goes: of the price, what the fees take
(by the operator's fee rules) and what is credited to the household or cooperative that will
fill the order, in Chinese and English; certified products say they carry no commission."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.factories import ProductFactory
from impact.fees import price_breakdown
from impact.models import FeeRule, FeeType
from sellers.models import BenefitLink, Seller, SellerKind
from sellers.partner.models import Partner
from sellers.services import stock_offer
from shop.models import Division
from tests.personas import MIAOBA
from tests.shopping import offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def fee_rules(stations):
    """10 % commission (waived for certified goods) and ¥5.40 a unit for packing, everywhere:
    of ¥128.00, ¥109.80 is credited."""
    FeeRule.objects.create(fee_type=FeeType.COMMISSION, rate=Decimal("0.1000"))
    FeeRule.objects.create(fee_type=FeeType.PACKING, per_unit=Decimal("5.40"), waived_for_certified=False)


def chicken(**fields):
    product = ProductFactory(title="盐津乌骨鸡", title_en="Yanjin black-bone chicken", **fields)
    offer(product, price="128.00")
    return product


def certified_chicken():
    return chicken(certificate_number="扶贫产品认定 2026-53-12345", certificate_expires=date(2099, 1, 1))


# Prices on the English pages carry the currency's code (CN¥), as everywhere on the site.


def breakdown_of(page: str) -> str:
    """The breakdown's part of the page."""
    start = page.index('class="to-households"')
    return page[start:page.index("</div>", start)]


def test_it_shows_what_goes_to_the_household(client, fee_rules):
    page = client.get("/en" + chicken().get_absolute_url()).content.decode()
    assert "Of CN¥128.00, <strong>CN¥109.80</strong> goes to the household." in breakdown_of(page)


def test_it_lists_each_fee_with_its_rule(client, fee_rules):
    shown = breakdown_of(client.get("/en" + chicken().get_absolute_url()).content.decode())
    assert ("Platform commission 10%: CN¥12.80" in shown, "Packing CN¥5.40 per unit: CN¥5.40" in shown) == (True, True)


def test_the_chinese_page_shows_the_same_figures(client, fee_rules):
    shown = breakdown_of(client.get(chicken().get_absolute_url()).content.decode())
    assert ["¥128.00" in shown, "¥109.80" in shown, "¥12.80" in shown, "¥5.40" in shown] == [True] * 4


def test_a_certified_product_says_it_carries_no_commission(client, fee_rules):
    shown = breakdown_of(client.get("/en" + certified_chicken().get_absolute_url()).content.decode())
    assert "No platform commission (certified poverty-alleviation product)" in shown
    assert "Of CN¥128.00, <strong>CN¥122.60</strong> goes to the household." in shown  # packing only


def test_an_expired_certificate_waives_nothing(client, fee_rules):
    product = chicken(certificate_number="扶贫产品认定 2020-53-1", certificate_expires=date(2021, 1, 1))
    shown = breakdown_of(client.get("/en" + product.get_absolute_url()).content.decode())
    assert "¥109.80" in shown and "No platform commission" not in shown


def test_without_fee_rules_the_whole_price_goes_to_the_household(client, stations):
    shown = breakdown_of(client.get("/en" + chicken().get_absolute_url()).content.decode())
    assert "Of CN¥128.00, <strong>CN¥128.00</strong> goes to the household." in shown
    assert "No fees are deducted." in shown


def test_a_station_rule_applies_to_the_goods_of_its_township(client, fee_rules, stations):
    FeeRule.objects.create(fee_type=FeeType.COMMISSION, station=stations[MIAOBA], rate=Decimal("0.0500"))
    shown = breakdown_of(client.get("/en" + chicken().get_absolute_url()).content.decode())
    assert "Platform commission 5%: CN¥6.40" in shown


def test_a_cooperative_says_it_shares_with_its_linked_households(client, fee_rules):
    township = Division.objects.get(code=MIAOBA)
    seller = Seller.objects.create(kind=SellerKind.COOPERATIVE, partner=Partner.objects.create(name="乌骨鸡合作社"),
                                   township=township)
    for household in (offer(ProductFactory(), price="1.00").partner.seller.household,
                      offer(ProductFactory(), price="1.00").partner.seller.household):
        BenefitLink.objects.create(seller=seller, household=household, kind="operating", share=Decimal("0.30"))
    product = ProductFactory(title_en="Chicken")
    stock_offer(seller=seller, product=product, price=Decimal("128.00"), stock=5)

    shown = breakdown_of(client.get("/en" + product.get_absolute_url()).content.decode())

    assert "Of CN¥128.00, <strong>CN¥109.80</strong> goes to 乌骨鸡合作社 and its 2 linked households." in shown


def test_a_product_nobody_sells_shows_no_breakdown(client, fee_rules):
    product = ProductFactory()
    assert 'class="to-households"' not in client.get(product.get_absolute_url()).content.decode()


def test_a_new_fee_rule_shows_at_once_on_a_cached_page(client, fee_rules):
    url = "/en" + chicken().get_absolute_url()
    client.get(url)  # cached now
    FeeRule.objects.filter(fee_type=FeeType.PACKING).update(per_unit=Decimal("0.00"))  # no signal: still cached
    assert "¥109.80" in breakdown_of(client.get(url).content.decode())
    FeeRule.objects.get(fee_type=FeeType.PACKING).delete()
    assert "¥115.20" in breakdown_of(client.get(url).content.decode())


def test_a_cached_product_page_reads_no_fee_rules(client, fee_rules):
    url = chicken().get_absolute_url()
    cache.clear()
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert [q["sql"] for q in queries if "impact_feerule" in q["sql"]] == []


def test_the_breakdown_agrees_with_what_the_ledger_would_deduct(fee_rules):
    product = chicken()
    record = product.stockrecords.select_related("partner__seller").get()
    shown = price_breakdown(product=product, stockrecord=record, price=Decimal("128.00"), quantity=3)
    assert (shown["price"], shown["net"], shown["to_households"]) == (
        Decimal("384.00"), Decimal("384.00") - Decimal("38.40") - Decimal("16.20"), Decimal("329.40"))
