"""The Vitale session: the patient's card read into the insured and the beneficiaries.

The card has three lists in the same order — bearers' identity (MF), NIRs (VITALE
application) and insurance data — paired here into beneficiaries. Every NIR key is
checked. Lunar birth dates (a day or month beyond the calendar) are kept as written:
``birth_date`` is null and ``birth_date_raw`` keeps them. An INS is given only where it
is really the person's: the insured (qualité 0) gets the insured's NIR, a beneficiary
with a certified NIR gets that one, anybody else none — a child's INS is never the
parent's NIR.
"""

from __future__ import annotations

import datetime as dt

from cardbridge.cards.files import read_padded_file
from cardbridge.cards.models import (
    Beneficiary,
    Coded,
    Insured,
    InsValue,
    VitaleCard,
    VitaleCardInfo,
)
from cardbridge.cards.session import CardSession
from cardbridge.domain.nir import INS_OIDS, Nir, ins_kind, parse_nir
from cardbridge.domain.terminologies import QUALITIES, REGIMES, TEST_CAISSES
from cardbridge.errors import CardDataError, InvalidInputError, WrongCardTypeError
from cardbridge.layouts import vitale
from cardbridge.messages import inputs as say
from cardbridge.pcsc.apdu import CommandApdu, Ins
from cardbridge.pcsc.atr import VITALE2, CardFamily
from cardbridge.pcsc.connection import Connection

INSURED_QUALITY = 0
SELECT_BY_FID = 0x00
SELECT_BY_NAME = 0x04


def _card_nir(text: str, reader: str) -> Nir:
    try:
        return parse_nir(text)
    except InvalidInputError:
        raise CardDataError(
            "A NIR on the Vitale card has a wrong key: the card may be damaged. Use the "
            "patient's attestation of rights instead.",
            reader=reader,
        ) from None


def _iso_date(raw: str) -> dt.date | None:
    """The date if ``raw`` (YYYYMMDD) is a calendar date; ``None`` for a lunar date."""
    try:
        return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        return None


class VitaleSession(CardSession):
    """Reads the Vitale card on ``connection``; raises :class:`WrongCardTypeError` otherwise."""

    family = CardFamily.VITALE
    wrong_card_message = say.NOT_A_VITALE

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        if self.model is not VITALE2:
            raise WrongCardTypeError(
                say.VITALE_1,
                reader=connection.reader,
            )

    def _select(self, p1: int, data: bytes) -> None:
        # P2 00 with Le, as readers of real Vitale cards send it; the answer is not needed.
        self._protocol.send(CommandApdu(0x00, Ins.SELECT, p1, 0x00, data, le=256))

    def read(self) -> VitaleCard:
        """The card, the insured and every beneficiary, in card order."""
        with self._transaction():
            self._select(SELECT_BY_FID, vitale.MF.to_bytes(2, "big"))
            bearers = vitale.decode_identity_file(
                read_padded_file(self._protocol, vitale.EF_IDENTITY)
            )
            self._select(SELECT_BY_NAME, vitale.AID_VITALE)
            nirs = vitale.decode_nir_file(read_padded_file(self._protocol, vitale.EF_NIR))
            insurance = vitale.InsuranceData.from_bytes(
                read_padded_file(self._protocol, vitale.EF_INSURANCE)
            )
        return self._card(bearers, nirs, insurance)

    def _card(
        self, bearers: list[vitale.Bearer], nirs: list[str], insurance: vitale.InsuranceData
    ) -> VitaleCard:
        if not bearers or not len(bearers) == len(nirs) == len(insurance.beneficiaries):
            raise CardDataError(
                "The Vitale card's lists of people do not match: the card may be damaged.",
                reader=self.reader,
            )
        insured_nirs = {_card_nir(text, self.reader) for text in nirs}
        if len(insured_nirs) != 1:
            raise CardDataError(
                "The Vitale card names more than one insured person: the card may be damaged.",
                reader=self.reader,
            )
        insured_nir = insured_nirs.pop()
        test = insurance.test or insurance.caisse in TEST_CAISSES
        return VitaleCard(
            reader=self.reader,
            card=VitaleCardInfo(generation="vitale2", serial=insurance.serial, test=test),
            insured=Insured(
                nir=insured_nir.body,
                nir_key=insured_nir.key,
                regime=insurance.regime,
                regime_label=REGIMES.get(insurance.regime),
                caisse=insurance.caisse,
                centre=insurance.centre,
            ),
            beneficiaries=[
                self._beneficiary(index, bearer, rights, insured_nir, test=test)
                for index, (bearer, rights) in enumerate(
                    zip(bearers, insurance.beneficiaries, strict=True)
                )
            ],
        )

    def _beneficiary(
        self,
        index: int,
        bearer: vitale.Bearer,
        rights: vitale.BeneficiaryRights,
        insured_nir: Nir,
        *,
        test: bool,
    ) -> Beneficiary:
        certified = _card_nir(rights.certified_nir, self.reader) if rights.certified_nir else None
        own = certified or (insured_nir if rights.quality == INSURED_QUALITY else None)
        return Beneficiary(
            index=index,
            last_name=bearer.last_name,
            birth_name=rights.birth_name or None,
            first_name=bearer.first_name,
            birth_date=_iso_date(bearer.birth_date),
            birth_date_raw=bearer.birth_date,
            birth_rank=rights.birth_rank,
            quality=Coded(code=str(rights.quality), label=QUALITIES.get(rights.quality)),
            nir=certified.value if certified else None,
            ins=(
                InsValue(value=own.value, oid=INS_OIDS[ins_kind(own.value, test=test)])
                if own
                else None
            ),
        )
