"""API errors are JSON with a reason, whatever raised them."""

from django.core.exceptions import PermissionDenied, ValidationError
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
        reason = str(exc) or "You do not have permission to perform this action."
        return Response({"reason": reason}, status=status.HTTP_403_FORBIDDEN)
    response = exception_handler(exc, context)
    if response is not None:
        data = response.data
        if isinstance(data, dict) and "detail" in data:
            response.data = {"reason": str(data["detail"])}
        elif isinstance(data, dict):
            response.data = {"reason": "Invalid input.", "errors": data}
        else:
            response.data = {"reason": "Invalid input.", "errors": data}
    return response
