"""The buyer's impact receipt: on their order page and in the confirmation e-mail, how much of
the order went to which households (by their story's name, or "a household of <township>")
and where; never a household's personal data, never another buyer's order."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from oscar.apps.communication.models import CommunicationEventType

from catalogue.factories import ProductFactory
from impact.models import FeeRule, FeeType
from impact.receipts import order_impact
from sellers.models import BenefitLink, Household, Seller, SellerKind, StoryIndexPage, StoryPage
from sellers.partner.models import Partner
from sellers.services import stock_offer
from shop.factories import UserFactory
from shop.models import Division
from shop.order.models import Order
from shop.order.refunds import order_refund
from tests.personas import MIAOBA
from tests.shopping import ADDRESS, buy, offer, place_order

pytestmark = pytest.mark.django_db

STORY_TITLE = "庙坝镇黄草村的杨家"


@pytest.fixture
def fee_rules(stations):
    """10 % commission and ¥5.40 a unit for packing: of ¥128.00, ¥109.80 is credited; of ¥50.00, ¥39.60."""
    FeeRule.objects.create(fee_type=FeeType.COMMISSION, rate=Decimal("0.1000"))
    FeeRule.objects.create(fee_type=FeeType.PACKING, per_unit=Decimal("5.40"), waived_for_certified=False)


@pytest.fixture
def buyer(signed_in, people):
    return signed_in(people.buyer)


@pytest.fixture
def goods(fee_rules, home_page):
    """A chicken (¥128.00) from a household that tells its story, tea (¥50.00) from one that does not."""
    chicken, tea = ProductFactory(title_en="Chicken"), ProductFactory(title_en="Tea")
    storyteller = offer(chicken, price="128.00").partner.seller.household
    quiet = offer(tea, price="50.00").partner.seller.household
    tell_story(home_page, storyteller)
    return chicken, tea, storyteller, quiet


def tell_story(home_page, household) -> StoryPage:
    Household.objects.filter(pk=household.pk).update(consent_to_story=True)
    household.refresh_from_db()
    index = home_page.add_child(instance=StoryIndexPage(title="农户的故事", slug="stories"))
    page = index.add_child(instance=StoryPage(
        title=STORY_TITLE, title_en="The Yang family", slug="yang", household=household,
        summary="一家四口,养乌骨鸡。", body="<p>山高路远。</p>", live=False,
    ))
    page.save_revision().publish()
    return page


def checkout(client, *products) -> Order:
    """One of each of `products`, bought through the real checkout (demo payment)."""
    for product in products:
        client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    client.post(reverse("checkout:shipping-address"), ADDRESS)
    client.get(reverse("checkout:shipping-method"))
    place_order(client)
    return Order.objects.latest("id")


def order_page(client, order, *, prefix="/en") -> str:
    return client.get(prefix + reverse("customer:order", kwargs={"order_number": order.number})).content.decode()


def receipt_of(page: str) -> str:
    start = page.index('class="impact-receipt"')
    return page[start:page.index("</section>", start)]


def miaoba_in(language: str) -> str:
    with translation.override(language):
        return Division.objects.get(code=MIAOBA).display_name


def anonymised(language: str) -> str:
    with translation.override(language):
        return gettext("a household of %(township)s") % {"township": Division.objects.get(code=MIAOBA).display_name}


# The order page


def test_the_order_page_says_how_much_went_to_how_many_households_and_where(buyer, goods):
    chicken, tea, *_ = goods
    receipt = receipt_of(order_page(buyer, checkout(buyer, chicken, tea)))
    assert f"CN¥149.40 of this order went to 2 households in {miaoba_in('en')}." in receipt


def test_it_names_a_household_by_its_story(buyer, goods):
    chicken, tea, *_ = goods
    receipt = receipt_of(order_page(buyer, checkout(buyer, chicken, tea)))
    assert "The Yang family" in receipt and "CN¥109.80" in receipt


def test_a_household_without_a_story_is_a_household_of_its_township(buyer, goods):
    chicken, tea, *_ = goods
    receipt = receipt_of(order_page(buyer, checkout(buyer, chicken, tea)))
    assert anonymised("en") in receipt and "CN¥39.60" in receipt


def test_the_chinese_page_names_the_story_and_the_township_in_chinese(buyer, goods):
    chicken, tea, *_ = goods
    receipt = receipt_of(order_page(buyer, checkout(buyer, chicken, tea), prefix=""))
    assert [STORY_TITLE in receipt, anonymised("zh-hans") in receipt, "¥149.40" in receipt] == [True] * 3


def test_it_shows_no_personal_data_of_the_households(buyer, goods):
    chicken, tea, storyteller, quiet = goods
    page = order_page(buyer, checkout(buyer, chicken, tea))
    receipt = receipt_of(page)
    for household in (storyteller, quiet):
        assert household.head_name not in receipt
        assert household.registry_id not in receipt
        assert household.id_number not in page and household.phone not in page


def test_a_refunded_line_is_taken_off(buyer, goods, people):
    chicken, tea, *_ = goods
    order = checkout(buyer, chicken, tea)
    tea_line = order.lines.get(product=tea)
    order_refund(order=order, quantities={tea_line.pk: 1}, by=UserFactory(username="op", is_staff=True))
    receipt = receipt_of(order_page(buyer, order))
    assert "CN¥109.80 of this order went to 1 household in" in receipt and anonymised("en") not in receipt


def test_another_buyer_cannot_see_the_order_or_its_receipt(buyer, goods, signed_in):
    chicken, tea, *_ = goods
    order = checkout(buyer, chicken, tea)
    stranger = signed_in(UserFactory(username="stranger"))
    response = stranger.get(reverse("customer:order", kwargs={"order_number": order.number}))
    assert response.status_code == 404 and STORY_TITLE not in response.content.decode()


def test_an_order_awaiting_payment_shows_no_receipt_yet(signed_in, people, goods):
    chicken, *_ = goods
    order = buy(chicken, user=people.buyer)  # placed, not paid: nothing credited
    assert 'class="impact-receipt"' not in order_page(signed_in(people.buyer), order)


# The confirmation e-mail


def test_the_confirmation_email_shows_the_receipt_in_both_bodies(buyer, goods, mailoutbox, django_capture_on_commit_callbacks):
    chicken, tea, *_ = goods
    with django_capture_on_commit_callbacks(execute=True):
        checkout(buyer, chicken, tea)
    (message,) = mailoutbox
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert [STORY_TITLE in body, anonymised("zh-hans") in body, "¥109.80" in body, "¥39.60" in body,
                "¥149.40" in body] == [True] * 5


def test_the_confirmation_email_shows_no_personal_data(buyer, goods, mailoutbox, django_capture_on_commit_callbacks):
    chicken, tea, storyteller, quiet = goods
    with django_capture_on_commit_callbacks(execute=True):
        checkout(buyer, chicken, tea)
    (message,) = mailoutbox
    for household in (storyteller, quiet):
        assert household.head_name not in message.body and household.head_name not in message.alternatives[0][0]


def test_an_order_not_paid_yet_is_told_what_will_go_to_the_households(people, goods):
    """A card or Alipay order is placed before its money arrives (Stripe's webhook credits the
    ledger later): its e-mail says what will be credited, by the same fee rules."""
    chicken, tea, *_ = goods
    order = buy(chicken, user=people.buyer)
    with translation.override("en"):
        messages = CommunicationEventType.objects.get_and_render("ORDER_PLACED", {"order": order, "lines": order.lines.all()})
    assert "CN¥109.80 of this order will go to 1 household in" in messages["body"]
    assert "The Yang family" in messages["html"] and "once your payment arrives" in messages["body"]


# The selector


def test_it_shows_a_cooperatives_own_part_under_the_cooperatives_name(fee_rules, people):
    township = Division.objects.get(code=MIAOBA)
    seller = Seller.objects.create(kind=SellerKind.COOPERATIVE, partner=Partner.objects.create(name="乌骨鸡合作社"),
                                   township=township)
    linked = offer(ProductFactory(), price="1.00").partner.seller.household
    BenefitLink.objects.create(seller=seller, household=linked, kind="operating", share=Decimal("0.5000"))
    product = ProductFactory()
    stock_offer(seller=seller, product=product, price=Decimal("128.00"), stock=5)
    order = buy(product, user=people.buyer, status="paid")

    rows = order_impact(order_id=order.pk)

    assert [(r["name"], r["amount"], r["household"]) for r in rows] == [
        (anonymised("zh-hans"), Decimal("54.90"), True), ("乌骨鸡合作社", Decimal("54.90"), False)]


def test_an_order_without_credits_has_an_empty_receipt(people, goods):
    chicken, *_ = goods
    assert order_impact(order_id=buy(chicken, user=people.buyer).pk) == []
