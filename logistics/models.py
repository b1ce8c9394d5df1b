import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logistics.states import State
from shop.core.i18n import localized


class Station(models.Model):
    """A township e-commerce station: lists goods for its farmers and ships them."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=64, blank=True)
    township = models.ForeignKey(
        "shop.Division", verbose_name=_("township"), on_delete=models.PROTECT, related_name="stations"
    )
    address = models.CharField(_("address"), max_length=255)
    phone = models.CharField(_("phone"), max_length=20)
    cold_chain = models.BooleanField(_("has cold chain"), default=False)
    shipping_charge = models.DecimalField(
        _("delivery charge (CNY)"), max_digits=8, decimal_places=2, default=Decimal("12.00"),
        help_text=_("Charged once per order for the parcel this station sends."),
    )
    cold_chain_surcharge = models.DecimalField(
        _("cold-chain surcharge (CNY)"), max_digits=8, decimal_places=2, default=Decimal("18.00"),
        help_text=_("Added when the parcel holds chilled or frozen goods (foam box, ice packs, express)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, through="StationMembership", related_name="stations")

    class Meta:
        ordering = ["code"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return localized(self, "name")


class StationRole(models.TextChoices):
    STAFF = "staff", _("Staff")
    MANAGER = "manager", _("Manager")


class StationMembership(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="station_memberships")
    role = models.CharField(_("role"), max_length=16, choices=StationRole.choices, default=StationRole.STAFF)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station", "user"], name="station_membership_unique")]


class ShipmentStatus(models.TextChoices):
    AWAITING_INTAKE = State.AWAITING_INTAKE.value, _("Awaiting intake")
    RECEIVED = State.RECEIVED.value, _("Received at the station")
    QC_PASSED = State.QC_PASSED.value, _("Quality check passed")
    QC_FAILED = State.QC_FAILED.value, _("Quality check failed")
    PACKED = State.PACKED.value, _("Packed")
    DISPATCHED = State.DISPATCHED.value, _("Handed to the courier")
    IN_TRANSIT = State.IN_TRANSIT.value, _("In transit")
    DELIVERED = State.DELIVERED.value, _("Delivered")
    EXCEPTION = State.EXCEPTION.value, _("Delivery problem")
    RETURN_REQUESTED = State.RETURN_REQUESTED.value, _("Return requested")
    RETURNED = State.RETURNED.value, _("Returned")


class Storage(models.TextChoices):
    """How a parcel must be kept: the coldest storage class of its goods (catalogue's vocabulary)."""

    AMBIENT = "ambient", _("Ambient")
    CHILLED = "chilled", _("Chilled (0–4 °C)")
    FROZEN = "frozen", _("Frozen (−18 °C)")


def new_trace_code() -> str:
    # Printed as a QR code on the label and typed by nobody: long enough not to be guessed.
    return secrets.token_urlsafe(12)


class Shipment(models.Model):
    """The part of an order one station packs and ships: the lines whose sellers are in its township."""

    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="shipments")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="shipments")
    status = models.CharField(
        _("status"), max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.AWAITING_INTAKE
    )
    storage = models.CharField(_("storage"), max_length=16, choices=Storage.choices, default=Storage.AMBIENT)
    fresh = models.BooleanField(
        _("fresh food"), default=False, help_text=_("Holds perishable goods: the shorter return window applies.")
    )
    trace_code = models.CharField(_("trace code"), max_length=24, unique=True, default=new_trace_code)
    # What the buyer paid for this parcel (the station's rate at the time, cold-chain surcharge
    # included): refunded with the goods when none of them reaches the buyer.
    delivery_charge = models.DecimalField(
        _("delivery charge (CNY)"), max_digits=8, decimal_places=2, default=Decimal("0.00")
    )
    carrier = models.CharField(_("carrier"), max_length=32, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the commerce layer: only paid shipments of live orders reach the station's queue.
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Copies of the events' times that the queue, the shelf-life warning and settlement filter on.
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [models.UniqueConstraint(fields=["order", "station"], name="shipment_one_per_station")]
        indexes = [
            models.Index(fields=["station", "status"], name="shipment_station_queue"),
            models.Index(fields=["status", "delivered_at"], name="shipment_settlement_due"),
        ]

    def __str__(self):
        return f"{self.order.number} · {self.station}"

    @property
    def needs_cold_chain(self) -> bool:
        return self.storage != Storage.AMBIENT

    @property
    def status_label(self) -> str:
        return ShipmentStatus(self.status).label


class Grade(models.TextChoices):
    FIRST = "first", _("First grade")
    SECOND = "second", _("Second grade")
    OFF = "off", _("Off grade")


def supplier_household(order_line):
    """The registered household that supplied an order line; None for a cooperative's or the
    platform's own goods. Read through the line's seller by attribute: logistics does not import
    the registry."""
    partner = order_line.partner if order_line.partner_id else None
    seller = getattr(partner, "seller", None) if partner is not None else None
    return seller.household if seller is not None and seller.household_id else None


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.OneToOneField("order.Line", on_delete=models.PROTECT, related_name="shipment_line")
    # Intake: what the station weighed and graded when the farmer brought the goods.
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=7, decimal_places=3, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=8, choices=Grade.choices, blank=True)
    qc_failed = models.BooleanField(_("failed quality check"), default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight_kg__isnull=True) | models.Q(weight_kg__gt=0), name="shipment_line_weight_positive"
            )
        ]

    @property
    def household(self):
        return supplier_household(self.order_line)


class ShipmentEvent(models.Model):
    """One move of a shipment: who made it, when, where, and why. Never changed afterwards."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("event"), max_length=20, choices=ShipmentStatus.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=ShipmentStatus.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("by"),
    )
    source = models.CharField(_("source"), max_length=40, help_text=_("station, or carrier:<code>"))
    place = models.CharField(_("where"), max_length=128, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    carrier = models.CharField(_("carrier"), max_length=32, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("shipment event")
        verbose_name_plural = _("shipment events")

    @property
    def label(self) -> str:
        return ShipmentStatus(self.type).label


class CarrierNotice(models.Model):
    """A tracking update a carrier pushed, kept so that a replayed update is refused."""

    carrier = models.CharField(max_length=32)
    notice_id = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)
    shipment = models.ForeignKey(Shipment, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["carrier", "notice_id"], name="carrier_notice_once")]
