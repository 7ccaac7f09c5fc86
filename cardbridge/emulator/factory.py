"""Build the emulated card a profile describes."""

from __future__ import annotations

from pathlib import Path

from cardbridge.emulator.cps import build_cps_card
from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.issuance import CertificateIssuer, default_issuer
from cardbridge.emulator.keys import KeySource, generate_key
from cardbridge.emulator.profiles import CpsProfile, Profile
from cardbridge.emulator.vitale import build_vitale_card


def build_card(
    profile: Profile,
    *,
    data_dir: Path | None = None,
    keys: KeySource = generate_key,
    issuer: CertificateIssuer | None = None,
) -> IsoCard:
    """A card for ``profile``; a CPS gets its certificates from ``issuer``, by default the
    emulator's test PKI of ``data_dir``."""
    if isinstance(profile, CpsProfile):
        return build_cps_card(profile, issuer=issuer or default_issuer(data_dir), keys=keys)
    return build_vitale_card(profile)
