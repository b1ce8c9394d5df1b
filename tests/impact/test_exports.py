"""Downloads of the officials' reports: /impact/export/<table>.<fmt> as CSV, XLSX and (the
headline figures) PDF; rows as the selectors read them, heads' names masked, each persona's scope,
bad requests refused with 400, and the household CSV streamed in chunks."""

import codecs
import csv
import io
import re

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from openpyxl import load_workbook
from pypdf import PdfReader

from impact.exports import ROWS_PER_CHUNK, TABLES
from impact.selectors import region_breakdown, region_figures, region_households, region_months, relapse_risk
from sellers.factories import HouseholdFactory
from sellers.masking import mask_name
from shop.core.money import round_to_fen
from shop.models import Division
from tests.impact.money import operator
from tests.impact.report_sales import households_bulk
from tests.personas import A_DAY_IN_2026, MIAOBA, POJI, YANJIN, ZHAOTONG

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(A_DAY_IN_2026, tick=False)]

ZHENXIONG = "530627"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def export_url(table: str, fmt: str, *, language: str = "zh-hans", **params) -> str:
    with translation.override(language):
        url = reverse("impact:export", kwargs={"table": table, "fmt": fmt})
    return f"{url}?{urlencode(params)}" if params else url


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    content = body(response)
    assert content.startswith(codecs.BOM_UTF8), "Excel needs the BOM to read the Chinese"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def pdf_text(response) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@pytest.fixture
def yanjin_official(signed_in, people, sales):
    return signed_in(people.official_yanjin)


# Each table in each format ---------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES)
def test_it_exports_each_table_as_csv(yanjin_official, table):
    response = yanjin_official.get(export_url(table, "csv", region=YANJIN))

    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES["csv"]
    rows = csv_rows(response)
    assert len(rows) > 1
    assert {len(row) for row in rows[1:]} == {len(rows[0])}


@pytest.mark.parametrize("table", TABLES)
def test_it_exports_each_table_as_xlsx_with_the_rows_of_the_csv(yanjin_official, table):
    response = yanjin_official.get(export_url(table, "xlsx", region=YANJIN))

    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES["xlsx"]
    rows = xlsx_rows(response)
    csv_version = csv_rows(yanjin_official.get(export_url(table, "csv", region=YANJIN)))
    assert rows[0] == csv_version[0]
    assert [str(row[0]) for row in rows[1:]] == [row[0] for row in csv_version[1:]]


def test_the_xlsx_is_sent_from_a_file_in_chunks(yanjin_official):
    response = yanjin_official.get(export_url("households", "xlsx", region=YANJIN))

    assert isinstance(response, FileResponse)
    assert response.streaming


def test_the_headline_pdf_holds_the_figures_the_breakdown_and_the_months(yanjin_official):
    response = yanjin_official.get(export_url("figures", "pdf", region=YANJIN))

    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES["pdf"]
    text = pdf_text(response)
    figures = region_figures(prefix=YANJIN, year=2026)
    assert f"{figures.net_income_credited:,.2f}" in text
    assert f"{figures.gross_sales:,.2f}" in text
    assert Division.objects.get(code=MIAOBA).name in text  # the breakdown by township
    assert "盐津县" in text


def test_the_pdf_is_in_the_language_of_the_address(yanjin_official):
    response = yanjin_official.get(export_url("figures", "pdf", language="en", region=YANJIN))

    assert "Income uplift report" in pdf_text(response)


@pytest.mark.parametrize("table", [t for t in TABLES if t != "figures"])
def test_only_the_headline_figures_come_as_a_pdf(yanjin_official, table):
    assert yanjin_official.get(export_url(table, "pdf", region=YANJIN)).status_code == 400


# Rows as the selectors read them ----------------------------------------------------------------


def test_the_figures_are_the_regions(yanjin_official):
    rows = csv_rows(yanjin_official.get(export_url("figures", "csv", language="en", region=YANJIN)))

    values = dict(rows[1:])
    figures = region_figures(prefix=YANJIN, year=2026)
    assert values["Net income credited (CNY)"] == str(figures.net_income_credited) == "400.00"
    assert values["Gross sales (CNY)"] == str(figures.gross_sales)
    assert values["Households with sales"] == "2"
    assert values["Households"] == str(figures.households)
    assert values["Year"] == "2026"
    assert values["Poverty line (CNY per person per year)"]


def test_the_household_rows_are_the_regions_households_with_their_year(yanjin_official):
    rows = csv_rows(yanjin_official.get(export_url("households", "csv", region=YANJIN)))

    expected = {h.registry_id: tuple(str(round_to_fen(v)) for v in (h.gross, h.net, h.uplift))
                for h in region_households(prefix=YANJIN, year=2026)}
    assert {row[0]: (row[8], row[9], row[10]) for row in rows[1:]} == expected


def test_the_breakdown_is_by_township_for_a_county_and_by_what_is_asked(yanjin_official):
    by_township = csv_rows(yanjin_official.get(export_url("breakdown", "csv", region=YANJIN)))
    by_cause = csv_rows(yanjin_official.get(export_url("breakdown", "csv", region=YANJIN, by="poverty_cause")))

    assert [row[0] for row in by_township[1:]] == [g.code for g in region_breakdown(prefix=YANJIN, year=2026, by="township")]
    assert [row[0] for row in by_cause[1:]] == [g.code for g in region_breakdown(prefix=YANJIN, year=2026, by="poverty_cause")]


def test_a_city_breaks_down_by_county(signed_in, people, sales):
    rows = csv_rows(signed_in(people.official_zhaotong).get(export_url("breakdown", "csv", region=ZHAOTONG)))

    assert {row[0] for row in rows[1:]} == {YANJIN, ZHENXIONG}
    assert {row[1] for row in rows[1:]} == {"盐津县", "镇雄县"}


def test_the_months_hold_the_years_income_in_its_month(yanjin_official):
    rows = csv_rows(yanjin_official.get(export_url("months", "csv", region=YANJIN)))

    months = region_months(prefix=YANJIN, year=2026)
    assert [row[0] for row in rows[1:]] == [str(m) for m in range(1, 13)]
    assert rows[6][2] == str(months[5]["net_income"]) == "400.00"  # June
    assert rows[1][2] == "0.00"


def test_the_relapse_list_is_the_selectors(yanjin_official):
    rows = csv_rows(yanjin_official.get(export_url("relapse", "csv", region=YANJIN)))

    assert [row[0] for row in rows[1:]] == [h.registry_id for h in relapse_risk(prefix=YANJIN, year=2026)]


def test_another_year_has_no_income(yanjin_official):
    rows = csv_rows(yanjin_official.get(export_url("figures", "csv", language="en", region=YANJIN, year=2025)))

    assert dict(rows[1:])["Net income credited (CNY)"] == "0.00"


def test_the_file_is_named_after_the_region_the_year_and_the_table(yanjin_official):
    response = yanjin_official.get(export_url("households", "csv", region=YANJIN))
    breakdown = yanjin_official.get(export_url("breakdown", "xlsx", region=YANJIN, by="township"))

    assert 'filename="impact-530623-2026-households.csv"' in response["Content-Disposition"]
    assert 'filename="impact-530623-2026-breakdown-township.xlsx"' in breakdown["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


def test_the_headings_are_in_the_language_of_the_address(yanjin_official):
    rows = csv_rows(yanjin_official.get(export_url("households", "csv", language="en", region=YANJIN)))

    assert rows[0][:3] == ["Registry ID", "Head of household", "Township"]
    assert {row[2] for row in rows[1:]} == {Division.objects.get(code=MIAOBA).name_en} == {"Miaoba Town"}


# Personal data ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("table", ["households", "relapse"])
def test_heads_are_named_by_family_name_only_and_no_numbers_leave(yanjin_official, people, table, fmt):
    household = people.household_miaoba
    content = body(yanjin_official.get(export_url(table, fmt, region=YANJIN)))
    text = content.decode("utf-8-sig") if fmt == "csv" else "\n".join(
        " ".join(str(v) for v in row) for row in xlsx_rows(yanjin_official.get(export_url(table, fmt, region=YANJIN)))
    )

    assert household.head_name not in text
    assert household.id_number not in text
    assert not re.search(r"[0-9]{17}[0-9X]", text), "no ID number, whoever's"
    assert household.phone not in text
    assert household.bank_account not in text
    if table == "households" or household.registry_id in text:
        assert mask_name(household.head_name) in text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_text_a_spreadsheet_would_run_as_a_formula_is_defused(yanjin_official, fmt):
    HouseholdFactory(township=Division.objects.get(code=MIAOBA), village='=HYPERLINK("http://evil.example","点")',
                     registry_id="FORMULA01")
    response = yanjin_official.get(export_url("households", fmt, region=YANJIN))

    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    village = next(row[3] for row in rows if row[0] == "FORMULA01")
    assert village == '\'=HYPERLINK("http://evil.example","点")'


# Who may download what -------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "region", "status"), [
    ("official_yanjin", YANJIN, 200),
    ("official_yanjin", MIAOBA, 200),
    ("official_yanjin", ZHENXIONG, 403),
    ("official_yanjin", POJI, 403),
    ("official_yanjin", ZHAOTONG, 403),
    ("official_zhaotong", ZHAOTONG, 200),
    ("official_zhaotong", ZHENXIONG, 200),
    ("clerk_miaoba", YANJIN, 403),
    ("manager_miaoba", MIAOBA, 403),
    ("clerk_poji", ZHENXIONG, 403),
    ("buyer", YANJIN, 403),
])
def test_each_persona_downloads_only_its_own_region(signed_in, people, persona, region, status):
    client = signed_in(getattr(people, persona))

    assert client.get(export_url("households", "csv", region=region)).status_code == status
    assert client.get(export_url("figures", "pdf", region=region)).status_code == status


def test_the_operator_downloads_any_region(signed_in, people, sales):
    client = signed_in(operator())

    assert client.get(export_url("households", "csv", region=ZHENXIONG)).status_code == 200
    assert client.get(export_url("figures", "pdf")).status_code == 200  # the first city


def test_a_visitor_is_sent_to_sign_in(client, people):
    response = client.get(export_url("households", "csv", region=YANJIN))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("impact:login"))


def test_without_a_region_the_officials_own_is_exported(yanjin_official):
    response = yanjin_official.get(export_url("households", "csv"))

    assert response.status_code == 200
    assert "impact-530623-2026-households.csv" in response["Content-Disposition"]


def test_an_unknown_region_is_404(signed_in, people):
    assert signed_in(people.official_zhaotong).get(export_url("households", "csv", region="530699")).status_code == 404


@pytest.mark.parametrize(("table", "fmt", "params"), [
    ("nope", "csv", {}),
    ("households", "doc", {}),
    ("households", "CSV", {}),
    ("breakdown", "csv", {"by": "street"}),
    ("households", "csv", {"year": "abc"}),
    ("households", "csv", {"year": "2012"}),
    ("households", "csv", {"year": "2027"}),
    ("households", "csv", {"year": "２０２６"}),
    ("households", "csv", {"year": "-1"}),
    ("households", "csv", {"year": "9" * 5000}),
    ("households", "csv", {"region": "abc"}),
    ("households", "csv", {"region": "5306-00"}),
    ("households", "csv", {"region": "5" * 40}),
])
def test_a_bad_request_is_400_with_the_reason(signed_in, people, table, fmt, params):
    response = signed_in(people.official_zhaotong).get(export_url(table, fmt, **params))

    assert response.status_code == 400
    assert response.content


def test_exports_are_only_read(signed_in, people):
    assert signed_in(people.official_yanjin).post(export_url("households", "csv")).status_code == 405


# A city's households, streamed -----------------------------------------------------------------


def test_the_household_csv_streams_in_chunks_read_a_few_thousand_at_a_time(signed_in, people,
                                                                         django_assert_max_num_queries):
    households_bulk(3000, township=MIAOBA)
    client = signed_in(people.official_zhaotong)

    response = client.get(export_url("households", "csv", region=ZHAOTONG))
    assert isinstance(response, StreamingHttpResponse)
    with django_assert_max_num_queries(3):  # the rows come from one query, however many
        chunks = list(response.streaming_content)

    assert len(chunks) >= 3000 // ROWS_PER_CHUNK
    assert max(chunk.count(b"\n") for chunk in chunks) <= ROWS_PER_CHUNK + 1
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert len(rows) == 1 + region_households(prefix="5306", year=2026).count()


def test_villages_are_broken_down_for_one_township_only(yanjin_official):
    response = yanjin_official.get(export_url("breakdown", "csv", region=YANJIN, by="village"))

    assert response.status_code == 400
