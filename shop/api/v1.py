"""API v1 routes (the DESIGN.md contract)."""

from functools import wraps

from django.urls import path
from django.utils import translation
from django.utils.cache import patch_vary_headers

import shop.core.urls  # noqa: F401  (the <registry_id:> converter)
from catalogue.api import CategoryList
from impact.api import HouseholdLedger, ImpactSummary
from logistics.api import ShipmentEventCreate, ShipmentList, StationList
from sellers.api import HouseholdChangeList, HouseholdDetail, HouseholdList, ListingDetail, ListingList
from shop.api.auth import TokenObtainView


def in_callers_language(view):
    """Answer in the language the client asks for with Accept-Language.

    The locale middleware pins every path without a language prefix (all of /api/) to Chinese,
    which suits pages but not API clients: they cannot put /en/ in front of /api/. The response
    is rendered inside the override so lazy names and messages come out in that language too."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        language = translation.get_language_from_request(request)
        with translation.override(language):
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        response.headers["Content-Language"] = language
        patch_vary_headers(response, ["Accept-Language"])
        return response

    return wrapped


def route(pattern: str, view_class, name: str):
    return path(pattern, in_callers_language(view_class.as_view()), name=name)


urlpatterns = [
    route("auth/token/", TokenObtainView, "api-v1-token"),
    route("stations/", StationList, "api-v1-stations"),
    route("categories/", CategoryList, "api-v1-categories"),
    route("households/", HouseholdList, "api-v1-households"),
    route("households/<registry_id:registry_id>/", HouseholdDetail, "api-v1-household"),
    route("households/<registry_id:registry_id>/changes/", HouseholdChangeList, "api-v1-household-changes"),
    route("households/<registry_id:registry_id>/ledger/", HouseholdLedger, "api-v1-household-ledger"),
    route("listings/", ListingList, "api-v1-listings"),
    route("listings/<int:pk>/", ListingDetail, "api-v1-listing"),
    route("shipments/", ShipmentList, "api-v1-shipments"),
    route("shipments/<int:pk>/events/", ShipmentEventCreate, "api-v1-shipment-events"),
    route("impact/summary/", ImpactSummary, "api-v1-impact-summary"),
]
