"""The report's charts: geometry worked out on the server (bars proportional to the values, one
axis at zero with negative values on its other side, an empty chart with a message when there is
nothing to draw) and SVG that says what it shows to a screen reader."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from impact.charts import BAR_WIDTH, PAD, VALUE_COLUMN, bar_chart, month_chart, nice_step

D = Decimal
MONTH_NAMES = [f"{m}月" for m in range(1, 13)]


def months(net: dict[int, str], gross: dict[int, str] | None = None) -> list[dict]:
    gross = gross if gross is not None else net
    return [{"month": m, "net_income": D(net.get(m, "0.00")), "gross_sales": D(gross.get(m, "0.00"))}
            for m in range(1, 13)]


def months_chart(net, gross=None):
    return month_chart(id="m", title="Income by month", months=months(net, gross), bars_name="net income",
                       line_name="gross sales", month_names=MONTH_NAMES)


def close(a: Decimal, b: Decimal) -> bool:
    """Equal to the tenth of a unit the coordinates are rounded to (twice, for a difference)."""
    return abs(a - b) <= D("0.2")


# Bars ------------------------------------------------------------------------------------------


def test_bars_are_proportional_to_the_values():
    chart = bar_chart(id="c", title="t", items=[("a", D("300.00")), ("b", D("100.00")), ("c", D("150.00"))])
    a, b, c = chart.bars
    assert close(a.width, 3 * b.width)
    assert close(c.width, D("1.5") * b.width)


def test_the_longest_bar_fills_the_plot_and_all_start_at_zero():
    chart = bar_chart(id="c", title="t", items=[("a", D("80.00")), ("b", D("20.00"))])
    assert chart.zero == chart.plot_left == PAD
    assert all(bar.x == chart.zero for bar in chart.bars)
    assert chart.bars[0].width == BAR_WIDTH - VALUE_COLUMN - 2 * PAD
    assert chart.bars[0].x + chart.bars[0].width == chart.plot_right


def test_each_bar_has_its_own_row():
    chart = bar_chart(id="c", title="t", items=[("a", D("1")), ("b", D("2")), ("c", D("3"))])
    ys = [bar.y for bar in chart.bars]
    assert ys == sorted(ys) and len(set(ys)) == 3
    assert chart.height > ys[-1] + chart.bars[-1].height


def test_a_negative_value_draws_left_of_the_axis():
    chart = bar_chart(id="c", title="t", items=[("sales", D("100.00")), ("refunds", D("-50.00"))])
    sales, refunds = chart.bars
    assert refunds.negative and not sales.negative
    assert chart.zero > chart.plot_left
    assert refunds.x == chart.plot_left
    assert sales.x == chart.zero
    assert close(refunds.x + refunds.width, chart.zero)
    assert close(sales.width, 2 * refunds.width)
    assert close(sales.width + refunds.width, D(BAR_WIDTH - VALUE_COLUMN - 2 * PAD))


def test_nothing_to_draw_is_an_empty_chart_with_a_message():
    for items in ([], [("a", D("0.00")), ("b", D("0.00"))]):
        chart = bar_chart(id="c", title="t", items=items, message="Nothing credited yet.")
        assert chart.empty
        assert chart.message == "Nothing credited yet."
        assert chart.height > 0


def test_the_bars_write_their_values_as_money():
    chart = bar_chart(id="c", title="t", items=[("a", D("12345.60"))])
    assert chart.bars[0].shown == "¥12,345.60"


# Months ----------------------------------------------------------------------------------------


def test_a_month_bar_is_as_tall_as_its_income():
    chart = months_chart({3: "400.00", 4: "100.00"})
    march, april = chart.bars[2], chart.bars[3]
    assert close(march.height, 4 * april.height)
    assert close(march.y + march.height, chart.zero) and close(april.y + april.height, chart.zero)
    assert chart.bars[0].height == 0


def test_the_months_are_drawn_in_order_left_to_right():
    chart = months_chart({1: "1.00"})
    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs) and len(xs) == 12
    assert [bar.label for bar in chart.bars] == MONTH_NAMES


def test_the_axis_covers_the_highest_value_in_round_steps():
    chart = months_chart({6: "1234.00"}, {6: "1500.00"})
    values = [tick.value for tick in chart.ticks]
    assert values[0] == 0 and values[-1] >= D("1500")
    steps = {b - a for a, b in zip(values, values[1:])}
    assert len(steps) == 1
    assert chart.ticks[-1].y >= chart.plot_top
    assert chart.points[5].y < chart.bars[5].y  # gross above net


def test_a_month_whose_refunds_outweighed_its_sales_draws_below_the_zero_line():
    chart = months_chart({2: "300.00", 3: "-100.00"}, {2: "300.00", 3: "0.00"})
    february, march = chart.bars[1], chart.bars[2]
    assert march.negative and not february.negative
    assert march.y == chart.zero
    assert close(february.height, 3 * march.height)
    assert chart.ticks[0].value < 0 < chart.ticks[-1].value
    assert chart.zero < chart.plot_bottom


def test_a_year_with_no_sales_is_an_empty_chart_with_a_message():
    chart = months_chart({})
    assert chart.empty
    assert chart.message


@pytest.mark.parametrize("raw,step", [
    ("0.3", "0.5"), ("1", "1"), ("3", "5"), ("7", "10"), ("12", "20"), ("180", "200"), ("2500", "5000"),
])
def test_the_axis_steps_are_one_two_or_five_times_a_power_of_ten(raw, step):
    assert nice_step(D(raw)) == D(step)


# The SVG ---------------------------------------------------------------------------------------


def test_the_svg_says_what_it_shows():
    chart = bar_chart(id="by-cause", title="Net income by cause", items=[("illness", D("10.00"))])
    svg = render_to_string("impact/_bar_chart.svg.html", {"chart": chart})
    assert 'role="img"' in svg and 'aria-labelledby="by-cause-title by-cause-desc"' in svg
    assert '<title id="by-cause-title">Net income by cause</title>' in svg
    assert '<desc id="by-cause-desc">' in svg
    assert f'viewBox="0 0 {chart.width} {chart.height}"' in svg
    assert "illness" in svg and "¥10.00" in svg


def test_the_svg_coordinates_are_not_localized():
    chart = months_chart({1: "1234567.00"})
    with translation.override("en"):
        svg = render_to_string("impact/_month_chart.svg.html", {"chart": chart})
    bar = chart.bars[0]
    assert f'y="{bar.y}" width="{bar.width}" height="{bar.height}"' in svg
    assert "<polyline" in svg and 'class="legend"' in svg


def test_an_empty_svg_carries_its_message():
    chart = bar_chart(id="e", title="t", items=[], message="Nothing credited yet.")
    svg = render_to_string("impact/_bar_chart.svg.html", {"chart": chart})
    assert "Nothing credited yet." in svg and "<rect class=\"frame\"" in svg
    assert "<g class=\"bar" not in svg


def test_the_gross_line_stops_at_the_last_month_so_far():
    chart = month_chart(id="m", title="t", months=months({1: "5.00", 6: "9.00"}), bars_name="net", line_name="gross",
                        month_names=MONTH_NAMES, through_month=6)
    assert [p.label for p in chart.points] == MONTH_NAMES[:6]
    assert len(chart.bars) == 12


def test_the_months_may_carry_shorter_labels_under_the_bars():
    chart = month_chart(id="m", title="t", months=months({1: "5.00"}), bars_name="net", line_name="gross",
                        month_names=MONTH_NAMES, month_labels=[str(m) for m in range(1, 13)])
    assert chart.bars[9].axis_label == "10" and chart.bars[9].label == "10月"
