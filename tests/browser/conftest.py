import os
import shutil

import pytest

from bench.screenshots import launch

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
