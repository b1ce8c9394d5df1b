"""The station console's shipping pages: who may open them, each step through the forms, the
morning's batches, the collection round, the shelf-life warning, and bounded pages."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from oscar.apps.basket.models import Basket
from oscar.test.factories import create_order

from catalogue.factories import ProductFactory
from logistics.access import scope_for
from logistics.models import Grade, Shipment, ShipmentEvent, ShipmentLine
from logistics.movement import Intake, Move, shipments_move
from logistics.selectors import shipments_at_stage
from logistics.states import State
from sellers.factories import HouseholdFactory
from sellers.partner.strategy import WumengStrategy
from sellers.services import household_seller_ensure, stock_offer
from shop.models import Division
from shop.order.statuses import OrderStatus
from tests.personas import A_DAY_IN_2026, MIAOBA, POJI
from tests.shipping import demo_paid, moved_to, paid_shipment
from tests.shopping import offer

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"station:{name}", args=args)


def paid_order_of(products, *, quantity=1) -> Shipment:
    """One paid order of `products` (already on offer): its one shipment."""
    basket = Basket.objects.create(owner=None)
    basket.strategy = WumengStrategy()
    for product in products:
        basket.add_product(product, quantity=quantity)
    order = create_order(basket=basket)
    demo_paid(order)
    order.set_status(OrderStatus.PAID)
    return order.shipments.get()


def two_line_shipment() -> Shipment:
    """A Miaoba shipment of two products from two households."""
    products = [ProductFactory(title="庙坝土鸡蛋"), ProductFactory(title="昭通苹果")]
    for product in products:
        offer(product, township=MIAOBA, price="40.00")
    return paid_order_of(products)


def paid_from(household, *, quantity=1, **product_fields) -> Shipment:
    product = ProductFactory(**product_fields)
    stock_offer(seller=household_seller_ensure(household=household), product=product, price=Decimal("30.00"), stock=20)
    return paid_order_of([product], quantity=quantity)


def intake_data(shipment, *, weight="1.850", grade=Grade.FIRST) -> dict:
    data = {"to": "received"}
    for line in shipment.lines.all():
        data[f"received-weight_{line.pk}"] = weight
        data[f"received-grade_{line.pk}"] = grade
    return data


def step(client, shipment, to, **fields):
    data = {"to": to, **{f"{to}-{name}": value for name, value in fields.items()}}
    return client.post(url("shipment", shipment.pk), data)


def status_of(shipment) -> str:
    shipment.refresh_from_db()
    return shipment.status


@pytest.fixture
def miaoba(people):
    return paid_shipment(township=MIAOBA)


@pytest.fixture
def clerk(people, signed_in):
    return signed_in(people.clerk_miaoba)


# --- who may open what -------------------------------------------------------------------------


def _pages(shipment):
    return [url("shipments"), url("collect"), url("shipment", shipment.pk), url("intake-receipt", shipment.pk)]


def test_it_sends_anonymous_visitors_to_sign_in(client, miaoba):
    moved_to(miaoba, State.RECEIVED)
    for page in _pages(miaoba):
        response = client.get(page)
        assert response.status_code == 302 and response.url.startswith(url("login")), page
    response = client.post(url("shipment", miaoba.pk), {"to": "qc_passed"})
    assert response.status_code == 302 and response.url.startswith(url("login"))
    assert status_of(miaoba) == State.RECEIVED


@pytest.mark.parametrize("persona", ["buyer", "official_yanjin", "official_zhaotong"])
def test_it_refuses_people_who_do_not_work_at_a_station(signed_in, people, miaoba, persona):
    moved_to(miaoba, State.RECEIVED)
    client = signed_in(getattr(people, persona))
    for page in _pages(miaoba):
        assert client.get(page).status_code == 403, page
    assert client.post(url("shipment", miaoba.pk), {"to": "qc_passed"}).status_code == 403
    assert client.post(url("shipments") + "?stage=received", {"action": "qc_passed", "ids": [miaoba.pk]}).status_code == 403
    assert status_of(miaoba) == State.RECEIVED


@pytest.mark.parametrize("persona", ["clerk_miaoba", "manager_miaoba"])
def test_miaoba_staff_open_every_shipping_page(signed_in, people, miaoba, persona):
    moved_to(miaoba, State.RECEIVED)
    client = signed_in(getattr(people, persona))
    for page in _pages(miaoba):
        assert client.get(page).status_code == 200, page


def test_a_poji_clerk_can_neither_see_nor_move_a_miaoba_shipment(signed_in, people, miaoba):
    moved_to(miaoba, State.RECEIVED)
    client = signed_in(people.clerk_poji)
    assert client.get(url("shipment", miaoba.pk)).status_code == 403
    assert client.get(url("intake-receipt", miaoba.pk)).status_code == 403
    assert client.post(url("shipment", miaoba.pk), {"to": "qc_passed"}).status_code == 403
    bulk = client.post(url("shipments") + "?stage=received", {"action": "qc_passed", "ids": [miaoba.pk]})
    assert bulk.status_code == 403
    assert status_of(miaoba) == State.RECEIVED
    assert str(miaoba.order.number) not in client.get(url("shipments") + "?stage=received").content.decode()


def test_an_unknown_shipment_is_not_found(clerk):
    assert clerk.get(url("shipment", 999999)).status_code == 404
    assert clerk.post(url("shipments"), {"action": "packed", "ids": [999999]}).status_code == 404


def test_a_receipt_before_the_intake_is_not_found(clerk, miaoba):
    assert clerk.get(url("intake-receipt", miaoba.pk)).status_code == 404


# --- each step through the forms ----------------------------------------------------------------


def test_intake_records_each_lines_weight_and_grade(clerk, people, miaoba):
    response = clerk.post(url("shipment", miaoba.pk), intake_data(miaoba, weight="2.350", grade=Grade.SECOND))

    assert response.status_code == 302 and response.url == url("shipment", miaoba.pk)
    line = miaoba.lines.get()
    assert (status_of(miaoba), line.weight_kg, line.grade) == (State.RECEIVED, Decimal("2.350"), Grade.SECOND)
    event = miaoba.events.get()
    assert (event.by, event.source) == (people.clerk_miaoba, "console")
    assert "服务站已收货" in clerk.get(response.url).content.decode()  # the success message


def test_the_intake_receipt_shows_what_the_farmer_brought(clerk, people, miaoba):
    clerk.post(url("shipment", miaoba.pk), intake_data(miaoba, weight="2.350", grade=Grade.SECOND))
    household = miaoba.lines.get().order_line.partner.seller.household

    page = clerk.get(url("intake-receipt", miaoba.pk)).content.decode()

    assert household.head_name in page and household.registry_id in page
    assert "2.35" in page and str(Grade.SECOND.label) in page
    assert people.clerk_miaoba.username in page or people.clerk_miaoba.get_full_name() in page
    assert "data-print" in page


def test_intake_without_a_weight_is_refused_and_changes_nothing(clerk, miaoba):
    data = intake_data(miaoba, weight="")

    response = clerk.post(url("shipment", miaoba.pk), data)

    assert response.status_code == 200
    assert status_of(miaoba) == State.AWAITING_INTAKE and miaoba.lines.get().weight_kg is None


def test_a_station_without_cold_chain_cannot_take_chilled_goods_in(signed_in, people):
    shipment = paid_shipment(township=POJI, storage="chilled")
    client = signed_in(people.clerk_poji)
    warning = _("These goods must be kept cold and this station has no cold chain.")
    assert warning in client.get(url("shipment", shipment.pk)).content.decode()

    response = client.post(url("shipment", shipment.pk), intake_data(shipment))

    assert response.status_code == 200
    refusal = _("These goods must be kept cold and this station has no cold chain: they cannot be taken in here.")
    assert refusal in response.content.decode()
    assert status_of(shipment) == State.AWAITING_INTAKE and not ShipmentEvent.objects.filter(shipment=shipment).exists()


def test_qc_with_one_failed_line_passes_the_other(clerk):
    shipment = moved_to(two_line_shipment(), State.RECEIVED)
    failed, kept = shipment.lines.order_by("id")

    page = clerk.get(url("shipment", shipment.pk)).content.decode()
    assert _("Lines marked failed are refunded to the buyer, and their household is not credited for them.") in page
    response = step(clerk, shipment, "qc_passed", failed=[failed.pk])

    assert response.status_code == 302
    failed.refresh_from_db(), kept.refresh_from_db()
    assert (status_of(shipment), failed.qc_failed, kept.qc_failed) == (State.QC_PASSED, True, False)


def test_qc_fail_all_fails_every_line(clerk):
    shipment = moved_to(two_line_shipment(), State.RECEIVED)

    step(clerk, shipment, "qc_failed", note="鸡蛋破损")

    assert status_of(shipment) == State.QC_FAILED
    assert all(line.qc_failed for line in shipment.lines.all())


def test_pack_then_dispatch_then_in_transit_then_delivered(clerk, miaoba):
    moved_to(miaoba, State.QC_PASSED)

    step(clerk, miaoba, "packed")
    assert status_of(miaoba) == State.PACKED
    step(clerk, miaoba, "dispatched", carrier="ems", tracking_number="EMS1234567890")
    assert (status_of(miaoba), miaoba.carrier, miaoba.tracking_number) == (State.DISPATCHED, "ems", "EMS1234567890")
    step(clerk, miaoba, "in_transit")
    assert status_of(miaoba) == State.IN_TRANSIT
    step(clerk, miaoba, "delivered")
    assert status_of(miaoba) == State.DELIVERED
    assert list(miaoba.events.values_list("type", flat=True)) == [
        "received", "qc_passed", "packed", "dispatched", "in_transit", "delivered"]


def test_a_step_that_does_not_follow_is_refused(clerk, miaoba):
    moved_to(miaoba, State.QC_PASSED)

    response = step(clerk, miaoba, "delivered")

    assert response.status_code == 200
    assert status_of(miaoba) == State.QC_PASSED


def test_a_bad_tracking_number_is_refused_with_the_reason(clerk, miaoba):
    moved_to(miaoba, State.PACKED)

    response = step(clerk, miaoba, "dispatched", carrier="ems", tracking_number="#1")

    reason = escape(_("Type the courier's tracking number: 4 to 64 letters, digits or dashes."))
    assert response.status_code == 200 and reason in response.content.decode()
    assert status_of(miaoba) == State.PACKED


def test_an_exception_needs_a_note(clerk, miaoba):
    moved_to(miaoba, State.DISPATCHED)

    assert step(clerk, miaoba, "exception", note="").status_code == 200
    assert status_of(miaoba) == State.DISPATCHED

    step(clerk, miaoba, "exception", note="包裹破损")
    assert status_of(miaoba) == State.EXCEPTION
    assert miaoba.events.last().note == "包裹破损"


def test_an_exception_is_sent_again_or_returned(clerk, people):
    again = moved_to(paid_shipment(), State.EXCEPTION)
    back = moved_to(paid_shipment(), State.EXCEPTION)

    step(clerk, again, "dispatched", carrier="sf", tracking_number="SF0000000001")
    step(clerk, back, "returned", note="")

    assert (status_of(again), again.tracking_number) == (State.DISPATCHED, "SF0000000001")
    assert status_of(back) == State.RETURNED


def test_a_delivered_shipment_is_returned_on_request(clerk, miaoba):
    moved_to(miaoba, State.DELIVERED)

    step(clerk, miaoba, "return_requested", note="买家说苹果碰伤")
    assert status_of(miaoba) == State.RETURN_REQUESTED
    step(clerk, miaoba, "returned")
    assert status_of(miaoba) == State.RETURNED


def test_chilled_goods_are_offered_only_cold_chain_couriers(clerk, people):
    chilled = moved_to(paid_shipment(storage="chilled"), State.PACKED)

    page = clerk.get(url("shipment", chilled.pk)).content.decode()

    assert 'value="sf-cold"' in page and 'value="jd-cold"' in page
    assert 'value="ems"' not in page and 'value="sf"' not in page
    assert step(clerk, chilled, "dispatched", carrier="ems", tracking_number="EMS1234567890").status_code == 200
    assert status_of(chilled) == State.PACKED


def test_ambient_goods_are_offered_every_courier(clerk, miaoba):
    moved_to(miaoba, State.PACKED)
    page = clerk.get(url("shipment", miaoba.pk)).content.decode()
    assert 'value="ems"' in page and 'value="sf-cold"' in page


def test_the_detail_links_to_the_label_and_the_slip(clerk, miaoba):
    page = clerk.get(url("shipment", miaoba.pk)).content.decode()
    assert url("shipment-label", miaoba.pk) in page and url("shipment-slip", miaoba.pk) in page


# --- the queue and its batches ------------------------------------------------------------------


def test_the_queue_shows_each_stage_in_its_tab(clerk):
    waiting = paid_shipment()
    packed = moved_to(paid_shipment(), State.PACKED)

    collect = clerk.get(url("shipments")).content.decode()
    packed_tab = clerk.get(url("shipments") + "?stage=packed").content.decode()

    assert str(waiting.order.number) in collect and str(packed.order.number) not in collect
    assert str(packed.order.number) in packed_tab and str(waiting.order.number) not in packed_tab
    assert f'{url("labels")}' in packed_tab and 'method="get"' in packed_tab  # print labels of the selected


def test_bulk_pack_of_three(clerk):
    shipments = [moved_to(paid_shipment(), State.QC_PASSED) for _ in range(3)]

    response = clerk.post(url("shipments") + "?stage=qc_passed", {"action": "packed", "ids": [s.pk for s in shipments]})

    assert response.status_code == 302 and response.url.endswith("?stage=qc_passed")
    assert [status_of(s) for s in shipments] == [State.PACKED] * 3


def test_bulk_with_one_that_cannot_move_moves_none(clerk):
    ready = [moved_to(paid_shipment(), State.QC_PASSED) for _ in range(2)]
    not_ready = moved_to(paid_shipment(), State.RECEIVED)

    response = clerk.post(
        url("shipments") + "?stage=qc_passed", {"action": "packed", "ids": [s.pk for s in [*ready, not_ready]]}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert str(not_ready.order.number) in page  # its problem, named
    assert [status_of(s) for s in ready] == [State.QC_PASSED] * 2 and status_of(not_ready) == State.RECEIVED
    assert page.count("checked") >= 2  # the selection is kept


def test_bulk_qc_pass_in_transit_and_delivered(clerk):
    received = [moved_to(paid_shipment(), State.RECEIVED) for _ in range(2)]
    dispatched = [moved_to(paid_shipment(), State.DISPATCHED) for _ in range(2)]

    clerk.post(url("shipments") + "?stage=received", {"action": "qc_passed", "ids": [s.pk for s in received]})
    clerk.post(url("shipments") + "?stage=with_carrier", {"action": "in_transit", "ids": [s.pk for s in dispatched]})
    clerk.post(url("shipments") + "?stage=with_carrier", {"action": "delivered", "ids": [s.pk for s in dispatched]})

    assert [status_of(s) for s in received] == [State.QC_PASSED] * 2
    assert [status_of(s) for s in dispatched] == [State.DELIVERED] * 2


def test_bulk_refuses_a_step_that_needs_more_than_a_click(clerk, miaoba):
    moved_to(miaoba, State.PACKED)
    response = clerk.post(url("shipments"), {"action": "dispatched", "ids": [miaoba.pk]})
    assert response.status_code == 200 and status_of(miaoba) == State.PACKED


def test_bulk_with_nothing_selected_says_so(clerk):
    response = clerk.post(url("shipments") + "?stage=qc_passed", {"action": "packed"})
    assert response.status_code == 200 and _("Choose at least one shipment.") in response.content.decode()


def test_home_shows_the_count_of_each_stage(clerk):
    paid_shipment(), paid_shipment()
    page = clerk.get(url("home")).content.decode()
    assert url("shipments") in page and f"{_('To collect')} 2" in page


# --- the collection round -----------------------------------------------------------------------


def test_the_collection_groups_by_village_then_household_with_their_phones(clerk, people):
    miaoba = Division.objects.get(code=MIAOBA)
    yang = HouseholdFactory(township=miaoba, village="青龙村", head_name="杨秀英", phone="13912340001", consent_to_sell=True)
    li = HouseholdFactory(township=miaoba, village="白鹤村", head_name="李国华", phone="13912340002", consent_to_sell=True)
    paid_from(yang, quantity=2, title="乌骨鸡")
    paid_from(yang, quantity=1, title="天麻")
    paid_from(li, quantity=3, title="乌骨鸡", title_en="Black-bone chicken")
    moved_to(paid_from(li, title="竹笋"), State.RECEIVED)  # taken in already: not to collect
    paid_shipment(township=POJI)

    page = clerk.get(url("collect")).content.decode()

    assert page.index("白鹤村") < page.index("李国华") < page.index("青龙村") < page.index("杨秀英")
    assert 'href="tel:13912340001"' in page and 'href="tel:13912340002"' in page
    assert "天麻" in page and "竹笋" not in page
    assert page.count("乌骨鸡") == 3  # each household's, and once in the totals (two products of one name)


def test_the_collection_shows_the_total_of_each_product(clerk):
    household = HouseholdFactory(township=Division.objects.get(code=MIAOBA), consent_to_sell=True)
    product = ProductFactory(title="昭通苹果")
    stock_offer(seller=household_seller_ensure(household=household), product=product, price=Decimal("30.00"), stock=20)
    paid_order_of([product], quantity=2), paid_order_of([product], quantity=5)

    page = clerk.get(url("collect")).content.decode()

    assert "×7" in page


def test_a_clerk_of_another_station_sees_none_of_the_collection(signed_in, people):
    household = HouseholdFactory(township=Division.objects.get(code=MIAOBA), phone="13912340009", consent_to_sell=True)
    paid_from(household)
    page = signed_in(people.clerk_poji).get(url("collect")).content.decode()
    assert "13912340009" not in page and household.head_name not in page


# --- shelf life of chilled and frozen goods -----------------------------------------------------


def test_chilled_goods_waiting_over_24_hours_are_flagged(clerk, people, time_machine):
    time_machine.move_to(A_DAY_IN_2026, tick=False)
    chilled = moved_to(paid_shipment(storage="chilled"), State.QC_PASSED)
    ambient = moved_to(paid_shipment(), State.QC_PASSED)
    scope = scope_for(people.clerk_miaoba)

    def flagged():
        from django.utils import timezone

        found = shipments_at_stage(scope=scope, stage="qc_passed", now=timezone.now())
        return {s.pk for s in found if s.cold_overdue}

    time_machine.move_to(A_DAY_IN_2026 + timedelta(hours=23, minutes=59))
    assert flagged() == set()
    assert "badge late" not in clerk.get(url("shipments") + "?stage=qc_passed").content.decode()

    time_machine.move_to(A_DAY_IN_2026 + timedelta(hours=24, minutes=1))
    assert flagged() == {chilled.pk}
    page = clerk.get(url("shipments") + "?stage=qc_passed").content.decode()
    assert page.count("badge late") == 1 and page.index(str(chilled.order.number)) < page.index(str(ambient.order.number))
    assert "cold-overdue" in clerk.get(url("shipment", chilled.pk)).content.decode()
    assert "cold-overdue" not in clerk.get(url("shipment", ambient.pk)).content.decode()


def test_chilled_goods_handed_to_the_courier_are_no_longer_flagged(clerk, people, time_machine):
    time_machine.move_to(A_DAY_IN_2026, tick=False)
    frozen = moved_to(paid_shipment(storage="frozen"), State.DISPATCHED)
    time_machine.move_to(A_DAY_IN_2026 + timedelta(hours=30))

    page = clerk.get(url("shipments") + "?stage=with_carrier").content.decode()

    assert str(frozen.order.number) in page and "badge late" not in page


# --- bounded pages ------------------------------------------------------------------------------


def _queue_of(n):
    shipments = [paid_shipment(storage="chilled" if i % 2 else "ambient") for i in range(n)]
    for shipment in shipments[: n // 2]:
        moved_to(shipment, State.RECEIVED)
    return shipments


@pytest.mark.parametrize("n", [2, 12])
def test_the_pages_queries_do_not_grow_with_the_queue(clerk, django_assert_max_num_queries, n):
    shipments = _queue_of(n)
    clerk.get(url("home"))  # the menu's categories are cached by the first page
    pages = [url("home"), url("shipments"), url("shipments") + "?stage=received", url("collect"),
             url("shipment", shipments[0].pk), url("intake-receipt", shipments[0].pk)]
    for page in pages:
        with django_assert_max_num_queries(10):
            assert clerk.get(page).status_code == 200, page


def test_pages_of_50_shipments_are_under_100_kb(clerk):
    shipments = [two_line_shipment() for _ in range(25)] + [paid_shipment(storage="chilled") for _ in range(25)]
    collect = clerk.get(url("collect"))
    intake = {line.pk: Intake(Decimal("1.5"), Grade.FIRST) for line in ShipmentLine.objects.all()}
    shipments_move(shipment_ids=[s.pk for s in shipments], move=Move(to=State.RECEIVED, intake=intake))

    received = clerk.get(url("shipments") + "?stage=received")

    assert received.content.decode().count('name="ids"') == 50
    assert len(received.content) < 100_000 and len(collect.content) < 100_000


def test_it_tells_a_clerk_of_another_station_why_in_their_language(signed_in, people, miaoba):
    page = signed_in(people.clerk_poji).get(url("shipment", miaoba.pk)).content.decode()

    assert "该包裹属于其他站点。" in page and "无权访问" in page


def test_it_lists_goods_to_give_back_to_their_farmers(clerk, people):
    failed = moved_to(paid_shipment(), State.QC_FAILED)

    page = clerk.get(url("shipments") + "?stage=back_to_farmer").content.decode()

    assert str(failed.order.number) in page and "退还" in page
