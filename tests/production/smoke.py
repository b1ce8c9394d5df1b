"""`make prod-smoke`: the whole production stack on loopback, and one scripted session through it.

Starts moto_server (S3, with the media bucket), localstripe (production refuses the demo payment),
two gunicorn app servers, one Celery worker and one beat, all with the production settings on a
fresh PostgreSQL database and a Redis database of their own; then a buyer, a clerk and the
station's API alternate between the two servers: basket and sign-in survive the switch, a photo
lands in S3 and its thumbnail is served from there, a card purchase is marked paid by the
webhook, the parcel is delivered, the worker's settlement credits the household in the ledger
and the worker sends the SMS. Then the backup is proved: `manage.py backup` of that database and
bucket, `manage.py restore` into a new database and a new bucket, and there the fund-flow audit
passes, the household's ledger and the order are as they were, and every object of the photo is
byte for byte the same.
Everything started here is stopped, and what the backup made is removed, at the end.

A script, not a test module (pytest collects test_*.py only): `.venv/bin/python tests/production/smoke.py`.
"""

import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.production.outside import (  # noqa: E402
    BUCKET,
    REGION,
    S3_KEYS,
    bucket_keys,
    free_port,
    moto_s3,
    reachable,
    s3_client,
    tool,
    wait_until,
)

DB_NAME = "wumeng_smoke"
RESTORE_DB = "wumeng_smoke_restore"
RESTORE_BUCKET = "wumeng-media-restore"
PG = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/13"
STRIPE_KEY = "sk_test_smoke"
WEBHOOK_SECRET = "whsec_smoke"
CARD_VISA = "4242424242424242"
BUYER, CLERK, PASSWORD = "smoke_buyer", "smoke_clerk", "Smoke-" + secrets.token_urlsafe(12)
REGISTRY_ID = "5306231050001"  # a Miaoba household
ADDRESS = {
    "first_name": "小明", "last_name": "王", "line1": "朝阳区建国路 88 号", "line4": "北京",
    "postcode": "100022", "country": "CN", "phone_number": "+8613800000000",
}
STEPS: list[tuple[str, bool, float]] = []
BEGAN = time.monotonic()
STARTED: list[subprocess.Popen] = []
WORK = Path(tempfile.mkdtemp(prefix="wumeng-smoke-"))
BACKUP = WORK / "backup"


class Failed(Exception):
    pass


def step(name: str, ok: bool, detail: str = "") -> None:
    STEPS.append((name, ok, time.monotonic() - BEGAN))
    print(f"[{'PASS' if ok else 'FAIL'}] {time.monotonic() - BEGAN:5.1f} s  {name}{': ' + detail if detail else ''}", flush=True)
    if not ok:
        raise Failed(name)


def start(name: str, argv: list[str], env: dict) -> subprocess.Popen:
    """A process in a group of its own (gunicorn's and Celery's children stop with it), logged."""
    log = (WORK / f"{name}.log").open("w")
    process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    process.name = name
    STARTED.append(process)
    return process


def stop_all() -> None:
    for process in reversed(STARTED):
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
    for process in reversed(STARTED):
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


def log_of(name: str) -> str:
    path = WORK / f"{name}.log"
    return path.read_text(errors="replace") if path.exists() else ""


def manage(env: dict, *args: str, code: str | None = None) -> str:
    """The output of `manage.py args`, or of the Python `code` with `args` as its sys.argv."""
    argv = [sys.executable, "manage.py", *args] if code is None else [sys.executable, "-c", code, *args]
    result = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if result.returncode:
        raise Failed(f"{' '.join(argv[:4])} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def psql(sql: str, database: str = "postgres") -> None:
    subprocess.run(["psql", f"{PG}/{database}", "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True,
                   capture_output=True, text=True)


SETUP = f"""
import django; django.setup()
from decimal import Decimal
from django.contrib.auth import get_user_model
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model
from logistics.models import StationRole
from logistics.services import station_ensure, station_member_add
import random
from sellers import synthetic
from sellers.services import household_register
from shop.models import Division
from shop.services import divisions_load

divisions_load()
Country = get_model("address", "Country")
Country.objects.get_or_create(iso_3166_1_a2="CN", defaults={{"iso_3166_1_a3": "CHN", "iso_3166_1_numeric": "156",
    "printable_name": "中国", "name": "China", "is_shipping_country": True}})
township = Division.objects.get(code="530623105")
station = station_ensure(code="YJ-MIAOBA", township=township, name="庙坝镇电商服务站", name_en="Miaoba station",
                         address="云南省昭通市盐津县庙坝镇街道 1 号", phone="0870-0000000", cold_chain=True)
User = get_user_model()
clerk = User.objects.create_user(username="{CLERK}", password="{PASSWORD}", first_name="庙坝站")
station_member_add(station=station, user=clerk, role=StationRole.STAFF)
User.objects.create_user(username="{BUYER}", password="{PASSWORD}", email="buyer@example.invalid",
                         first_name="小明", last_name="王")
data = synthetic.household_data(random.Random(7), township=township, registry_id="{REGISTRY_ID}", this_year=2026)
household_register(**(data | {{"consent_to_sell": True, "bank_account": "6217000011112222"}}))
create_from_breadcrumbs("干货")
print("setup done")
"""

SETTLED = f"""
import django; django.setup()
from impact.models import LedgerEntry
print(LedgerEntry.objects.filter(kind="sale_settled", household__registry_id="{REGISTRY_ID}").count())
"""

# What the restore must bring back: the household's ledger, the orders, the product's photo (one
# line of JSON); then, with "audit" as argument, `manage.py impact_audit` in the same interpreter,
# which exits 1 on any discrepancy.
KEPT = f"""
import django, json, sys; django.setup()
from django.core.management import call_command
from catalogue.models import ProductImage
from impact.models import LedgerEntry
from shop.order.models import Order
entries = LedgerEntry.objects.filter(household__registry_id="{REGISTRY_ID}").order_by("idempotency_key")
print(json.dumps({{
    "entries": [[e.kind, e.bucket, str(e.amount), e.order.number if e.order else "", e.idempotency_key] for e in entries],
    "orders": [[o.number, o.status, str(o.total_incl_tax)] for o in Order.objects.order_by("number")],
    "photos": sorted(name for image in ProductImage.objects.all()
                     for name in (image.original.name, image.card.name, image.large.name) if name),
}}), flush=True)
if sys.argv[1:] == ["audit"]:
    call_command("impact_audit")
"""


def csrf(session: requests.Session, url: str) -> tuple[str, str]:
    page = session.get(url, timeout=30)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if not found:
        raise Failed(f"no CSRF token on {url} ({page.status_code})")
    return found.group(1), page.text


def post_form(session, url, data, *, files=None, referer=None) -> requests.Response:
    token, _page = csrf(session, url)
    return session.post(url, data={"csrfmiddlewaretoken": token, **data}, files=files, timeout=60,
                        headers={"Referer": referer or url})


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 90, 40)).save(out, "JPEG")
    return out.getvalue()


def main() -> None:  # noqa: C901 - one scripted session, step after step
    print(f"logs in {WORK}", flush=True)
    step("Redis answers at 127.0.0.1:6379", reachable("127.0.0.1", 6379))
    step("PostgreSQL answers at 127.0.0.1:5432", reachable("127.0.0.1", 5432))
    redis.Redis.from_url(REDIS_URL).flushdb()
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    step("fresh database and Redis db 13", True, DB_NAME)

    with moto_s3(WORK / "moto_server.log") as s3:
        step("moto_server with the public-read bucket", True, s3)
        stripe_port = free_port()
        stripe_url = f"http://127.0.0.1:{stripe_port}"
        start("localstripe", [sys.executable, "-m", "localstripe", "--from-scratch", "--port", str(stripe_port)],
              dict(os.environ))
        step("localstripe answers", wait_until(lambda: reachable("127.0.0.1", stripe_port), seconds=30), stripe_url)

        port_a, port_b = free_port(), free_port()
        a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
        leave_out = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL",
                     "CELERY_TASK_ALWAYS_EAGER"}
        env = {k: v for k, v in os.environ.items() if k not in leave_out} | {
            "DJANGO_SETTINGS_MODULE": "shop.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"{PG}/{DB_NAME}",
            "REDIS_URL": REDIS_URL,
            "AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_S3_ENDPOINT_URL": s3, "AWS_S3_REGION_NAME": REGION,
            "AWS_S3_ADDRESSING_STYLE": "path", **S3_KEYS,
            "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": f"{a},{b}",
            "STATIC_ROOT": str(WORK / "static"),
            # Mail to the process's output, where the steps below read the subjects.
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "SMS_BACKEND": "shop.core.sms.ConsoleBackend",
            # Parcels settle as soon as they are delivered: no return window to wait out.
            "LOGISTICS_RETURN_WINDOW_FRESH_HOURS": "0", "LOGISTICS_RETURN_WINDOW_OTHER_DAYS": "0",
            "STRIPE_SECRET_KEY": STRIPE_KEY, "STRIPE_PUBLISHABLE_KEY": "pk_test_smoke",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "STRIPE_API_BASE": stripe_url,
            "STRIPE_JS_URL": f"{stripe_url}/js.stripe.com/v3/",
            "GUNICORN_WORKERS": "2", "PYTHONUNBUFFERED": "1",
        }
        t = time.monotonic()
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        step("migrate and collectstatic (production settings)", True, f"{time.monotonic() - t:.0f} s")
        print(manage(env, code=SETUP).strip())
        step("divisions, station, clerk, household, buyer", True)

        for name, port in (("gunicorn-a", port_a), ("gunicorn-b", port_b)):
            start(name, [str(tool("gunicorn")), "-c", "shop/gunicorn.conf.py", "shop.wsgi"],
                  env | {"GUNICORN_BIND": f"127.0.0.1:{port}"})
        start("worker", [str(tool("celery")), "-A", "shop", "worker", "--loglevel", "INFO", "--concurrency", "1"],
              env)
        start("beat", [str(tool("celery")), "-A", "shop", "beat", "--loglevel", "INFO",
                       "--schedule", str(WORK / "beat-schedule")], env)

        def ready(url):
            try:
                return requests.get(f"{url}/readyz", timeout=3).status_code == 200
            except requests.RequestException:
                return False

        t = time.monotonic()
        step("both app servers ready (/readyz 200)",
             wait_until(lambda: ready(a) and ready(b), seconds=90, step=0.5), f"{time.monotonic() - t:.0f} s")
        step("worker and beat running",
             wait_until(lambda: "ready." in log_of("worker"), seconds=60) and STARTED[-1].poll() is None)

        # localstripe posts its signed webhooks to server A.
        requests.post(f"{stripe_url}/_config/webhooks/smoke", timeout=10,
                      json={"url": f"{a}/payments/stripe/webhook/", "secret": WEBHOOK_SECRET}).raise_for_status()

        # The clerk: signs in on B, lists a new product with a photo on A.
        clerk = requests.Session()
        r = post_form(clerk, f"{b}/en/station/login/", {"username": CLERK, "password": PASSWORD})
        step("clerk signs in to the station console on B", r.ok and "/station/login/" not in r.url, r.url)
        form_url = f"{a}/en/station/households/{REGISTRY_ID}/list/"
        _token, form_page = csrf(clerk, form_url)
        category = re.search(r'name="category"[^>]*>.*?<option value="(\d+)"', form_page, re.S)
        r = post_form(clerk, form_url, {
            "product": "", "title": "庙坝天麻 Smoke", "category": category.group(1) if category else "", "unit": "500 g",
            "description": "smoke test", "price": "88.00", "stock": "5",
        }, files={"photo": ("tianma.jpg", jpeg(), "image/jpeg")})
        step("clerk lists a product with a photo on A", r.ok and "/list/" not in r.url, f"{r.status_code} {r.url}")
        if "/list/" in r.url:
            (WORK / "listing_form.html").write_text(r.text)
            print(re.findall(r'errorlist[^>]*>(.*?)</ul>', r.text, re.S)[:5])
        keys = bucket_keys(s3)
        step("the photo is in the bucket", any(not k.startswith("cache/") for k in keys), ", ".join(sorted(keys)[:4]))

        # The buyer: signs in on A, adds to the basket on B, sees it on A.
        buyer = requests.Session()
        search = buyer.get(f"{b}/en/search/", params={"q": "Smoke"}, timeout=30)
        product_url = re.search(r'href="(/en/catalogue/[^"/]+_\d+/)"', search.text)
        if not product_url:
            listing = buyer.get(f"{b}/en/catalogue/", timeout=30)
            product_url = re.search(r'href="(/en/catalogue/[^"/]*_\d+/)"', listing.text)
        step("the product is on the shop", bool(product_url), product_url.group(1) if product_url else "")
        page = buyer.get(f"{a}{product_url.group(1)}", timeout=30)
        image = re.search(rf'src="({re.escape(s3)}/{BUCKET}/[^"]+)"', page.text)
        step("the product page's image is a URL on the S3 endpoint", bool(image), image.group(1) if image else "")
        served = requests.get(image.group(1), timeout=30)
        step("moto serves the thumbnail", served.status_code == 200 and served.headers.get("Content-Type", "").startswith("image/"),
             f"{served.status_code} {served.headers.get('Content-Type')} {len(served.content)} bytes")

        r = post_form(buyer, f"{a}/en/accounts/login/", {"login-username": "buyer@example.invalid", "login-password": PASSWORD,
                                                         "login_submit": "1"})
        step("buyer signs in on A", r.ok and "/accounts/login/" not in r.url, r.url)
        pk = re.search(r"_(\d+)/$", product_url.group(1)).group(1)
        token, _ = csrf(buyer, f"{b}{product_url.group(1)}")
        r = buyer.post(f"{b}/en/basket/add/{pk}/", data={"csrfmiddlewaretoken": token, "quantity": "1"},
                       headers={"Referer": f"{b}{product_url.group(1)}"}, timeout=30)
        step("buyer adds the product to the basket on B", r.ok, f"{r.status_code} {r.url}")
        basket = buyer.get(f"{a}/en/basket/", timeout=30)
        step("buyer still signed in and the basket shows it on A",
             "Smoke" in basket.text and "/accounts/logout/" in basket.text)

        r = post_form(buyer, f"{b}/en/checkout/shipping-address/", ADDRESS)
        step("shipping address on B", r.ok and "shipping-address" not in r.url, r.url)
        r = buyer.get(f"{a}/en/checkout/shipping-method/", timeout=30)
        step("shipping method on A", r.ok, r.url)
        payment_page = buyer.get(f"{b}/en/checkout/payment-details/", timeout=30)
        total = re.search(r'name="confirmed_total" value="([^"]*)"', payment_page.text)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', payment_page.text)
        step("payment page on B", bool(total and token), payment_page.url)
        method = requests.post(f"{stripe_url}/v1/payment_methods", auth=(STRIPE_KEY, ""), timeout=30, data={
            "type": "card", "card[number]": CARD_VISA, "card[exp_month]": "12", "card[exp_year]": "2034",
            "card[cvc]": "123"}).json()["id"]
        r = buyer.post(f"{a}/en/checkout/preview/", timeout=60, headers={"Referer": f"{a}/en/checkout/preview/"}, data={
            "csrfmiddlewaretoken": token.group(1), "action": "place_order", "confirmed_total": total.group(1),
            "payment_method": method})
        (WORK / "place_order.html").write_text(r.text)
        number = re.search(r"(?:Order|order number|订单)[^0-9]{0,40}(\d{6,})", r.text)
        step("order placed by card on A", r.ok and "thank-you" in r.url, f"{r.url} {number.group(1) if number else ''}")

        # The station's API: a token from B, the parcel moved alternately on A and B.
        r = requests.post(f"{b}/api/v1/auth/token/", json={"username": CLERK, "password": PASSWORD}, timeout=30)
        step("clerk gets an API token on B", r.ok, str(r.status_code))
        auth = {"Authorization": f"Token {r.json()['token']}"}

        def shipments():
            body = requests.get(f"{a}/api/v1/shipments/", headers=auth, timeout=30).json()
            return body.get("results", body) if isinstance(body, dict) else body

        step("the webhook marks the order paid and its parcel waits at the station",
             wait_until(lambda: bool(shipments()), seconds=30, step=1))
        shipment = shipments()[0]
        events = [
            {"type": "received", "lines": [{"id": line["id"], "weight_kg": "0.500", "grade": "first"}
                                           for line in shipment["lines"]]},
            {"type": "qc_passed"}, {"type": "packed"},
            {"type": "dispatched", "carrier": "ems", "tracking_number": "EMS1234567890"},
            {"type": "in_transit"}, {"type": "delivered"},
        ]
        for i, event in enumerate(events):
            server = (a, b)[i % 2]
            r = requests.post(f"{server}/api/v1/shipments/{shipment['id']}/events/", json=event, headers=auth,
                              timeout=30)
            step(f"shipment {event['type']} on {'AB'[i % 2]}", r.status_code in (200, 201), f"{r.status_code} {r.text[:200]}")

        # Settlement on the worker (the return window is 0 by the environment above).
        call = subprocess.run([str(tool("celery")), "-A", "shop", "call", "shop.order.settle_due_shipments"],
                              env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        step("settle_due_shipments enqueued", call.returncode == 0, call.stdout.strip() or call.stderr[-300:])
        step("the worker credits the household (sale_settled in the ledger)",
             wait_until(lambda: manage(env, code=SETTLED).strip() not in ("", "0"), seconds=60, step=2))
        def texts():  # the console backend's own lines (Celery also logs its stdout as a WARNING)
            return list(dict.fromkeys(line.split("SMS to ", 1)[1] for line in log_of("worker").splitlines()
                                      if "SMS to " in line))

        # Sold (at payment), received at the station, settled: three texts to the household.
        step("the worker sends the household's SMS (sold, received, settled)",
             wait_until(lambda: len(texts()) >= 3, seconds=30), " | ".join(texts()))
        subjects = [line.strip() for name in ("gunicorn-a", "gunicorn-b", "worker")
                    for line in log_of(name).splitlines() if line.startswith("Subject:")]
        step("e-mail sent (console backend)", bool(subjects), "; ".join(subjects)[:300])
        backup_and_restore(env, s3)
    print(f"total {time.monotonic() - BEGAN:.0f} s", flush=True)


def backup_and_restore(env: dict, s3: str) -> None:
    """Back the session's database and bucket up, restore them into new ones, compare."""
    t = time.monotonic()
    # Side by side: an interpreter spends most of its time starting Django, not waiting on another.
    with ThreadPoolExecutor(2) as pool:
        before = pool.submit(manage, env, code=KEPT)
        print(manage(env, "backup", str(BACKUP)).strip())
        before = json.loads(before.result())
    manifest = json.loads((BACKUP / "manifest.json").read_text())
    keys = bucket_keys(s3)
    step("manage.py backup: pg_dump and every object of the bucket", manifest["media"]["objects"] == len(keys),
         f"{manifest['database']['bytes']:,} bytes of dump, {manifest['media']['objects']} objects, "
         f"{time.monotonic() - t:.1f} s")

    psql(f"DROP DATABASE IF EXISTS {RESTORE_DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {RESTORE_DB}")
    s3_client(s3).create_bucket(Bucket=RESTORE_BUCKET)
    restored = env | {"DATABASE_URL": f"{PG}/{RESTORE_DB}", "AWS_STORAGE_BUCKET_NAME": RESTORE_BUCKET}
    t = time.monotonic()
    print(manage(restored, "restore", str(BACKUP)).strip())
    step("manage.py restore into a new database and a new bucket", True, f"{time.monotonic() - t:.1f} s")

    kept, *audit = manage(restored, "audit", code=KEPT).strip().splitlines()
    after = json.loads(kept)
    step("impact_audit passes on the restored database", True, audit[0])
    step("the household's ledger entries are restored",
         bool(before["entries"]) and after["entries"] == before["entries"],
         ", ".join(f"{kind} {amount}" for kind, _bucket, amount, _order, _key in after["entries"]))
    step("the order is restored", bool(before["orders"]) and after["orders"] == before["orders"],
         "; ".join(" ".join(order) for order in after["orders"]))

    client = s3_client(s3)

    def stored(bucket, key):
        found = client.get_object(Bucket=bucket, Key=key)
        return found["Body"].read(), found["ContentType"]

    photo = [*after["photos"], *sorted(key for key in keys if key.startswith("cache/"))]
    same = [key for key in photo if stored(BUCKET, key) == stored(RESTORE_BUCKET, key)]
    step("the photo's objects (original, renditions, thumbnail) are byte-identical in the restored bucket",
         bool(after["photos"]) and any(key.startswith("cache/") for key in photo) and same == photo
         and bucket_keys(s3, RESTORE_BUCKET) == keys, f"{len(same)} of {len(photo)}: {', '.join(photo)}")


def clean_up() -> None:
    """What the backup made: the dump holds personal data, the restored database takes room."""
    shutil.rmtree(BACKUP, ignore_errors=True)
    try:
        psql(f"DROP DATABASE IF EXISTS {RESTORE_DB} WITH (FORCE)")
    except subprocess.CalledProcessError as error:
        print(f"could not drop {RESTORE_DB}: {error.stderr}", flush=True)


if __name__ == "__main__":
    failed = False
    try:
        main()
    except Failed as error:
        if not STEPS or STEPS[-1][1]:
            print(f"[FAIL] {error}", flush=True)
            STEPS.append((str(error).splitlines()[0], False, time.monotonic() - BEGAN))
        failed = True
    except Exception:  # noqa: BLE001 - reported as a failed step, the stack is still stopped
        traceback.print_exc()
        STEPS.append(("unexpected error", False, time.monotonic() - BEGAN))
        failed = True
    finally:
        stop_all()
        clean_up()
    print("\nprod-smoke summary:")
    for name, ok, at in STEPS:
        print(f"  {'PASS' if ok else 'FAIL'}  {at:5.1f} s  {name}")
    if failed:
        for name in ("gunicorn-a", "gunicorn-b", "worker", "beat", "localstripe"):
            print(f"\n--- tail of {name}.log ---\n{log_of(name)[-2500:]}")
    print(f"\nprod-smoke: {'FAIL' if failed else 'PASS'} (logs in {WORK})")
    sys.exit(1 if failed else 0)
