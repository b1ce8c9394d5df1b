"""Two clerks moving the same parcel at the same moment (PostgreSQL): one move wins, the other is
refused, and the shipment has exactly one event for it. The shipment row is locked before its
state is read (`shipments_move`); without the lock both clerks read "received" and both write."""

import os

import pytest

from logistics.models import ShipmentEvent
from logistics.movement import Move, shipments_move
from logistics.states import State
from shop.core.errors import IllegalState
from tests.shipping import moved_to, paid_shipment
from tests.threads import run_together

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="row locks are a PostgreSQL feature (SQLite serialises writers); CI runs this on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_it_lets_one_of_two_simultaneous_moves_through(people):
    shipment = moved_to(paid_shipment(), State.RECEIVED)
    outcomes = []

    def clerk(to):
        def move():
            try:
                shipments_move(shipment_ids=[shipment.pk], move=Move(to=to), by=people.clerk_miaoba)
                outcomes.append(to)
            except IllegalState:
                outcomes.append("refused")
        return move

    assert run_together(clerk(State.QC_PASSED), clerk(State.QC_FAILED)) == []
    shipment.refresh_from_db()
    winners = [outcome for outcome in outcomes if outcome != "refused"]
    decided = ShipmentEvent.objects.filter(shipment=shipment, from_status=State.RECEIVED).count()
    assert (len(winners), outcomes.count("refused"), decided, shipment.status) == (1, 1, 1, winners[0])


def test_it_never_deadlocks_two_batches_sharing_shipments(people):
    shipments = [moved_to(paid_shipment(), State.QC_PASSED) for _ in range(6)]
    ids = [s.pk for s in shipments]
    refused = []

    def batch(order):
        def move():
            try:
                shipments_move(shipment_ids=order, move=Move(to=State.PACKED), by=people.clerk_miaoba)
            except IllegalState:
                refused.append(1)
        return move

    assert run_together(batch(ids), batch(list(reversed(ids)))) == []
    assert (len(refused), ShipmentEvent.objects.filter(type=State.PACKED).count()) == (1, 6)
