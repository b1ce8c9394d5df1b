"""Who may call the API: the token sign-in and the permission classes the v1 views share.

The decisions themselves come from `sellers.scoping`; these classes only turn a scope into
DRF's yes/no (an anonymous caller gets 401, a signed-in one outside the roles 403)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken

from sellers.scoping import scope_for


class ErrorSerializer(serializers.Serializer):
    """The one error body (built by `shop.api.errors.exception_handler`), for the schema."""

    error = inline_serializer(
        name="ErrorDetail",
        fields={
            "code": serializers.CharField(),
            "message": serializers.CharField(),
            "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        },
    )


class TokenObtainView(ObtainAuthToken):
    """Username and password for a token. Bad credentials raise DRF's ValidationError, which the
    exception handler turns into the usual 400 error body."""

    # Signing in needs no credentials: a stale token header or a browser session (which would
    # demand a CSRF token) must not stand in the way of getting a new token.
    authentication_classes = ()

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


class ReadsRegistry(permissions.BasePermission):
    """Station staff, officials and the platform operator; buyers and everyone else are refused."""

    message = _("Only station staff and officials may use this.")

    def has_permission(self, request, view):
        return scope_for(request.user).can_read_registry


class StationStaffWrites(permissions.BasePermission):
    """Reads like `ReadsRegistry`; changes only by station staff (and the operator). Officials read."""

    def has_permission(self, request, view):
        scope = scope_for(request.user)
        if request.method in permissions.SAFE_METHODS:
            self.message = ReadsRegistry.message
            return scope.can_read_registry
        self.message = _("Only station staff may change this.")
        return scope.is_operator or scope.is_station_staff
