from django.urls import path

import shop.core.urls  # noqa: F401  (the <registry_id:> converter)
from sellers.console import documents, shipments, views

app_name = "station"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    path("households/", views.household_list, name="households"),
    path("households/new/", views.household_create, name="household-create"),
    path("households/<registry_id:registry_id>/", views.household_detail, name="household"),
    path("households/<registry_id:registry_id>/edit/", views.household_edit, name="household-edit"),
    path("households/<registry_id:registry_id>/list/", views.listing_create, name="listing-create"),
    path("listings/", views.listing_list, name="listings"),
    path("listings/<int:pk>/", views.listing_edit, name="listing-edit"),
    path("checks/", views.data_checks, name="checks"),
    path("import/", views.registry_import, name="import"),
    path("shipments/", shipments.shipment_queue, name="shipments"),
    path("shipments/collect/", shipments.collection, name="collect"),
    path("shipments/<int:pk>/", shipments.shipment_detail, name="shipment"),
    path("shipments/<int:pk>/receipt/", shipments.intake_receipt, name="intake-receipt"),
    path("shipments/<int:pk>/label.pdf", documents.shipment_label, name="shipment-label"),
    path("shipments/<int:pk>/slip.pdf", documents.shipment_slip, name="shipment-slip"),
    path("shipments/labels.pdf", documents.labels_bulk, name="labels"),
]
