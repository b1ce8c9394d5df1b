import oscar.apps.catalogue.apps as apps


class CatalogueConfig(apps.CatalogueConfig):
    name = "catalogue"

    def ready(self):
        super().ready()  # Oscar's relative import loads Oscar's receivers, not ours
        # Receivers connect to models, so they load once the apps are ready (Django's own advice).
        from catalogue import receivers  # noqa: F401
