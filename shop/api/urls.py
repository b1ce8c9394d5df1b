from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from shop.api.v1 import in_callers_language
from shop.api.views import NoSuchEndpoint


class V1Only:
    """Document our API, not Wagtail's admin API that also uses DRF."""

    urlpatterns = [path("api/v1/", include("shop.api.v1"))]


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(urlconf=V1Only), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/", include("shop.api.v1")),
    # Last: any other address under /api/ ending in a slash is the API's JSON 404, not the
    # storefront's HTML page. (Without the slash, Django's APPEND_SLASH redirects here first.)
    re_path(r"^(?:.*/)?$", in_callers_language(NoSuchEndpoint.as_view()), name="api-not-found"),
]
