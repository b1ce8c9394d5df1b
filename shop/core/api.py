"""What every API of ours shares: the one error shape {"error": {"code", "message", "fields"}}
(built by `exception_handler`, described by `ErrorSerializer`), amounts as strings, input
serializers that refuse unknown fields, and the guards against bad input every endpoint gets:
pages of at most `Pages.max_limit` rows and a JSON parser that refuses absurd nesting.

DRF imports this module while it defines its APIView (for the default parser and pagination
classes), so nothing here may import `rest_framework.views` or `generics` at the top."""

import re

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from shop.core.errors import DomainError


def error_response(*, code: str, message: str, status_code: int, fields: dict | None = None) -> Response:
    return Response({"error": {"code": code, "message": message, "fields": fields or {}}}, status=status_code)


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return error_response(code=exc.code, message=exc.message, status_code=exc.status, fields=exc.fields)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return error_response(code="invalid", message=_("Invalid input."), status_code=400, fields=fields)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    # Django raises these when DRF reads the body (DATA_UPLOAD_MAX_MEMORY_SIZE,
    # DATA_UPLOAD_MAX_NUMBER_FIELDS, ...); left alone they become the site's HTML 400.
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(_("The request body cannot be read."))
    # Imported here: rest_framework.views loads DRF's settings, which import this module for its
    # parser and pagination classes; at the top it would be a circle.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    fields = {}
    message = str(getattr(exc, "detail", "")) or _("Error.")
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {name: flat_messages(errors) for name, errors in detail.items()}
        message = _("Invalid input.")
    code = {
        status.HTTP_400_BAD_REQUEST: "invalid",
        status.HTTP_401_UNAUTHORIZED: "not_authenticated",
        status.HTTP_403_FORBIDDEN: "forbidden",
        status.HTTP_404_NOT_FOUND: "not_found",
        status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
        status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
        status.HTTP_409_CONFLICT: "conflict",
        status.HTTP_413_REQUEST_ENTITY_TOO_LARGE: "too_large",
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
        status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
    }.get(response.status_code, "error")
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response


class JSONParser(parsers.JSONParser):
    """DRF's, but JSON nested deeper than Python's recursion limit is a 400, not a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON parse error - the body is nested too deeply.")) from None


# The parsers every view of ours uses (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).
PARSERS = (JSONParser, parsers.FormParser, parsers.MultiPartParser)


class Pages(LimitOffsetPagination):
    """`?limit=` and `?offset=` pages. A limit above `max_limit` gives `max_limit` rows, so no
    caller can ask the database for an unbounded (or overflowing: a 500 on PostgreSQL) slice. An
    offset past the last row gives an empty page (DRF compares it with the count before it
    slices); a limit or offset that is not a whole number is ignored."""

    default_limit = 50
    max_limit = 200


def flat_messages(errors, path: str = "") -> list[str]:
    """A field's messages as the error body promises them, a list of strings: the errors of a list
    of objects (`lines`) or of a nested object are named by their place, "1.weight_kg: ..."."""
    if isinstance(errors, dict):
        return [m for key, value in errors.items() for m in flat_messages(value, f"{path}{key}.")]
    if isinstance(errors, list) and any(isinstance(item, dict | list) for item in errors):
        return [m for index, value in enumerate(errors) for m in flat_messages(value, f"{path}{index}.")]
    prefix = f"{path[:-1]}: " if path else ""
    return [f"{prefix}{message}" for message in (errors if isinstance(errors, list) else [errors])]


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


class AmountFieldSchema(OpenApiSerializerFieldExtension):
    """An amount in the schema as it is accepted: ASCII digits, at most two decimals, a sign
    only where negative amounts are allowed (DRF's own pattern lets "" and "." through)."""

    target_class = AmountField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
        integer_digits = field.max_digits - field.decimal_places
        return {
            "type": "string",
            "format": "decimal",
            "pattern": f"^{sign}[0-9]{{1,{integer_digits}}}(\\.[0-9]{{1,{field.decimal_places}}})?$",
            "example": "128.00",
        }


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
