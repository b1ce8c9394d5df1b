"""`make bench` (part two): add-to-basket and full checkouts per second with the demo
payment, on PostgreSQL, served the production way (gunicorn, 2 workers), plus the SQL
queries of each checkout step counted in-process.

Uses BENCH_DATABASE_URL (default: a `wumeng_bench` database on the local PostgreSQL
server, created if missing, with persistent connections: `?conn_max_age=60`, as a
production DATABASE_URL should have; without it every request opens a new PostgreSQL
connection, which tripled PostgreSQL's CPU time per checkout when measured). The
confirmation e-mails go to files under var/bench-mail/, not the terminal.
Prints the figures beside the issue's target and the previous run (bench/results/)."""

import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wumeng_bench?conn_max_age=60")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")

import django  # noqa: E402

from bench.run import rate  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
TARGET_CHECKOUTS_PER_S = 20  # the goal for this 2-core machine with 2 app workers
RESULTS = ROOT / "bench" / "results" / "checkout.json"
ADDRESS = {
    "first_name": "小明", "last_name": "王", "line1": "朝阳区建国路 88 号", "line4": "北京",
    "postcode": "100022", "country": "CN", "phone_number": "+8613800000000",
}


def ensure_database() -> None:
    import psycopg

    server, name = DATABASE_URL.split("?", 1)[0].rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare():
    from django.core.management import call_command

    from catalogue.models import Product
    from sellers.partner.models import StockRecord
    from shop.demo import demo_load
    from shop.factories import UserFactory

    call_command("migrate", verbosity=0)
    demo_load(log=lambda *_: None)
    call_command("collectstatic", "--noinput", verbosity=0)
    product = Product.objects.get(upc="WM-DEMO-0100")  # a pooled product from several households
    StockRecord.objects.filter(product=product).update(num_in_stock=10_000_000)
    buyers = [UserFactory(username=f"bench-buyer-{n}", email=f"bench-buyer-{n}@wumeng.example") for n in range(CONCURRENCY)]
    return product, buyers


def queries_per_step(product, buyer) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client(HTTP_HOST="127.0.0.1")
    shown = []  # the total the preview showed, sent back on placing the order
    client.force_login(buyer)

    def preview():
        response = client.get(reverse("checkout:preview"))
        shown.append(re.search(r'name="confirmed_total" value="([^"]*)"', response.content.decode()).group(1))
        return response

    steps = {
        "add to basket": lambda: client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1}),
        "shipping address": lambda: client.post(reverse("checkout:shipping-address"), ADDRESS),
        "payment details": lambda: client.get(reverse("checkout:payment-details")),
        "preview": preview,
        "place order": lambda: client.post(
            reverse("checkout:preview"), {"action": "place_order", "confirmed_total": shown[-1]}
        ),
    }
    counts = {}
    for name, step in steps.items():
        with CaptureQueriesContext(connection) as queries:
            response = step()
        assert response.status_code in (200, 302), (name, response.status_code)
        counts[name] = len(queries)
    return counts


class Shopper:
    """A signed-in buyer's browser session: cookies and the CSRF token, over HTTP."""

    def __init__(self, base: str, email: str):
        import requests

        self.base, self.http = base, requests.Session()
        page = self.http.get(f"{base}/accounts/login/").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        self.http.post(f"{base}/accounts/login/", data={
            "csrfmiddlewaretoken": token, "login-username": email, "login-password": "wumeng-demo",
            "login_submit": "1"}, headers={"Referer": f"{base}/accounts/login/"})

    def post(self, path: str, data: dict):
        data = {**data, "csrfmiddlewaretoken": self.http.cookies.get("csrftoken")}
        # Oscar sends the buyer back to the referring page after adding to the basket.
        response = self.http.post(self.base + path, data=data, headers={"Referer": self.base + "/basket/"})
        response.raise_for_status()
        return response

    def add_to_basket(self, product_pk: int):
        self.post(f"/basket/add/{product_pk}/", {"quantity": 1})

    def checkout(self, product_pk: int):
        self.add_to_basket(product_pk)
        # The address step chooses the only way to ship and lands on the payment page.
        self.post("/checkout/shipping-address/", ADDRESS)
        preview = self.http.get(self.base + "/checkout/preview/")
        total = re.search(r'name="confirmed_total" value="([^"]*)"', preview.text).group(1)
        response = self.post("/checkout/preview/", {"action": "place_order", "confirmed_total": total})
        if "/checkout/thank-you/" not in response.url:
            raise RuntimeError(f"checkout did not complete: ended at {response.url}")


def per_second(shoppers, action, seconds: float) -> float:
    return rate(workers=len(shoppers), seconds=seconds, step=lambda i: action(shoppers[i]))


def main() -> dict:
    from django.conf import settings
    from django.db import connection

    from bench.run import free_port, start_server

    ensure_database()
    django.setup()
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else None
    product, buyers = prepare()
    steps = queries_per_step(product, buyers[0])
    port = free_port()
    server = start_server(port)
    try:
        base = f"http://127.0.0.1:{port}"
        shoppers = [Shopper(base, buyer.email) for buyer in buyers]
        adds = per_second(shoppers, lambda s: s.add_to_basket(product.pk), SECONDS)
        checkouts = per_second(shoppers, lambda s: s.checkout(product.pk), SECONDS)
    finally:
        server.terminate()
        server.wait()
    figures = {"add_to_basket_per_s": round(adds, 1), "checkouts_per_s": round(checkouts, 1),
               "queries_per_step": steps, "database": "postgresql", "concurrency": CONCURRENCY,
               "conn_max_age": connection.settings_dict["CONN_MAX_AGE"],
               "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    report(figures, previous)
    print(f"e-mails written to {settings.EMAIL_FILE_PATH}")
    return figures


def report(figures: dict, previous: dict | None) -> None:
    def versus(key: str) -> str:
        if not previous or not previous.get(key):
            return ""
        return f"   ({figures[key] / previous[key]:.2f}× the previous run's {previous[key]})"

    print(f"\n{CONCURRENCY} shoppers, 2 gunicorn workers, PostgreSQL, CONN_MAX_AGE={figures['conn_max_age']}")
    print(f"add to basket:                {figures['add_to_basket_per_s']:6.1f}/s{versus('add_to_basket_per_s')}")
    print(f"full checkouts (demo payment): {figures['checkouts_per_s']:5.1f}/s{versus('checkouts_per_s')}")
    print(f"                               {figures['checkouts_per_s'] / TARGET_CHECKOUTS_PER_S:5.0%} of the target "
          f"({TARGET_CHECKOUTS_PER_S}/s)")
    before = (previous or {}).get("queries_per_step", {})
    print(f"\n{'SQL queries per checkout step':32} {'now':>5} {'before':>7}")
    for step, count in figures["queries_per_step"].items():
        print(f"{step:32} {count:5d} {before.get(step, ''):>7}")
    print(f"{'all steps':32} {sum(figures['queries_per_step'].values()):5d} {sum(before.values()) or '':>7}")


if __name__ == "__main__":
    result = main()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False))
