"""Moving shipments through the state machine: the one write path for a shipment's status.

Every move is checked whole before anything is written: a batch in which one shipment may not
move (wrong state, no cold chain, a missing weight) is refused with each problem named, and
nothing changes. Each shipment that moves gets an event row. Logistics knows nothing of money:
the commerce layer reacts to `shipments_moved` (refunds, order statuses, settlement) in the
same transaction, and notifications go out after it commits."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.carriers import carrier_get
from logistics.models import Grade, Shipment, ShipmentEvent, ShipmentLine, ShipmentStatus
from logistics.selectors import shipments_refusal
from logistics.signals import shipments_moved
from logistics.states import State, may_move
from shop.core.errors import IllegalState, InvalidInput, NotFound
from shop.core.ids import storable_ids

MAX_WEIGHT_KG = Decimal("500")
TRACKING_NUMBER = re.compile(r"[A-Za-z0-9-]{4,64}")


@dataclass(frozen=True)
class Intake:
    """What the station weighed and graded for one line when the farmer brought it."""

    weight_kg: Decimal
    grade: str


@dataclass(frozen=True)
class Move:
    to: str
    note: str = ""
    carrier: str = ""
    tracking_number: str = ""
    intake: Mapping[int, Intake] = field(default_factory=dict)  # shipment line id → intake (received)
    failed_lines: frozenset[int] = frozenset()  # shipment line ids that failed QC (qc_passed)


@dataclass(frozen=True)
class Moved:
    shipment: Shipment
    event: ShipmentEvent
    lines: list[ShipmentLine]  # all its lines, with their order lines, goods and sellers
    failed_lines: list[ShipmentLine]  # lines that failed QC in this move: their money goes back


def return_window(shipment: Shipment) -> timedelta:
    if shipment.fresh:
        return timedelta(hours=settings.LOGISTICS_RETURN_WINDOW_FRESH_HOURS)
    return timedelta(days=settings.LOGISTICS_RETURN_WINDOW_OTHER_DAYS)


def return_window_closes(shipment: Shipment) -> datetime | None:
    return shipment.delivered_at + return_window(shipment) if shipment.delivered_at else None


def shipment_move(
    *, shipment: Shipment, move: Move, by=None, source: str = "station", place: str = "", within=None, at=None
) -> Moved:
    return shipments_move(
        shipment_ids=[shipment.pk], move=move, by=by, source=source, place=place, within=within, at=at
    )[0]


@transaction.atomic
def shipments_move(
    *, shipment_ids: Iterable[int], move: Move, by=None, source: str = "station", place: str = "",
    within: QuerySet[Shipment] | None = None, at: datetime | None = None,
) -> list[Moved]:
    """Move every shipment of `shipment_ids` to `move.to`, or none of them. `within`: the shipments
    the caller may move (their scope); the ids are looked up in it as they are locked. `at`: when it
    happened, if earlier than now (a courier's report): kept between the shipments' last move and now."""
    ids = sorted(set(shipment_ids))
    if not ids:
        raise InvalidInput(_("Choose at least one shipment."))
    if len(storable_ids(ids)) != len(ids):
        raise NotFound(_("No shipment has this id.") if len(ids) == 1 else _("Some of these shipments do not exist."))
    if move.to not in State.__members__.values():
        raise InvalidInput(_("Unknown shipment event."), fields={"type": [_("Unknown shipment event.")]})
    # One query reads the lines with their shipments and everything the commerce layer and the API
    # answer need, and locks the shipments, in id order like stock records: two batches sharing
    # shipments never deadlock. (Every shipment has lines: it is made with them.)
    scoped = (Shipment.objects.all() if within is None else within).filter(pk__in=ids)
    shipments_by_id, lines = {}, {}
    for line in (
        ShipmentLine.objects.select_for_update(of=("shipment",))
        .filter(shipment__in=scoped)
        .select_related(
            "shipment__station", "shipment__order", "order_line__product", "order_line__partner__seller__household"
        )
        .order_by("shipment_id", "id")
    ):
        line.shipment = shipments_by_id.setdefault(line.shipment_id, line.shipment)
        lines.setdefault(line.shipment_id, []).append(line)
    shipments = list(shipments_by_id.values())
    if len(shipments) != len(ids):
        refusal = shipments_refusal(set(ids) - set(shipments_by_id))
        if len(ids) > 1 and isinstance(refusal, NotFound):  # a batch naming no such shipment: a bad request
            raise InvalidInput(_("Some of these shipments do not exist."))
        raise refusal

    if set(move.intake) - {line.pk for batch in lines.values() for line in batch}:
        raise InvalidInput(_("Some weighed lines are not part of these shipments."), fields={"lines": [
            _("Some weighed lines are not part of these shipments.")
        ]})
    now = timezone.now()
    problems = {}
    for shipment in shipments:
        problem = move_problem(shipment, lines[shipment.pk], move, now)
        if problem:
            problems[shipment.order.number] = [problem]
    if problems:
        if len(shipments) == 1:
            (message,) = next(iter(problems.values()))
            raise problem_error(message, shipments[0], move)
        raise IllegalState(_("None of these shipments moved: some of them cannot."), fields=problems)

    # A courier's clock, or a report that arrives late: never before the last move, never ahead of ours.
    if at is not None:
        now = min(max([at, *(s.status_changed_at for s in shipments if s.status_changed_at)]), now)
    changes = shipment_changes(move, now)
    events, moved = [], []
    for shipment in shipments:
        failed = apply_to_lines(lines[shipment.pk], move)
        event = ShipmentEvent(
            shipment=shipment, type=move.to, from_status=shipment.status, at=now, by=by, source=source,
            place=place or shipment.station.name, note=move.note,
            carrier=move.carrier, tracking_number=move.tracking_number,
        )
        for name, value in changes.items():  # the receivers and the API answer see the shipment as saved
            setattr(shipment, name, value)
        events.append(event)
        moved.append(Moved(shipment=shipment, event=event, lines=lines[shipment.pk], failed_lines=failed))
    ShipmentEvent.objects.bulk_create(events)
    lines_write([line for m in moved for line in m.lines], move, failed=[line.pk for m in moved for line in m.failed_lines])
    # One UPDATE for the batch: a morning's 200 parcels cost one statement, not the large CASE
    # expressions of a bulk_update.
    Shipment.objects.filter(pk__in=ids).update(**changes)
    shipments_moved.send(sender=Shipment, moved=moved, by=by)
    return moved


def move_problem(shipment: Shipment, lines: list[ShipmentLine], move: Move, now: datetime) -> str | None:
    """Why this shipment may not make this move, in words for station staff; None if it may."""
    if shipment.cancelled_at:
        return _("The order was cancelled: nothing more happens to this shipment.")
    if not shipment.paid_at:
        return _("The order is not paid yet: wait for the payment before taking the goods in.")
    if not may_move(shipment.status, move.to):
        return _("A shipment that is “%(now)s” cannot become “%(to)s”.") % {
            "now": ShipmentStatus(shipment.status).label,
            "to": ShipmentStatus(move.to).label,
        }
    return STEP_RULES.get(move.to, lambda *args: None)(shipment, lines, move, now)


def received_problem(shipment, lines, move, now):
    if shipment.needs_cold_chain and not shipment.station.cold_chain:
        return _("These goods must be kept cold and this station has no cold chain: they cannot be taken in here.")
    missing = [line for line in lines if line.pk not in move.intake]
    if missing:
        return _("Weigh and grade every line before taking the goods in.")
    for line in lines:
        intake = move.intake[line.pk]
        if not weight_possible(intake.weight_kg):
            return _("A weight must be more than 0 kg and at most %(max)s kg.") % {"max": MAX_WEIGHT_KG}
        if intake.grade not in Grade.values:
            return _("Choose a grade for every line.")
    return None


def weight_possible(weight) -> bool:
    """More than 0 kg and at most the maximum; a missing weight (None) or NaN is not a weight."""
    try:
        return Decimal("0") < Decimal(weight) <= MAX_WEIGHT_KG
    except (TypeError, ValueError, ArithmeticError):  # None, NaN (InvalidOperation), text
        return False


def qc_passed_problem(shipment, lines, move, now):
    ids = {line.pk for line in lines}
    if not move.failed_lines <= ids:
        return _("Some failed lines are not part of this shipment.")
    if move.failed_lines == ids:
        return _("Every line failed: record the quality check as failed instead.")
    return None


def dispatched_problem(shipment, lines, move, now):
    carrier_code = move.carrier or shipment.carrier
    carrier = carrier_get(carrier_code) if carrier_code else None
    if carrier is None:
        return _("Choose the courier the parcel is handed to.")
    if shipment.needs_cold_chain and not carrier.cold_chain:
        return _("Chilled and frozen goods leave only with a cold-chain courier.")
    number = move.tracking_number or shipment.tracking_number
    if not TRACKING_NUMBER.fullmatch(number or ""):
        return _("Type the courier's tracking number: 4 to 64 letters, digits or dashes.")
    return None


def note_required(shipment, lines, move, now):
    if not move.note.strip():
        return _("Say what happened in the note.")
    return None


def return_requested_problem(shipment, lines, move, now):
    closes = return_window_closes(shipment)
    if closes is not None and now > closes:
        return _("The return window closed on %(date)s.") % {
            "date": timezone.localtime(closes).strftime("%Y-%m-%d %H:%M")
        }
    if shipment.settled_at:
        return _("The sale has already settled.")
    return note_required(shipment, lines, move, now)


STEP_RULES = {
    State.RECEIVED: received_problem,
    State.QC_PASSED: qc_passed_problem,
    State.DISPATCHED: dispatched_problem,
    State.EXCEPTION: note_required,
    State.RETURN_REQUESTED: return_requested_problem,
}


def problem_error(message: str, shipment: Shipment, move: Move):
    """A wrong state is a conflict (409); everything else is input the caller can correct (400)."""
    if not may_move(shipment.status, move.to) or shipment.cancelled_at or not shipment.paid_at:
        return IllegalState(message)
    return InvalidInput(message)


def apply_to_lines(lines: list[ShipmentLine], move: Move) -> list[ShipmentLine]:
    if move.to == State.RECEIVED:
        for line in lines:
            line.weight_kg, line.grade = move.intake[line.pk].weight_kg, move.intake[line.pk].grade
    failed = []
    if move.to in (State.QC_PASSED, State.QC_FAILED):
        for line in lines:
            line.qc_failed = move.to == State.QC_FAILED or line.pk in move.failed_lines
            if line.qc_failed:
                failed.append(line)
    return failed


# The time field each move stamps, besides `status_changed_at`.
STAMPED = {State.RECEIVED: "received_at", State.DISPATCHED: "dispatched_at", State.DELIVERED: "delivered_at"}


def shipment_changes(move: Move, now: datetime) -> dict:
    """The fields a move sets, the same on every shipment of a batch."""
    fields = {"status": move.to, "status_changed_at": now}
    if move.to in STAMPED:
        fields[STAMPED[move.to]] = now
    if move.to == State.DISPATCHED:  # a re-dispatch without a new courier keeps its own
        fields.update({"carrier": move.carrier} if move.carrier else {})
        fields.update({"tracking_number": move.tracking_number} if move.tracking_number else {})
    return fields


def lines_write(lines: list[ShipmentLine], move: Move, *, failed: list[int]) -> None:
    if move.to == State.RECEIVED:  # each line its own weight and grade
        ShipmentLine.objects.bulk_update(lines, ["weight_kg", "grade"])
    elif failed:
        ShipmentLine.objects.filter(pk__in=failed).update(qc_failed=True)
