"""The listings kept whole for anonymous visitors (catalogue/page_cache.py): who is served a kept
page, what drops it, and what never goes from one visitor to another.

Alice and Carol are anonymous visitors, each with a browser of her own (a test client); Bob is a
signed-in buyer."""

import re
from decimal import Decimal

import pytest
from csp.constants import NONCE, SELF
from csp.middleware import CSPMiddleware
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import Category
from catalogue.page_cache import cache_for_stateless_visitors
from catalogue.services import product_price_set
from sellers.factories import product_with_sellers
from sellers.partner.models import StockRecord
from sellers.services import listing_update
from shop.factories import UserFactory

SIGN_IN = "登录"
MY_ACCOUNT = "我的账户"
SOLD_OUT = "已售罄"


@pytest.fixture
def url(chicken):
    return Category.objects.get(slug="poultry-eggs").get_absolute_url()


@pytest.fixture
def alice():
    return Client()


@pytest.fixture
def carol():
    return Client()


@pytest.fixture
def bob():
    browser = Client()
    browser.force_login(UserFactory(username="bob"))
    return browser


def page(browser, url) -> str:
    response = browser.get(url)
    assert response.status_code == 200
    return response.content.decode()


def with_waiting_message(browser, text: str) -> None:
    """A message for the visitor's next page, in the messages cookie (as after a form's redirect)."""
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(messages.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    browser.cookies[CookieStorage.cookie_name] = response.cookies[CookieStorage.cookie_name].value


# Served from the cache ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_next_anonymous_visitor_gets_the_page_without_a_query(alice, carol, url, django_assert_num_queries):
    page(alice, url)
    with django_assert_num_queries(0):
        assert "盐津乌骨鸡(整只冷鲜)" in page(carol, url)


@pytest.mark.django_db
def test_a_kept_page_varies_on_cookie(alice, carol, url):
    alice.get(url)
    assert "Cookie" in carol.get(url)["Vary"]


@pytest.mark.django_db
def test_the_anonymous_page_sets_no_cookie(alice, carol, url):
    alice.get(url)
    assert not carol.get(url).cookies


@pytest.mark.django_db
def test_english_and_chinese_pages_are_kept_apart(alice, carol, url):
    page(alice, url)
    page(alice, f"/en{url}")
    assert SIGN_IN in page(carol, url)
    assert "Sign in" in page(carol, f"/en{url}")


@pytest.mark.django_db
def test_each_page_of_a_listing_is_kept_apart(alice, carol, url, chicken):
    for n in range(24):
        product_with_sellers(sellers=1, title=f"乌骨鸡蛋 {n}", category_slug="poultry-eggs")
    page(alice, url)
    assert "第 2 页,共 2 页" in page(carol, f"{url}?page=2")


@pytest.mark.django_db
def test_a_page_number_written_two_ways_is_kept_once(alice, carol, url, django_assert_num_queries):
    page(alice, url)
    with django_assert_num_queries(0):
        page(carol, f"{url}?page=01")


@pytest.mark.parametrize("query", ["page=%D9%A1", "page=1000", "page=0", "page=1&page=2", "page=99999999999"])
@pytest.mark.django_db
def test_a_page_number_out_of_the_kept_range_is_served_live(alice, carol, url, query):
    """Made-up page numbers (another script's digits, huge, repeated) never get entries of their own."""
    alice.get(f"{url}?{query}")
    with CaptureQueriesContext(connection) as queries:
        carol.get(f"{url}?{query}")
    assert len(queries) > 0


# Dropped when the catalogue changes --------------------------------------------------------


@pytest.mark.django_db
def test_a_price_change_drops_the_kept_page(alice, carol, url, chicken):
    page(alice, url)
    product_price_set(product=chicken, price=Decimal("99.50"))
    assert "¥99.50" in page(carol, url)


@pytest.mark.django_db
def test_selling_out_drops_the_kept_page(alice, carol, url, chicken):
    assert SOLD_OUT not in page(alice, url)
    for record in StockRecord.objects.filter(product=chicken):
        listing_update(record=record, stock=0)
    assert SOLD_OUT in page(carol, url)


@pytest.mark.django_db
def test_a_product_edit_drops_the_kept_page(alice, carol, url, chicken):
    page(alice, url)
    chicken.title = "盐津乌骨鸡(半只冷鲜)"
    chicken.save()
    assert "盐津乌骨鸡(半只冷鲜)" in page(carol, url)


# Never for, and never from, a visitor with state of their own ------------------------------


@pytest.mark.django_db
def test_a_signed_in_buyer_gets_the_live_page(alice, bob, url):
    page(alice, url)
    assert MY_ACCOUNT in page(bob, url)


@pytest.mark.django_db
def test_a_signed_in_buyer_leaves_no_page_for_others(alice, bob, url):
    page(bob, url)
    shown = page(alice, url)
    assert MY_ACCOUNT not in shown
    assert SIGN_IN in shown


@pytest.mark.django_db
def test_a_visitor_with_a_basket_gets_the_live_basket(alice, carol, url, chicken):
    page(carol, url)
    alice.post(reverse("basket:add", kwargs={"pk": chicken.pk}), {"quantity": 1})
    assert '<span class="count">1</span>' in page(alice, url)


@pytest.mark.django_db
def test_a_visitor_with_a_basket_leaves_no_page_for_others(alice, carol, url, chicken):
    alice.post(reverse("basket:add", kwargs={"pk": chicken.pk}), {"quantity": 1})
    page(alice, url)
    assert 'class="count"' not in page(carol, url)


@pytest.mark.django_db
def test_a_visitor_with_a_message_sees_it(alice, carol, url):
    page(carol, url)
    with_waiting_message(alice, "已加入购物车")
    assert "已加入购物车" in page(alice, url)


@pytest.mark.django_db
def test_a_visitor_with_a_message_leaves_no_page_for_others(alice, carol, url):
    with_waiting_message(alice, "已加入购物车")
    page(alice, url)
    assert "已加入购物车" not in page(carol, url)


# No per-visitor secret is ever kept --------------------------------------------------------


def test_a_page_that_holds_a_csrf_token_is_never_kept(rf):
    # The listings hold no token today; a template that adds one must not share it.
    served = cache_for_stateless_visitors(lambda request: HttpResponse(get_token(request)))
    assert served(rf.get("/token/")).content != served(rf.get("/token/")).content


def test_a_page_that_holds_the_csp_nonce_is_never_kept(rf, settings):
    # Production sends a fresh nonce in each response's policy; a kept nonce would not match it.
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}
    served = CSPMiddleware(
        cache_for_stateless_visitors(lambda request: HttpResponse(f'<script nonce="{request.csp_nonce}"></script>'))
    )
    served(rf.get("/nonce/"))
    response = served(rf.get("/nonce/"))
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_a_page_without_secrets_is_kept(rf):
    # The counterpart of the two tests above: what they see is the rule, not a cache that is off.
    built = []
    served = cache_for_stateless_visitors(lambda request: built.append(1) or HttpResponse("the same for all"))
    served(rf.get("/plain/"))
    served(rf.get("/plain/"))
    assert len(built) == 1
