"""Signing in to the API: a username and password for a token that expires after API_TOKEN_TTL
(shop/api/tokens.py) and that its owner can revoke. (Who may do what once signed in is decided
in `logistics.access`.)"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from shop.api.tokens import ExpiringTokenAuthentication, token_expires_at, token_issue, token_revoke
from shop.core.api import PARSERS, ErrorSerializer, error_response, flat_messages

LOCKED_OUT = gettext_lazy("Too many sign-in attempts with this name from your network; try again later.")


TokenAnswer = inline_serializer(
    name="Token", fields={"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
)


class TokenObtainView(ObtainAuthToken):
    """POST: username and password for a token and when it expires (bad credentials are the usual
    400 error body; too many wrong ones for the name from this address a 429). DELETE, sent with
    the token: revokes it."""

    # Signing in needs no credentials: a stale token header or a browser session (which would
    # demand a CSRF token) must not stand in the way of getting a new token.
    authentication_classes = ()
    # ObtainAuthToken names DRF's own parsers; ours refuse absurdly nested JSON with a 400.
    parser_classes = PARSERS

    def revoking(self) -> bool:
        # The schema generator asks before it has a request.
        return getattr(self.request, "method", None) == "DELETE"

    def get_authenticators(self):
        return [ExpiringTokenAuthentication()] if self.revoking() else super().get_authenticators()

    def get_permissions(self):
        return [IsAuthenticated()] if self.revoking() else super().get_permissions()

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        request=AuthTokenSerializer,
        responses={200: TokenAnswer, 400: ErrorSerializer, 429: ErrorSerializer},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # Answered, not raised: a raised error rolls the request's transaction back, and with
            # it django-axes' count of this failure. Axes marks the request (DRF's, the one
            # authenticate() saw) when it refused, or has just locked out, this name here.
            if getattr(request, "axes_locked_out", False):
                return error_response(code="throttled", message=str(LOCKED_OUT), status_code=429)
            fields = {name: flat_messages(errors) for name, errors in serializer.errors.items()}
            return error_response(code="invalid", message=_("Invalid input."), status_code=400, fields=fields)
        token = token_issue(user=serializer.validated_data["user"])
        return Response({"token": token.key, "expires_at": token_expires_at(token)})

    @extend_schema(
        operation_id="auth_token_revoke",
        tags=["auth"],
        request=None,
        responses={204: None, 401: ErrorSerializer},
    )
    def delete(self, request, *args, **kwargs):
        token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
