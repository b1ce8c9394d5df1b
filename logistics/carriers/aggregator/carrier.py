"""The aggregator's services, as couriers the station can hand a parcel to."""

from django.utils.translation import gettext_lazy as _

from logistics.carriers import Carrier

# The integration's name: notice ids are the aggregator's, whichever of its services they concern.
INTEGRATION = "aggregator"

CARRIERS = [
    Carrier("agg-express", _("Aggregator express"), cold_chain=False),
    Carrier("agg-cold", _("Aggregator cold chain"), cold_chain=True),
]

CARRIER_CODES = frozenset(carrier.code for carrier in CARRIERS)
