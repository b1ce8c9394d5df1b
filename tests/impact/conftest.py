import pytest

from tests.impact.report_sales import credited
from tests.personas import MIAOBA
from tests.shipping import paid_shipment


@pytest.fixture
def sales(people):
    """Income this year in two counties: a paid parcel of two ¥50.00 units from a new Miaoba
    household (the real checkout flow), and credits to the cast's Miaoba and Poji households."""
    shipment = paid_shipment(township=MIAOBA, quantity=2)
    credited(people.household_miaoba, "300.00")
    credited(people.household_poji, "80.00")
    return shipment
