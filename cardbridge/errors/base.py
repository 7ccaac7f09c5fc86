"""The root of the exception tree, and the class of each error code.

Every error raised on purpose derives from :class:`CardBridgeError`. Each class has a
stable machine ``code`` (the ``code`` of the API's problem+json answers, whose HTTP status
:mod:`cardbridge.errors.http_status` gives) and a message that tells a clinician what to
do, in French and English: its text is in the catalogue :mod:`cardbridge.messages.errors`,
under the class's ``message_key``. Messages never contain a PIN or health data.
"""

from __future__ import annotations

from typing import Any, ClassVar

from cardbridge.messages import Language, Text
from cardbridge.messages.errors import ERROR_TEXTS, TECHNICAL_DETAIL


class CardBridgeError(Exception):
    """Root of every error cardbridge raises on purpose.

    ``message`` is a :class:`~cardbridge.messages.Text` from the catalogue, or a plain
    string: technical specifics (in English) that the French message then carries after
    the class's own text. ``message`` (the attribute) is the English text, as logs and
    ``str()`` show it; :meth:`message_in` gives either language.
    """

    code: ClassVar[str] = "internal_error"
    message_key: ClassVar[str] = "internal_error"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "message_key" not in cls.__dict__:
            cls.message_key = cls.code

    def __init__(self, message: Text | str | None = None, *, reader: str | None = None) -> None:
        if message is None:
            self.text = self.default_text()
        elif isinstance(message, Text):
            self.text = message
        else:
            self.text = TECHNICAL_DETAIL.format(message=self.default_text().fr, detail=message)
        self.message = self.text.en
        self.reader = reader
        super().__init__(self.message)

    @classmethod
    def default_text(cls) -> Text:
        """The catalogue's text of this class. A class whose entry is still missing (the
        catalogue's test names it) says its own ``default_message`` in both languages if
        it has one, else the text of its nearest ancestor that has an entry."""
        for ancestor in cls.__mro__:
            key = getattr(ancestor, "message_key", None)
            if key in ERROR_TEXTS:
                return ERROR_TEXTS[key]
            own = ancestor.__dict__.get("default_message")
            if isinstance(own, str):
                return Text(own, own)
        return ERROR_TEXTS["internal_error"]

    @classmethod
    def text_of(cls, key: str, **params: object) -> Text:
        """The catalogue's text ``key`` with its parameters (a variant of a class's text)."""
        return ERROR_TEXTS[key].format(**params)

    def message_in(self, language: Language) -> str:
        """What to tell the clinician, in ``language``."""
        return self.text.in_(language)

    def details(self) -> dict[str, object]:
        """Extra machine-readable fields for API answers (never secrets or health data)."""
        return {"reader": self.reader} if self.reader else {}

    def headers(self) -> dict[str, str]:
        """HTTP headers that go with the API's answer (``Retry-After``…)."""
        return {}


def errors_by_code() -> dict[str, type[CardBridgeError]]:
    """The class of each error code: the most general one when several share a code
    (``card_removed`` is :class:`CardRemovedError`, not its :class:`CardResetError`
    subclass). Every code is here as soon as :mod:`cardbridge.errors` is imported: the
    package imports all its modules, and a class elsewhere adds no code of its own
    (``tests/errors/test_error_codes.py``)."""
    found: dict[str, type[CardBridgeError]] = {}
    pending: list[type[CardBridgeError]] = [CardBridgeError]
    while pending:  # breadth first: parents before their subclasses
        cls = pending.pop(0)
        found.setdefault(cls.code, cls)
        pending += cls.__subclasses__()
    return found
