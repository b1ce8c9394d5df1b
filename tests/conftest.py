import os
import shutil
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from catalogue.images import demo_picture
from catalogue.services import product_image_add
from impact.lines import poverty_lines_ensure
from sellers.factories import product_with_sellers
from shop.home.services import home_page_ensure
from tests.chromium import launch
from tests.personas import MIAOBA, POJI, cast, divisions_ensure


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    # A transactional test flushes the tables; ids cached from before would point nowhere.
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _default_language(settings):
    """A request under /en/ leaves English active in the test thread; start each test in Chinese."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def home_page(db):
    return home_page_ensure(
        title="乌蒙优选", hero_title="乌蒙山里的好东西", hero_title_en="Good things from the Wumeng mountains",
        intro="每一笔收入都记到农户名下。", intro_en="Every yuan is credited to the household.",
    )


@pytest.fixture
def chicken(db):
    """A pooled product offered by three households, with a photo."""
    product = product_with_sellers(
        sellers=3,
        title="盐津乌骨鸡(整只冷鲜)",
        title_en="Yanjin black-bone chicken (whole chilled)",
        unit="只(1.5–2.5 千克)",
        unit_en="bird (1.5-2.5 kg)",
        storage="chilled",
        season=(9, 3),
        shelf_life_days=7,
        certificate_number="扶贫产品认定 2026-53-12345",
        gi_mark="盐津乌骨鸡",
    )
    product_image_add(product=product, data=demo_picture(kind="poultry", seed=1))
    return product


@pytest.fixture
def sms_outbox():
    """The texts sent in this test (`SMS_BACKEND` is the locmem one under test settings): (to, text)."""
    from shop.core import sms

    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


# The people of the permission tests (`tests.personas`) ---------------------------------------


@pytest.fixture
def people(divisions):
    return cast()


@pytest.fixture
def signed_in(client):
    """`signed_in(user)`: the test client, signed in to the site as `user`."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def api():
    """`api(user)`: a client that sends the user's token; `api()`: an anonymous one."""

    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _created = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


@pytest.fixture
def as_clerk_miaoba(api, people):
    return api(people.clerk_miaoba)


@pytest.fixture
def as_manager_miaoba(api, people):
    return api(people.manager_miaoba)


@pytest.fixture
def as_clerk_poji(api, people):
    return api(people.clerk_poji)


@pytest.fixture
def as_official_yanjin(api, people):
    return api(people.official_yanjin)


@pytest.fixture
def as_official_zhaotong(api, people):
    return api(people.official_zhaotong)


@pytest.fixture
def as_buyer(api, people):
    return api(people.buyer)


@pytest.fixture
def as_anonymous(api, people):
    return api()




# Reference data: the real divisions, once per run -------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _ledger_purge_allowed(django_db_setup, django_db_blocker):
    """Lets Django empty the ledger between transactional tests on SQLite: the ledger's DELETE
    trigger stands aside while this table exists (impact migration 0004). Only test databases
    have it; `tests/impact/test_append_only.py` drops it inside a test to prove the trigger."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS impact_ledger_purge_allowed (id INTEGER)")


@pytest.fixture(scope="session")
def _divisions_once(django_db_setup, django_db_blocker):
    """The official division codes, loaded once per run before any test's transaction begins
    (a session fixture is set up before the function-scoped `db`), so committed: every test
    sees them."""
    from shop.services import divisions_load

    with django_db_blocker.unblock():
        divisions_load()
        poverty_lines_ensure()


@pytest.fixture
def divisions(_divisions_once, db):
    """The real divisions (Zhaotong, its counties and townships) and the poverty lines. A transactional test (live
    server, browser, `transaction=True`) empties every table at its end; pytest-django runs those
    after all the others, and each of them that needs the divisions loads them again here (the
    check is one cheap query when they are there)."""
    divisions_ensure()
    poverty_lines_ensure()


@pytest.fixture
def stations(divisions):
    """Stations at Miaoba (Yanjin) and Poji (Zhenxiong), in the real divisions."""
    from oscar.apps.address.models import Country

    from logistics.services import station_ensure
    from shop.models import Division

    # Created by a data migration; restored here in case a transactional test flushed it.
    Country.objects.get_or_create(iso_3166_1_a2="CN", defaults={"printable_name": "中国", "is_shipping_country": True})
    return {
        code: station_ensure(code=f"S-{code}", township=Division.objects.get(code=code), name=f"{code} 站",
                             address="镇上", phone="0870", cold_chain=True)
        for code in (MIAOBA, POJI)
    }


# Browser tests (Debian's Chromium through Playwright) ----------------------------------

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which("chromium"):
        pytest.fail("Debian's chromium is required for the browser tests (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server, transactional_db):
    """A phone-sized page that records every request that left the site."""
    from django.conf import settings
    from django.contrib.sites.models import Site

    # An earlier transactional test may have flushed the row Django's migrations created.
    Site.objects.get_or_create(pk=settings.SITE_ID, defaults={"domain": "localhost", "name": "Wumeng Market"})
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.outside_requests = []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else page.outside_requests.append(r.url))
    yield page
    context.close()


@pytest.fixture
def shopper_at_payment(phone, live_server, stations):
    """A function: a signed-in buyer puts a ¥168.00 chicken in the basket, gives an address
    and stands on the payment page (at `prefix`, "" for Chinese, "/en" for English)."""
    from catalogue.factories import ProductFactory
    from sellers.factories import HouseholdFactory
    from sellers.services import household_seller_ensure, stock_offer
    from shop.factories import UserFactory
    from shop.models import Division

    def go(prefix: str):
        product = ProductFactory(title="盐津乌骨鸡", title_en="Yanjin black-bone chicken")
        household = HouseholdFactory(township=Division.objects.get(code=MIAOBA), consent_to_sell=True)
        stock_offer(seller=household_seller_ensure(household=household), product=product, price=Decimal("168.00"), stock=4)
        UserFactory(username="buyer", email="buyer@wumeng.example")
        base = live_server.url + prefix
        phone.goto(base + "/accounts/login/")
        phone.fill("#id_login-username", "buyer@wumeng.example")
        phone.fill("#id_login-password", "wumeng-demo")
        phone.locator("button[name=login_submit]").click()
        phone.goto(base + product.get_absolute_url())
        phone.locator("form.add button").click()
        phone.goto(base + "/checkout/")
        for field, value in {"first_name": "小明", "last_name": "王", "line1": "朝阳区建国路 88 号",
                             "line4": "北京", "postcode": "100022", "phone_number": "13800000000"}.items():
            phone.fill(f"#id_{field}", value)
        if phone.locator("select#id_country").count():  # hidden when China is the only shipping country
            phone.select_option("#id_country", "CN")
        phone.locator("#new_shipping_address button[type=submit]").click()
        phone.wait_for_url("**/checkout/payment-details/")
        return phone

    return go
