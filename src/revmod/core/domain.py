"""What every domain function shares: the errors it raises and the permission verdicts it gives.

A permission check answers Allowed or Denied(reason) (the Weblate pattern), so that a page can say
why a button is disabled and a domain function can refuse with the same words.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError


class DomainError(ValidationError):
    """A business rule refused the action; the message is shown to the user as is."""


class NotAllowed(PermissionDenied):
    """The actor may not perform the action; the message says why."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    def check(self) -> None:
        """Raise NotAllowed with the reason unless allowed."""
        if not self.allowed:
            raise NotAllowed(self.reason)


ALLOWED = Verdict(True)


def denied(reason) -> Verdict:
    return Verdict(False, str(reason))
