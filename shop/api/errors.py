"""The API's one error shape: {"error": {"code", "message", "fields"}}."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from shop.errors import DomainError


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
