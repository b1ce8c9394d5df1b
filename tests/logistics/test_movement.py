"""The shipment state machine (DESIGN.md): every legal move is made and recorded, every illegal
one is refused with a clear error and changes nothing."""

import pytest

from logistics.models import ShipmentEvent
from logistics.movement import shipment_move
from logistics.states import MOVES, State
from shop.core.errors import IllegalState
from tests.shipping import moved_to, paid_shipment, valid_move

pytestmark = pytest.mark.django_db

LEGAL = [(current, to) for current, nexts in MOVES.items() for to in sorted(nexts)]
ILLEGAL = [(current, to) for current in State for to in State if to not in MOVES[current]]


@pytest.mark.parametrize(("current", "to"), LEGAL)
def test_it_makes_each_legal_move_and_records_it(people, current, to):
    shipment = moved_to(paid_shipment(), current)

    shipment_move(shipment=shipment, move=valid_move(shipment, to), by=people.clerk_miaoba)

    shipment.refresh_from_db()
    event = shipment.events.last()
    assert (shipment.status, event.type, event.from_status, event.by) == (to, to, current, people.clerk_miaoba)


@pytest.mark.parametrize(("current", "to"), ILLEGAL)
def test_it_refuses_each_illegal_move_and_changes_nothing(people, current, to):
    shipment = moved_to(paid_shipment(), current)
    events = ShipmentEvent.objects.count()

    with pytest.raises(IllegalState):
        shipment_move(shipment=shipment, move=valid_move(shipment, to), by=people.clerk_miaoba)

    shipment.refresh_from_db()
    assert (shipment.status, ShipmentEvent.objects.count()) == (current, events)
