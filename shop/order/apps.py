import oscar.apps.order.apps as apps


class OrderConfig(apps.OrderConfig):
    name = 'shop.order'

    def ready(self):
        super().ready()
        from shop.order import shipping_reactions  # noqa: F401  (connects the receivers; models must be loaded first)
