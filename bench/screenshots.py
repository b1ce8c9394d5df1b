"""Screenshots of the storefront in both languages, phone and desktop, with
Debian's Chromium driven by Playwright (never a downloaded browser).

    python bench/screenshots.py http://127.0.0.1:8000 OUTDIR [path ...]
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.chromium import launch  # noqa: E402

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def shoot(base: str, outdir: Path, paths: list[str], full_page: bool = True) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = launch(p)
        for view, size in VIEWPORTS.items():
            page = browser.new_page(viewport=size)
            for path in paths:
                page.goto(base + path, wait_until="networkidle")
                name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "_") or "home"
                target = outdir / f"{name}-{view}.png"
                page.screenshot(path=str(target), full_page=full_page)
                written.append(target)
            page.close()
        browser.close()
    return written


if __name__ == "__main__":
    base, outdir, *paths = sys.argv[1:]
    for written in shoot(base, Path(outdir), paths or ["/", "/en/"]):
        print(written)
