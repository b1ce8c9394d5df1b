"""The public trace page: anyone holding the label's code follows the parcel, and learns nothing
about the buyer, the staff or a household that has not chosen to tell its story."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from oscar.apps.address.models import Country

from logistics.models import ShipmentStatus
from logistics.movement import Move, shipment_move
from logistics.states import State
from sellers.models import Household, StoryIndexPage, StoryPage
from shop.order.models import ShippingAddress
from tests.shipping import moved_to, paid_shipment

pytestmark = pytest.mark.django_db

STORY_TITLE = "庙坝镇黄草村的杨家"


def trace_url(shipment) -> str:
    return reverse("trace", kwargs={"code": shipment.trace_code})


def household_of(shipment) -> Household:
    return shipment.lines.get().order_line.partner.seller.household


def tell_story(home_page, household) -> StoryPage:
    """The household consents to its story, and it is published as the CMS does."""
    Household.objects.filter(pk=household.pk).update(consent_to_story=True)
    household.refresh_from_db()
    index = home_page.add_child(instance=StoryIndexPage(title="农户的故事", slug="stories"))
    page = index.add_child(instance=StoryPage(
        title=STORY_TITLE, title_en="The Yang family", slug="story-1", household=household,
        summary="一家四口,养乌骨鸡。", body="<p>山高路远。</p>", live=False,
    ))
    page.save_revision().publish()
    return page


def anonymised(township: str) -> str:
    return gettext("a household of %(township)s") % {"township": township}


def test_it_shows_anyone_the_status_and_every_step(client, people):
    shipment = moved_to(paid_shipment(), State.DISPATCHED)

    page = client.get(trace_url(shipment)).content.decode()

    steps = [ShipmentStatus.RECEIVED, ShipmentStatus.QC_PASSED, ShipmentStatus.PACKED, ShipmentStatus.DISPATCHED]
    assert [str(step.label) in page for step in steps] == [True] * 4


def test_it_shows_the_carrier_tracking_number_and_the_township_it_came_from(client, people):
    shipment = moved_to(paid_shipment(), State.DISPATCHED)

    page = client.get(trace_url(shipment)).content.decode()

    assert ("SF1234567890" in page, "庙坝镇" in page) == (True, True)


@pytest.mark.time_machine(datetime(2026, 6, 15, 20, 30, tzinfo=ZoneInfo("UTC")), tick=False)
def test_it_gives_the_times_in_china_time(client, people):
    shipment = moved_to(paid_shipment(), State.RECEIVED)

    page = client.get(trace_url(shipment)).content.decode()

    assert "2026-06-16 04:30" in page


def test_it_answers_an_unknown_code_with_404(client, people):
    moved_to(paid_shipment(), State.RECEIVED)

    assert client.get(reverse("trace", kwargs={"code": "not-a-trace-code"})).status_code == 404


def test_it_names_a_household_by_its_story_when_it_consented_and_the_story_is_live(client, people, home_page):
    shipment = paid_shipment()
    tell_story(home_page, household_of(shipment))

    page = client.get(trace_url(shipment)).content.decode()

    assert STORY_TITLE in page


def test_it_does_not_name_a_household_without_a_live_story(client, people):
    shipment = paid_shipment()
    household = household_of(shipment)
    Household.objects.filter(pk=household.pk).update(consent_to_story=True)

    page = client.get(trace_url(shipment)).content.decode()

    assert (household.head_name in page, anonymised("庙坝镇") in page) == (False, True)


def test_it_does_not_name_a_household_whose_consent_is_withdrawn(client, people, home_page):
    shipment = paid_shipment()
    household = household_of(shipment)
    tell_story(home_page, household)
    # Withdrawing unpublishes the story (tests/sellers/test_consent.py); the page asks for both anyway.
    Household.objects.filter(pk=household.pk).update(consent_to_story=False)

    page = client.get(trace_url(shipment)).content.decode()

    assert (STORY_TITLE in page, anonymised("庙坝镇") in page) == (False, True)


def test_it_shows_nothing_of_the_buyer(client, people):
    shipment = moved_to(paid_shipment(user=people.buyer), State.DISPATCHED)
    order = shipment.order
    country, _created = Country.objects.get_or_create(iso_3166_1_a2="CN", defaults={"printable_name": "中国"})
    order.shipping_address = ShippingAddress.objects.create(
        first_name="小明", last_name="王", line1="朝阳区建国路 88 号", line4="北京", postcode="100022",
        country=country, phone_number="+8613800000000",
    )
    order.save()

    page = client.get(trace_url(shipment)).content.decode()

    personal = ["小明", "建国路", "100022", "13800000000", "138 0000 0000", people.buyer.username, people.buyer.email,
                str(order.number)]
    assert [value for value in personal if value in page] == []


def test_it_shows_no_notes_or_staff_names(client, people):
    shipment = moved_to(paid_shipment(), State.DISPATCHED, by=people.clerk_miaoba)
    shipment_move(shipment=shipment, move=Move(to=State.EXCEPTION, note="王小明电话 13800000000 无人接听"),
                  by=people.clerk_miaoba)

    page = client.get(trace_url(shipment)).content.decode()

    assert ("无人接听" in page, people.clerk_miaoba.username in page, str(ShipmentStatus.EXCEPTION.label) in page) == (
        False, False, True,
    )


def test_it_works_in_english(client, people, home_page):
    shipment = moved_to(paid_shipment(), State.DISPATCHED)
    tell_story(home_page, household_of(shipment))

    with translation.override("en"):
        url = trace_url(shipment)
    response = client.get(url)

    page = response.content.decode()
    assert (url.startswith("/en/trace/"), response.status_code, "Handed to the courier" in page,
            "The Yang family" in page, '<html lang="en">' in page) == (True, 200, True, True, True)


def test_it_links_each_parcel_from_the_buyers_order_page(signed_in, people):
    shipment = paid_shipment(user=people.buyer)

    page = signed_in(people.buyer).get(reverse("customer:order", kwargs={"order_number": shipment.order.number}))

    assert trace_url(shipment) in page.content.decode()


def test_it_names_the_courier_not_the_place_a_courier_reported(client, people):
    shipment = moved_to(paid_shipment(), State.DISPATCHED)
    shipment_move(shipment=shipment, move=Move(to=State.IN_TRANSIT), source="carrier:ems",
                  place="签收人 王小明 13800138000 朝阳区建国路88号")

    page = client.get(trace_url(shipment)).content.decode()

    assert "13800138000" not in page and "建国路" not in page
