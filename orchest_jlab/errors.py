"""Errors that services raise for the caller's mistakes; the handlers turn them into JSON responses."""

from __future__ import annotations

from typing import Any


class OrchestError(Exception):
    status = 400

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class BadRequest(OrchestError):
    status = 400


class NotFound(OrchestError):
    status = 404


class Conflict(OrchestError):
    status = 409
