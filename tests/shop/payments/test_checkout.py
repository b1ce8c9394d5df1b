"""A buyer pays at checkout with Stripe: the server confirms the card through the official
SDK against localstripe, and places the order "pending" for the webhook to mark paid."""

import json
import re
import time
import urllib.request
from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.apps.basket.models import Basket
from oscar.apps.checkout.signals import post_payment

from catalogue.factories import ProductFactory
from sellers.partner.models import StockRecord
from shop.factories import UserFactory
from shop.order.models import Order
from shop.order.refunds import order_refund
from shop.payments.models import StripeEvent
from shop.payments.stripe.client import decline_message
from shop.payments.stripe.handlers import event_process
from tests.shopping import offer, place_order, shown_total
from tests.stripe_local import CARD_3DS_REQUIRED, CARD_DECLINED, CARD_VISA, stripe_event

pytestmark = pytest.mark.django_db

ADDRESS = {
    "first_name": "小明", "last_name": "王", "line1": "朝阳区建国路 88 号", "line4": "北京",
    "postcode": "100022", "country": "CN", "phone_number": "+8613800000000",
}
TOTAL = Decimal("140.00")  # one ¥128.00 chicken and the station's ¥12.00 delivery


@pytest.fixture
def chicken_record(stations):
    return offer(ProductFactory(title="盐津乌骨鸡"), stock=3, price="128.00")


@pytest.fixture
def at_payment(client, stripe_checkout, chicken_record):
    """Xiaoming has one chicken in his basket and stands on the payment page."""
    client.force_login(UserFactory(username="xiaoming"))
    client.post(reverse("basket:add", kwargs={"pk": chicken_record.product_id}), {"quantity": 1})
    client.post(reverse("checkout:shipping-address"), ADDRESS)
    client.get(reverse("checkout:shipping-method"))
    return client


def page_config(response) -> dict:
    found = re.search(r'<script id="stripe-config" type="application/json">(.*?)</script>', response.content.decode())
    return json.loads(found.group(1))


def pay(client, *, on=None, **fields):
    """Submit the payment form: of the payment page, or of `on`, the page a payment attempt
    answered with (as the buyer's browser does after the bank's check)."""
    if on is None:
        return place_order(client, page="checkout:payment-details", **fields)
    return client.post(reverse("checkout:preview"), {"action": "place_order", "confirmed_total": shown_total(on), **fields})


def open_basket_lines() -> int:
    return Basket.objects.get(status=Basket.OPEN).num_lines


def test_the_payment_page_offers_card_alipay_and_wechat_pay_for_the_total(at_payment, stripe_checkout):
    response = at_payment.get(reverse("checkout:payment-details"))
    config = page_config(response)
    intent = stripe_checkout.v1.payment_intents.retrieve(config["intent"])
    assert (intent.amount, intent.currency) == (14000, "cny")
    page = response.content.decode()
    assert all(f'value="{method}"' in page for method in ("card", "alipay", "wechat_pay"))


def test_the_payment_page_loads_stripe_js_from_the_configured_address(at_payment, localstripe_url):
    page = at_payment.get(reverse("checkout:payment-details")).content.decode()
    assert f'<script src="{localstripe_url}/js.stripe.com/v3/"></script>' in page


def test_the_payment_page_says_so_when_stripe_cannot_be_reached(at_payment, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # the discard port: nothing answers
    response = at_payment.get(reverse("checkout:payment-details"))
    assert response.status_code == 200
    assert "暂时无法连接支付服务" in response.content.decode()


def test_reloading_the_payment_page_keeps_one_payment_intent(at_payment):
    first = page_config(at_payment.get(reverse("checkout:payment-details")))
    again = page_config(at_payment.get(reverse("checkout:payment-details")))
    assert first["intent"] == again["intent"]


def test_a_card_payment_places_a_pending_order(at_payment, card):
    response = pay(at_payment, payment_method=card(CARD_VISA))
    assert response.status_code == 302 and response.url == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert (order.status, order.total_incl_tax) == ("pending", TOTAL)


def test_the_order_records_the_payment_intent_it_waits_for(at_payment, card):
    intent_id = page_config(at_payment.get(reverse("checkout:payment-details")))["intent"]
    pay(at_payment, payment_method=card(CARD_VISA))
    source = Order.objects.get().sources.get()
    assert (source.source_type.code, source.reference, source.amount_allocated) == ("stripe", intent_id, TOTAL)
    assert source.amount_debited == 0  # until Stripe's webhook says the money arrived


def test_the_webhook_then_marks_the_order_paid(at_payment, card, stripe_checkout):
    pay(at_payment, payment_method=card(CARD_VISA))
    order = Order.objects.get()
    intent = stripe_checkout.v1.payment_intents.retrieve(order.sources.get().reference)
    assert event_process(stripe_event("payment_intent.succeeded", intent.to_dict(for_json=True))) == "paid"
    order.refresh_from_db()
    assert order.status == "paid" and order.sources.get().amount_debited == TOTAL


@pytest.fixture
def paid_by_card(at_payment, card, stripe_checkout):
    """Xiaoming's order, paid by card and marked paid by the webhook."""
    pay(at_payment, payment_method=card(CARD_VISA))
    order = Order.objects.get()
    intent = stripe_checkout.v1.payment_intents.retrieve(order.sources.get().reference)
    event_process(stripe_event("payment_intent.succeeded", intent.to_dict(for_json=True)))
    return Order.objects.get(pk=order.pk)


def test_the_operator_refunds_a_card_paid_line_through_stripe(paid_by_card, stripe_checkout):
    line = paid_by_card.lines.get()
    order_refund(order=paid_by_card, quantities={line.pk: 1}, by=UserFactory(username="operator", is_staff=True))
    refunds = stripe_checkout.v1.refunds.list(params={"payment_intent": paid_by_card.sources.get().reference}).data
    assert [refund.amount for refund in refunds] == [12800]  # the chicken; delivery is not refunded


def test_a_card_paid_refund_returns_the_unit_to_stock(paid_by_card, chicken_record):
    line = paid_by_card.lines.get()
    order_refund(order=paid_by_card, quantities={line.pk: 1}, by=UserFactory(username="operator", is_staff=True))
    chicken_record.refresh_from_db()
    assert chicken_record.num_allocated == 0


def test_a_declined_card_is_explained_in_plain_words(at_payment, card):
    response = pay(at_payment, payment_method=card(CARD_DECLINED))
    assert response.status_code == 200
    assert "付款被拒绝" in response.content.decode()


def test_a_declined_card_places_no_order_and_keeps_the_basket(at_payment, card, chicken_record):
    pay(at_payment, payment_method=card(CARD_DECLINED))
    assert not Order.objects.exists()
    assert open_basket_lines() == 1
    chicken_record.refresh_from_db()
    assert not chicken_record.num_allocated


def test_a_decline_for_lack_of_funds_is_named_as_such():
    # localstripe declines its insufficient-funds card only when it is saved to a customer.
    assert "余额不足" in decline_message("insufficient_funds")


def test_an_unknown_decline_code_still_gets_plain_words():
    assert decline_message("do_not_honor") == decline_message(None)


def test_another_card_succeeds_after_a_decline(at_payment, card):
    pay(at_payment, payment_method=card(CARD_DECLINED))
    response = pay(at_payment, payment_method=card(CARD_VISA))
    assert response.status_code == 302
    assert Order.objects.get().status == "pending"


def test_a_3d_secure_card_asks_the_buyer_to_authenticate(at_payment, card):
    response = pay(at_payment, payment_method=card(CARD_3DS_REQUIRED))
    config = page_config(response)
    assert config["authenticate"] is True
    assert not Order.objects.exists()


def _authenticate(localstripe_url, config, *, success: bool):
    """What Stripe.js does in the buyer's browser; localstripe's stand-in for the bank's check."""
    body = f"key=pk_test_wumeng&client_secret={config['clientSecret']}&success={str(success).lower()}".encode()
    urllib.request.urlopen(f"{localstripe_url}/v1/payment_intents/{config['intent']}/_authenticate", data=body, timeout=5)


def test_the_order_is_placed_once_the_bank_has_authenticated_the_buyer(at_payment, card, localstripe_url):
    page = pay(at_payment, payment_method=card(CARD_3DS_REQUIRED))
    config = page_config(page)
    _authenticate(localstripe_url, config, success=True)
    response = pay(at_payment, on=page, payment_intent=config["intent"])
    assert response.status_code == 302
    assert Order.objects.get().sources.get().reference == config["intent"]


def test_a_failed_authentication_places_no_order_and_says_why(at_payment, card, localstripe_url):
    page = pay(at_payment, payment_method=card(CARD_3DS_REQUIRED))
    config = page_config(page)
    _authenticate(localstripe_url, config, success=False)
    response = pay(at_payment, on=page, payment_intent=config["intent"])
    assert "银行无法确认" in response.content.decode()
    assert not Order.objects.exists()


def test_an_intent_this_checkout_did_not_open_is_refused(at_payment, stripe_checkout, card):
    other = stripe_checkout.v1.payment_intents.create(params={"amount": 14000, "currency": "cny"})
    response = pay(at_payment, payment_intent=other.id)
    assert response.status_code == 200
    assert not Order.objects.exists()


def test_a_made_up_payment_method_is_refused_before_asking_stripe(at_payment):
    response = pay(at_payment, payment_method="javascript:alert(1)")
    assert "卡片信息没有送达" in response.content.decode()
    assert not Order.objects.exists()


@pytest.fixture
def sold_out_while_paying(chicken_record):
    """Another buyer takes the last chickens between Stripe's answer and our stock lock."""

    def take_the_stock(**kwargs):
        StockRecord.objects.filter(pk=chicken_record.pk).update(num_allocated=chicken_record.num_in_stock)

    post_payment.connect(take_the_stock, dispatch_uid="sold-out-while-paying")
    yield
    post_payment.disconnect(dispatch_uid="sold-out-while-paying")


def test_a_payment_whose_goods_sold_out_meanwhile_is_refunded_in_full(at_payment, card, stripe_checkout,
                                                                      sold_out_while_paying):
    intent_id = page_config(at_payment.get(reverse("checkout:payment-details")))["intent"]
    response = pay(at_payment, payment_method=card(CARD_VISA))
    assert "已全额退款" in response.content.decode()
    assert not Order.objects.exists()
    refunds = stripe_checkout.v1.refunds.list(params={"payment_intent": intent_id}).data
    assert [refund.amount for refund in refunds] == [14000]


def test_a_payment_left_without_an_order_for_an_hour_is_refunded(stripe_checkout, card):
    from shop.payments.stripe.services import payment_intent_confirm, payment_intent_create

    intent = payment_intent_create(order_number="100999", amount=TOTAL, currency="CNY")
    paid = payment_intent_confirm(intent_id=intent.id, payment_method=card(CARD_VISA))
    event = {**stripe_event("payment_intent.succeeded", paid.to_dict(for_json=True)), "created": int(time.time()) - 3700}
    assert event_process(event) == "refunded_unplaced"
    assert StripeEvent.objects.get(event_id=event["id"]).outcome == "refunded_unplaced"
    assert stripe_checkout.v1.refunds.list(params={"payment_intent": intent.id}).data[0].amount == 14000


# Back from Alipay (localstripe has no wallets: a card pays the checkout's intent instead) --

def _paid_outside_the_page(client, card, stripe_checkout) -> str:
    from shop.payments.stripe.services import payment_intent_confirm

    intent_id = page_config(client.get(reverse("checkout:payment-details")))["intent"]
    payment_intent_confirm(intent_id=intent_id, payment_method=card(CARD_VISA))
    return intent_id


def test_coming_back_from_the_wallet_places_the_order(at_payment, card, stripe_checkout):
    intent_id = _paid_outside_the_page(at_payment, card, stripe_checkout)
    response = at_payment.get(reverse("checkout:stripe-return"), {"payment_intent": intent_id, "redirect_status": "succeeded"})
    assert response.status_code == 302 and response.url == reverse("checkout:thank-you")
    assert Order.objects.get().sources.get().reference == intent_id


def test_coming_back_with_another_checkouts_intent_places_nothing(at_payment, card, stripe_checkout):
    _paid_outside_the_page(at_payment, card, stripe_checkout)
    other = stripe_checkout.v1.payment_intents.create(params={"amount": 14000, "currency": "cny"})
    at_payment.get(reverse("checkout:stripe-return"), {"payment_intent": other.id})
    assert not Order.objects.exists()
