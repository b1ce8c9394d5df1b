"""Delivery from the township stations: each station that sends a parcel charges its
own rate, more when the parcel must travel chilled or frozen."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from oscar.apps.shipping.methods import *  # noqa: F401,F403  (Oscar's other methods stay available)
from oscar.apps.shipping.methods import Base
from oscar.core import prices

from catalogue.models import StorageClass
from logistics.selectors import stations_by_township
from sellers.partner.models import StockRecord


class StationDelivery(Base):
    code = "station-delivery"
    name = _("Delivery from the township stations")
    description = _("Each station packs and ships its households' goods; chilled and frozen goods travel in a cold box.")
    is_tax_known = True

    def calculate(self, basket):
        return prices.Price(currency=basket.currency, excl_tax=self.charge(basket), tax=Decimal("0.00"))

    def charge(self, basket) -> Decimal:
        record_ids = tuple(sorted(line.stockrecord_id for line in basket.all_lines() if line.stockrecord_id))
        # A checkout page asks for the charge several times (the method list, the totals, the
        # order); the answer depends only on the stock records, so it is kept on the basket,
        # which lives for one request (this method object lives as long as the process).
        known = getattr(basket, "_station_delivery_charges", None)
        if known is None:
            known = basket._station_delivery_charges = {}
        if record_ids not in known:
            known[record_ids] = self._charge_for(record_ids)
        return known[record_ids]

    @staticmethod
    def _charge_for(record_ids) -> Decimal:
        parcels: dict[str, bool] = {}  # township → needs the cold chain
        for township, storage in StockRecord.objects.filter(pk__in=record_ids).values_list(
            "partner__seller__township_id", "product__storage"
        ):
            if township:
                parcels[township] = parcels.get(township, False) or storage != StorageClass.AMBIENT
        stations = stations_by_township(parcels)
        total = Decimal("0.00")
        for township, cold in parcels.items():
            station = stations.get(township)
            if station:
                total += station.shipping_charge + (station.cold_chain_surcharge if cold else Decimal("0.00"))
        return total
