from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView


class V1Only:
    """Document our API, not Wagtail's admin API that also uses DRF."""

    urlpatterns = [path("api/v1/", include("shop.api.v1"))]


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(urlconf=V1Only), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/", include("shop.api.v1")),
]
