"""What buyers and farmers are told when a shipment moves, once the move has committed: the
buyer an e-mail when the parcel leaves and when it arrives, the farmer a text on intake."""

import logging
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from logistics.models import Grade
from logistics.movement import Intake, Move, shipment_move
from logistics.states import State
from logistics.tasks import RETRY_SECONDS
from sellers.models import Household
from shop.order.models import Order
from tests.shipping import moved_to, paid_shipment, valid_move
from tests.sms_provider import local_provider

pytestmark = pytest.mark.django_db

CHICKEN = {"title": "盐津乌骨鸡", "unit": "只(1.5–2.5 千克)"}


def household_of(shipment) -> Household:
    return shipment.lines.get().order_line.partner.seller.household


def test_it_emails_the_buyer_the_courier_and_tracking_number_when_the_parcel_leaves(
    people, mailoutbox, settings, django_capture_on_commit_callbacks
):
    shipment = moved_to(paid_shipment(user=people.buyer, **CHICKEN), State.PACKED)

    with django_capture_on_commit_callbacks(execute=True):
        shipment_move(shipment=shipment, move=Move(to=State.DISPATCHED, carrier="ems", tracking_number="EMS20260615"))

    (message,) = mailoutbox
    assert message.to == [people.buyer.email]
    assert shipment.order.number in message.subject
    assert "EMS20260615" in message.body and "庙坝镇电商服务站" in message.body
    assert settings.SITE_URL + reverse("trace", args=[shipment.trace_code]) in message.body
    assert message.body.index("快递单号") < message.body.index("Tracking number")  # Chinese first


def test_it_emails_the_buyer_when_the_parcel_is_delivered(people, mailoutbox, django_capture_on_commit_callbacks):
    shipment = moved_to(paid_shipment(user=people.buyer, **CHICKEN), State.IN_TRANSIT)

    with django_capture_on_commit_callbacks(execute=True):
        shipment_move(shipment=shipment, move=valid_move(shipment, State.DELIVERED))

    (message,) = mailoutbox
    assert message.to == [people.buyer.email]
    assert "已送达" in message.body and "has been delivered" in message.body
    assert "盐津乌骨鸡 × 1" in message.body


def test_it_emails_a_guest_at_the_address_they_gave(people, mailoutbox, django_capture_on_commit_callbacks):
    shipment = moved_to(paid_shipment(**CHICKEN), State.PACKED)
    Order.objects.filter(pk=shipment.order_id).update(guest_email="guest@wumeng.example")

    with django_capture_on_commit_callbacks(execute=True):
        shipment_move(shipment=shipment, move=valid_move(shipment, State.DISPATCHED))

    assert [message.to for message in mailoutbox] == [["guest@wumeng.example"]]


def test_it_emails_nobody_before_the_move_commits(people, mailoutbox, django_capture_on_commit_callbacks):
    shipment = moved_to(paid_shipment(user=people.buyer), State.PACKED)

    with django_capture_on_commit_callbacks() as after_commit:
        shipment_move(shipment=shipment, move=valid_move(shipment, State.DISPATCHED))
        assert mailoutbox == []

    assert mailoutbox == []
    for callback in after_commit:
        callback()
    assert len(mailoutbox) == 1


def test_it_emails_nobody_when_the_move_rolls_back(people, mailoutbox, django_capture_on_commit_callbacks):
    shipment = moved_to(paid_shipment(user=people.buyer), State.PACKED)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            shipment_move(shipment=shipment, move=valid_move(shipment, State.DISPATCHED))
            raise RuntimeError("the request failed after the move")

    assert mailoutbox == []


def test_it_texts_the_farmer_what_the_station_weighed_and_graded(
    people, sms_outbox, django_capture_on_commit_callbacks
):
    shipment = paid_shipment(quantity=2, **CHICKEN)
    line = shipment.lines.get()

    with django_capture_on_commit_callbacks(execute=True):
        shipment_move(shipment=shipment, move=Move(to=State.RECEIVED, intake={line.pk: Intake(Decimal("3.600"), Grade.FIRST)}))

    assert sms_outbox == [
        (household_of(shipment).phone, "乌蒙优选：庙坝镇电商服务站已收到您的盐津乌骨鸡 2 只，称重 3.6 千克，一级。")
    ]


def test_it_texts_no_household_whose_phone_is_not_a_mobile(
    people, sms_outbox, caplog, django_capture_on_commit_callbacks
):
    shipment = paid_shipment(**CHICKEN)
    Household.objects.filter(pk=household_of(shipment).pk).update(phone="0870-5123456")

    with django_capture_on_commit_callbacks(execute=True), caplog.at_level(logging.WARNING):
        shipment_move(shipment=shipment, move=valid_move(shipment, State.RECEIVED))

    assert sms_outbox == []
    assert "not a mainland mobile" in caplog.text and "0870" not in caplog.text


def test_it_texts_no_household_that_withdrew_its_consent(people, sms_outbox, django_capture_on_commit_callbacks):
    shipment = paid_shipment(**CHICKEN)
    Household.objects.filter(pk=household_of(shipment).pk).update(consent_to_sell=False)

    with django_capture_on_commit_callbacks(execute=True):
        shipment_move(shipment=shipment, move=valid_move(shipment, State.RECEIVED))

    assert sms_outbox == []


def test_a_provider_that_is_down_costs_the_text_not_the_move(
    people, settings, caplog, django_capture_on_commit_callbacks
):
    shipment = paid_shipment(**CHICKEN)

    with local_provider(settings) as provider, caplog.at_level(logging.ERROR):
        provider.answer["status"] = 503
        with django_capture_on_commit_callbacks(execute=True):
            shipment_move(shipment=shipment, move=valid_move(shipment, State.RECEIVED))

    shipment.refresh_from_db()
    assert shipment.status == State.RECEIVED
    # Inline (eager) tasks hand their retry to the caller, which logs it; a worker would retry later.
    assert len(provider.received) == 1
    assert f"Retry in {RETRY_SECONDS}s" in caplog.text
