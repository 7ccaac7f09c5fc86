"""Storing a checked ITI-41 submission: one transaction for the set, the documents (with
their version chain) and the signature document; hash and size computed here."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from dataclasses import dataclass
from typing import NamedTuple

from lxml import etree

from cardbridge.sandbox import rim
from cardbridge.sandbox.access import Access
from cardbridge.sandbox.cda import CdaFacts
from cardbridge.sandbox.faults import RegistryError
from cardbridge.sandbox.service import Exchange
from cardbridge.sandbox.store import Store
from cardbridge.sandbox.xds_codes import (
    APPROVED,
    DEPRECATED,
    EXTERNAL_IDS,
    MEDIA_FORMATS,
    RPLC,
    SCHEMES,
    SIGNATURE_CLASS,
    TYPE_TO_CLASS,
)


@dataclass(frozen=True)
class DepositedDocument:
    """A checked CDA document of a submission."""

    entry: etree._Element
    facts: CdaFacts
    data: bytes
    digest: str  # SHA-1, hex, computed by the repository
    author: tuple[str, str]  # (XCN, XON)


@dataclass(frozen=True)
class Submission:
    """A checked submission: its objects, set, documents and signature document."""

    objects: etree._Element
    submission: etree._Element
    documents: list[DepositedDocument]
    signature: tuple[etree._Element, bytes]


_INSERT_DOCUMENT = (
    "INSERT INTO document VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class _Target(NamedTuple):
    db: sqlite3.Connection
    ins: str
    access: Access
    submission_uuid: str


def _fail(code: str, context: str, location: str) -> RegistryError:
    return RegistryError(code, context, location)


def _associations(objects: etree._Element, kind: str) -> list[etree._Element]:
    return [a for a in objects.iterfind(rim.r("Association")) if a.get("associationType") == kind]


def store_submission(
    submitted: Submission, access: Access, store: Store, exchange: Exchange
) -> None:
    """Store a checked submission in one transaction; :class:`RegistryError` (and nothing
    stored) on a duplicate uniqueId or a replacement of a missing or non-Approved version."""
    objects, submission, documents = submitted.objects, submitted.submission, submitted.documents
    assert access.dmp is not None
    ins = access.dmp["ins"]
    replaced = {a.get("sourceObject"): a.get("targetObject") for a in _associations(objects, RPLC)}
    submission_uuid = f"urn:uuid:{uuid.uuid4()}"
    claims = access.caller.claims
    with store.transaction() as db:
        unique_ids = [d.facts.unique_id for d in documents]
        if len(set(unique_ids)) != len(unique_ids):
            raise _fail(
                "XDSDuplicateUniqueIdInRegistry", "uniqueId répété dans la soumission", "uniqueId"
            )
        for unique_id in unique_ids:
            if db.execute("SELECT 1 FROM document WHERE unique_id = ?", (unique_id,)).fetchone():
                raise _fail(
                    "XDSDuplicateUniqueIdInRegistry", f"uniqueId {unique_id} déjà connu", "uniqueId"
                )
        submission_unique = (
            rim.external_id(submission, EXTERNAL_IDS["submissionUniqueId"]) or submission_uuid
        )
        if db.execute(
            "SELECT 1 FROM submission WHERE unique_id = ?", (submission_unique,)
        ).fetchone():
            raise _fail(
                "XDSDuplicateUniqueIdInRegistry",
                "uniqueId du lot déjà connu",
                "SubmissionSet/uniqueId",
            )
        db.execute(
            "INSERT INTO submission VALUES (?, ?, ?, ?, ?, ?)",
            (
                submission_uuid,
                submission_unique,
                ins,
                exchange.now.strftime("%Y%m%d%H%M%S"),
                access.caller.actor_id,
                claims.structure_id,
            ),
        )
        for document in documents:
            lid, version = f"urn:uuid:{uuid.uuid4()}", 1
            old_uuid = replaced.get(document.entry.get("id"))
            if old_uuid:
                old = db.execute(
                    "SELECT * FROM document WHERE entry_uuid = ?", (old_uuid,)
                ).fetchone()
                if old is None or old["status"] != APPROVED or old["ins"] != ins:
                    raise _fail(
                        "XDSRegistryError",
                        "document à remplacer introuvable ou non Approved",
                        "Association/RPLC",
                    )
                lid, version = old["lid"], old["version"] + 1
                db.execute(
                    "UPDATE document SET status = ? WHERE entry_uuid = ?", (DEPRECATED, old_uuid)
                )
            entry_uuid = lid if version == 1 else f"urn:uuid:{uuid.uuid4()}"
            target = _Target(db, ins, access, submission_uuid)
            _insert(target, entry_uuid, (lid, version), document)
        sig_entry, sig_data = submitted.signature
        _insert_signature(
            _Target(db, ins, access, submission_uuid), sig_entry, sig_data, documents[0]
        )


def _insert(
    target: _Target, entry_uuid: str, version_of: tuple[str, int], document: DepositedDocument
) -> None:
    db, ins, access, submission_uuid = target
    lid, version = version_of
    entry, facts = document.entry, document.facts
    confidentiality = sorted(
        code
        for code, _ in rim.coded(entry, SCHEMES["confidentialityCode"], "confidentialityCode")
        if code != "N"
    )
    title = entry.findtext(f"{rim.r('Name')}/{rim.r('LocalizedString')}") or ""
    name = entry.find(f"{rim.r('Name')}/{rim.r('LocalizedString')}")
    description = entry.find(f"{rim.r('Description')}/{rim.r('LocalizedString')}")
    metadata = {
        "authorPerson": document.author[0],
        "authorInstitution": document.author[1],
        "languageCode": rim.slot(entry, "languageCode") or "fr-FR",
        "referenceIdList": rim.slot_values(entry, "urn:ihe:iti:xds:2013:referenceIdList"),
        "serviceStartTime": rim.slot(entry, "serviceStartTime"),
        "serviceStopTime": rim.slot(entry, "serviceStopTime"),
        "comments": None if description is None else description.get("value"),
    }
    db.execute(
        _INSERT_DOCUMENT,
        (
            entry_uuid,
            facts.unique_id,
            lid,
            version,
            ins,
            APPROVED,
            json.dumps(confidentiality),
            TYPE_TO_CLASS[facts.type_code],
            f"{facts.type_code[0]}^{facts.type_code[1]}",
            MEDIA_FORMATS[facts.media_type],
            facts.practice_setting,
            facts.facility_type,
            (name.get("value") if name is not None else title) or facts.title,
            facts.creation_time,
            facts.author_id,
            access.caller.claims.structure_id,
            "text/xml",
            document.digest,
            len(document.data),
            submission_uuid,
            json.dumps(metadata),
            document.data,
        ),
    )


def _insert_signature(
    target: _Target, entry: etree._Element, data: bytes, first: DepositedDocument
) -> None:
    db, ins, access, submission_uuid = target
    unique_id = (
        rim.external_id(entry, EXTERNAL_IDS["documentUniqueId"]) or f"2.25.{uuid.uuid4().int}"
    )
    entry_uuid = f"urn:uuid:{uuid.uuid4()}"
    db.execute(
        _INSERT_DOCUMENT,
        (
            entry_uuid,
            unique_id,
            entry_uuid,
            1,
            ins,
            APPROVED,
            json.dumps(["INVISIBLE_PATIENT", "MASQUE_PS"]),
            SIGNATURE_CLASS,
            "E1762^ASTM",
            "http://www.w3.org/2000/09/xmldsig#",
            first.facts.practice_setting,
            first.facts.facility_type,
            "Source",
            first.facts.creation_time,
            first.facts.author_id,
            access.caller.claims.structure_id,
            "text/xml",
            hashlib.sha1(data, usedforsecurity=False).hexdigest(),
            len(data),
            submission_uuid,
            json.dumps({}),
            data,
        ),
    )
