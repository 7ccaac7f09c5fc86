"""Every decoder of card data (the layouts' ``from_bytes`` and friends), for fuzzing."""

from __future__ import annotations

from collections.abc import Callable

from cardbridge.layouts import cps, iasecc, vitale

DECODERS: tuple[Callable[[bytes], object], ...] = (
    cps.ChipSerial.from_bytes,
    cps.DataUpdate.from_bytes,
    cps.CardIdentity.from_bytes,
    cps.HolderName.from_bytes,
    cps.ProfessionalInfo.from_bytes,
    cps.Situation.from_bytes,
    vitale.decode_identity_file,
    vitale.decode_nir_file,
    vitale.InsuranceData.from_bytes,
    iasecc.PinStatus.from_bytes,
    iasecc.SecurityEnvironment.from_bytes,
    lambda data: iasecc.digest_from_hash_data(data, 32),
)
