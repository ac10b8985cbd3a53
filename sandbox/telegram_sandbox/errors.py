"""Errors of the Telegram sandbox.

`ApiError` is what a Bot API method answers when Telegram would refuse the call: the
server turns it into `{"ok": false, "error_code": ..., "description": ...}` with the
same HTTP status. The other classes are raised to *test code* that drives the simulated
people wrongly or waits in vain; they derive from `AssertionError` so pytest shows them
as plain test failures.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "ButtonNotFoundError",
    "NoMessageError",
    "SandboxUsageError",
    "bad_request",
    "forbidden",
]


class ApiError(Exception):
    """A Bot API error answer: HTTP status, Telegram's description, parameters."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {description}")
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends with this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 answer: `Bad Request: <detail>`."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """A 403 answer: `Forbidden: <detail>`."""
    return ApiError(403, f"Forbidden: {detail}")


class SandboxUsageError(AssertionError):
    """Test code asked a simulated person to do something a real person could not do."""


class ButtonNotFoundError(SandboxUsageError):
    """The person looked for a button that is not on the screen."""


class NoMessageError(TimeoutError, AssertionError):
    """Waited for a bot message that did not arrive in time."""
