"""`make bench`: the storefront's speed against a bare Django view, in one run.

Starts the site the production way (DEBUG off, gunicorn, 2 workers, static files
from WhiteNoise) on its own database with the demo data, then for each page:
  * SQL queries per request (counted in-process with Django's test client),
  * requests per second under a small concurrent load, as a ratio to the bare
    view measured in the same run (rounds interleave the pages, medians reported),
  * bytes a first visit transfers (Debian's Chromium through Playwright).
Prints a table and writes bench/results/latest.json. Nothing here is asserted.
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tests.chromium import launch  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CATEGORY_SIZE = 30  # more than one page of 24


def prepare() -> dict[str, str]:
    """Migrate, load the demo, fill one category past a page, collect static. Returns the pages to measure."""
    from catalogue.images import demo_picture
    from catalogue.models import Category, Product
    from catalogue.selectors import products_in_category
    from catalogue.services import product_image_add
    from sellers.factories import product_with_sellers
    from shop.demo import demo_load

    (ROOT / "var").mkdir(exist_ok=True)
    call_command("migrate", verbosity=0)
    demo_load(log=lambda *_: None)
    fruit = Category.objects.get(slug="fruit")
    for n in range(products_in_category(category=fruit).count(), CATEGORY_SIZE):
        product = product_with_sellers(
            sellers=3, title=f"昭通苹果 · 果园{n:02d}", title_en=f"Zhaotong apples, orchard {n:02d}",
            category_slug="fruit", unit="箱(5 千克)", upc=f"WM-BENCH-{n:03d}",
        )
        product_image_add(product=product, data=demo_picture(kind="fruit", seed=n))
    call_command("collectstatic", "--noinput", verbosity=0)
    product = Product.objects.filter(upc="WM-DEMO-0000").get()
    return {
        "bare Django view": "/bench/bare/",
        "home page": "/",
        "category page (24 products)": fruit.get_absolute_url(),
        "product page": product.get_absolute_url(),
        "search": "/search/?q=%E9%B8%A1",  # 鸡
    }


def count_queries(path: str) -> dict[str, int]:
    """Queries with an empty cache (first visitor after a change) and with a warm one."""
    from django.core.cache import cache

    client = Client(HTTP_HOST="127.0.0.1")
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get(path)
    with CaptureQueriesContext(connection) as warm:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return {"queries_cold": len(cold), "queries": len(warm), "html_bytes": len(response.content)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "shop.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
         "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def rate(*, workers: int, seconds: float, step) -> float:
    """Completed `step(worker_index)` calls per second over `workers` threads.
    Any failure aborts the measurement: a figure with errors in it means nothing."""
    done = [0] * workers
    failures = []
    deadline = time.monotonic() + seconds

    def run(i: int) -> None:
        while time.monotonic() < deadline:
            try:
                step(i)
            except Exception as error:
                failures.append(repr(error))
                return
            done[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise RuntimeError(failures[0])
    return sum(done) / (time.monotonic() - started)


def requests_per_second(port: int, path: str, seconds: float, cookies: list[str] | None = None) -> float:
    """GETs of `path` per second over one connection for each entry of `cookies` (a Cookie
    header, or "" for none); without them, CONCURRENCY anonymous connections."""
    cookies = cookies if cookies is not None else [""] * CONCURRENCY
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in cookies]

    def get(i: int) -> None:
        connections[i].request("GET", path, headers={"Cookie": cookies[i]} if cookies[i] else {})
        response = connections[i].getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")

    try:
        return rate(workers=len(cookies), seconds=seconds, step=get)
    finally:
        for conn in connections:
            conn.close()


def first_visit_bytes(base: str, path: str) -> dict[str, int]:
    """Bytes a first visit transfers (headers and bodies as sent), phone and desktop viewports."""
    from playwright.sync_api import sync_playwright

    result = {}
    with sync_playwright() as p:
        browser = launch(p)
        for view, size in {"phone": (390, 844), "desktop": (1280, 900)}.items():
            context = browser.new_context(viewport={"width": size[0], "height": size[1]})
            page = context.new_page()
            requests = []
            page.on("requestfinished", lambda request: requests.append(request))
            page.goto(base + path, wait_until="networkidle")
            result[view] = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in requests)
            result[f"{view}_requests"] = len(requests)
            context.close()
        browser.close()
    return result


def main() -> None:
    pages = prepare()
    figures = {name: count_queries(path) for name, path in pages.items()}
    port = free_port()
    server = start_server(port)
    try:
        for path in pages.values():
            requests_per_second(port, path, 0.5)  # warm up every worker
        samples = {name: [] for name in pages}
        for _ in range(ROUNDS):
            for name, path in pages.items():
                samples[name].append(requests_per_second(port, path, SECONDS))
        for name in ("home page", "category page (24 products)"):
            figures[name]["first_visit"] = first_visit_bytes(f"http://127.0.0.1:{port}", pages[name])
    finally:
        server.terminate()
        server.wait()
    bare = statistics.median(samples["bare Django view"])
    for name, values in samples.items():
        figures[name]["rps"] = round(statistics.median(values), 1)
        figures[name]["ratio_to_bare"] = round(statistics.median(values) / bare, 3)
    report(figures)


def report(figures: dict) -> None:
    print(f"\n{'page':32} {'req/s':>8} {'vs bare':>8} {'SQL cold/warm':>14} {'HTML KB':>8} {'1st visit KB (phone/desktop)':>30}")
    for name, f in figures.items():
        visit = f.get("first_visit")
        visit_text = f"{visit['phone'] / 1024:.0f} / {visit['desktop'] / 1024:.0f}" if visit else ""
        print(f"{name:32} {f['rps']:8.1f} {f['ratio_to_bare'] * 100:7.1f}% {f['queries_cold']:8d} / {f['queries']:<3d} "
              f"{f['html_bytes'] / 1024:8.1f} {visit_text:>30}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    meta = {"workers": WORKERS, "concurrency": CONCURRENCY, "seconds": SECONDS, "rounds": ROUNDS,
            "database": connection.vendor, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    (out / "latest.json").write_text(json.dumps({"meta": meta, "pages": figures}, indent=2, ensure_ascii=False))
    print(f"\nwritten: {out / 'latest.json'}")


if __name__ == "__main__":
    main()
