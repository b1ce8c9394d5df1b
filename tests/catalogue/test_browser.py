"""A buyer's first visit, in a real browser (Debian's Chromium driven by Playwright)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_buyer_finds_a_product_and_puts_it_in_the_basket(phone, live_server, home_page, chicken):
    phone.goto(live_server.url + "/")
    assert phone.locator("html").get_attribute("lang") == "zh-hans"  # even for an English browser

    phone.get_by_role("link", name="禽肉蛋品").click()
    phone.get_by_role("link", name="盐津乌骨鸡(整只冷鲜)").click()
    assert phone.get_by_text("地理标志:盐津乌骨鸡").is_visible()
    assert phone.get_by_text("冷藏(0–4 °C)").is_visible()

    phone.get_by_role("button", name="加入购物车").click()
    phone.goto(live_server.url + "/basket/")
    assert phone.get_by_text("盐津乌骨鸡(整只冷鲜)").first.is_visible()
    assert phone.outside_requests == []


def test_a_buyer_switches_to_english_on_the_product_page(phone, live_server, home_page, chicken):
    phone.goto(live_server.url + chicken.get_absolute_url())
    phone.get_by_role("link", name="English").click()
    phone.wait_for_url("**/en/catalogue/**")
    assert phone.get_by_role("heading", name="Yanjin black-bone chicken (whole chilled)").is_visible()
    assert phone.get_by_text("Chilled (0–4 °C)").is_visible()


def test_search_from_the_header_finds_the_product(phone, live_server, home_page, chicken):
    phone.goto(live_server.url + "/")
    phone.get_by_role("searchbox").fill("乌骨鸡")
    phone.get_by_role("button", name="搜索").click()
    assert phone.get_by_role("link", name="盐津乌骨鸡(整只冷鲜)").is_visible()
