from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
    AWAITING_INTAKE = "awaiting_intake", _("Awaiting intake")
    RECEIVED = "received", _("Received at the station")
    QC_PASSED = "qc_passed", _("Quality check passed")
    QC_FAILED = "qc_failed", _("Quality check failed")
    PACKED = "packed", _("Packed")
    DISPATCHED = "dispatched", _("Handed to the courier")
    IN_TRANSIT = "in_transit", _("In transit")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Delivery problem")
    RETURN_REQUESTED = "return_requested", _("Return requested")
    RETURNED = "returned", _("Returned")


class Shipment(models.Model):
    """The part of an order one station packs and ships: the lines whose sellers are in its township."""

    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="shipments")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="shipments")
    status = models.CharField(
        _("status"), max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.AWAITING_INTAKE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [models.UniqueConstraint(fields=["order", "station"], name="shipment_one_per_station")]

    def __str__(self):
        return f"{self.order.number} · {self.station}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.OneToOneField("order.Line", on_delete=models.PROTECT, related_name="shipment_line")
