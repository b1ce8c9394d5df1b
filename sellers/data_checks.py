"""Data checks for precise identification (the seed article's first demand): the registry
problems a station or an official should look at, found with a fixed number of queries."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from sellers import idnumbers
from sellers.models import Household, HouseholdMember
from sellers.models.households import FIRST_IDENTIFIED_YEAR, MAX_MEMBERS, MIN_MEMBERS, current_year
from sellers.partner.models import StockRecord
from shop.poverty_lines import line_for

MAX_PLAUSIBLE_INCOME = 100_000
NUMBER = re.compile(r"(\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Finding:
    check: str
    registry_id: str
    township: str
    detail: str


def data_check_report(*, households: QuerySet[Household]) -> list[Finding]:
    rows = list(households.select_related("township").order_by("registry_id"))
    ids = [h.pk for h in rows]
    findings = []
    findings += _duplicate_people(rows, ids)
    findings += _impossible_values(rows, ids)
    findings += _income_above_line(rows)
    findings += _stock_above_capacity(rows, ids)
    return findings


def _finding(check, household, detail):
    return Finding(check=check, registry_id=household.registry_id, township=household.township.name, detail=detail)


def _duplicate_people(rows, ids):
    """The same ID number in two households: one person counted twice, or a typing error. Only
    among the households checked (the caller's scope): a station must not learn from the check
    whether an ID number is registered in another township. An official whose region holds both
    households sees the duplicate."""
    mine = HouseholdMember.objects.filter(household_id__in=ids)
    shared = (
        mine.values("id_number").annotate(households=Count("household", distinct=True)).filter(households__gt=1)
        .values_list("id_number", flat=True)
    )
    by_pk = {h.pk: h for h in rows}
    return [
        _finding("duplicate_person", by_pk[m.household_id],
                 _("%(name)s (ID ending %(end)s) is also registered in another household")
                 % {"name": m.name, "end": m.id_number[-4:]})
        for m in mine.filter(id_number__in=list(shared)).order_by("household_id", "id")
    ]


def _impossible_values(rows, ids):
    """Values the household rules (`sellers.models.households`) refuse, on records entered before
    them; the same bounds, read from the model's module."""
    records = dict(HouseholdMember.objects.filter(household_id__in=ids).values("household").annotate(n=Count("id")).values_list("household", "n"))
    this_year = current_year()
    findings = []
    for h in rows:
        if not MIN_MEMBERS <= h.members <= MAX_MEMBERS:
            findings.append(_finding("impossible", h, _("%(n)s members") % {"n": h.members}))
        if records.get(h.pk, 0) > h.members:
            findings.append(_finding("impossible", h, _("more people recorded (%(people)s) than members (%(n)s)") % {"people": records[h.pk], "n": h.members}))
        if not FIRST_IDENTIFIED_YEAR <= h.identified_year <= this_year:
            findings.append(_finding("impossible", h, _("identified in %(year)s") % {"year": h.identified_year}))
        if h.exited_year and h.exited_year < h.identified_year:
            findings.append(_finding("impossible", h, _("exited before it was identified")))
        if h.exited_year and h.exited_year > this_year:
            findings.append(_finding("impossible", h, _("exited in %(year)s") % {"year": h.exited_year}))
        if h.baseline_income_per_capita > MAX_PLAUSIBLE_INCOME:
            findings.append(_finding("impossible", h, _("baseline income of ¥%(amount)s per person") % {"amount": h.baseline_income_per_capita}))
        if not idnumbers.is_valid(h.id_number):
            findings.append(_finding("impossible", h, _("the head's ID number is not valid")))
    return findings


def _income_above_line(rows):
    findings = []
    for h in rows:
        line = line_for(h.identified_year)
        if line is not None and h.baseline_income_per_capita > line:
            findings.append(_finding("above_line", h, _("¥%(income)s per person, above the %(year)s line of ¥%(line)s")
                                     % {"income": h.baseline_income_per_capita, "year": h.identified_year, "line": line}))
    return findings


def _stock_above_capacity(rows, ids):
    """Listed stock beyond what the household declared it can produce: goods bought in from
    outside must not be sold under a poor household's name."""
    stock = dict(
        StockRecord.objects.filter(partner__seller__household_id__in=ids)
        .values("partner__seller__household_id").annotate(total=Sum("num_in_stock"))
        .values_list("partner__seller__household_id", "total")
    )
    findings = []
    for h in rows:
        match = NUMBER.search(h.capacity or "")
        if match and stock.get(h.pk, 0) > Decimal(match.group(1)):
            findings.append(_finding("over_capacity", h, _("%(stock)s units listed; declared capacity: %(capacity)s")
                                     % {"stock": stock[h.pk], "capacity": h.capacity}))
    return findings
