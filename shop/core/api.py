"""What every API of ours shares: the one error shape {"error": {"code", "message", "fields"}}
(built by `exception_handler`, described by `ErrorSerializer`), amounts as strings, and input
serializers that refuse unknown fields."""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from shop.core.errors import DomainError


def error_response(*, code: str, message: str, status_code: int, fields: dict | None = None) -> Response:
    return Response({"error": {"code": code, "message": message, "fields": fields or {}}}, status=status_code)



def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return error_response(code=exc.code, message=exc.message, status_code=exc.status, fields=exc.fields)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return error_response(code="invalid", message=_("Invalid input."), status_code=400, fields=fields)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    fields = {}
    message = str(getattr(exc, "detail", "")) or _("Error.")
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        message = _("Invalid input.")
    code = {
        status.HTTP_400_BAD_REQUEST: "invalid",
        status.HTTP_401_UNAUTHORIZED: "not_authenticated",
        status.HTTP_403_FORBIDDEN: "forbidden",
        status.HTTP_404_NOT_FOUND: "not_found",
        status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
        status.HTTP_409_CONFLICT: "conflict",
    }.get(response.status_code, "error")
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response


class ErrorSerializer(serializers.Serializer):
    """The one error body (built by `shop.core.api.exception_handler`), for the schema."""

    error = inline_serializer(
        name="ErrorDetail",
        fields={
            "code": serializers.CharField(),
            "message": serializers.CharField(),
            "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        },
    )


# Plain decimal notation in ASCII digits only: "1e3", "NaN", " 12" or "１２" are not how anyone
# sends an amount.
AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class AmountField(serializers.DecimalField):
    """Yuan as a string with two decimals ("128.00") both ways. JSON numbers with a fraction are
    refused: a float may already have lost the fen before it reaches us."""

    default_error_messages = {"not_a_string": gettext_lazy('Send amounts as a string, e.g. "128.00".')}

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, coerce_to_string=True, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, float):
            self.fail("not_a_string")
        if isinstance(data, str) and not AMOUNT.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictInputSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a misspelt or unchangeable field is an error the
    caller sees instead of a change that silently does not happen."""

    fixed_fields: frozenset[str] = frozenset()

    def to_internal_value(self, data):
        unknown = {}
        if hasattr(data, "keys"):
            for name in data:
                if name in self.fields:
                    continue
                message = _("This field cannot be changed.") if name in self.fixed_fields else _("Unknown field.")
                unknown[name] = [message]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({**unknown, **error.detail}) from error
        if unknown:
            raise serializers.ValidationError(unknown)
        return value
