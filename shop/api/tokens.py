"""API tokens that expire after API_TOKEN_TTL and that their owner can revoke.

DRF's tokens never expire on their own; a token's `created` says when it was issued, so one
older than the TTL is refused here and replaced by the next sign-in (shop/api/auth.py). No
table of our own. DRF imports this module while it defines its APIView (the default
authentication class): nothing here may import `rest_framework.views` or the token model."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_expires_at(token) -> datetime:
    return token.created + settings.API_TOKEN_TTL


def token_issue(*, user):
    """The user's token, a new one if theirs has expired (or there is none)."""
    from rest_framework.authtoken.models import Token

    with transaction.atomic():
        Token.objects.filter(user=user, created__lte=timezone.now() - settings.API_TOKEN_TTL).delete()
        token, _created = Token.objects.get_or_create(user=user)
    return token


def token_revoke(*, token) -> None:
    token.delete()


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing tokens older than API_TOKEN_TTL."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if timezone.now() >= token_expires_at(token):
            raise exceptions.AuthenticationFailed(_("The token has expired; sign in again for a new one."))
        return user, token
