"""An official of Yanjin county, in Chromium: signs in, opens the county's report, drills down
township → village → household, and downloads the report as CSV, XLSX and PDF. In English
(`/en/`) on a desktop, and the same report read on a phone in Chinese."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from shop.factories import DEMO_PASSWORD
from tests.impact.report_sales import credited

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def desktop(browser, live_server, transactional_db):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", accept_downloads=True)
    page = context.new_page()
    page.outside_requests = []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else page.outside_requests.append(r.url))
    yield page
    context.close()


@pytest.fixture
def sales(people):
    """¥120.00 sold by the Miaoba household this year: the county's only income."""
    credited(people.household_miaoba, "120.00", at=timezone.now())
    return people.household_miaoba


def sign_in(page, base: str, path: str) -> None:
    page.goto(base + path)
    page.fill("#id_username", "official_yanjin")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form button[type=submit]").click()


def download(page, name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=name, exact=True).first.click()
    path = info.value.path()
    with open(path, "rb") as f:
        return f.read()


def test_an_official_drills_down_to_a_household_and_downloads_the_report(desktop, live_server, sales):
    page, base = desktop, live_server.url
    household = sales

    sign_in(page, base, en("impact:report"))
    expect(page.locator("main")).to_contain_text("120.00")

    # County → township (Miaoba) → village → household.
    page.get_by_role("link", name=household.township.name_en or household.township.name).first.click()
    expect(page).to_have_url(re.compile(r"region=" + household.township_id))
    page.get_by_role("link", name=household.village).first.click()
    page.get_by_text(household.registry_id).first.click()
    expect(page.locator("main")).to_contain_text(household.registry_id)
    expect(page.locator("main")).not_to_contain_text(household.head_name)  # masked
    expect(page.locator("main")).not_to_contain_text(household.id_number)

    page.goto(base + en("impact:report"))
    rows = list(csv.reader(io.StringIO(download(page, "CSV").decode("utf-8-sig"))))
    assert any("120.00" in cell for row in rows for cell in row)
    workbook = load_workbook(io.BytesIO(download(page, "XLSX")), read_only=True)
    values = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row]
    assert any(str(v) in ("120.00", "120", "120.0") or v == Decimal("120.00") for v in values)
    pdf = PdfReader(io.BytesIO(download(page, "PDF")))
    assert "120.00" in "".join(p.extract_text() for p in pdf.pages)
    assert page.outside_requests == []


def test_the_report_reads_on_a_phone_in_chinese(phone, live_server, sales):
    page, base = phone, live_server.url

    sign_in(page, base, reverse("impact:report"))

    expect(page.locator("main")).to_contain_text("120.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing scrolls sideways
    assert page.locator("svg").count() >= 1  # the charts are drawn by the site itself
    assert page.outside_requests == []
