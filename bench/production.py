"""`make bench` (part three): the embedded default against the production stack, in one run.

Two stacks, each a gunicorn of its own (2 workers, DEBUG off, bench/settings.py) started with its
environment, as a deployment would start it:
  * embedded: SQLite, the local-memory cache, database sessions (what `make run` serves);
  * production: PostgreSQL (`wumeng_bench_prod`, persistent connections), Redis as the shared
    cache (database 12, flushed before and after) and cached_db sessions.
For each: a bare Django view, the category page for an anonymous visitor (served whole from the
cache, catalogue/page_cache.py) and for a signed-in buyer (live, around the cached product grid),
in requests per second, and full checkouts per second (demo payment, 4 buyers at once, the
`Shopper` of bench/checkout.py); plus the category page's SQL queries per request, counted
in-process. Rounds interleave the stacks and the measures; medians are reported, each figure as a
ratio production / embedded, and each page as a share of the bare view of its own stack: the
median of each round's share, the page and the bare view measured a few seconds apart (the
machine is shared, and its load drifts more between rounds than within one).

Each stack's database is prepared (migrated, demo loaded, one category filled past a page, the
buyers made) in a child process with the stack's environment, and kept between runs. In the
production stack what a checkout hands to Celery (texts to farmers) is queued in Redis, where a
worker would take it; no worker runs here, so the figures are what the buyer waits for.
Prints a table; writes bench/results/production.json. Nothing here is asserted."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")  # never 0 (yours) or 13 (prod-smoke)
STACKS = {
    "embedded": {
        "label": "embedded (SQLite, local-memory cache, database sessions)",
        "DATABASE_URL": f"sqlite:///{ROOT / 'var' / 'bench-embedded.sqlite3'}",
        "REDIS_URL": "",
    },
    "production": {
        "label": "production (PostgreSQL, Redis cache, cached_db sessions)",
        "DATABASE_URL": os.environ.get(
            "BENCH_PROD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wumeng_bench_prod?conn_max_age=60"
        ),
        "REDIS_URL": REDIS_URL,
    },
}
MEASURES = {
    "bare": "bare Django view, req/s",
    "category_anonymous": "category page, anonymous, req/s",
    "category_signed_in": "category page, signed in, req/s",
    "checkouts": "full checkouts/s (demo payment)",
}
PAGES = ("category_anonymous", "category_signed_in")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
RESULTS = ROOT / "bench" / "results" / "production.json"


@contextmanager
def stack_environment(stack: dict):
    """The stack's DATABASE_URL and REDIS_URL in os.environ (what a child process inherits)."""
    saved = {name: os.environ.get(name) for name in ("DATABASE_URL", "BENCH_DATABASE_URL", "REDIS_URL")}
    os.environ.update(
        DATABASE_URL=stack["DATABASE_URL"], BENCH_DATABASE_URL=stack["DATABASE_URL"], REDIS_URL=stack["REDIS_URL"]
    )
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# In the child process, inside the stack's environment ----------------------------------------


def prepare_here(out: Path) -> None:
    """Prepare this process's stack and write what the measuring process needs to `out`."""
    # bench.checkout takes its database from BENCH_DATABASE_URL and sets up Django (via bench.run).
    from bench import checkout, run

    if checkout.DATABASE_URL.startswith("postgres"):
        checkout.ensure_database()
    pages = run.prepare()  # migrate, the demo, a category of 30 products, static files
    product, buyers = checkout.prepare()  # stock that never runs out, the buyers
    category = pages["category page (24 products)"]
    out.write_text(json.dumps({
        "category": category,
        "product_pk": product.pk,
        "buyers": [buyer.email for buyer in buyers],
        "queries": category_queries(category, buyers[0]),
        "checkout_queries": checkout.queries_per_step(product, buyers[1]),
    }))


def category_queries(path: str, buyer) -> dict[str, int]:
    """SQL queries of the category page: a visitor after a catalogue change (empty cache), the next
    one, and a signed-in buyer."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def count(client) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return len(queries)

    cache.clear()
    anonymous = Client(HTTP_HOST="127.0.0.1")
    cold = count(anonymous)
    warm = count(Client(HTTP_HOST="127.0.0.1"))
    signed_in = Client(HTTP_HOST="127.0.0.1")
    signed_in.force_login(buyer)
    signed_in.get(path)
    return {"anonymous_cold": cold, "anonymous_warm": warm, "signed_in_warm": count(signed_in)}


# In the measuring process --------------------------------------------------------------------


def prepare(name: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp, stack_environment(STACKS[name]):
        out = Path(tmp) / "prepared.json"
        child = subprocess.run(
            [sys.executable, __file__, "--prepare", str(out)], cwd=ROOT, capture_output=True, text=True
        )
        if child.returncode != 0:
            sys.stderr.write(child.stdout[-5000:] + child.stderr[-5000:])
            raise RuntimeError(f"preparing the {name} stack failed")
        return json.loads(out.read_text())


def flush_bench_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def measure(stack: dict, seconds: float) -> dict[str, float]:
    from bench.checkout import per_second
    from bench.run import requests_per_second

    port, category, product_pk = stack["port"], stack["category"], stack["product_pk"]
    anonymous = [""] * len(stack["shoppers"])
    signed_in = [
        "; ".join(f"{name}={value}" for name, value in shopper.http.cookies.items()) for shopper in stack["shoppers"]
    ]
    requests_per_second(port, category, 0.1, anonymous[:1])  # a checkout of the last round changed the catalogue
    return {
        "bare": requests_per_second(port, "/bench/bare/", seconds, anonymous),
        "category_anonymous": requests_per_second(port, category, seconds, anonymous),
        "category_signed_in": requests_per_second(port, category, seconds, signed_in),
        "checkouts": per_second(stack["shoppers"], lambda shopper: shopper.checkout(product_pk), seconds),
    }


def main() -> None:
    from bench.checkout import CONCURRENCY, Shopper
    from bench.run import SECONDS, WORKERS, free_port, start_server

    flush_bench_redis()
    stacks = {name: prepare(name) for name in STACKS}
    servers = []
    try:
        for name, stack in stacks.items():
            stack["port"] = free_port()
            with stack_environment(STACKS[name]):
                servers.append(start_server(stack["port"]))
            base = f"http://127.0.0.1:{stack['port']}"
            stack["shoppers"] = [Shopper(base, email) for email in stack["buyers"]]
            measure(stack, 0.5)  # warm every worker up
        samples = {name: {key: [] for key in MEASURES} for name in stacks}
        for round_number in range(ROUNDS):
            # Alternate which stack goes first: neither always measures a machine the other just warmed.
            for name in list(stacks)[:: 1 if round_number % 2 == 0 else -1]:
                for key, value in measure(stacks[name], SECONDS).items():
                    samples[name][key].append(value)
    finally:
        for server in servers:
            server.terminate()
            server.wait()
        flush_bench_redis()
    figures = summarise(stacks, samples)
    figures["meta"] = {
        "app_workers": WORKERS, "concurrency": CONCURRENCY, "seconds": SECONDS, "rounds": ROUNDS,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    report(figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(f"\nwritten: {RESULTS}")


def summarise(stacks: dict, samples: dict) -> dict:
    figures = {"stacks": {}}
    for name, stack in stacks.items():
        medians = {measure: statistics.median(values) for measure, values in samples[name].items()}
        figures["stacks"][name] = {
            "label": STACKS[name]["label"],
            "per_second": {measure: round(value, 1) for measure, value in medians.items()},
            "ratio_to_bare": {
                page: round(statistics.median(
                    value / bare for value, bare in zip(samples[name][page], samples[name]["bare"], strict=True)
                ), 3)
                for page in PAGES
            },
            "category_queries": stack["queries"],
            "checkout_queries": stack["checkout_queries"],
            "samples": {measure: [round(v, 1) for v in values] for measure, values in samples[name].items()},
        }
    embedded, production = (figures["stacks"][name]["per_second"] for name in ("embedded", "production"))
    figures["production_vs_embedded"] = {
        measure: round(production[measure] / embedded[measure], 2) for measure in MEASURES
    }
    return figures


def report(figures: dict) -> None:
    embedded, production = (figures["stacks"][name] for name in ("embedded", "production"))
    versus = figures["production_vs_embedded"]
    meta = figures["meta"]
    print(f"\n{meta['app_workers']} gunicorn workers per stack, {meta['concurrency']} clients, "
          f"medians of {meta['rounds']} rounds of {meta['seconds']:g} s")
    print(f"  embedded:   {embedded['label']}\n  production: {production['label']}\n")
    print(f"{'':34} {'embedded':>16} {'production':>16} {'prod/emb':>9}")
    for measure, title in MEASURES.items():
        cells = []
        for stack in (embedded, production):
            value = stack["per_second"][measure]
            ratio = stack["ratio_to_bare"].get(measure)
            cells.append(f"{value:7.1f}" + (f" ({ratio:4.0%})" if ratio is not None else " " * 7))
        print(f"{title:34} {cells[0]:>16} {cells[1]:>16} {versus[measure]:8.2f}×")
    print("(page figures in brackets: as a share of the bare view of the same stack)")
    print(f"\n{'SQL queries per category page':34} {'embedded':>16} {'production':>16}")
    for key, title in (("anonymous_cold", "anonymous, after a catalogue change"),
                       ("anonymous_warm", "anonymous, next visitor"),
                       ("signed_in_warm", "signed in")):
        print(f"{title:34} {embedded['category_queries'][key]:>16} {production['category_queries'][key]:>16}")
    print(f"{'SQL queries per checkout':34} {sum(embedded['checkout_queries'].values()):>16} "
          f"{sum(production['checkout_queries'].values()):>16}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--prepare"]:
        prepare_here(Path(sys.argv[2]))
    else:
        main()
