"""Signing in to the API: a username and password for a token. (Who may do what once signed in
is decided in `logistics.access`.)"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken

from shop.core.api import PARSERS, ErrorSerializer


class TokenObtainView(ObtainAuthToken):
    """Username and password for a token. Bad credentials raise DRF's ValidationError, which the
    exception handler turns into the usual 400 error body."""

    # Signing in needs no credentials: a stale token header or a browser session (which would
    # demand a CSRF token) must not stand in the way of getting a new token.
    authentication_classes = ()
    # ObtainAuthToken names DRF's own parsers; ours refuse absurdly nested JSON with a 400.
    parser_classes = PARSERS

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer(name="Token", fields={"token": serializers.CharField()}),
            400: ErrorSerializer,
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
