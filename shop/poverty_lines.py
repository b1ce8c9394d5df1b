"""The poverty line (to 2020) and the relapse-monitoring threshold (from 2021), per year,
from `shop/data/poverty_lines.csv` (national values; some approximate, as the file notes)."""

import csv
from decimal import Decimal
from functools import cache
from pathlib import Path

LINES_FILE = Path(__file__).parent / "data" / "poverty_lines.csv"


@cache
def _lines() -> dict[int, Decimal]:
    with LINES_FILE.open(encoding="utf-8") as f:
        return {int(r["year"]): Decimal(r["yuan_per_person_per_year"]) for r in csv.DictReader(f) if r["region_code"] == "CN"}


def line_for(year: int) -> Decimal | None:
    """The line in force in `year` (the latest known for later years)."""
    lines = _lines()
    known = [y for y in lines if y <= year]
    return lines[max(known)] if known else None
