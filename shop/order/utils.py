"""Order placement: Oscar's OrderCreator with fair, locked stock allocation and one
shipment per station, all in the order's transaction."""

from django.db import transaction
from oscar.apps.order import utils

from logistics.services import shipments_create_for_order
from logistics.states import State as ShipmentState
from sellers.partner.allocation import allocate_basket
from shop.core.prefetch import remember_related
from shop.order.ledger import order_paid_credit
from shop.order.shipping_reactions import households_told_sold
from shop.order.statuses import PAID_STATUSES

OrderNumberGenerator = utils.OrderNumberGenerator


class OrderCreator(utils.OrderCreator):
    def place_order(self, basket, *args, **kwargs):
        with transaction.atomic():
            self.allocation = allocate_basket(basket)
            self.order_lines = []
            order = super().place_order(basket, *args, **kwargs)
            # The demo payment pays as the order is placed: its shipments join the queue at once
            # (a paid order placed later goes through `shipping_reactions.on_order_status_changed`).
            shipments_create_for_order(order=order, paid=order.status in PAID_STATUSES)
            if order.status in PAID_STATUSES:
                order_paid_credit(order=order)
                households_told_sold(order=order)
        return order

    def create_line_models(self, order, basket_line, extra_line_fields=None):
        """One order line per household that fills the basket line, at the price the buyer saw."""
        created = []
        parts = self.allocation[basket_line.id]
        unit_incl, unit_excl = basket_line.unit_price_incl_tax, basket_line.unit_price_excl_tax
        # Oscar reads the basket line's seller before our fields replace it: hand it the
        # one the allocation already loaded rather than have it fetched again.
        partners = {record.partner_id: record.partner for record, _quantity in parts}
        if basket_line.stockrecord and basket_line.stockrecord.partner_id in partners:
            basket_line.stockrecord.partner = partners[basket_line.stockrecord.partner_id]
        for record, quantity in parts:
            fields = {
                **(extra_line_fields or {}),
                **({"status": ShipmentState.AWAITING_INTAKE} if order.status in PAID_STATUSES else {}),
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
        self.order_lines.extend(created)
        # After placement, Oscar's analytics, its payment events and our shipments
        # each read the order's lines: hand them these rather than a query each.
        remember_related(order, "lines", self.order_lines)
        return created[0]

    def update_stock_records(self, line):
        """Stock was already reserved, under lock, by `allocate_basket`."""

