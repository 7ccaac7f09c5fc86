"""Hypothesis settings profiles: short runs in ``make test``, long ones in ``make fuzz``.

``CARDBRIDGE_HYPOTHESIS_PROFILE`` names the profile: ``default`` (``make test``), or
``soak`` (``make fuzz`` and ``make soak``), which runs :data:`SOAK_FACTOR` times more
examples and never gives up on a slow one. A test that sets its own ``max_examples``
passes it through :func:`examples`, so it scales with the profile. ``make fuzz``
selects the tests by their ``hypothesis`` mark, which Hypothesis's pytest plugin puts
on every ``@given`` test; a test that builds a ``@given`` function inside it is marked
``@pytest.mark.hypothesis`` by hand.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE_VARIABLE = "CARDBRIDGE_HYPOTHESIS_PROFILE"
SOAK_FACTOR = 20

_DEFAULT_EXAMPLES = settings.get_profile("default").max_examples
settings.register_profile(
    "soak",
    max_examples=_DEFAULT_EXAMPLES * SOAK_FACTOR,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get(PROFILE_VARIABLE, "default"))


def examples(short: int) -> int:
    """``short`` examples in ``make test``, as many times more as the profile runs."""
    return short * settings().max_examples // _DEFAULT_EXAMPLES
