from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.images import demo_picture
from catalogue.models import Category
from catalogue.services import categories_ensure, product_image_add, product_price_set
from sellers.factories import product_with_sellers

LISTING_QUERY_BOUND = 12


def _fill_category(count):
    for n in range(count):
        product = product_with_sellers(sellers=3, title=f"苹果{n}", title_en=f"Apple {n}", category_slug="fruit")
        product_image_add(product=product, data=demo_picture(kind="fruit", seed=n, px=120))


def _queries_for(client, url, *, cold=True):
    """Queries to serve `url`; by default with an empty cache (the worst case)."""
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_a_category_page_of_24_products_stays_within_the_query_bound(client):
    _fill_category(26)
    url = Category.objects.get(slug="fruit").get_absolute_url()
    assert _queries_for(client, url) <= LISTING_QUERY_BOUND


@pytest.mark.django_db
def test_the_category_page_query_count_does_not_grow_with_the_page(client):
    _fill_category(3)
    url = Category.objects.get(slug="fruit").get_absolute_url()
    few = _queries_for(client, url)
    _fill_category(21)
    assert _queries_for(client, url) == few


@pytest.mark.django_db
def test_a_cached_category_page_needs_only_the_category_lookup(client):
    _fill_category(3)
    url = Category.objects.get(slug="fruit").get_absolute_url()
    _queries_for(client, url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert [q["sql"] for q in queries if "catalogue_product" in q["sql"]] == []


@pytest.mark.django_db
def test_a_price_change_shows_at_once_on_a_cached_page(client, chicken):
    url = Category.objects.get(slug="poultry-eggs").get_absolute_url()
    assert "¥88.00" in client.get(url).content.decode()
    product_price_set(product=chicken, price=Decimal("99.50"))
    assert "¥99.50" in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_category_page_lists_its_products_with_prices(client, chicken):
    url = Category.objects.get(slug="poultry-eggs").get_absolute_url()
    page = client.get(url).content.decode()
    assert "盐津乌骨鸡(整只冷鲜)" in page
    assert "¥88.00" in page
    assert "3 户供货" in page


@pytest.mark.django_db
def test_an_empty_category_says_so(client):
    categories_ensure()
    page = client.get(Category.objects.get(slug="vegetables").get_absolute_url()).content.decode()
    assert "这里暂时还没有商品" in page


@pytest.mark.django_db
def test_the_product_page_shows_the_facts_buyers_need(client, chicken):
    page = client.get(chicken.get_absolute_url()).content.decode()
    for fact in ["冷藏(0–4 °C)", "九月 – 三月", "7 天", "扶贫产品认定 2026-53-12345", "地理标志:盐津乌骨鸡", "只(1.5–2.5 千克)"]:
        assert fact in page, fact


@pytest.mark.django_db
def test_the_product_page_in_english_shows_english_facts(client, chicken):
    page = client.get("/en" + chicken.get_absolute_url()).content.decode()
    for fact in ["Yanjin black-bone chicken (whole chilled)", "Chilled (0–4 °C)", "September – March",
                 "7 days", "Geographical indication", "bird (1.5-2.5 kg)", "Add to cart"]:
        assert fact in page, fact


@pytest.mark.django_db
def test_the_product_page_shows_sellers_without_their_full_names(client, chicken):
    page = client.get(chicken.get_absolute_url()).content.decode()
    for record in chicken.stockrecords.select_related("partner__seller__household"):
        household = record.partner.seller.household
        assert household.head_name[0] + "*" in page
        assert household.head_name not in page
        assert household.id_number not in page
        assert household.phone not in page


# The price breakdown under the price (`impact.templatetags.impact`) adds three queries to a page
# built cold, none per seller: the offered stock record (the fair pick), the fee rules, its station.
@pytest.mark.django_db
def test_the_product_page_query_count_does_not_grow_with_sellers(client, chicken):
    few = _queries_for(client, chicken.get_absolute_url())
    more = product_with_sellers(sellers=8, title="乌骨鸡蛋")
    assert _queries_for(client, more.get_absolute_url()) == few


@pytest.mark.django_db
def test_a_product_at_an_outdated_address_redirects_to_its_own(client, chicken):
    response = client.get(reverse("catalogue:detail", kwargs={"product_slug": "old-name", "pk": chicken.pk}))
    assert response.status_code == 301


@pytest.mark.django_db
def test_an_unknown_product_is_not_found(client):
    assert client.get(reverse("catalogue:detail", kwargs={"product_slug": "x", "pk": 999999})).status_code == 404


@pytest.mark.django_db
def test_search_finds_products_by_chinese_words(client, chicken):
    page = client.get(reverse("search:search"), {"q": "乌骨鸡"}).content.decode()
    assert "盐津乌骨鸡(整只冷鲜)" in page


@pytest.mark.django_db
def test_search_finds_products_by_english_words(client, chicken):
    page = client.get("/en/search/", {"q": "black-bone"}).content.decode()
    assert "Yanjin black-bone chicken (whole chilled)" in page


@pytest.mark.django_db
def test_search_finds_products_by_category_name(client, chicken):
    page = client.get(reverse("search:search"), {"q": "禽肉"}).content.decode()
    assert "盐津乌骨鸡(整只冷鲜)" in page


@pytest.mark.django_db
def test_search_without_a_match_says_so(client, chicken):
    page = client.get(reverse("search:search"), {"q": "榴莲"}).content.decode()
    assert "没有找到匹配的商品" in page


@pytest.mark.django_db
def test_sold_out_products_come_after_those_in_stock(client):
    in_stock = product_with_sellers(sellers=1, stock=5, title="有货的苹果", category_slug="fruit")
    sold_out = product_with_sellers(sellers=1, stock=0, title="已售罄的苹果", category_slug="fruit")
    assert sold_out.date_created >= in_stock.date_created  # newest first would show it first
    page = client.get(Category.objects.get(slug="fruit").get_absolute_url()).content.decode()
    assert page.index("有货的苹果") < page.index("已售罄的苹果")


@pytest.mark.django_db
def test_the_product_page_shows_the_price_per_kilogram(client):
    product = product_with_sellers(sellers=1, price=Decimal("45.00"), title="苦荞茶", net_weight_grams=250)
    assert "¥180.00/千克" in client.get(product.get_absolute_url()).content.decode()
