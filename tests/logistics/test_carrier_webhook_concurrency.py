"""The aggregator delivers one notice several times at the same moment: it is applied once
(PostgreSQL: the unique notice id, the shipment's row lock)."""

import json
import os
import time

import pytest
from django.test import Client
from django.urls import reverse

from logistics.carriers.aggregator.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from logistics.models import CarrierNotice, Shipment
from logistics.movement import Move, shipment_move
from logistics.states import State
from tests.shipping import moved_to, paid_shipment
from tests.threads import run_together

DELIVERIES = 6
SECRET = "agg-secret-for-alice"

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="row locks are a PostgreSQL feature (SQLite serialises writers); CI runs this on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_it_applies_a_notice_delivered_several_times_at_once_once(people, settings):
    settings.LOGISTICS_AGGREGATOR_SECRET = SECRET
    shipment = moved_to(paid_shipment(), State.PACKED)
    shipment_move(shipment=shipment, move=Move(to=State.DISPATCHED, carrier="agg-express", tracking_number="AGG1234"))
    body = json.dumps({
        "notice_id": "N-0001", "carrier": "agg-express", "tracking_number": "AGG1234", "status": "in_transit",
        "location": "昆明", "note": "", "occurred_at": "2026-06-15T10:00:00+08:00",
    }).encode()
    stamp = str(int(time.time()))
    headers = {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(secret=SECRET, timestamp=stamp, body=body)}
    statuses = []

    def aggregator():
        response = Client().post(reverse("carrier-aggregator-webhook"), data=body, content_type="application/json",
                                 headers=headers)
        statuses.append(response.status_code)

    assert run_together(*[aggregator] * DELIVERIES) == []

    assert sorted(statuses) == [200] + [409] * (DELIVERIES - 1)
    assert Shipment.objects.get(pk=shipment.pk).events.filter(type=State.IN_TRANSIT).count() == 1
    assert CarrierNotice.objects.count() == 1
