"""Refusals of rules across fields that still name the one field to correct.

A pydantic model validator that checks several fields together reports its error on
the whole model (an empty location), so the answer could not say which field is wrong.
:func:`field_error` builds the error at the field's own location instead; pydantic
prefixes it with the model's place in the request (``patient.criteria.age_max``).
"""

from __future__ import annotations

from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError


def field_error(model: BaseModel, field: str, message: str) -> ValidationError:
    """The error to raise from a model validator of ``model`` about its ``field``."""
    return ValidationError.from_exception_data(
        type(model).__name__,
        [
            InitErrorDetails(
                type=PydanticCustomError("invalid_combination", message),
                loc=(field,),
                input=getattr(model, field, None),
            )
        ],
    )
