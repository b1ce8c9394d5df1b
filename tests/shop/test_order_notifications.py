"""The farmers' texts about their money, sent once the payment or the settlement has committed:
what sold and where to bring it, then the amount settled."""

import pytest
from django.db import transaction
from oscar.apps.basket.models import Basket
from oscar.test.factories import create_order

from catalogue.factories import ProductFactory
from logistics.states import State
from sellers.models import Household
from sellers.partner.strategy import WumengStrategy
from shop.order.refunds import order_refund
from shop.order.settlement import shipment_settle
from shop.order.statuses import OrderStatus
from tests.personas import MIAOBA, POJI
from tests.shipping import moved_to, paid_shipment
from tests.shopping import buy, offer

pytestmark = pytest.mark.django_db

CHICKEN = {"title": "盐津乌骨鸡", "unit": "只(1.5–2.5 千克)"}


def phone_of(record) -> str:
    return record.partner.seller.household.phone


def test_it_texts_the_household_what_sold_when_the_order_is_paid(people, sms_outbox, django_capture_on_commit_callbacks):
    product = ProductFactory(**CHICKEN)
    record = offer(product, township=MIAOBA)
    order = buy(product, 2, user=people.buyer)

    with django_capture_on_commit_callbacks(execute=True):
        order.set_status(OrderStatus.PAID)

    assert sms_outbox == [(phone_of(record), "乌蒙优选：您的盐津乌骨鸡卖出 2 只，请于今天送到庙坝镇电商服务站。")]


def test_it_texts_the_household_when_the_demo_payment_pays_at_placement(
    people, sms_outbox, django_capture_on_commit_callbacks
):
    product = ProductFactory(**CHICKEN)
    record = offer(product, township=MIAOBA)
    basket = Basket.objects.create(owner=people.buyer)
    basket.strategy = WumengStrategy()
    basket.add_product(product, quantity=1)

    with django_capture_on_commit_callbacks(execute=True):
        create_order(basket=basket, user=people.buyer, status=OrderStatus.PAID)

    assert sms_outbox == [(phone_of(record), "乌蒙优选：您的盐津乌骨鸡卖出 1 只，请于今天送到庙坝镇电商服务站。")]


def test_it_texts_each_household_of_the_order_once_with_its_own_station(
    people, sms_outbox, django_capture_on_commit_callbacks
):
    product = ProductFactory(**CHICKEN)
    miaoba, poji = offer(product, township=MIAOBA, stock=1), offer(product, township=POJI, stock=1)
    order = buy(product, 2, user=people.buyer)

    with django_capture_on_commit_callbacks(execute=True):
        order.set_status(OrderStatus.PAID)

    assert sorted(sms_outbox) == sorted([
        (phone_of(miaoba), "乌蒙优选：您的盐津乌骨鸡卖出 1 只，请于今天送到庙坝镇电商服务站。"),
        (phone_of(poji), "乌蒙优选：您的盐津乌骨鸡卖出 1 只，请于今天送到泼机镇电商服务站。"),
    ])


def test_it_texts_nothing_if_the_payment_rolls_back(people, sms_outbox, django_capture_on_commit_callbacks):
    product = ProductFactory(**CHICKEN)
    offer(product, township=MIAOBA)
    order = buy(product, 1, user=people.buyer)

    with django_capture_on_commit_callbacks(execute=True) as after_commit, pytest.raises(RuntimeError):
        with transaction.atomic():
            order.set_status(OrderStatus.PAID)
            raise RuntimeError("the payment's transaction failed")

    assert (sms_outbox, after_commit) == ([], [])


def test_it_texts_no_household_without_a_mobile_number(people, sms_outbox, django_capture_on_commit_callbacks):
    product = ProductFactory(**CHICKEN)
    record = offer(product, township=MIAOBA)
    Household.objects.filter(pk=record.partner.seller.household_id).update(phone="")
    order = buy(product, 1, user=people.buyer)

    with django_capture_on_commit_callbacks(execute=True):
        order.set_status(OrderStatus.PAID)

    assert sms_outbox == []


def test_it_texts_the_household_the_amount_when_the_sale_settles(people, sms_outbox, django_capture_on_commit_callbacks):
    shipment = moved_to(paid_shipment(quantity=2, **CHICKEN), State.DELIVERED)  # ¥50.00 each

    with django_capture_on_commit_callbacks(execute=True):
        assert shipment_settle(shipment=shipment)

    line = shipment.lines.get().order_line
    assert sms_outbox == [(phone_of(line), "乌蒙优选：您卖出的盐津乌骨鸡 2 只，货款 ¥100.00 已结算。")]


def test_it_leaves_refunded_units_out_of_the_settled_amount(people, sms_outbox, django_capture_on_commit_callbacks):
    shipment = moved_to(paid_shipment(quantity=3, **CHICKEN), State.DELIVERED)
    line = shipment.lines.get().order_line
    order_refund(order=shipment.order, quantities={line.pk: 1}, by=None, reason="破了一只")

    with django_capture_on_commit_callbacks(execute=True):
        shipment_settle(shipment=shipment)

    assert sms_outbox == [(phone_of(line), "乌蒙优选：您卖出的盐津乌骨鸡 2 只，货款 ¥100.00 已结算。")]


def test_it_texts_nothing_when_a_settled_shipment_is_settled_again(
    people, sms_outbox, django_capture_on_commit_callbacks
):
    shipment = moved_to(paid_shipment(**CHICKEN), State.DELIVERED)
    shipment_settle(shipment=shipment)

    with django_capture_on_commit_callbacks(execute=True) as after_commit:
        assert not shipment_settle(shipment=shipment)

    assert (sms_outbox, after_commit) == ([], [])


def test_it_texts_nothing_if_the_settlement_rolls_back(people, sms_outbox, django_capture_on_commit_callbacks):
    shipment = moved_to(paid_shipment(**CHICKEN), State.DELIVERED)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            shipment_settle(shipment=shipment)
            raise RuntimeError("the ledger refused the entry")

    assert sms_outbox == []
