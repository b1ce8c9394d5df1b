"""The public trace page of a parcel: whoever holds its label's QR code may follow it.

That is the buyer, and also every courier and neighbour who handles the box, so the page shows
nothing of the buyer (not even the whole order number), no staff names and no free-text notes
(station staff and couriers write names, phones and addresses into them). A household is named
only by its story, told with its consent; otherwise it is "a household of <township>"."""

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from logistics.carriers import carrier_get
from logistics.models import Shipment, ShipmentStatus
from logistics.selectors import with_shipment_details
from sellers.models import StoryPage
from sellers.selectors import told_stories
from shop.core.errors import NotFound
from shop.core.i18n import localized


@dataclass(frozen=True)
class TraceStep:
    at: datetime
    place: str
    label: str
    is_problem: bool


@dataclass(frozen=True)
class TraceLine:
    title: str
    quantity: int
    household: str  # the story's title, or "a household of <township>"
    story_url: str | None


@dataclass(frozen=True)
class Trace:
    """All the trace page may show: built field by field, so nothing else can slip onto it."""

    order_tail: str
    status: str
    cancelled: bool
    cold: bool
    steps: list[TraceStep]
    carrier: str
    tracking_number: str
    tracking_url: str
    origin: str
    lines: list[TraceLine]


def shipment_trace(*, code: str) -> Trace:
    """What the public may see of the shipment with this trace code; NotFound for any other code."""
    shipment = (
        with_shipment_details(Shipment.objects.filter(trace_code=code)).select_related("station__township").first()
    )
    if shipment is None:
        raise NotFound(_("No parcel has this trace code."))
    township = shipment.station.township.display_name
    lines = list(shipment.lines.all())
    stories = told_stories(_household_id(line) for line in lines)
    carrier = carrier_get(shipment.carrier)
    return Trace(
        order_tail=shipment.order.number[-4:],
        status=shipment.status_label,
        cancelled=shipment.cancelled_at is not None,
        cold=shipment.needs_cold_chain,
        steps=[
            TraceStep(at=event.at, place=_place(event, shipment.station), label=event.label,
                      is_problem=event.type == ShipmentStatus.EXCEPTION)
            for event in shipment.events.all()
        ],
        carrier=str(carrier.name) if carrier else shipment.carrier,
        tracking_number=shipment.tracking_number,
        tracking_url=carrier.tracking_link(shipment.tracking_number) if carrier else "",
        origin=township,
        lines=[_line(line, stories.get(_household_id(line)), township) for line in lines],
    )


def _place(event, station) -> str:
    """A station's own moves name the station (in English on an English page). A courier's place is
    free text it sends (it may name the recipient and their street): the public page names the
    courier instead."""
    if event.source.startswith("carrier:"):
        carrier = carrier_get(event.source.removeprefix("carrier:"))
        return str(carrier.name) if carrier else ""
    return station.display_name


def _household_id(line) -> int | None:
    household = line.household
    return household.pk if household else None


def _line(line, story: StoryPage | None, township: str) -> TraceLine:
    order_line = line.order_line
    product = order_line.product
    return TraceLine(
        title=localized(product, "title") if product else order_line.title,
        quantity=order_line.quantity,
        household=story.display_title if story else _("a household of %(township)s") % {"township": township},
        story_url=story.url if story else None,
    )


def trace(request, code: str):
    try:
        shipment = shipment_trace(code=code)
    except NotFound as error:
        raise Http404(error.message) from error
    response = render(request, "shop/trace.html", {"trace": shipment})
    # The address is the key to the page: keep it out of search engines and shared caches.
    response["X-Robots-Tag"] = "noindex, nofollow"
    # no-cache: the browser asks again each time, so it never shows a step behind the order page.
    response["Cache-Control"] = "private, no-cache"
    return response
