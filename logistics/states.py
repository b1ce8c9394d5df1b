"""The shipment state machine of DESIGN.md, as data: which move may follow which.

Pure Python (no Django import) so the settings can build Oscar's line pipeline from it and
tests can walk every pair of states."""

from enum import StrEnum


class State(StrEnum):
    AWAITING_INTAKE = "awaiting_intake"
    RECEIVED = "received"
    QC_PASSED = "qc_passed"
    QC_FAILED = "qc_failed"
    PACKED = "packed"
    DISPATCHED = "dispatched"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURN_REQUESTED = "return_requested"
    RETURNED = "returned"


MOVES: dict[State, frozenset[State]] = {
    State.AWAITING_INTAKE: frozenset({State.RECEIVED}),
    State.RECEIVED: frozenset({State.QC_PASSED, State.QC_FAILED}),
    State.QC_PASSED: frozenset({State.PACKED}),
    State.QC_FAILED: frozenset(),
    State.PACKED: frozenset({State.DISPATCHED}),
    State.DISPATCHED: frozenset({State.IN_TRANSIT, State.EXCEPTION}),
    State.IN_TRANSIT: frozenset({State.DELIVERED, State.EXCEPTION}),
    State.EXCEPTION: frozenset({State.DISPATCHED, State.RETURNED}),
    State.DELIVERED: frozenset({State.RETURN_REQUESTED}),
    State.RETURN_REQUESTED: frozenset({State.RETURNED}),
    State.RETURNED: frozenset(),
}

# Moves a courier may report (the carrier webhook); every other move is the station's.
CARRIER_MOVES = frozenset({State.IN_TRANSIT, State.DELIVERED, State.EXCEPTION})

# With the parcel: the goods have left the station and not come back.
WITH_CARRIER = frozenset({State.DISPATCHED, State.IN_TRANSIT, State.EXCEPTION})
# The states in which the goods are still at the station or the farm.
AT_STATION = frozenset({State.AWAITING_INTAKE, State.RECEIVED, State.QC_PASSED, State.PACKED})
# No move can follow.
FINAL = frozenset(state for state, nexts in MOVES.items() if not nexts)


def may_move(current: str, to: str) -> bool:
    return State(to) in MOVES[State(current)]
