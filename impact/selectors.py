"""Reads for the officials' reports: figures of a region in a year, its breakdowns, its months,
its households, and the relapse-risk list.

Everything is aggregated by the database from the running totals the ledger keeps
(`HouseholdYear`, `TownshipMonth`), never by reading the ledger itself: a city's summary is one
pass over its households with their year's row joined. A region is a division code prefix
(households' `township_id` is the township's code, so no join is needed to filter them).

Definitions (DESIGN.md): per-capita uplift = net income credited in the year ÷ members; a
household crossed the line when its baseline was below the year's line and baseline + uplift
reaches it (compared as (line − baseline) × members ≤ net income, rounded to the fen, so the
arithmetic is exact on SQLite too); below the monitoring line when baseline + uplift is still
under it."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Func,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round

from impact.lines import line_zones
from impact.models import ZERO, HouseholdBalance, HouseholdYear, LedgerEntry, PovertyLine, TownshipMonth
from sellers.models import Household
from shop.core.money import round_to_fen
from shop.models import Division, DivisionLevel

MONEY = DecimalField(max_digits=14, decimal_places=2)
# The level a region's report breaks down into, and how a household's code gives that level.
CHILD_LEVEL = {
    DivisionLevel.PROVINCE: DivisionLevel.CITY,
    DivisionLevel.CITY: DivisionLevel.COUNTY,
    DivisionLevel.COUNTY: DivisionLevel.TOWNSHIP,
}
CODE_LENGTH = {DivisionLevel.CITY: 4, DivisionLevel.COUNTY: 6, DivisionLevel.TOWNSHIP: 9}
FIGURES = [
    "households", "households_with_sales", "gross_sales", "net_income_credited", "mean_per_capita_uplift",
    "median_per_capita_uplift", "households_crossed_line", "households_below_monitoring_line",
]


@dataclass
class Figures:
    households: int = 0
    households_with_sales: int = 0
    gross_sales: Decimal = ZERO
    net_income_credited: Decimal = ZERO
    mean_per_capita_uplift: Decimal = ZERO
    median_per_capita_uplift: Decimal = ZERO
    households_crossed_line: int = 0
    households_below_monitoring_line: int = 0
    code: str = ""
    name: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in FIGURES}


def region_households(*, prefix: str, year: int) -> QuerySet:
    """The region's households, each with its year's `gross`, `net`, `uplift` (per capita),
    the lines that apply to it, `crossed` and `below_monitoring` (1 or 0)."""
    zones = line_zones(year=year, region_code=prefix or "CN")

    def by_zone(attr: str):
        default = getattr(zones[-1][1], attr)
        whens = [When(township__code__startswith=p, then=Value(getattr(lines, attr))) for p, lines in zones[:-1]
                 if getattr(lines, attr) is not None]
        value = Value(default if default is not None else Decimal("0"), output_field=MONEY)
        return Case(*whens, default=value, output_field=MONEY) if whens else value

    shortfall = lambda line: Round((F(line) - F("baseline_income_per_capita")) * F("members"), 2)  # noqa: E731
    return (
        Household.objects.filter(township__code__startswith=prefix)
        .annotate(y=FilteredRelation("income_years", condition=Q(income_years__year=year)))
        .annotate(
            gross=Coalesce(F("y__gross_sales"), Value(ZERO), output_field=MONEY),
            net=Coalesce(F("y__net_income"), Value(ZERO), output_field=MONEY),
            line=by_zone("poverty"),
            monitoring_line=by_zone("monitoring"),
        )
        .annotate(
            # × 1.00 first, written into the SQL: SQLite stores ¥100.00 as the integer 100 and would
            # divide as integers; the literal 1.00 is a REAL there and a numeric on PostgreSQL.
            uplift=ExpressionWrapper(
                Round(Func(F("net"), template="(%(expressions)s * 1.00)") / F("members"), 2), output_field=MONEY
            ),
            has_sales=Case(When(Q(y__gross_sales__gt=0) | Q(y__net_income__gt=0), then=1), default=0),
            crossed=Case(
                When(Q(baseline_income_per_capita__lt=F("line")) & Q(net__gte=shortfall("line")), then=1), default=0
            ),
            below_monitoring=Case(When(net__lt=shortfall("monitoring_line"), then=1), default=0),
        )
    )


def _aggregates() -> dict:
    return {
        "households": Count("pk"),
        "households_with_sales": Sum("has_sales"),
        "gross_sales": Sum("gross"),
        "net_income_credited": Sum("net"),
        "uplift_total": Sum(Case(When(has_sales=1, then=F("uplift")), default=None, output_field=MONEY)),
        "households_crossed_line": Sum("crossed"),
        "households_below_monitoring_line": Sum("below_monitoring"),
    }


def _figures(row: dict, med) -> Figures:
    with_sales = row["households_with_sales"] or 0
    mean = round_to_fen((row["uplift_total"] or ZERO) / with_sales) if with_sales else ZERO
    return Figures(
        households=row["households"] or 0,
        households_with_sales=with_sales,
        gross_sales=round_to_fen(row["gross_sales"] or ZERO),
        net_income_credited=round_to_fen(row["net_income_credited"] or ZERO),
        mean_per_capita_uplift=mean,
        median_per_capita_uplift=round_to_fen(med) if med is not None else ZERO,
        households_crossed_line=row["households_crossed_line"] or 0,
        households_below_monitoring_line=row["households_below_monitoring_line"] or 0,
    )


# The household field each grouping is read from, and how much of it (a county is the first six
# digits of its townships' codes).
_GROUP_FIELD = {"city": "township_id", "county": "township_id", "township": "township_id", "village": "village",
                "poverty_cause": "poverty_cause", "attribute": "attribute"}
_ADDITIVE = ["households", "households_with_sales", "gross_sales", "net_income_credited", "uplift_total",
             "households_crossed_line", "households_below_monitoring_line"]


def _group_key(by: str, values: dict):
    value = values[_GROUP_FIELD[by]]
    return value[: CODE_LENGTH[by]] if by in ("city", "county") and value else value


def region_report(*, prefix: str, year: int, by: tuple[str, ...] = ()) -> tuple[Figures, dict[str, list[Figures]]]:
    """The headline figures of a region (a code prefix; "" for everywhere) in a year, and its
    breakdowns `by` "county", "township", "village", "poverty_cause" or "attribute" (biggest net
    income first), in two queries however many breakdowns are asked for:

    1. the additive figures grouped by the finest fields the breakdowns need (a township's code
       gives its county), added up here;
    2. the per-capita uplift of each household with sales, for the medians, taken here exactly
       (PostgreSQL's PERCENTILE_CONT works in floating point and misses by a fen now and then).

    One pass over the region's households instead of one per breakdown: a city's report reads
    100,000 households once (`bench/impact.py`)."""
    households = region_households(prefix=prefix, year=year)
    fields = sorted({_GROUP_FIELD[b] for b in by})
    total = dict.fromkeys(_ADDITIVE, 0)
    sums = {b: defaultdict(lambda: dict.fromkeys(_ADDITIVE, 0)) for b in by}
    rows = households.values(*fields).annotate(**_aggregates()).order_by() if fields else [
        households.aggregate(**_aggregates())
    ]
    for row in rows:
        for name in _ADDITIVE:
            value = row[name] or 0
            total[name] += value
            for b in by:
                sums[b][_group_key(b, row)][name] += value
    everyone: list = []
    uplifts = {b: defaultdict(list) for b in by}
    for uplift, *keys in households.filter(has_sales=1).values_list("uplift", *fields).order_by():
        values = dict(zip(fields, keys, strict=True))
        everyone.append(uplift)
        for b in by:
            uplifts[b][_group_key(b, values)].append(uplift)

    def figures(row: dict, values: list) -> Figures:
        return _figures(row, median(values) if values else None)

    breakdowns = {}
    for b in by:
        groups = []
        for code, row in sums[b].items():
            group = figures(row, uplifts[b].get(code, []))
            group.code = code or ""
            groups.append(group)
        breakdowns[b] = sorted(groups, key=lambda f: (-f.net_income_credited, f.code))
    return figures(total, everyone), breakdowns


def region_figures(*, prefix: str, year: int) -> Figures:
    """The headline figures of a region in a year (two queries)."""
    return region_report(prefix=prefix, year=year)[0]


def region_breakdown(*, prefix: str, year: int, by: str) -> list[Figures]:
    """The region's figures grouped `by` one field (two queries); see `region_report`."""
    return region_report(prefix=prefix, year=year, by=(by,))[1][by]


def region_months(*, prefix: str, year: int) -> list[dict]:
    """Gross sales and net income credited in each month of the year (all twelve, zeros
    included), from the townships' monthly totals: one query."""
    rows = dict(
        (row["month"], row)
        for row in TownshipMonth.objects.filter(township__code__startswith=prefix, year=year)
        .values("month").annotate(gross_sales=Sum("gross_sales"), net_income=Sum("net_income"))
    )
    return [
        {
            "month": month,
            "gross_sales": round_to_fen(rows.get(month, {}).get("gross_sales") or ZERO),
            "net_income": round_to_fen(rows.get(month, {}).get("net_income") or ZERO),
        }
        for month in range(1, 13)
    ]


def relapse_risk(*, prefix: str, year: int, drop: Decimal = Decimal("0.5")) -> QuerySet:
    """Households for the stations to visit: still below the monitoring line, or whose income
    credited this year fell to less than `drop` of last year's. Each with `last_net` and the
    report's annotations; the sharpest fall first."""
    households = region_households(prefix=prefix, year=year).annotate(
        z=FilteredRelation("income_years", condition=Q(income_years__year=year - 1)),
    ).annotate(last_net=Coalesce(F("z__net_income"), Value(ZERO), output_field=MONEY))
    fell = Q(last_net__gt=0) & Q(net__lt=F("last_net") * drop)
    return households.filter(fell | Q(below_monitoring=1)).order_by(F("net") - F("last_net"), "registry_id")


def children_of(region: Division) -> QuerySet:
    """The divisions one level down (for names in the drill-down)."""
    return Division.objects.filter(parent=region)


# The report pages' reads ------------------------------------------------------------------------


def years_with_income(*, this_year: int) -> list[int]:
    """The years a report can be asked for: those with income recorded, and this year; newest
    first (one query)."""
    years = set(HouseholdYear.objects.order_by().values_list("year", flat=True).distinct())
    years.add(this_year)
    return sorted(years, reverse=True)


def division_names(*, codes) -> dict[str, Division]:
    """{code: division} for the codes of a breakdown (one query)."""
    return {d.code: d for d in Division.objects.filter(code__in=list(codes))}


def region_ancestors(*, region: Division) -> list[Division]:
    """The divisions above `region`, the widest first (one query): their codes are `region`'s code
    cut to each level's length and padded with zeros."""
    significant = len(region.code_prefix)
    codes = [region.code[:n].ljust(6, "0") for n in (2, 4, 6) if n < significant]
    return sorted(Division.objects.filter(code__in=codes).exclude(code=region.code), key=lambda d: len(d.code_prefix))


def village_households(*, township_code: str, village: str, year: int) -> QuerySet:
    """The households of one village of a township, with the report's annotations (as
    `region_households`), in registry order."""
    return region_households(prefix=township_code, year=year).filter(village=village).order_by("registry_id")


def household_figures(*, household, year: int):
    """One household with the report's annotations for `year` (one query, two with the lines)."""
    return region_households(prefix=household.township_id, year=year).get(pk=household.pk)


@dataclass
class HouseholdYearFigures:
    year: int
    gross_sales: Decimal
    net_income: Decimal
    uplift: Decimal
    line: Decimal | None
    monitoring_line: Decimal | None
    crossed: bool
    below_monitoring: bool


def household_years(*, household, through_year: int) -> list[HouseholdYearFigures]:
    """The household's income in each year up to `through_year` (the years with income, and
    `through_year` itself), newest first, with that year's lines and whether it crossed them:
    the same rule as `region_households`, worked out here from two queries."""
    rows = {r.year: r for r in HouseholdYear.objects.filter(household=household, year__lte=through_year)}
    lines = list(PovertyLine.objects.all())
    baseline, members = household.baseline_income_per_capita, household.members

    def shortfall(line: Decimal) -> Decimal:
        return round_to_fen((line - baseline) * members)

    result = []
    for year in sorted(set(rows) | {through_year}, reverse=True):
        row = rows.get(year)
        gross, net = (row.gross_sales, row.net_income) if row else (ZERO, ZERO)
        zone = line_zones(year=year, region_code=household.township_id, rows=lines)[-1][1]
        result.append(HouseholdYearFigures(
            year=year, gross_sales=gross, net_income=net, uplift=round_to_fen(net / members),
            line=zone.poverty, monitoring_line=zone.monitoring,
            crossed=zone.poverty is not None and baseline < zone.poverty and net >= shortfall(zone.poverty),
            below_monitoring=net < shortfall(zone.monitoring if zone.monitoring is not None else ZERO),
        ))
    return result


def household_entries(*, household) -> QuerySet:
    """The household's ledger entries, newest first, each with its `order_number` (one query a
    page)."""
    return (
        LedgerEntry.objects.filter(household=household)
        .annotate(order_number=F("order__number"))
        .order_by("-created_at", "-id")
    )


def household_balance(*, household) -> HouseholdBalance:
    """What the platform owes the household (zeros before its first sale)."""
    return HouseholdBalance.objects.filter(household=household).first() or HouseholdBalance(household=household)
