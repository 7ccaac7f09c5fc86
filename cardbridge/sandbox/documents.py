"""Who may see which document: the rights matrix's TD3.1/TD3.2 rows applied to one row.

A document is "masked" (``MASQUE_PS``), "hidden" (invisible to the patient or the legal
representatives, archived, deprecated or deleted) or plain visible; each kind has its row
(docs/dmp-sandbox.md, "Rights"). Masked documents the patient allowed in emergency modes
(note 7) are not modelled: refused, a choice of ours.
"""

from __future__ import annotations

import json

from cardbridge.sandbox.access import Access
from cardbridge.sandbox.rights import Condition
from cardbridge.sandbox.store import Row
from cardbridge.sandbox.xds_codes import APPROVED, INVISIBLE_GUARDIANS, INVISIBLE_PATIENT, MASKED


def confidentiality(document: Row) -> set[str]:
    """The DMP visibility codes of a document (``N`` left out)."""
    return set(json.loads(document["confidentiality"]))


def document_right(document: Row) -> str:
    """The matrix row that governs reading ``document``."""
    codes = confidentiality(document)
    if MASKED in codes:
        return "TD3.2.masked"
    if codes & {INVISIBLE_PATIENT, INVISIBLE_GUARDIANS} or document["status"] != APPROVED:
        return "TD3.2.hidden"
    return "TD3.2.visible"


def may_read(access: Access, document: Row) -> bool:
    """Whether the caller may see this document's metadata and content."""
    found = access.cell(document_right(document))
    if not found.allowed:
        return False
    if found.condition is Condition.OWN_DOCUMENTS:
        return bool(document["author_id"] == access.caller.actor_id)
    if found.condition is Condition.STRUCTURE_DOCUMENTS:
        return bool(document["structure_id"] == access.caller.claims.structure_id)
    return found.condition is not Condition.PATIENT_ALLOWED


def may_change(access: Access, right: str, document: Row) -> bool:
    """Whether the caller may apply ``right`` (a TD3.3 row) to ``document``."""
    found = access.cell(right)
    if not found.allowed:
        return False
    if found.condition is Condition.OWN_DOCUMENTS:
        return bool(document["author_id"] == access.caller.actor_id)
    if found.condition is Condition.STRUCTURE_DOCUMENTS:
        return bool(document["structure_id"] == access.caller.claims.structure_id)
    return True
