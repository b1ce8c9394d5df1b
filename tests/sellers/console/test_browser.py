"""A station clerk on a phone registers a household and publishes its goods, in Chromium."""

import io
import time

import pytest
from PIL import Image

from catalogue.services import categories_ensure
from sellers import idnumbers
from tests.personas import cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (200, 60, 40)).save(out, "JPEG")
    return out.getvalue()


def test_a_clerk_registers_a_household_and_publishes_its_goods_from_a_phone(phone, live_server, home_page):
    cast()
    categories_ensure()
    started = time.monotonic()
    phone.goto(live_server.url + "/station/")
    phone.fill("#id_username", "clerk_miaoba")
    phone.fill("#id_password", "wumeng-demo")
    phone.get_by_role("button", name="登录").click()

    phone.get_by_role("link", name="为农户建档").click()
    phone.fill("#id_registry_id", "5306231058888")
    phone.fill("#id_village", "黄草村")
    phone.fill("#id_head_name", "罗国强")
    phone.fill("#id_id_number", "53062319680315901" + idnumbers.check_digit("53062319680315901"))
    phone.fill("#id_members", "5")
    phone.select_option("#id_poverty_cause", "07")
    phone.select_option("#id_attribute", "01")
    phone.select_option("#id_poverty_status", "1")
    phone.fill("#id_baseline_income_per_capita", "3100")
    phone.fill("#id_identified_year", "2015")
    phone.fill("#id_capacity", "乌骨鸡 200 羽/年")
    phone.check("#id_consent_to_sell")
    phone.get_by_role("button", name="保存").click()
    assert phone.get_by_text("5306231058888").first.is_visible()

    phone.get_by_role("link", name="为这户上架商品").click()
    phone.fill("#id_title", "庙坝散养乌骨鸡")
    phone.select_option("#id_category", label="禽肉蛋品")
    phone.fill("#id_unit", "只(约 2 千克)")
    phone.fill("#id_price", "168")
    phone.fill("#id_stock", "6")
    phone.set_input_files("#id_photo", files=[{"name": "chicken.jpg", "mimeType": "image/jpeg", "buffer": _photo()}])
    phone.get_by_role("button", name="发布").click()
    assert phone.get_by_text("庙坝散养乌骨鸡").first.is_visible()
    print(f"\nclerk flow took {time.monotonic() - started:.1f} s in the browser")

    phone.get_by_role("link", name="庙坝散养乌骨鸡").click()
    phone.get_by_role("link", name="在商城查看").click()
    assert phone.get_by_role("heading", name="庙坝散养乌骨鸡").is_visible()
    assert phone.get_by_text("罗**").is_visible()
    assert phone.outside_requests == []
