"""API errors are JSON with a reason, whatever raised them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


def json_exception_handler(exc, context):
    if isinstance(exc, ValidationError):
        messages = exc.messages
        return Response(
            {"reason": " ".join(messages), "errors": messages}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, PermissionDenied) and not getattr(exc, "detail", None):
        reason = str(exc) or gettext("You do not have permission to perform this action.")
        return Response({"reason": reason}, status=status.HTTP_403_FORBIDDEN)
    response = exception_handler(exc, context)
    if response is not None:
        response.data = _with_reason(response.data)
    return response


def _with_reason(data) -> dict:
    # A detail message, or errors that concern no single field, read as the reason itself;
    # errors per field keep their shape under "errors" so a client can show them by the field.
    if isinstance(data, dict) and "detail" in data:
        return {"reason": str(data["detail"])}
    if isinstance(data, list) and all(isinstance(item, str) for item in data):
        return {"reason": " ".join(data), "errors": data}
    if isinstance(data, dict) and set(data) == {"non_field_errors"}:
        messages = [str(message) for message in data["non_field_errors"]]
        return {"reason": " ".join(messages), "errors": data}
    return {"reason": gettext("Invalid input."), "errors": data}
