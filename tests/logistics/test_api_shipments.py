"""The shipments API: a station's queue (`GET /api/v1/shipments/`) and its moves
(`POST /api/v1/shipments/{id}/events/`), for station staff of that station only; every error
has the one error body and changes nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.factories import ProductFactory
from logistics.models import ShipmentEvent
from logistics.states import State
from tests.api_helpers import error_of
from tests.personas import A_DAY_IN_2026, POJI
from tests.shipping import moved_to, paid_shipment
from tests.shopping import buy, offer

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(A_DAY_IN_2026, tick=False)]

QUEUE = reverse("api-v1-shipments")


def events_url(shipment) -> str:
    return reverse("api-v1-shipment-events", args=[shipment.pk])


def ids_in(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def miaoba_shipment(people):
    return paid_shipment()


# The queue ---------------------------------------------------------------------------------------


def test_it_lists_only_the_paid_shipments_of_the_clerks_station(as_clerk_miaoba, miaoba_shipment):
    product = ProductFactory()
    offer(product)
    buy(product)  # not paid: not in the queue yet
    paid_shipment(township=POJI)  # another station's

    assert ids_in(as_clerk_miaoba.get(QUEUE)) == {miaoba_shipment.pk}


def test_it_lists_the_shipment_with_its_order_lines_and_events(as_clerk_miaoba, miaoba_shipment):
    moved_to(miaoba_shipment, State.RECEIVED)

    (row,) = as_clerk_miaoba.get(QUEUE).json()["results"]

    line = miaoba_shipment.lines.select_related("order_line__partner__seller__household").get()
    assert (row["order_number"], row["station"], row["status"]) == (
        miaoba_shipment.order.number, "YJ-MIAOBA", State.RECEIVED
    )
    assert row["lines"][0]["household"] == line.order_line.partner.seller.household.registry_id
    assert [event["type"] for event in row["events"]] == [State.RECEIVED]


def test_it_lists_the_queue_for_the_stations_manager(as_manager_miaoba, miaoba_shipment):
    assert ids_in(as_manager_miaoba.get(QUEUE)) == {miaoba_shipment.pk}


def test_it_filters_by_station(as_clerk_miaoba, miaoba_shipment):
    assert ids_in(as_clerk_miaoba.get(QUEUE, {"station": "YJ-MIAOBA"})) == {miaoba_shipment.pk}
    assert ids_in(as_clerk_miaoba.get(QUEUE, {"station": "ZX-POJI"})) == set()


def test_it_filters_by_status(as_clerk_miaoba, miaoba_shipment, people):
    received = moved_to(paid_shipment(), State.RECEIVED)

    assert ids_in(as_clerk_miaoba.get(QUEUE, {"status": "received"})) == {received.pk}
    assert ids_in(as_clerk_miaoba.get(QUEUE, {"status": "awaiting_intake"})) == {miaoba_shipment.pk}


def test_it_refuses_an_unknown_status(as_clerk_miaoba, miaoba_shipment):
    response = as_clerk_miaoba.get(QUEUE, {"status": "lost"})

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["status"]


def test_it_asks_an_anonymous_caller_to_sign_in(as_anonymous):
    response = as_anonymous.get(QUEUE)

    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


@pytest.mark.parametrize("persona", ["buyer", "official_yanjin"])
def test_it_refuses_everyone_but_station_staff(api, people, persona):
    response = api(getattr(people, persona)).get(QUEUE)

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_the_queue_costs_as_many_queries_for_10_shipments_as_for_2(as_clerk_miaoba, people):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert as_clerk_miaoba.get(QUEUE).status_code == 200
        return len(captured)

    for _ in range(2):
        moved_to(paid_shipment(), State.RECEIVED)
    for_two = queries()
    for _ in range(8):
        moved_to(paid_shipment(), State.RECEIVED)

    assert queries() == for_two


# Moves -------------------------------------------------------------------------------------------


def test_it_takes_the_goods_in_with_each_lines_weight_and_grade(as_clerk_miaoba, miaoba_shipment):
    line = miaoba_shipment.lines.get()

    response = as_clerk_miaoba.post(events_url(miaoba_shipment), {
        "type": "received", "lines": [{"id": line.pk, "weight_kg": "1.850", "grade": "first"}],
    }, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], [e["type"] for e in body["events"]]) == (State.RECEIVED, [State.RECEIVED])
    assert (body["lines"][0]["weight_kg"], body["lines"][0]["grade"]) == ("1.850", "first")


def test_it_records_who_moved_the_shipment_through_the_api(as_clerk_miaoba, miaoba_shipment, people):
    moved_to(miaoba_shipment, State.QC_PASSED)

    as_clerk_miaoba.post(events_url(miaoba_shipment), {"type": "packed"}, format="json")

    event = miaoba_shipment.events.last()
    assert (event.type, event.by, event.source) == (State.PACKED, people.clerk_miaoba, "api")


def test_it_dispatches_with_the_courier_and_tracking_number(as_clerk_miaoba, miaoba_shipment):
    moved_to(miaoba_shipment, State.PACKED)

    response = as_clerk_miaoba.post(events_url(miaoba_shipment), {
        "type": "dispatched", "carrier": "agg-express", "tracking_number": "AGG123456789",
    }, format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["carrier"], response.json()["tracking_number"]) == ("agg-express", "AGG123456789")


def test_it_refuses_a_clerk_of_another_station(as_clerk_poji, miaoba_shipment):
    response = as_clerk_poji.post(events_url(miaoba_shipment), {"type": "received"}, format="json")

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    miaoba_shipment.refresh_from_db()
    assert miaoba_shipment.status == State.AWAITING_INTAKE and not miaoba_shipment.events.exists()


def test_it_answers_404_for_an_unknown_shipment(as_clerk_miaoba, miaoba_shipment):
    response = as_clerk_miaoba.post(
        reverse("api-v1-shipment-events", args=[miaoba_shipment.pk + 1000]), {"type": "received"}, format="json"
    )

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_it_refuses_a_buyer(as_buyer, miaoba_shipment):
    response = as_buyer.post(events_url(miaoba_shipment), {"type": "received"}, format="json")

    assert response.status_code == 403


def test_it_refuses_an_illegal_move_with_409_and_changes_nothing(as_clerk_miaoba, miaoba_shipment):
    response = as_clerk_miaoba.post(events_url(miaoba_shipment), {"type": "delivered"}, format="json")

    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "conflict" and error["message"]
    miaoba_shipment.refresh_from_db()
    assert miaoba_shipment.status == State.AWAITING_INTAKE and not ShipmentEvent.objects.exists()


def test_it_refuses_an_impossible_weight_with_400_and_changes_nothing(as_clerk_miaoba, miaoba_shipment):
    line = miaoba_shipment.lines.get()

    response = as_clerk_miaoba.post(events_url(miaoba_shipment), {
        "type": "received", "lines": [{"id": line.pk, "weight_kg": "0", "grade": "first"}],
    }, format="json")

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"
    miaoba_shipment.refresh_from_db()
    assert miaoba_shipment.status == State.AWAITING_INTAKE


def test_it_refuses_an_unknown_field(as_clerk_miaoba, miaoba_shipment):
    response = as_clerk_miaoba.post(events_url(miaoba_shipment), {"type": "received", "colour": "red"}, format="json")

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["colour"]
    assert not ShipmentEvent.objects.exists()


def test_it_refuses_an_unknown_courier(as_clerk_miaoba, miaoba_shipment):
    moved_to(miaoba_shipment, State.PACKED)

    response = as_clerk_miaoba.post(events_url(miaoba_shipment), {
        "type": "dispatched", "carrier": "pigeon", "tracking_number": "AGG123456789",
    }, format="json")

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["carrier"]


def test_it_answers_404_for_an_id_no_row_can_have(as_clerk_miaoba, miaoba_shipment):
    response = as_clerk_miaoba.post("/api/v1/shipments/9223372036854775808/events/", {"type": "received"},
                                    format="json")

    assert response.status_code == 404


def test_it_refuses_weights_for_another_shipments_lines(as_clerk_miaoba, miaoba_shipment, people):
    other = paid_shipment().lines.get()
    line = miaoba_shipment.lines.get()

    response = as_clerk_miaoba.post(events_url(miaoba_shipment), {"type": "received", "lines": [
        {"id": line.pk, "weight_kg": "1.850", "grade": "first"}, {"id": other.pk, "weight_kg": "2", "grade": "first"},
    ]}, format="json")

    assert response.status_code == 400
    other.refresh_from_db()
    assert other.weight_kg is None


def test_it_names_each_bad_item_of_a_list_by_its_place(as_clerk_miaoba, miaoba_shipment):
    line = miaoba_shipment.lines.get()

    response = as_clerk_miaoba.post(events_url(miaoba_shipment), {
        "type": "received", "lines": [{"id": line.pk, "weight_kg": "heavy", "grade": "first"}],
    }, format="json")

    (message,) = error_of(response)["fields"]["lines"]
    assert message.startswith("0.weight_kg: ")


def test_it_answers_an_unknown_station_filter_with_400(as_clerk_miaoba, miaoba_shipment):
    response = as_clerk_miaoba.get(reverse("api-v1-shipments") + "?station=NOWHERE")

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["station"]
