"""Canonical record → findings a supervisor can act on."""

from validate.api import validate

__all__ = ["validate"]
