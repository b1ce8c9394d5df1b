"""A station cannot set stock below the units already promised to open orders."""

import pytest
from django.core.exceptions import ValidationError

from sellers import services
from tests.shopping import buy, offer

pytestmark = pytest.mark.django_db


def test_stock_cannot_be_cut_below_the_units_promised_to_orders(pooled):
    record = offer(pooled, stock=10)
    buy(pooled, 4)
    with pytest.raises(ValidationError) as refused:
        services.listing_update(record=record, stock=3)
    assert "stock" in refused.value.message_dict
    record.refresh_from_db()
    assert (record.num_in_stock, record.num_allocated) == (10, 4)
