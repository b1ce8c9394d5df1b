"""One tracking update of the aggregator, checked and applied to its shipment once.

The update's notice id is stored (as a `CarrierNotice`) in the transaction of the move it
causes: a replay of the same notice is refused, and an update that is refused (an illegal
move, an unknown parcel) stores nothing, so the aggregator's retry of it can still apply."""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from logistics.models import CarrierNotice, Shipment
from logistics.movement import TRACKING_NUMBER, Move, Moved, shipment_move
from logistics.states import State
from shop.core.errors import IllegalState, InvalidInput, NotFound

from .carrier import CARRIER_CODES, INTEGRATION

logger = logging.getLogger(__name__)

# The aggregator's statuses and the moves they report.
STATUS_MOVES = {
    "in_transit": State.IN_TRANSIT,
    "delivered": State.DELIVERED,
    "exception": State.EXCEPTION,
}
# The sizes of the columns they are stored in (CarrierNotice, ShipmentEvent).
MAX_NOTICE_ID = 64
MAX_LOCATION = 128
MAX_NOTE = 500


class NoticeReplayed(IllegalState):
    """This notice was applied already: applying it again would record the move twice."""

    code = "replayed"


@dataclass(frozen=True)
class TrackingUpdate:
    notice_id: str
    carrier: str
    tracking_number: str
    status: str
    location: str
    note: str
    occurred_at: datetime


def _storable(text: str) -> bool:
    """PostgreSQL refuses NUL characters, and no database takes lone surrogates (JSON's \\u
    escapes can carry both)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def tracking_update_parse(payload) -> TrackingUpdate:
    """The update in `payload` (parsed JSON); InvalidInput naming every bad field otherwise.
    Fields we do not read are ignored: the aggregator may add some."""
    if not isinstance(payload, dict):
        raise InvalidInput(_("The body is not a tracking update (a JSON object)."))
    errors: dict[str, list[str]] = {}

    def text(name: str, *, max_length: int, required: bool = True) -> str:
        value = payload.get(name)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            errors[name] = [_("This field is required and must be text.")]
        elif len(value) > max_length:
            errors[name] = [_("At most %(n)s characters.") % {"n": max_length}]
        elif not _storable(value):
            errors[name] = [_("This text holds characters that cannot be stored.")]
        else:
            return value.strip()
        return ""

    notice_id = text("notice_id", max_length=MAX_NOTICE_ID)
    carrier = text("carrier", max_length=32)
    if carrier and carrier not in CARRIER_CODES:
        errors["carrier"] = [_("Not one of the aggregator's services: %(codes)s.") % {"codes": ", ".join(sorted(CARRIER_CODES))}]
    tracking_number = text("tracking_number", max_length=64)
    if tracking_number and not TRACKING_NUMBER.fullmatch(tracking_number):
        errors["tracking_number"] = [_("A tracking number is 4 to 64 letters, digits or dashes.")]
    status = text("status", max_length=32)
    if status and status not in STATUS_MOVES:
        errors["status"] = [_("One of: %(statuses)s.") % {"statuses": ", ".join(STATUS_MOVES)}]
    location = text("location", max_length=MAX_LOCATION)
    note = text("note", max_length=MAX_NOTE, required=False)
    if status == "exception" and not note and "note" not in errors:
        errors["note"] = [_("Say what went wrong with the parcel.")]
    occurred_at = None
    raw = text("occurred_at", max_length=64)
    if raw:
        try:
            occurred_at = datetime.fromisoformat(raw)
        except ValueError:
            occurred_at = None
        if occurred_at is None or occurred_at.tzinfo is None:
            errors["occurred_at"] = [_("A date and time in ISO 8601 with its UTC offset, e.g. 2026-06-15T10:00:00+08:00.")]
    if errors:
        raise InvalidInput(_("This is not a valid tracking update."), fields=errors)
    return TrackingUpdate(
        notice_id=notice_id, carrier=carrier, tracking_number=tracking_number, status=status,
        location=location, note=note, occurred_at=occurred_at,
    )


@transaction.atomic
def tracking_update_apply(*, update: TrackingUpdate) -> Moved:
    """Move the parcel's shipment as the update reports, once per notice id. Raises NoticeReplayed
    (409) for a notice applied already, NotFound (404) when no shipment handed to this service has
    the tracking number, and the move's own refusals (409 illegal move, 400): each changes nothing."""
    if CarrierNotice.objects.filter(carrier=INTEGRATION, notice_id=update.notice_id).exists():
        raise NoticeReplayed(_("This notice was applied already."))
    # Tracking numbers are the courier's and may come round again after years: the latest parcel has it.
    shipment = (
        Shipment.objects.filter(carrier=update.carrier, tracking_number=update.tracking_number)
        .order_by("-dispatched_at", "-id")
        .first()
    )
    if shipment is None:
        raise NotFound(_("No parcel handed to this service has this tracking number."))
    try:
        with transaction.atomic():
            CarrierNotice.objects.create(carrier=INTEGRATION, notice_id=update.notice_id, shipment=shipment)
    except IntegrityError:
        # A concurrent delivery of the same notice committed first.
        raise NoticeReplayed(_("This notice was applied already.")) from None
    move = Move(
        to=STATUS_MOVES[update.status], note=update.note, carrier=update.carrier,
        tracking_number=update.tracking_number,
    )
    # What the move writes for the shop (Oscar's shipping event types, order notes) is in the
    # site's language, whatever language the aggregator's request asked for.
    with translation.override(settings.LANGUAGE_CODE):
        moved = shipment_move(
            shipment=shipment, move=move, by=None, source=f"carrier:{update.carrier}", place=update.location,
            at=update.occurred_at,  # the delivery's own time starts the settlement clock
        )
    logger.info(
        "Aggregator notice %s: shipment %s is %s (%s, reported at %s).",
        update.notice_id, shipment.pk, move.to, update.location, update.occurred_at.isoformat(),
    )
    return moved
