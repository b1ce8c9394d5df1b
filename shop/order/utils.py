"""Order placement: Oscar's OrderCreator with fair, locked stock allocation and one
shipment per station, all in the order's transaction."""

from django.db import transaction
from oscar.apps.order import utils

from logistics.services import shipments_create_for_order
from sellers.allocation import allocate_basket

OrderNumberGenerator = utils.OrderNumberGenerator


class OrderCreator(utils.OrderCreator):
    def place_order(self, basket, *args, **kwargs):
        with transaction.atomic():
            self.allocation = allocate_basket(basket)
            order = super().place_order(basket, *args, **kwargs)
            shipments_create_for_order(order=order)
        return order

    def create_line_models(self, order, basket_line, extra_line_fields=None):
        """One order line per household that fills the basket line, at the price the buyer saw."""
        created = []
        unit_incl, unit_excl = basket_line.unit_price_incl_tax, basket_line.unit_price_excl_tax
        for record, quantity in self.allocation[basket_line.id]:
            fields = {
                **(extra_line_fields or {}),
                "partner": record.partner,
                "partner_name": record.partner.name,
                "partner_sku": record.partner_sku,
                "stockrecord": record,
                "quantity": quantity,
                "num_allocated": quantity,
                "unit_price_incl_tax": unit_incl,
                "unit_price_excl_tax": unit_excl,
                "line_price_incl_tax": unit_incl * quantity,
                "line_price_excl_tax": unit_excl * quantity,
                "line_price_before_discounts_incl_tax": unit_incl * quantity,
                "line_price_before_discounts_excl_tax": unit_excl * quantity,
            }
            created.append(super().create_line_models(order, basket_line, extra_line_fields=fields))
        return created[0]

    def update_stock_records(self, line):
        """Stock was already reserved, under lock, by `allocate_basket`."""
