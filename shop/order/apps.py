import oscar.apps.order.apps as apps


class OrderConfig(apps.OrderConfig):
    name = 'shop.order'

    def ready(self):
        super().ready()
        from django.db.models.signals import post_migrate

        from shop.order import shipping_reactions  # connects the receivers; models must be loaded first

        post_migrate.connect(shipping_reactions.shipping_event_types_ensure, sender=self)
