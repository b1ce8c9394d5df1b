"""Couriers with no integration: the station types the tracking number from the courier's slip,
and station staff record the later moves (in transit, delivered) themselves."""

from django.utils.translation import gettext_lazy as _

from logistics.carriers import Carrier

CARRIERS = [
    Carrier("ems", _("China Post EMS"), cold_chain=False),
    Carrier("sf", _("SF Express"), cold_chain=False),
    Carrier("sf-cold", _("SF Express cold chain"), cold_chain=True),
    Carrier("jd-cold", _("JD Logistics cold chain"), cold_chain=True),
    Carrier("yto", _("YTO Express"), cold_chain=False),
]
