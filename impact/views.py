"""The officials' reports: a region's figures and its drill-down (city → county → township →
village → household), and the relapse-risk list for the stations' visits.

Thin views: parse the filters (`impact.forms`), ask `impact.access` which region the caller may
read, read with `impact.selectors`, shape the rows and charts, render. Every page reads a fixed
number of queries whatever the number of households (the tests pin it); lists of households
are paged."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import logout as sign_out
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from impact import charts, selectors
from impact.access import official_required, report_region, report_regions
from impact.forms import ReportFilter, VillageFilter, YearFilter, this_year
from impact.lines import lines_for
from logistics.access import scope_for
from sellers import codes
from sellers.masking import mask_name
from sellers.models import Household
from shop.core.i18n import wants_english
from shop.models import Division, DivisionLevel

HOUSEHOLDS_PAGE = 30
ENTRIES_PAGE = 30
# How far this year's income must fall against last year's to put a household on the list.
RELAPSE_DROP = Decimal("0.5")
LEVEL_DEPTH = {DivisionLevel.PROVINCE: 0, DivisionLevel.CITY: 1, DivisionLevel.COUNTY: 2, DivisionLevel.TOWNSHIP: 3}


class LoginView(auth_views.LoginView):
    template_name = "impact/login.html"

    def get_default_redirect_url(self):
        return reverse("impact:report")


@require_POST
def logout(request):
    sign_out(request)
    return redirect("impact:login")


def _region(user, code: str) -> Division:
    """The region asked for, if the user may read it: 404 for a code no division has, 403 outside
    the user's area (`report_region`)."""
    if code and not code.isdigit():
        raise Http404(_("There is no such region."))
    try:
        return report_region(user, code)
    except Division.DoesNotExist as error:
        raise Http404(_("There is no such region.")) from error


def _bad_filters(request, form):
    return render(request, "impact/bad_filters.html", {"form": form}, status=400)


def _month_names() -> list[str]:
    if wants_english():
        return [capfirst(MONTHS_3[m]) for m in range(1, 13)]
    return [f"{m}月" for m in range(1, 13)]


def _month_labels() -> list[str]:
    """Under the month chart's bars: "10月11月12月" would run together on a phone."""
    return _month_names() if wants_english() else [str(m) for m in range(1, 13)]


def _query(**params) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


# The filters' choices and the crumbs ------------------------------------------------------------


@dataclass
class Option:
    code: str
    label: str
    selected: bool


def _region_options(user, region: Division) -> list[Option]:
    """The user's own regions, one level below them, and the region shown (two queries)."""
    own = report_regions(user)
    found = {d.code: d for d in [*own, *Division.objects.filter(parent__in=own), region]}
    top = min((LEVEL_DEPTH[d.level] for d in found.values()), default=0)
    return [
        Option(code=d.code, label="\u00a0\u00a0" * (LEVEL_DEPTH[d.level] - top) + d.display_name,
               selected=d.code == region.code)
        for d in sorted(found.values(), key=lambda d: d.code)
    ]


def _year_options(year: int) -> list[int]:
    return sorted(set(selectors.years_with_income(this_year=this_year())) | {year}, reverse=True)


def _crumbs(user, region: Division) -> list[Division]:
    """The regions above this one that the user may read, then this one."""
    scope = scope_for(user)
    above = [d for d in selectors.region_ancestors(region=region) if scope.is_operator or scope.reads_region(d.code)]
    return [*above, region]


def _filters_context(request, region: Division, year: int, *, regions: bool = True) -> dict:
    return {
        "region": region, "year": year, "crumbs": _crumbs(request.user, region), "year_options": _year_options(year),
        "region_options": _region_options(request.user, region) if regions else [],
        "base_query": urlencode({"region": region.code, "year": year}),
    }


# The report of a region -------------------------------------------------------------------------


def _child_level(region: Division) -> str:
    """What a region's report breaks down into: a township's villages, else the next level."""
    return "village" if region.level == DivisionLevel.TOWNSHIP else str(selectors.CHILD_LEVEL[region.level])


def _child_rows(region: Division, year: int, groups: list) -> tuple[str, list]:
    """The breakdown one level down (`groups`, from `region_report`): every child division (those
    with no households too) with its figures and the address that drills into it; for a
    township, its villages."""
    if region.level == DivisionLevel.TOWNSHIP:
        rows = groups
        for row in rows:
            row.name = row.code
            row.extra["href"] = reverse("impact:village") + _query(region=region.code, village=row.code, year=year)
        return "village", rows
    by = selectors.CHILD_LEVEL[region.level]
    rows = {f.code.ljust(6, "0"): f for f in groups}
    children = list(selectors.children_of(region))
    result = [rows.pop(d.code, None) or selectors.Figures(code=d.code) for d in children]
    for row, division in zip(result, children, strict=True):
        row.code, row.name = division.code, division.display_name
        row.extra["href"] = reverse("impact:report") + _query(region=division.code, year=year)
    result.sort(key=lambda f: (-f.net_income_credited, -f.households, f.code))
    return str(by), result


def _coded_rows(rows: list, code_list: str) -> list:
    for row in rows:
        row.name = codes.label(code_list, row.code)
    return rows


def _net_chart(chart_id: str, title: str, rows) -> charts.Chart:
    return charts.bar_chart(id=chart_id, title=title, items=[(r.name, r.net_income_credited) for r in rows],
                            message=_("No income credited in this year yet."))


@official_required
def report(request):
    form = ReportFilter(request.GET)
    if not form.is_valid():
        return _bad_filters(request, form)
    region = _region(request.user, form.cleaned_data["region"])
    year = form.cleaned_data["year"]
    prefix = region.code_prefix
    # The figures and all three breakdowns from one pass over the region's households.
    figures, groups = selectors.region_report(
        prefix=prefix, year=year, by=(_child_level(region), "poverty_cause", "attribute")
    )
    child_level, children = _child_rows(region, year, groups[_child_level(region)])
    causes = _coded_rows(groups["poverty_cause"], "poverty_cause")
    attributes = _coded_rows(groups["attribute"], "household_attribute")
    months = selectors.region_months(prefix=prefix, year=year)
    return render(request, "impact/report.html", {
        **_filters_context(request, region, year),
        "figures": figures,
        "lines": lines_for(year=year, region_code=prefix),
        "child_level": child_level, "children": children,
        # Areas with nothing credited stay in the table; the chart compares those with income.
        "children_chart": _net_chart("by-child", _("Net income credited by area"),
                                     [r for r in children if r.net_income_credited]),
        "causes": causes, "causes_chart": _net_chart("by-cause", _("Net income credited by poverty cause"), causes),
        "attributes": attributes,
        "attributes_chart": _net_chart("by-attribute", _("Net income credited by household attribute"), attributes),
        "months": months,
        "months_chart": charts.month_chart(
            id="months", title=_("Income by month, %(year)s") % {"year": year}, months=months,
            bars_name=_("net income credited"), line_name=_("gross sales"), month_names=_month_names(),
            month_labels=_month_labels(), through_month=12 if year < this_year() else timezone.localdate().month,
        ),
        "month_names": _month_names(),
    })


# A village's households, one household --------------------------------------------------------


@dataclass
class HouseholdRow:
    """A household as an official's list shows it: the head's name masked."""

    registry_id: str
    name: str
    village: str
    township: str
    members: int
    baseline: Decimal
    net: Decimal
    uplift: Decimal
    crossed: bool
    below_monitoring: bool
    last_net: Decimal | None = None

    @property
    def change_percent(self) -> Decimal | None:
        if not self.last_net or self.last_net <= 0:
            return None
        return ((self.net - self.last_net) * 100 / self.last_net).quantize(Decimal("1"))

    @property
    def fell(self) -> bool:
        return bool(self.last_net) and self.last_net > 0 and self.net < self.last_net * RELAPSE_DROP


def _household_row(h) -> HouseholdRow:
    return HouseholdRow(
        registry_id=h.registry_id, name=mask_name(h.head_name), village=h.village,
        township=h.township.display_name, members=h.members, baseline=h.baseline_income_per_capita,
        net=h.net, uplift=h.uplift, crossed=bool(h.crossed), below_monitoring=bool(h.below_monitoring),
        last_net=getattr(h, "last_net", None),
    )


@official_required
def village(request):
    form = VillageFilter(request.GET)
    if not form.is_valid():
        return _bad_filters(request, form)
    township = _region(request.user, form.cleaned_data["region"])
    if township.level != DivisionLevel.TOWNSHIP:
        raise Http404(_("Villages are listed by township."))
    name, year = form.cleaned_data["village"], form.cleaned_data["year"]
    figures = next((f for f in selectors.region_breakdown(prefix=township.code, year=year, by="village")
                    if f.code == name), None)
    if figures is None:
        raise Http404(_("This township has no registered households in that village."))
    households = selectors.village_households(township_code=township.code, year=year, village=name)
    page = Paginator(households.select_related("township"), HOUSEHOLDS_PAGE).get_page(request.GET.get("page"))
    return render(request, "impact/village.html", {
        **_filters_context(request, township, year, regions=False),
        "village": name, "figures": figures, "page": page, "rows": [_household_row(h) for h in page],
        "lines": lines_for(year=year, region_code=township.code),
        "page_query": _query(region=township.code, village=name, year=year),
    })


@official_required
def household(request, registry_id):
    form = YearFilter(request.GET)
    if not form.is_valid():
        return _bad_filters(request, form)
    found = get_object_or_404(Household.objects.select_related("township"), registry_id=registry_id)
    township = _region(request.user, found.township_id)
    year = form.cleaned_data["year"]
    figures = selectors.household_figures(household=found, year=year)
    entries = Paginator(selectors.household_entries(household=found), ENTRIES_PAGE).get_page(request.GET.get("page"))
    return render(request, "impact/household.html", {
        **_filters_context(request, township, year, regions=False),
        "household": found, "name": mask_name(found.head_name), "figures": figures,
        "income_per_capita": found.baseline_income_per_capita + figures.uplift,
        "poverty_cause": codes.label("poverty_cause", found.poverty_cause),
        "attribute": codes.label("household_attribute", found.attribute),
        "years": selectors.household_years(household=found, through_year=year),
        "entries": entries, "balance": selectors.household_balance(household=found),
        "village_url": reverse("impact:village") + _query(region=township.code, village=found.village, year=year),
        "page_query": _query(year=year),
    })


# The relapse-risk list ----------------------------------------------------------------------------


@official_required
def relapse_risk(request):
    form = ReportFilter(request.GET)
    if not form.is_valid():
        return _bad_filters(request, form)
    region = _region(request.user, form.cleaned_data["region"])
    year = form.cleaned_data["year"]
    households = selectors.relapse_risk(prefix=region.code_prefix, year=year, drop=RELAPSE_DROP)
    page = Paginator(households.select_related("township"), HOUSEHOLDS_PAGE).get_page(request.GET.get("page"))
    return render(request, "impact/relapse_risk.html", {
        **_filters_context(request, region, year),
        "page": page, "rows": [_household_row(h) for h in page],
        "lines": lines_for(year=year, region_code=region.code_prefix),
        "page_query": _query(region=region.code, year=year),
    })
