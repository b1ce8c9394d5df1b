"""The API's answer for addresses that name no endpoint."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


class NoSuchEndpoint(APIView):
    """The last route under /api/: an address that names no endpoint is the API's JSON 404 in
    the one error shape, whatever the method and whoever asks, not the storefront's HTML page."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    schema = None  # not an endpoint: left out of the OpenAPI schema

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound(_("There is no API endpoint at this address."))
