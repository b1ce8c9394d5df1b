"""The README's screenshots, from a running demo (`make run`), as small WebP files.

    python bench/readme_screenshots.py http://127.0.0.1:8000
"""

import io
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.chromium import launch  # noqa: E402

OUT = Path(__file__).resolve().parent / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


def save(page, name: str) -> None:
    png = page.screenshot(full_page=False)
    Image.open(io.BytesIO(png)).save(OUT / f"{name}.webp", "WEBP", quality=70)
    print(OUT / f"{name}.webp")


def main(base: str) -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        desktop = browser.new_page(viewport=DESKTOP)
        desktop.goto(base + "/", wait_until="networkidle")
        save(desktop, "home-zh-desktop")
        desktop.goto(base + "/en/catalogue/", wait_until="networkidle")
        save(desktop, "catalogue-en-desktop")
        phone = browser.new_page(viewport=PHONE)
        phone.goto(base + "/catalogue/", wait_until="networkidle")
        phone.locator(".card a").first.click()
        phone.wait_for_load_state("networkidle")
        save(phone, "product-zh-phone")
        phone.evaluate("window.scrollTo(0, document.querySelector('.facts').offsetTop - 20)")
        save(phone, "product-facts-zh-phone")
        phone.goto(base + "/station/login/")
        phone.fill("#id_username", "station_miaoba")
        phone.fill("#id_password", "wumeng-demo")
        phone.locator("button[type=submit]").click()
        phone.goto(base + "/station/households/", wait_until="networkidle")
        save(phone, "station-households-zh-phone")
        phone.goto(base + "/station/households/new/", wait_until="networkidle")
        save(phone, "station-register-zh-phone")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
