"""The staff areas under the production Content Security Policy, in Chromium: an administrator
opens Oscar's dashboard, our fee rules in it, Wagtail's admin and its page editor (with the live
preview), and the API's Swagger UI. No page breaks the policy, each still works, and none loads
anything from another origin.

The production policy and middleware come from `shop.settings.production` (read in a fresh
process). The shared `live_server` built its middleware when it started, so this module starts a
live server of its own inside the production settings.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from shop.factories import UserFactory
from tests.shop.test_production_settings import production_csp_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path("/tmp/cspstaff")
# What Chromium reports when a policy blocks something, in the console and as an event.
RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => window.cspViolation(
  `${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${document.location.pathname}`));
"""


@pytest.fixture(scope="module")
def production_policy():
    return production_csp_settings()


@pytest.fixture
def production_site(production_policy, transactional_db):
    with override_settings(**production_policy):
        server = LiveServer("localhost")
        yield server
        server.stop()


@pytest.fixture
def administrator(transactional_db):
    from django.contrib.sites.models import Site

    # An earlier transactional test may have flushed the row Django's migrations created.
    Site.objects.get_or_create(pk=settings.SITE_ID, defaults={"domain": "localhost", "name": "Wumeng Market"})
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_page(browser, production_site, administrator):
    """A desktop page signed in as the administrator, recording policy violations in
    `page.violations` and requests to other origins in `page.outside_requests`."""
    client = Client()
    client.force_login(administrator)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": production_site.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    page.violations, page.outside_requests = [], []
    context.expose_function("cspViolation", lambda violation: page.violations.append(violation))
    context.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: page.violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    page.on("request", lambda request: None if request.url.startswith((production_site.url, "data:", "blob:"))
            else page.outside_requests.append(request.url))
    page.base = production_site.url
    yield page
    context.close()


def visit(page, path: str):
    response = page.goto(page.base + path)
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    return response


def assert_clean(page):
    assert page.violations == [], "\n".join(page.violations)
    assert page.outside_requests == []


def test_the_dashboard_index_works_under_the_staff_policy(staff_page):
    page = staff_page
    response = visit(page, "/dashboard/")

    assert "'unsafe-inline'" in response.headers["content-security-policy"]
    # Bootstrap's script, started inline by Oscar, opens a menu of the navigation bar.
    page.locator("nav .dropdown-toggle").first.click()
    expect(page.locator("nav .dropdown-menu.show").first).to_be_visible()
    assert_clean(page)


def test_a_dashboard_list_works_under_the_staff_policy(staff_page):
    page = staff_page
    visit(page, "/dashboard/catalogue/")

    expect(page.locator("form#product_search_form, form[method=get]").first).to_be_visible()
    assert_clean(page)


def test_our_fee_rules_page_works_under_the_staff_policy(staff_page):
    page = staff_page
    visit(page, "/dashboard/impact/fee-rules/")

    expect(page.locator("h1").first).to_be_visible()
    assert_clean(page)


def test_wagtails_admin_works_under_the_staff_policy(staff_page, home_page):
    page = staff_page
    visit(page, "/cms/")

    expect(page.locator("[data-wagtail-sidebar] .sidebar-main-menu")).to_be_visible()
    assert_clean(page)


def test_wagtails_page_editor_and_its_preview_work_under_the_staff_policy(staff_page, home_page):
    page = staff_page
    visit(page, f"/cms/pages/{home_page.pk}/edit/")

    expect(page.locator("form#page-edit-form")).to_be_visible()
    page.locator("[data-side-panel-toggle='preview']").click()
    # Wagtail swaps in a new frame each time the preview reloads: the last one is the current.
    preview = page.locator("#w-preview-iframe").last.content_frame
    expect(preview.locator("body")).to_contain_text(home_page.hero_title)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "wagtail-page-editor.png")
    assert_clean(page)


def test_swagger_ui_lists_the_apis_operations_under_the_staff_policy(staff_page):
    page = staff_page
    visit(page, "/api/docs/")

    expect(page.locator(".opblock").first).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "api-docs.png")
    assert_clean(page)
