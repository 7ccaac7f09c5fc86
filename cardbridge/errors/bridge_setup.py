"""The bridge's own setup: its configuration, its user service, and a bridge that answers
what its Python client cannot read."""

from __future__ import annotations

from cardbridge.errors.base import CardBridgeError


class ConfigError(CardBridgeError):
    """A setting, or a file a setting names, that the bridge cannot use."""

    code = "config_invalid"


class ServiceError(CardBridgeError):
    """Installing or removing the user service failed."""

    code = "service_error"


class UnexpectedAnswerError(CardBridgeError):
    """The bridge answered something this client cannot read (another program on the
    port, or a newer bridge with an error code this client does not know)."""

    code = "unexpected_answer"
