"""The report pages' charts, drawn on the server as SVG: no script and nothing from a CDN, so they
show on a station's cheap phone over a weak link as fast as the table beside them.

Each function turns figures into geometry (a `Chart` of bars, axis and ticks in the units of its
`viewBox`); the templates `impact/_bar_chart.svg.html` and `impact/_month_chart.svg.html` only
draw it. The `viewBox` keeps the proportions while the SVG takes the width of the phone or the
desktop column. Geometry is worked out in Decimal like the money it draws, rounded to a tenth
of a unit."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

UNIT = Decimal("0.1")
ZERO = Decimal("0")


def _u(value) -> Decimal:
    """A coordinate, to a tenth of a unit."""
    return Decimal(value).quantize(UNIT, rounding=ROUND_HALF_UP)


def money(value: Decimal) -> str:
    return f"¥{value:,.2f}"


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    shown: str  # the value as the chart writes it
    x: Decimal
    y: Decimal
    width: Decimal
    height: Decimal
    negative: bool = False
    axis_label: str = ""  # a shorter label under the bar, where there is little room (the months)
    label_x: Decimal = ZERO
    label_y: Decimal = ZERO
    value_y: Decimal = ZERO


@dataclass(frozen=True)
class Tick:
    value: Decimal
    shown: str
    y: Decimal


@dataclass(frozen=True)
class Point:
    label: str
    value: Decimal
    shown: str
    x: Decimal
    y: Decimal


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    bars: tuple[Bar, ...] = ()
    message: str = ""  # drawn instead of the bars when there is nothing to show
    zero: Decimal = ZERO  # where the axis is: x for horizontal bars, y for the months
    plot_left: Decimal = ZERO
    plot_right: Decimal = ZERO
    plot_top: Decimal = ZERO
    plot_bottom: Decimal = ZERO
    ticks: tuple[Tick, ...] = ()
    points: tuple[Point, ...] = ()  # the second series, drawn as a line
    series: dict = field(default_factory=dict)  # the legend: {"bars": name, "line": name}

    @property
    def empty(self) -> bool:
        return not self.bars

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


# Horizontal bars: one row a group (a township, a poverty cause), its name above its bar ----------

BAR_WIDTH = 420  # viewBox units; on a phone about one unit a pixel
VALUE_COLUMN = 118  # the value written at the right end of each row
ROW = 42
BAR_HEIGHT = 14
PAD = 8  # inside the chart's frame, left and right
EMPTY_HEIGHT = 96


def bar_chart(
    *, id: str, title: str, items: Sequence[tuple[str, Decimal]], desc: str = "", message: str = "",
    fmt: Callable[[Decimal], str] = money,
) -> Chart:
    """Bars proportional to each item's value, from one axis at zero: positive to the right,
    negative (a year whose refunds outweighed its sales) to the left of it. With nothing to
    draw (no items, or all zero), an empty chart carrying `message`."""
    message = message or _("Nothing recorded yet.")
    values = [value for _label, value in items]
    if not any(values):
        return Chart(id=id, title=title, desc=desc or message, width=BAR_WIDTH, height=EMPTY_HEIGHT, message=message)
    plot = Decimal(BAR_WIDTH - VALUE_COLUMN - 2 * PAD)
    most, least = max(max(values), ZERO), min(min(values), ZERO)
    span = most - least
    zero = PAD + plot * -least / span
    bars = []
    for row, (label, value) in enumerate(items):
        top = Decimal(4 + row * ROW)
        length = plot * abs(value) / span
        bars.append(Bar(
            label=label, value=value, shown=fmt(value), negative=value < 0,
            x=_u(zero if value >= 0 else zero - length), y=_u(top + 21), width=_u(length), height=_u(BAR_HEIGHT),
            label_x=Decimal(PAD), label_y=_u(top + 15), value_y=_u(top + 21 + BAR_HEIGHT - 2),
        ))
    return Chart(
        id=id, title=title, desc=desc or _summary(items, fmt), width=BAR_WIDTH, height=8 + ROW * len(items),
        bars=tuple(bars), zero=_u(zero), plot_left=Decimal(PAD), plot_right=_u(PAD + plot),
        plot_top=Decimal(4), plot_bottom=Decimal(4 + ROW * len(items)),
    )


def _summary(items: Sequence[tuple[str, Decimal]], fmt) -> str:
    label, value = max(items, key=lambda item: item[1])
    return _("Highest: %(label)s, %(value)s.") % {"label": label, "value": fmt(value)}


# Months: net income credited as bars, gross sales as a line over them --------------------------

MONTH_WIDTH = 400
MONTH_HEIGHT = 230
TOP, BOTTOM, RIGHT = 12, 24, 6


def nice_step(raw: Decimal) -> Decimal:
    """The step of the axis's ticks: 1, 2 or 5 times a power of ten, at least `raw`."""
    if raw <= 0:
        return Decimal(1)
    power = Decimal(10) ** raw.adjusted()
    for multiple in (1, 2, 5, 10):
        if multiple * power >= raw:
            return multiple * power
    return 10 * power  # pragma: no cover (10 × power ≥ raw always)


def _whole(value: Decimal) -> str:
    return f"{value:,.0f}"


def month_chart(
    *, id: str, title: str, months: Sequence[dict], bars_name: str, line_name: str, month_names: Sequence[str],
    month_labels: Sequence[str] | None = None, through_month: int = 12, message: str = "",
    fmt: Callable[[Decimal], str] = money,
) -> Chart:
    """`months` as `region_months` gives them (month, gross_sales, net_income): net income a bar
    each month, up from the zero line or down from it when refunds outweighed sales; gross sales
    a line of points over the bars, up to `through_month` (this year's months still to come
    are not yet zero). The axis runs in round steps from the lowest value (or zero) to the
    highest. `month_labels` are written under the bars (shorter names), `month_names` in the
    titles."""
    month_labels = month_labels or month_names
    message = message or _("No sales recorded in this year yet.")
    net = [row["net_income"] for row in months]
    gross = [row["gross_sales"] for row in months]
    if not any(net) and not any(gross):
        return Chart(id=id, title=title, desc=message, width=MONTH_WIDTH, height=EMPTY_HEIGHT, message=message)
    high, low = max(max(net), max(gross), ZERO), min(min(net), min(gross), ZERO)
    step = nice_step((high - low) / 4)
    top = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    bottom = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    if top == bottom:
        top = bottom + step
    ticks_values = [bottom + step * i for i in range(int((top - bottom) / step) + 1)]
    # Room on the left for the longest tick's label (about 7 units a character at this size).
    left = Decimal(10 + 7 * max(len(_whole(v)) for v in ticks_values))
    plot_bottom = Decimal(MONTH_HEIGHT - BOTTOM)
    plot_h = plot_bottom - TOP
    slot = (Decimal(MONTH_WIDTH - RIGHT) - left) / len(months)

    def y(value: Decimal) -> Decimal:
        return Decimal(TOP) + plot_h * (top - value) / (top - bottom)

    zero = y(ZERO)
    bars, points = [], []
    for i, row in enumerate(months):
        label = month_names[row["month"] - 1]
        value = row["net_income"]
        length = abs(y(value) - zero)
        bars.append(Bar(
            label=label, value=value, shown=fmt(value), negative=value < 0, axis_label=month_labels[row["month"] - 1],
            x=_u(left + slot * i + slot * Decimal("0.2")), width=_u(slot * Decimal("0.6")),
            y=_u(zero - length if value >= 0 else zero), height=_u(length),
            label_x=_u(left + slot * i + slot / 2), label_y=_u(MONTH_HEIGHT - 7),
        ))
        if row["month"] > through_month:
            continue
        points.append(Point(label=label, value=row["gross_sales"], shown=fmt(row["gross_sales"]),
                            x=_u(left + slot * i + slot / 2), y=_u(y(row["gross_sales"]))))
    best = max(months, key=lambda row: row["net_income"])
    desc = _("%(bars)s and %(line)s in each month. Highest %(bars)s: %(month)s, %(value)s.") % {
        "bars": bars_name, "line": line_name, "month": month_names[best["month"] - 1], "value": fmt(best["net_income"]),
    }
    return Chart(
        id=id, title=title, desc=desc, width=MONTH_WIDTH, height=MONTH_HEIGHT, bars=tuple(bars), zero=_u(zero),
        plot_left=_u(left), plot_right=Decimal(MONTH_WIDTH - RIGHT), plot_top=Decimal(TOP), plot_bottom=plot_bottom,
        ticks=tuple(Tick(value=v, shown=_whole(v), y=_u(y(v))) for v in ticks_values),
        points=tuple(points), series={"bars": bars_name, "line": line_name},
    )
