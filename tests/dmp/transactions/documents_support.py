"""What the document tests (TD3.1, TD3.2, TD3.3) expect, read from the seeds themselves, and
the calls they make as the seed's people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.transactions.authorizations import AuthorizationAction, set_authorization
from cardbridge.dmp.transactions.ebrim import Code
from cardbridge.dmp.transactions.submission import Author, SubmissionSet, new_submission_set
from cardbridge.dmp.transport import Transport
from cardbridge.domain.terminologies import PROFESSION_OID, SPECIALTY_OID
from cardbridge.emulator.profiles import CpsProfile, load_profile
from testkit.dmp_messages import TEST_INS_OID
from testkit.dmp_sandbox import Identity
from tests.support.dmp_fixtures import PIERRE

FILES_SEED = Path(__file__).parent / "seeds" / "files.yaml"
PIERRE_INS = InsReference(value=PIERRE, oid=TEST_INS_OID)

Connect = Callable[[Identity], Transport]


def seeded_documents(ins: str, seed: Path | None = None) -> list[dict[str, Any]]:
    """The documents of ``ins`` in ``seed`` (default: the packaged default seed)."""
    if seed is None:
        text = resources.files("cardbridge.sandbox").joinpath("seeds", "default.yaml").read_text()
    else:
        text = seed.read_text()
    (patient,) = [p for p in yaml.safe_load(text)["patients"] if p["ins"] == ins]
    return list(patient.get("documents", []))


def seeded_time(value: object) -> dt.datetime:
    """A seed's time (YAML may give a string or a datetime) as an aware UTC datetime."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment.astimezone(dt.UTC)


def vihf(who: Identity) -> bytes:
    return etree.tostring(who.signed())


def authorize(connect: Connect, who: Identity) -> None:
    """TD0.3 AJOUT for ``who`` (the patient's consent taken), through the transport."""
    set_authorization(connect(who), vihf(who), AuthorizationAction.ADD)


def submission_set(profile: str = "demo-cps") -> SubmissionSet:
    """A SubmissionSet about Pierre by the holder of the CPS profile ``profile``."""
    cps = load_profile(profile)
    assert isinstance(cps, CpsProfile)
    holder, situation = cps.holder, cps.situations[0]
    author = Author(
        national_id=holder.national_id,
        last_name=holder.last_name,
        first_name=holder.first_name,
        profession=Code(holder.profession, PROFESSION_OID, holder.profession),
        specialty=Code(holder.specialty, SPECIALTY_OID, holder.specialty)
        if holder.specialty
        else None,
        structure_id=situation.structure_id,
        structure_name=situation.name,
        sector=situation.sector,
    )
    return new_submission_set(
        lps_oid_root="2.999.42",
        patient_cx=PIERRE_INS.cx,
        author=author,
        now=dt.datetime.now(dt.UTC),
    )
