"""The offline DMP's fixtures (tests/support/dmp_fixtures.py) and the seed's people."""

from tests.support.dmp_fixtures import (
    LOUISE,
    LUC,
    PIERRE,
    SOPHIE,
    demo_doctor,
    dmp,
    hospital,
    nurse,
    organisations,
    other_doctor,
)

__all__ = [
    "LOUISE",
    "LUC",
    "PIERRE",
    "SOPHIE",
    "demo_doctor",
    "dmp",
    "hospital",
    "nurse",
    "organisations",
    "other_doctor",
]
