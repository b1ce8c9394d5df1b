from oscar.apps.shipping import repository

from shop.shipping.methods import StationDelivery


class Repository(repository.Repository):
    methods = (StationDelivery(),)
