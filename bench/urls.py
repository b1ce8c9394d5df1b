from django.http import HttpResponse
from django.urls import path

from shop.urls import urlpatterns as site_urls


def bare(request):
    """The baseline: a Django view that does nothing, behind the same middleware."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *site_urls]
