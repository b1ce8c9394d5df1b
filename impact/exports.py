"""The officials' reports as files: every table as CSV and XLSX, the headline report as a PDF.

A table is a title, its column headings (in the request's language) and its rows, produced
lazily: the households of a city are read from the database 2,000 at a time
(`.iterator(chunk_size=2000)`) and written out as they come, so an export's memory stays flat
however many households the region has. CSV is streamed as it is written (UTF-8 with a byte-order
mark, without which Excel reads the Chinese as mojibake); XLSX is written row by row by openpyxl's
write-only workbook into a temporary file, then sent from it in chunks; the PDF is one or two pages
and made in memory.

Personal data: a household's head is named only by the family name (`mask_name`); ID numbers,
phones and bank accounts are never exported. Text that a spreadsheet would run as a formula (a
village typed as "=HYPERLINK(...)") is written with a leading apostrophe."""

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from impact.forms import report_years, year_out_of_range_message
from impact.lines import Lines, lines_for
from impact.models import ZERO
from impact.selectors import (
    FIGURES,
    Figures,
    region_breakdown,
    region_figures,
    region_households,
    region_months,
    relapse_risk,
)
from logistics.documents import CJK
from sellers import codes
from sellers.masking import mask_name
from shop.core.i18n import wants_english
from shop.core.money import round_to_fen
from shop.models import Division, DivisionLevel

TABLES = ("figures", "breakdown", "months", "households", "relapse")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
PDF_TABLES = ("figures",)  # the headline report; the long tables are for spreadsheets
BREAKDOWNS = ("county", "township", "village", "poverty_cause", "attribute")
# A region breaks down one level down by default (a township into its villages).
DEFAULT_BREAKDOWN = {
    DivisionLevel.PROVINCE: "county",
    DivisionLevel.CITY: "county",
    DivisionLevel.COUNTY: "township",
    DivisionLevel.TOWNSHIP: "village",
}
REGION_CODE = re.compile(r"[0-9]{2,12}")
ROWS_PER_CHUNK = 200  # CSV rows sent at a time: about 20 KB, small enough for a station's link
DB_CHUNK = 2000  # rows read from the database at a time

FIGURE_LABELS = {
    "households": gettext_lazy("Households"),
    "households_with_sales": gettext_lazy("Households with sales"),
    "gross_sales": gettext_lazy("Gross sales (CNY)"),
    "net_income_credited": gettext_lazy("Net income credited (CNY)"),
    "mean_per_capita_uplift": gettext_lazy("Mean per-capita uplift (CNY)"),
    "median_per_capita_uplift": gettext_lazy("Median per-capita uplift (CNY)"),
    "households_crossed_line": gettext_lazy("Households that crossed the line"),
    "households_below_monitoring_line": gettext_lazy("Households below the monitoring line"),
}
BREAKDOWN_LABELS = {
    "county": gettext_lazy("County"),
    "township": gettext_lazy("Township"),
    "village": gettext_lazy("Village"),
    "poverty_cause": gettext_lazy("Main poverty cause"),
    "attribute": gettext_lazy("Household attribute"),
}
# Spreadsheets run a cell that starts with these as a formula: a name must never be one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class BadExport(ValueError):
    """An export asked for with a table, format, breakdown or year that does not exist."""


# What may be asked for -------------------------------------------------------------------------


def year_from(value: str | None) -> int:
    """The year asked for (this year when none); BadExport for anything else."""
    if value in (None, ""):
        return timezone.localdate().year
    years = report_years()
    # Four digits at most before int(): Python refuses to convert thousands of digits (a 500).
    if not (value.isascii() and value.isdigit() and len(value) <= 4 and int(value) in years):
        raise BadExport(year_out_of_range_message(years))
    return int(value)


def region_code_from(value: str | None) -> str | None:
    """A division code as asked for (None: the user's own region); BadExport if it cannot be one."""
    if value in (None, ""):
        return None
    if not REGION_CODE.fullmatch(value):
        raise BadExport(_("A region is a division code of digits, e.g. 530623."))
    return value


def breakdown_from(value: str | None, *, region: Division) -> str:
    if value in (None, ""):
        return DEFAULT_BREAKDOWN[region.level]
    if value not in BREAKDOWNS:
        raise BadExport(_("Break down by one of: %(choices)s.") % {"choices": ", ".join(BREAKDOWNS)})
    if value == "village" and region.level != DivisionLevel.TOWNSHIP:
        # Village names repeat from one township to the next: only a township's are one each.
        raise BadExport(_("Villages are listed for one township at a time."))
    return value


def check_table(table: str, fmt: str) -> None:
    if table not in TABLES:
        raise BadExport(_("There is no table “%(table)s”; choose one of: %(choices)s.") % {
            "table": table, "choices": ", ".join(TABLES)})
    if fmt not in FORMATS:
        raise BadExport(_("Exports are CSV, XLSX or PDF."))
    if fmt == "pdf" and table not in PDF_TABLES:
        raise BadExport(_("Only the headline figures come as a PDF; take the other tables as CSV or XLSX."))


def export_filename(*, region: Division, year: int, table: str, fmt: str, by: str | None = None) -> str:
    """impact-530623-2026-households.csv (a breakdown names its grouping too)."""
    parts = ["impact", region.code, str(year), table] + ([by] if table == "breakdown" and by else [])
    return "-".join(parts) + "." + fmt


# Names of the groups a region breaks down into ----------------------------------------------------


def named_breakdown(*, prefix: str, year: int, by: str, groups: list[Figures] | None = None) -> list[Figures]:
    """`region_breakdown` (or `groups` already read by `region_report`) with each group's name in
    the request's language: a county's or a township's from the divisions (one query), a poverty
    cause's or attribute's from the code lists, a village's is its name already."""
    groups = region_breakdown(prefix=prefix, year=year, by=by) if groups is None else groups
    if by in ("county", "township"):
        divisions = {d.code: d.display_name for d in Division.objects.filter(code__in=[g.code for g in groups])}
        name = divisions.get
    elif by == "poverty_cause":
        name = lambda code: codes.label("poverty_cause", code)  # noqa: E731
    elif by == "attribute":
        name = lambda code: codes.label("household_attribute", code)  # noqa: E731
    else:
        name = lambda code: code  # noqa: E731
    for group in groups:
        group.name = name(group.code) or group.code
    return groups


# Tables -------------------------------------------------------------------------------------------


@dataclass
class ExportTable:
    title: str
    headings: list[str]
    rows: Iterable[list]
    money_columns: frozenset[int] = frozenset()  # shown with two decimals in a spreadsheet


def money(value) -> Decimal:
    return round_to_fen(value if value is not None else ZERO)


def yes_no(value) -> str:
    return _("yes") if value else _("no")


def _division_name(zh: str, en: str) -> str:
    return en if en and wants_english() else zh


def figures_table(*, region: Division, year: int) -> ExportTable:
    figures = region_figures(prefix=region.code_prefix, year=year)
    lines = lines_for(year=year, region_code=region.code_prefix)
    return ExportTable(
        title=_("Headline figures"),
        headings=[_("Figure"), _("Value")],
        rows=[
            [_("Region"), f"{region.display_name} ({region.code})"],
            [_("Year"), year],
            *([str(FIGURE_LABELS[name]), value] for name, value in figures.as_dict().items()),
            *_line_rows(lines),
        ],
    )


def _line_rows(lines: Lines) -> list[list]:
    return [
        [_("Poverty line (CNY per person per year)"), lines.poverty if lines.poverty is not None else ""],
        [_("Monitoring line (CNY per person per year)"), lines.monitoring if lines.monitoring is not None else ""],
    ]


def breakdown_table(*, region: Division, year: int, by: str) -> ExportTable:
    groups = named_breakdown(prefix=region.code_prefix, year=year, by=by)
    return ExportTable(
        title=_("By %(group)s") % {"group": BREAKDOWN_LABELS[by]},
        headings=[_("Code"), str(BREAKDOWN_LABELS[by]), *(str(FIGURE_LABELS[name]) for name in FIGURES)],
        rows=([group.code, group.name, *group.as_dict().values()] for group in groups),
        money_columns=frozenset(2 + FIGURES.index(name) for name in FIGURES if _is_money(name)),
    )


def _is_money(figure: str) -> bool:
    return figure in ("gross_sales", "net_income_credited", "mean_per_capita_uplift", "median_per_capita_uplift")


def months_table(*, region: Division, year: int) -> ExportTable:
    months = region_months(prefix=region.code_prefix, year=year)
    return ExportTable(
        title=_("By month"),
        headings=[_("Month"), str(FIGURE_LABELS["gross_sales"]), str(FIGURE_LABELS["net_income_credited"])],
        rows=([m["month"], m["gross_sales"], m["net_income"]] for m in months),
        money_columns=frozenset({1, 2}),
    )


HOUSEHOLD_FIELDS = [
    "registry_id", "head_name", "township__name", "township__name_en", "village", "members", "poverty_cause",
    "attribute", "baseline_income_per_capita", "gross", "net", "uplift", "line", "crossed", "below_monitoring",
]


def households_table(*, region: Division, year: int) -> ExportTable:
    """Every household of the region with its year's figures, read 2,000 at a time."""
    households = (
        region_households(prefix=region.code_prefix, year=year)
        .order_by("registry_id")
        .values_list(*HOUSEHOLD_FIELDS)
        .iterator(chunk_size=DB_CHUNK)
    )

    def rows() -> Iterator[list]:
        for (registry_id, head, township, township_en, village, members, cause, attribute, baseline, gross, net,
             uplift, line, crossed, below) in households:
            yield [
                registry_id, mask_name(head), _division_name(township, township_en), village, members,
                codes.label("poverty_cause", cause), codes.label("household_attribute", attribute), money(baseline),
                money(gross), money(net), money(uplift), money(line), yes_no(crossed), yes_no(below),
            ]

    return ExportTable(
        title=_("Households"),
        headings=[
            _("Registry ID"), _("Head of household"), _("Township"), _("Village"), _("Members"),
            _("Main poverty cause"), _("Household attribute"), _("Baseline per-capita income (CNY)"),
            str(FIGURE_LABELS["gross_sales"]), str(FIGURE_LABELS["net_income_credited"]),
            _("Per-capita uplift (CNY)"), _("Line (CNY per person)"), _("Crossed the year's line"),
            _("Below the monitoring line"),
        ],
        rows=rows(),
        money_columns=frozenset({7, 8, 9, 10, 11}),
    )


RELAPSE_FIELDS = [
    "registry_id", "head_name", "township__name", "township__name_en", "village", "members",
    "baseline_income_per_capita", "last_net", "net", "uplift", "below_monitoring",
]


def relapse_table(*, region: Division, year: int) -> ExportTable:
    """The households for the stations to visit (`relapse_risk`), sharpest fall first."""
    households = relapse_risk(prefix=region.code_prefix, year=year).values_list(*RELAPSE_FIELDS).iterator(
        chunk_size=DB_CHUNK
    )

    def rows() -> Iterator[list]:
        for registry_id, head, township, township_en, village, members, baseline, last_net, net, uplift, below in households:
            yield [
                registry_id, mask_name(head), _division_name(township, township_en), village, members,
                money(baseline), money(last_net), money(net), money(uplift), yes_no(below),
            ]

    return ExportTable(
        title=_("Relapse risk"),
        headings=[
            _("Registry ID"), _("Head of household"), _("Township"), _("Village"), _("Members"),
            _("Baseline per-capita income (CNY)"), _("Net income credited last year (CNY)"),
            str(FIGURE_LABELS["net_income_credited"]), _("Per-capita uplift (CNY)"),
            _("Below the monitoring line"),
        ],
        rows=rows(),
        money_columns=frozenset({5, 6, 7, 8}),
    )


def export_table(*, table: str, region: Division, year: int, by: str) -> ExportTable:
    builders: dict[str, Callable[[], ExportTable]] = {
        "figures": lambda: figures_table(region=region, year=year),
        "breakdown": lambda: breakdown_table(region=region, year=year, by=by),
        "months": lambda: months_table(region=region, year=year),
        "households": lambda: households_table(region=region, year=year),
        "relapse": lambda: relapse_table(region=region, year=year),
    }
    return builders[table]()


# Writers ------------------------------------------------------------------------------------------


def safe_text(value):
    """Text a spreadsheet would take for a formula, defused; everything else as it is (the
    exports and the payouts' bank file)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_chunks(table: ExportTable, *, rows_per_chunk: int = ROWS_PER_CHUNK) -> Iterator[str]:
    """The table as CSV text, a few hundred rows at a time; the first chunk starts with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(table.headings)
    for count, row in enumerate(table.rows, start=1):
        writer.writerow([safe_text(value) for value in row])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def xlsx_file(table: ExportTable):
    """The table as a workbook in a temporary file (open, at its start; deleted when closed).
    The write-only workbook keeps no rows in memory: each is written out as it is appended."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(table.title))
    sheet.append(table.headings)
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, value, money=i in table.money_columns) for i, value in enumerate(row)])
    # Small exports stay in memory; a city's households go to disk.
    file = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)
    workbook.save(file)
    file.seek(0)
    return file


def _sheet_title(title: str) -> str:
    # Excel's limits: 31 characters, none of []:*?/\
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"


def _xlsx_cell(sheet, value, *, money: bool):
    value = safe_text(value)
    if money and isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "#,##0.00"
        return cell
    return value


# The headline report (PDF) ----------------------------------------------------------------------


def _style(size: float, **options) -> ParagraphStyle:
    # Chinese has no spaces to break lines at: wordWrap="CJK" breaks between any two characters,
    # which would cut English words in half.
    wrap = None if wants_english() else "CJK"
    return ParagraphStyle(f"report{size}", fontName=CJK, fontSize=size, leading=size * 1.35, wordWrap=wrap, **options)


def _grid(rows: list[list], widths: list[float], *, numeric_from: int) -> Table:
    cell, number = _style(8), _style(8, alignment=2)
    content = [
        [Paragraph(escape(str(value)), number if i >= numeric_from and r else cell) for i, value in enumerate(row)]
        for r, row in enumerate(rows)
    ]
    table = Table(content, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def _shown(value) -> str:
    return f"{value:,.2f}" if isinstance(value, Decimal) else str(value)


def _months_chart(months: list[dict]) -> Drawing:
    """Net income credited by month, as bars."""
    drawing = Drawing(170 * mm, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 14 * mm, 8 * mm, 150 * mm, 42 * mm
    # Bar heights are drawing coordinates, not money: a float is what ReportLab plots.
    chart.data = [[float(m["net_income"]) for m in months]]
    chart.categoryAxis.categoryNames = [str(m["month"]) for m in months]
    chart.categoryAxis.labels.fontName = CJK
    chart.valueAxis.labels.fontName = CJK
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#2e7d32")
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing


def headline_pdf(*, region: Division, year: int) -> bytes:
    """One or two A4 pages: the region's headline figures and lines, its breakdown one level down,
    and its months (a table and a bar chart), in the request's language."""
    prefix = region.code_prefix
    figures = region_figures(prefix=prefix, year=year)
    lines = lines_for(year=year, region_code=prefix)
    by = DEFAULT_BREAKDOWN[region.level]
    groups = named_breakdown(prefix=prefix, year=year, by=by)
    months = region_months(prefix=prefix, year=year)

    title = _("Income uplift report: %(region)s, %(year)s") % {"region": region.display_name, "year": year}
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, leftMargin=15 * mm, rightMargin=15 * mm,
                                 topMargin=14 * mm, bottomMargin=14 * mm)
    headline = [[_("Figure"), _("Value")]] + [
        [str(FIGURE_LABELS[name]), _shown(value)] for name, value in figures.as_dict().items()
    ] + [[label, _shown(value)] for label, value in _line_rows(lines)]
    shown_groups = [
        [group.name, group.households, group.households_with_sales, _shown(group.net_income_credited),
         _shown(group.mean_per_capita_uplift), group.households_crossed_line, group.households_below_monitoring_line]
        for group in groups
    ]
    breakdown = [[
        str(BREAKDOWN_LABELS[by]), str(FIGURE_LABELS["households"]), str(FIGURE_LABELS["households_with_sales"]),
        str(FIGURE_LABELS["net_income_credited"]), str(FIGURE_LABELS["mean_per_capita_uplift"]),
        str(FIGURE_LABELS["households_crossed_line"]), str(FIGURE_LABELS["households_below_monitoring_line"]),
    ]] + shown_groups
    monthly = [[_("Month"), str(FIGURE_LABELS["gross_sales"]), str(FIGURE_LABELS["net_income_credited"])]] + [
        [m["month"], _shown(m["gross_sales"]), _shown(m["net_income"])] for m in months
    ]
    generated = _("Region code %(code)s · made %(date)s · per-capita uplift = net income credited ÷ members") % {
        "code": region.code, "date": timezone.localdate().isoformat()}
    story = [
        Paragraph(escape(title), _style(16)),
        Paragraph(escape(generated), _style(8, textColor=colors.grey, spaceBefore=2)),
        Spacer(0, 4 * mm),
        _grid(headline, [110 * mm, 60 * mm], numeric_from=1),
        Spacer(0, 5 * mm),
        Paragraph(escape(_("By %(group)s") % {"group": BREAKDOWN_LABELS[by]}), _style(11, spaceAfter=2)),
        _grid(breakdown, [40 * mm, 18 * mm, 20 * mm, 26 * mm, 24 * mm, 20 * mm, 22 * mm], numeric_from=1)
        if shown_groups else Paragraph(escape(_("No households registered yet.")), _style(9)),
        Spacer(0, 5 * mm),
        Paragraph(escape(_("By month")), _style(11, spaceAfter=2)),
        Paragraph(escape(str(FIGURE_LABELS["net_income_credited"])), _style(8, textColor=colors.grey)),
        _months_chart(months),
        _grid(monthly, [30 * mm, 50 * mm, 50 * mm], numeric_from=1),
    ]
    document.build(story)
    return buffer.getvalue()
