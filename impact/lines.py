"""Which poverty line and monitoring line apply to a year and a place.

Lines are data (`PovertyLine`, loaded from the reference file and edited in the dashboard): a
national value ("CN") and, where a province, city or county sets its own, a value for that
division's code. The most specific region wins; the latest year up to the one asked for wins.
"The year's line" is the rural poverty line until 2020 and the relapse-monitoring threshold
since (whichever is latest); the monitoring line is the threshold itself (before 2021, when
there was none, the poverty line)."""

import csv
from dataclasses import dataclass
from decimal import Decimal

from impact.models import LineKind, PovertyLine
from shop.poverty_lines import LINES_FILE

NATIONAL = "CN"


@dataclass(frozen=True)
class Lines:
    poverty: Decimal | None
    monitoring: Decimal | None


def _prefix(region_code: str) -> str:
    return "" if region_code == NATIONAL else region_code


def _latest(rows, year: int, kinds) -> Decimal | None:
    known = [r for r in rows if r.year <= year and r.kind in kinds]
    return max(known, key=lambda r: (r.year, r.kind == LineKind.MONITORING)).amount if known else None


def _lines_of(rows, year: int) -> Lines:
    poverty = _latest(rows, year, {LineKind.POVERTY_LINE, LineKind.MONITORING})
    monitoring = _latest(rows, year, {LineKind.MONITORING}) or poverty
    return Lines(poverty=poverty, monitoring=monitoring)


def line_zones(*, year: int, region_code: str, rows=None) -> list[tuple[str, Lines]]:
    """[(code prefix, lines)] for a region in a year, most specific first: one zone for each
    region inside `region_code` that sets its own lines, then the zone covering the whole region
    (prefix ""). Rows default to every line (a short table, one query)."""
    rows = list(PovertyLine.objects.all()) if rows is None else rows
    by_region: dict[str, list[PovertyLine]] = {}
    for row in rows:
        by_region.setdefault(_prefix(row.region_code), []).append(row)
    covering = [p for p in by_region if region_code.startswith(p)]
    inner = [p for p in by_region if p.startswith(region_code) and p != region_code and p not in covering]

    def lines_at(prefix: str) -> Lines:
        # A region's own rows, falling back year by year to the regions that contain it.
        for candidate in sorted((p for p in by_region if prefix.startswith(p)), key=len, reverse=True):
            found = _lines_of(by_region[candidate], year)
            if found.poverty is not None:
                return found
        return Lines(poverty=None, monitoring=None)

    zones = [(p, lines_at(p)) for p in sorted(inner, key=len, reverse=True)]
    zones.append(("", lines_at(max(covering, key=len) if covering else "")))
    return zones


def lines_for(*, year: int, region_code: str) -> Lines:
    """The lines in force for one place (a township's code, say) in one year."""
    return line_zones(year=year, region_code=region_code)[-1][1]


def poverty_lines_ensure() -> int:
    """The reference file's lines, where the table has none of them (migration 0005 loads them
    too; a test database emptied between transactional tests needs them again). Lines edited in
    the dashboard are kept. Returns how many were added."""
    with LINES_FILE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    existing = set(PovertyLine.objects.values_list("year", "region_code", "kind"))
    missing = [
        PovertyLine(year=int(r["year"]), region_code=r["region_code"], kind=r["kind"],
                    amount=Decimal(r["yuan_per_person_per_year"]), note=r["note"][:255])
        for r in rows
        if (int(r["year"]), r["region_code"], r["kind"]) not in existing
    ]
    PovertyLine.objects.bulk_create(missing)
    return len(missing)
