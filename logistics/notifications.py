"""What buyers and farmers are told when a shipment moves: the buyer an e-mail when the parcel
leaves with the courier and when it arrives, the farmer a text message when the station has
taken the goods in (what was weighed and graded).

These functions send; `logistics.tasks` calls them from Celery once the move has committed, so
a move that rolls back tells nobody. Each takes event ids (the task's arguments) and returns
the ids whose message could not be sent, for the task to retry; an event with several
households is retried whole, so one of them may get its text twice.

The farmer's phone is read through the order line's seller by attribute access: logistics
does not import the registry."""

import logging
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from logistics.carriers import carrier_get
from logistics.models import Grade, Shipment, ShipmentEvent, ShipmentLine
from logistics.movement import return_window_closes
from logistics.states import State
from shop.core.sms import SmsError, mainland_mobile, send_sms

logger = logging.getLogger(__name__)

# Farmers read Chinese: their messages are written in it, whatever language the buyer used.
GRADE_WORDS = {Grade.FIRST: "一级", Grade.SECOND: "二级", Grade.OFF: "等外"}
BUYER_TEMPLATES = {State.DISPATCHED: "logistics/email/dispatched.txt", State.DELIVERED: "logistics/email/delivered.txt"}


def buyer_subject(kind: str, number: str) -> str:
    subjects = {
        State.DISPATCHED: _("Your order %(number)s: a parcel is on its way"),
        State.DELIVERED: _("Your order %(number)s: a parcel was delivered"),
    }
    return subjects[kind] % {"number": number}


# Buyers ----------------------------------------------------------------------------------------


def shipment_events_email_buyers(*, event_ids: list[int]) -> list[int]:
    """E-mail the buyer of each dispatched or delivered shipment; the ids of events not sent."""
    events = (
        ShipmentEvent.objects.filter(pk__in=event_ids, type__in=list(BUYER_TEMPLATES))
        .select_related("shipment__station", "shipment__order__user")
        .prefetch_related(Prefetch(
            "shipment__lines",
            queryset=ShipmentLine.objects.filter(qc_failed=False).select_related("order_line"),
            to_attr="in_parcel",
        ))
        .order_by("id")
    )
    messages = []
    for event in events:
        order = event.shipment.order
        recipient = order.user.email if order.user_id else order.guest_email
        if not recipient:
            logger.info("No e-mail about order %s: the buyer left no address.", order.number)
            continue
        messages.append((event.pk, buyer_message(event, recipient)))
    if not messages:
        return []
    failed = []
    with get_connection() as connection:
        for event_id, message in messages:
            message.connection = connection
            try:
                message.send()
            except OSError:  # SMTP refused or unreachable (smtplib's errors are OSErrors)
                logger.warning("The e-mail about shipment event %s was not sent.", event_id, exc_info=True)
                failed.append(event_id)
    return failed


def buyer_message(event: ShipmentEvent, recipient: str) -> EmailMessage:
    """Chinese first, English below: one message serves every buyer."""
    shipment, order = event.shipment, event.shipment.order
    carrier = carrier_get(event.carrier or shipment.carrier)
    number = event.tracking_number or shipment.tracking_number
    closes = return_window_closes(shipment)
    context = {
        "order_number": order.number,
        "station_zh": shipment.station.name,
        "station_en": shipment.station.name_en or shipment.station.name,
        "carrier_zh": in_language("zh-hans", carrier.name) if carrier else shipment.carrier,
        "carrier_en": in_language("en", carrier.name) if carrier else shipment.carrier,
        "tracking_number": number,
        "tracking_link": carrier.tracking_link(number) if carrier else "",
        "trace_url": trace_url(shipment),
        "lines": [{"title": line.order_line.title, "quantity": line.order_line.quantity} for line in shipment.in_parcel],
        "return_until": timezone.localtime(closes).strftime("%Y-%m-%d %H:%M") if closes else "",
    }
    with translation.override("zh-hans"):
        zh = buyer_subject(event.type, order.number)
    with translation.override("en"):
        en = buyer_subject(event.type, order.number)
    subject = zh if zh == en else f"{zh} · {en}"
    return EmailMessage(
        subject=subject,
        body=render_to_string(BUYER_TEMPLATES[event.type], context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
    )


def trace_url(shipment: Shipment) -> str:
    """The public page that follows the parcel, as an absolute link (e-mails have no host); the
    Chinese address, as the e-mail opens in Chinese."""
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL + reverse("trace", args=[shipment.trace_code])


def in_language(code: str, text) -> str:
    with translation.override(code):
        return str(text)


# Farmers ---------------------------------------------------------------------------------------


def shipment_events_sms_intake(*, event_ids: list[int]) -> list[int]:
    """Text each household whose goods a station took in: what, how many, the weight and the
    grade. Households that withdrew their consent or have no mobile number are skipped."""
    events = ShipmentEvent.objects.filter(pk__in=event_ids, type=State.RECEIVED).select_related("shipment__station")
    station_of = {event.shipment_id: event.shipment.station for event in events}
    event_of = {event.shipment_id: event.pk for event in events}
    lines = (
        ShipmentLine.objects.filter(shipment_id__in=list(station_of))
        .select_related("order_line__product", "order_line__partner__seller__household")
        .order_by("shipment_id", "id")
    )
    by_household = defaultdict(list)
    for line in lines:
        household = line.household
        if household is not None:
            by_household[(line.shipment_id, household)].append(line)
    failed = set()
    for (shipment_id, household), household_lines in by_household.items():
        parts = [
            f"{goods(line.order_line, line.order_line.quantity)}，称重 {kilograms(line.weight_kg)} 千克，"
            f"{GRADE_WORDS.get(line.grade, '')}".rstrip("，")
            for line in household_lines
        ]
        text = f"{settings.SMS_SIGN_NAME}：{station_of[shipment_id].name}已收到您的{'；'.join(parts)}。"
        if not farmer_sms(household, text):
            failed.add(event_of[shipment_id])
    return sorted(failed)


def farmer_sms(household, text: str) -> bool:
    """Send one text to a household; False only when the provider failed (worth a retry)."""
    if not household.consent_to_sell:
        logger.info("No SMS to household %s: it no longer consents to sell.", household.pk)
        return True
    number = mainland_mobile(household.phone)
    if number is None:
        logger.warning("No SMS to household %s: its phone is not a mainland mobile number.", household.pk)
        return True
    try:
        send_sms(number, text)
    except SmsError:
        logger.warning("The SMS to household %s was not sent.", household.pk, exc_info=True)
        return False
    return True


def goods(order_line, quantity: int) -> str:
    """"盐津乌骨鸡 2 只"."""
    return f"{goods_title(order_line)} {quantity} {goods_unit(order_line)}"


def goods_title(order_line) -> str:
    """The product's Chinese title: the line's own is in English when bought under /en/."""
    product = order_line.product
    return (product.title if product is not None else "") or order_line.title


def goods_unit(order_line) -> str:
    """The unit without its description: "只(1.5–2.5 千克)" → "只"."""
    unit = (order_line.product.unit if order_line.product is not None else "") or ""
    for bracket in ("(", "（"):
        unit = unit.split(bracket)[0]
    return unit.strip() or "件"


def kilograms(weight: Decimal | None) -> str:
    return format(weight.normalize(), "f") if weight is not None else "?"
