"""`make bench` (part three): import a clean 10,000-row registry file on SQLite, timed,
with its SQL query count. Target from the registry issue: under 20 s on this machine."""

import io
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench-import.sqlite3'}"
os.environ["DJANGO_SETTINGS_MODULE"] = "shop.settings.dev"
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from sellers.models import Household  # noqa: E402
from sellers.registry_csv import synthetic_registry_csv  # noqa: E402
from sellers.registry_import import households_import  # noqa: E402
from shop.models import Division  # noqa: E402
from shop.services import divisions_load  # noqa: E402


def main() -> dict:
    (ROOT / "var").mkdir(exist_ok=True)
    call_command("migrate", verbosity=0)
    divisions_load()
    Household.objects.filter(registry_id__startswith="BENCH").delete()
    townships = list(Division.objects.filter(level="township", code__regex=r"^5306(23|27|28)"))
    text = synthetic_registry_csv(townships=townships, rows=ROWS, prefix="BENCH")
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = households_import(file=io.StringIO(text))
    seconds = time.perf_counter() - started
    assert result.errors == [] and result.imported == ROWS, result.errors[:3]
    figures = {"rows": ROWS, "seconds": round(seconds, 2), "rows_per_second": round(ROWS / seconds),
               "queries": len(queries), "database": "sqlite"}
    print(f"\nregistry import: {ROWS} rows in {seconds:.1f} s ({ROWS / seconds:.0f} rows/s), {len(queries)} SQL queries")
    Household.objects.filter(registry_id__startswith="BENCH").delete()
    return figures


if __name__ == "__main__":
    figures = main()
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "import.json").write_text(json.dumps(figures, indent=2))
