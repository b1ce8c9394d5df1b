"""The courier aggregator's webhook: only a signed, fresh tracking update moves its parcel's
shipment, each notice once; every refusal changes nothing."""

import json
import time
from datetime import timedelta

import pytest
from django.urls import reverse

from logistics.carriers.aggregator.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from logistics.models import CarrierNotice
from logistics.movement import Move, shipment_move
from logistics.states import State
from shop.order.models import Order, ShippingEventType
from shop.order.statuses import OrderStatus
from tests.shipping import moved_to, paid_shipment

pytestmark = pytest.mark.django_db

SECRET = "agg-secret-for-alice"
TRACKING = "AGG123456789"


@pytest.fixture
def secret(settings):
    settings.LOGISTICS_AGGREGATOR_SECRET = SECRET
    return SECRET


@pytest.fixture
def handed_to_aggregator(people):
    """A Miaoba shipment the station handed to the aggregator's express service."""
    shipment = moved_to(paid_shipment(), State.PACKED)
    shipment_move(
        shipment=shipment, move=Move(to=State.DISPATCHED, carrier="agg-express", tracking_number=TRACKING),
        by=people.clerk_miaoba,
    )
    shipment.refresh_from_db()
    return shipment


def update(**fields) -> dict:
    return {
        "notice_id": "N-0001", "carrier": "agg-express", "tracking_number": TRACKING, "status": "in_transit",
        "location": "昆明转运中心", "note": "", "occurred_at": "2026-06-15T10:00:00+08:00", **fields,
    }


@pytest.fixture
def deliver(client, secret):
    """`deliver(payload)`: POST it as the aggregator does, signed now with our secret; a str or
    bytes payload is sent as it is. `timestamp`, `signed_with` or `headers` change the signing."""

    def post(payload, *, timestamp=None, signed_with=SECRET, headers=None):
        body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload, ensure_ascii=False)
        raw = body.encode() if isinstance(body, str) else body
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        if headers is None:
            headers = {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(secret=signed_with, timestamp=stamp, body=raw)}
        return client.post(reverse("carrier-aggregator-webhook"), data=raw, content_type="application/json",
                           headers=headers)

    return post


def unchanged(shipment, status=State.DISPATCHED, events=4) -> bool:
    shipment.refresh_from_db()
    return (shipment.status, shipment.events.count()) == (status, events)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


# Applied -----------------------------------------------------------------------------------------


def test_it_moves_the_shipment_on_a_signed_update(deliver, handed_to_aggregator):
    response = deliver(update())

    assert response.status_code == 200
    assert response.json() == {"notice_id": "N-0001", "status": "in_transit"}
    handed_to_aggregator.refresh_from_db()
    assert handed_to_aggregator.status == State.IN_TRANSIT


def test_it_records_the_event_as_the_carriers_with_its_place_and_note(deliver, handed_to_aggregator):
    deliver(update(note="已到达昆明"))

    event = handed_to_aggregator.events.last()
    assert (event.type, event.from_status, event.source, event.by, event.place, event.note) == (
        State.IN_TRANSIT, State.DISPATCHED, "carrier:agg-express", None, "昆明转运中心", "已到达昆明",
    )
    assert (event.carrier, event.tracking_number) == ("agg-express", TRACKING)


def test_it_stores_the_notice_with_its_shipment(deliver, handed_to_aggregator):
    deliver(update())

    notice = CarrierNotice.objects.get()
    assert (notice.carrier, notice.notice_id, notice.shipment_id) == ("aggregator", "N-0001", handed_to_aggregator.pk)


def test_it_records_the_delivery_after_the_transit(deliver, handed_to_aggregator):
    deliver(update())

    response = deliver(update(notice_id="N-0002", status="delivered", location="北京朝阳"))

    assert response.status_code == 200
    handed_to_aggregator.refresh_from_db()
    assert handed_to_aggregator.status == State.DELIVERED and handed_to_aggregator.delivered_at is not None


def test_it_records_an_exception_with_its_note(deliver, handed_to_aggregator):
    response = deliver(update(status="exception", note="收件人电话无人接听"))

    assert response.status_code == 200
    assert handed_to_aggregator.events.last().note == "收件人电话无人接听"


def test_it_delivers_the_order_when_the_aggregator_reports_the_delivery(deliver, handed_to_aggregator):
    deliver(update())

    deliver(update(notice_id="N-0002", status="delivered"))

    assert Order.objects.get(pk=handed_to_aggregator.order_id).status == OrderStatus.DELIVERED


def test_it_writes_the_shops_records_in_the_sites_language_whatever_the_request_asked(
    client, deliver, handed_to_aggregator
):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    deliver(update())

    assert ShippingEventType.objects.get(code="in_transit").name == "运输中"


def test_it_applies_an_update_of_the_cold_chain_service(deliver, people):
    shipment = moved_to(paid_shipment(storage="chilled"), State.PACKED)
    shipment_move(shipment=shipment, move=Move(to=State.DISPATCHED, carrier="agg-cold", tracking_number="AGGC-0042"))

    response = deliver(update(carrier="agg-cold", tracking_number="AGGC-0042"))

    assert response.status_code == 200
    assert shipment.events.last().source == "carrier:agg-cold"


def test_it_takes_a_signature_in_capitals(deliver, handed_to_aggregator):
    body = json.dumps(update()).encode()
    stamp = str(int(time.time()))
    response = deliver(body, headers={
        TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(secret=SECRET, timestamp=stamp, body=body).upper(),
    })

    assert response.status_code == 200


# Refused: not ours ------------------------------------------------------------------------------


def test_it_refuses_an_unsigned_update_and_changes_nothing(deliver, handed_to_aggregator):
    response = deliver(update(), headers={})

    assert_error(response, 401, "bad_signature")
    assert unchanged(handed_to_aggregator) and not CarrierNotice.objects.exists()


def test_it_refuses_an_update_without_a_timestamp(deliver, handed_to_aggregator):
    body = json.dumps(update()).encode()

    response = deliver(body, headers={SIGNATURE_HEADER: signature(secret=SECRET, timestamp="", body=body)})

    assert_error(response, 401, "bad_signature")
    assert unchanged(handed_to_aggregator)


def test_it_refuses_an_update_signed_with_another_secret(deliver, handed_to_aggregator):
    response = deliver(update(), signed_with="charlie-guessed")

    assert_error(response, 401, "bad_signature")
    assert unchanged(handed_to_aggregator)


def test_it_refuses_a_body_changed_after_signing(deliver, handed_to_aggregator):
    stamp = str(int(time.time()))
    signed = json.dumps(update(status="exception", note="丢件")).encode()
    headers = {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(secret=SECRET, timestamp=stamp, body=signed)}

    response = deliver(json.dumps(update(status="delivered")).encode(), headers=headers)

    assert_error(response, 401, "bad_signature")
    assert unchanged(handed_to_aggregator)


def test_it_refuses_a_signature_for_another_timestamp(deliver, handed_to_aggregator):
    body = json.dumps(update()).encode()
    now = int(time.time())
    headers = {TIMESTAMP_HEADER: str(now), SIGNATURE_HEADER: signature(secret=SECRET, timestamp=str(now - 10), body=body)}

    response = deliver(body, headers=headers)

    assert_error(response, 401, "bad_signature")
    assert unchanged(handed_to_aggregator)


def test_it_refuses_an_update_signed_more_than_300_seconds_ago(deliver, handed_to_aggregator, time_machine):
    time_machine.move_to(int(time.time()), tick=False)
    response = deliver(update(), timestamp=int(time.time()) - 301)

    assert_error(response, 401, "bad_signature")
    assert unchanged(handed_to_aggregator)


def test_it_refuses_an_update_signed_more_than_300_seconds_ahead(deliver, handed_to_aggregator, time_machine):
    time_machine.move_to(int(time.time()), tick=False)  # our clock stands still between signing and checking
    response = deliver(update(), timestamp=int(time.time()) + 301)

    assert_error(response, 401, "bad_signature")
    assert unchanged(handed_to_aggregator)


def test_it_takes_an_update_signed_a_little_while_ago(deliver, handed_to_aggregator):
    response = deliver(update(), timestamp=int(time.time()) - 240)

    assert response.status_code == 200


def test_it_refuses_a_timestamp_that_is_not_plain_digits(deliver, handed_to_aggregator):
    body = json.dumps(update()).encode()
    stamp = f"+{int(time.time())}"
    headers = {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(secret=SECRET, timestamp=stamp, body=body)}

    response = deliver(body, headers=headers)

    assert_error(response, 401, "bad_signature")


def test_it_refuses_everything_while_no_secret_is_set(deliver, handed_to_aggregator, settings):
    settings.LOGISTICS_AGGREGATOR_SECRET = ""

    response = deliver(update(), signed_with="")

    error = assert_error(response, 503, "not_configured")
    assert "LOGISTICS_AGGREGATOR_SECRET" in error["message"]
    assert unchanged(handed_to_aggregator) and not CarrierNotice.objects.exists()


def test_it_answers_only_posts(client, secret):
    response = client.get(reverse("carrier-aggregator-webhook"))

    assert response.status_code == 405


# Refused: applied already, or not possible ------------------------------------------------------


def test_it_refuses_a_replayed_notice_and_records_no_second_event(deliver, handed_to_aggregator):
    deliver(update())

    response = deliver(update())

    assert_error(response, 409, "replayed")
    assert unchanged(handed_to_aggregator, State.IN_TRANSIT, 5)
    assert CarrierNotice.objects.count() == 1


def test_it_refuses_a_replayed_notice_whichever_service_it_names(deliver, handed_to_aggregator):
    deliver(update())

    response = deliver(update(carrier="agg-cold", status="delivered"))

    assert_error(response, 409, "replayed")
    assert unchanged(handed_to_aggregator, State.IN_TRANSIT, 5)


def test_it_refuses_an_unknown_tracking_number(deliver, handed_to_aggregator):
    response = deliver(update(tracking_number="AGG000000000"))

    assert_error(response, 404, "not_found")
    assert unchanged(handed_to_aggregator) and not CarrierNotice.objects.exists()


def test_it_refuses_a_tracking_number_of_another_service(deliver, handed_to_aggregator):
    response = deliver(update(carrier="agg-cold"))

    assert_error(response, 404, "not_found")
    assert unchanged(handed_to_aggregator)


def test_it_does_not_move_a_parcel_handed_to_a_courier_without_integration(deliver, people):
    shipment = moved_to(paid_shipment(), State.DISPATCHED)  # EMS, tracking number SF1234567890

    response = deliver(update(tracking_number=shipment.tracking_number))

    assert_error(response, 404, "not_found")
    assert unchanged(shipment)


def test_it_refuses_an_illegal_move_and_changes_nothing(deliver, handed_to_aggregator):
    deliver(update())

    response = deliver(update(notice_id="N-0002"))  # in transit, again

    assert_error(response, 409, "conflict")
    assert unchanged(handed_to_aggregator, State.IN_TRANSIT, 5)
    assert list(CarrierNotice.objects.values_list("notice_id", flat=True)) == ["N-0001"]


def test_it_applies_a_refused_notice_when_the_aggregator_retries_it_in_order(deliver, handed_to_aggregator):
    delivered = update(notice_id="N-0002", status="delivered")
    assert deliver(delivered).status_code == 409  # arrived before the transit it follows
    deliver(update(notice_id="N-0001"))

    response = deliver(delivered)

    assert response.status_code == 200
    assert unchanged(handed_to_aggregator, State.DELIVERED, 6)


def test_it_refuses_an_update_for_a_shipment_of_a_cancelled_order(deliver, handed_to_aggregator):
    handed_to_aggregator.cancelled_at = handed_to_aggregator.dispatched_at
    handed_to_aggregator.save(update_fields=["cancelled_at"])

    response = deliver(update())

    assert_error(response, 409, "conflict")
    assert unchanged(handed_to_aggregator)


# Refused: not an update -------------------------------------------------------------------------


def test_it_refuses_malformed_json(deliver, handed_to_aggregator):
    response = deliver('{"notice_id": "N-0001", ')

    assert_error(response, 400, "invalid")
    assert unchanged(handed_to_aggregator)


def test_it_refuses_a_body_that_is_not_utf8(deliver, handed_to_aggregator):
    response = deliver(b'{"notice_id": "\xff\xfe"}')

    assert_error(response, 400, "invalid")


def test_it_refuses_json_that_is_not_an_object(deliver, handed_to_aggregator):
    response = deliver([update()])

    assert_error(response, 400, "invalid")
    assert unchanged(handed_to_aggregator)


def test_it_refuses_absurdly_nested_json(deliver, handed_to_aggregator):
    response = deliver("[" * 100_000 + "]" * 100_000)

    assert_error(response, 400, "invalid")


def test_it_names_each_missing_field(deliver, handed_to_aggregator):
    response = deliver({"notice_id": "N-0001"})

    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"carrier", "tracking_number", "status", "location", "occurred_at"}
    assert unchanged(handed_to_aggregator)


@pytest.mark.parametrize(("field", "value"), [
    ("notice_id", 42),
    ("notice_id", "N" * 65),
    ("carrier", "sf"),
    ("tracking_number", "AG 1"),
    ("status", "lost"),
    ("status", "returned"),
    ("location", ""),
    ("location", "昆明\x00"),
    ("note", ["a"]),
    ("occurred_at", "yesterday"),
    ("occurred_at", "2026-06-15T10:00:00"),
])
def test_it_refuses_a_bad_field_and_names_it(deliver, handed_to_aggregator, field, value):
    response = deliver(update(**{field: value}))

    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == [field]
    assert unchanged(handed_to_aggregator) and not CarrierNotice.objects.exists()


def test_it_refuses_an_exception_without_a_note(deliver, handed_to_aggregator):
    response = deliver(update(status="exception", note=" "))

    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == ["note"]
    assert unchanged(handed_to_aggregator)


def test_it_ignores_fields_it_does_not_read(deliver, handed_to_aggregator):
    response = deliver(update(courier_staff="张师傅"))

    assert response.status_code == 200


def test_it_dates_the_move_when_the_courier_says_it_happened(deliver, handed_to_aggregator, time_machine):
    happened = handed_to_aggregator.status_changed_at + timedelta(minutes=30)
    time_machine.move_to(happened + timedelta(hours=2), tick=False)  # the update arrives two hours late

    deliver(update(occurred_at=happened.isoformat()))

    assert handed_to_aggregator.events.last().at == happened
