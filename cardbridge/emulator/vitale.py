"""Emulated Vitale 2 cards, built from a profile with :mod:`cardbridge.layouts.vitale`.

The tree (docs/domain.md §2; [ours] parts as the layout module says)::

    MF 3F00 (AID MF_VITALE)   identity file (SFI 2): one 65 {80, 81, 82, 90} per bearer
    └── DF VITALE (AID)       NIR file (SFI 2): 65 {93} per bearer; insurance file (SFI 3)
"""

from __future__ import annotations

from cardbridge.emulator.engine import DedicatedFile, ElementaryFile, IsoCard
from cardbridge.emulator.profiles import VitaleProfile
from cardbridge.layouts import vitale
from cardbridge.layouts.encoding import FileRef

# What the emulator writes in tag 90 (ours: the real coding of nationality is unknown).
NATIONALITY = "FRA"


def build_vitale_card(profile: VitaleProfile) -> IsoCard:
    """A Vitale 2 card as ``profile`` describes it."""
    people = profile.beneficiaries
    identity = vitale.encode_identity_file(
        vitale.Bearer(p.last_name, p.first_name, p.birth_date, NATIONALITY) for p in people
    )
    nirs = vitale.encode_nir_file(profile.insured.nir for _ in people)
    insurance = vitale.InsuranceData(
        serial=profile.serial,
        test=profile.test,
        regime=profile.insured.regime,
        caisse=profile.insured.caisse,
        centre=profile.insured.centre,
        beneficiaries=tuple(
            vitale.BeneficiaryRights(p.birth_name, p.birth_rank, p.quality, p.certified_nir)
            for p in people
        ),
    ).to_bytes()

    def ef(ref: FileRef, content: bytes) -> ElementaryFile:
        return ElementaryFile(ref.fid, vitale.pad_file(content), sfi=ref.sfi)

    application = DedicatedFile(
        None,
        aid=vitale.AID_VITALE,
        children=[ef(vitale.EF_NIR, nirs), ef(vitale.EF_INSURANCE, insurance)],
    )
    mf = DedicatedFile(
        vitale.MF,
        aid=vitale.AID_MF_VITALE,
        children=[ef(vitale.EF_IDENTITY, identity), application],
    )
    return IsoCard(atr=vitale.ATR_VITALE2, mf=mf, fci=True)
