"""The XDS SubmissionSet every DMP submission carries (TD2.1 deposits, TD3.3 updates).

A SubmissionSet is a ``RegistryPackage`` classified by the node
``urn:uuid:a54d6aa5-…``, with its submissionTime (UTC), author (the practitioner of the
CPS as an XCN, the practice situation's structure as an XON, the profession and
speciality), contentTypeCode, patientId (the INS in CX form), sourceId (the software's
OID root) and uniqueId (an OID under that root). Facts and sources: docs/dmp-client.md,
"Deposit (TD2.1)".

The author also signs each DocumentEntry: :class:`Author` gives its HL7 v2 forms.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum

from lxml import etree

from cardbridge.cards.models import Practitioner, Situation
from cardbridge.dmp.transactions import ebrim
from cardbridge.dmp.transactions.ebrim import Code
from cardbridge.dmp.transactions.names import (
    CLASSIFICATION_SCHEMES,
    EXTERNAL_IDENTIFIERS,
    HAS_MEMBER,
    LCM,
    RIM,
    SUBMISSION_SET,
)
from cardbridge.domain.identifiers import NATIONAL_ID_OID, STRUCTURE_ID_OID
from cardbridge.domain.terminologies import PROFESSION_OID, SECTOR_OID, SECTORS, label_of

AUTHOR_SPECIALTY_OID = "1.2.250.1.213.1.1.4.5"  # "G15_<profession>/<speciality>" codes
MAX_OID = 64  # IHE ITI TF-2 B.3: an OID-valued uniqueId has at most 64 characters
_MIN_RANDOM_DIGITS = 12


class UniqueIdKind(IntEnum):
    """The arc under the software's OID root for each kind of uniqueId (ours; the ANS
    samples use ``<root>.1.<n>`` for submission sets and ``<root>.3.<n>`` for documents)."""

    SUBMISSION_SET = 1
    DOCUMENT = 3
    SIGNATURE = 4


def new_unique_id(root: str, kind: UniqueIdKind) -> str:
    """A fresh OID ``<root>.<kind>.<random>`` of exactly 64 characters or fewer: the random
    part has no leading zero and as many digits as fit (at most 38, at least 12)."""
    prefix = f"{root}.{kind.value}."
    digits = min(38, MAX_OID - len(prefix))
    if digits < _MIN_RANDOM_DIGITS:
        raise ValueError(f"the OID root {root!r} is too long for 64-character uniqueIds")
    low = 10 ** (digits - 1)
    return f"{prefix}{low + secrets.randbelow(9 * low)}"


def hl7_escape(text: str) -> str:
    """``text`` with the HL7 v2 delimiters escaped (``\\E\\ \\S\\ \\T\\ \\R\\ \\F\\``)."""
    for raw, escaped in (("\\", "\\E\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\")):
        text = text.replace(raw, escaped)
    return text.replace("|", "\\F\\")


@dataclass(frozen=True, slots=True)
class Author:
    """The depositing practitioner (from the CPS) in the chosen practice situation."""

    national_id: str
    last_name: str
    first_name: str
    profession: Code
    specialty: Code | None
    structure_id: str
    structure_name: str
    sector: str
    role: str | None = None

    @classmethod
    def from_card(cls, practitioner: Practitioner, situation: Situation) -> Author:
        """The author a CPS states in one of its practice situations."""
        profession = practitioner.profession
        specialty = practitioner.specialty
        return cls(
            national_id=practitioner.national_id,
            last_name=practitioner.last_name,
            first_name=practitioner.first_name,
            profession=Code(profession.code, PROFESSION_OID, profession.label or profession.code),
            specialty=(
                Code(specialty.code, AUTHOR_SPECIALTY_OID, specialty.label or specialty.code)
                if specialty is not None
                else None
            ),
            structure_id=situation.structure_id,
            structure_name=situation.name,
            sector=situation.sector,
        )

    @property
    def xcn(self) -> str:
        """authorPerson, legalAuthenticator: ``id^FAMILY^Given^^^^^^&<OID>&ISO^D^^^IDNPS``."""
        family, given = hl7_escape(self.last_name), hl7_escape(self.first_name)
        return f"{self.national_id}^{family}^{given}^^^^^^&{NATIONAL_ID_OID}&ISO^D^^^IDNPS"

    @property
    def xon(self) -> str:
        """authorInstitution: ``NAME^^^^^&<idNat_Struct OID>&ISO^IDNST^^^<structure id>``."""
        name = hl7_escape(self.structure_name)
        return f"{name}^^^^^&{STRUCTURE_ID_OID}&ISO^IDNST^^^{self.structure_id}"

    @property
    def specialty_value(self) -> str:
        """authorSpecialty: ``G15_<profession>[/<speciality>]^<labels>^<OID>``."""
        code, label = f"G15_{self.profession.code}", self.profession.label
        if self.specialty is not None:
            code, label = f"{code}/{self.specialty.code}", f"{label} - {self.specialty.label}"
        return f"{code}^{hl7_escape(label)}^{AUTHOR_SPECIALTY_OID}"

    @property
    def sector_code(self) -> Code:
        """The practice situation's sector of activity (SAxx) as a coded value."""
        return Code(self.sector, SECTOR_OID, label_of(SECTORS, self.sector) or self.sector)


def add_author(
    parent: etree._Element, scheme: str, object_id: str, local_id: str, author: Author
) -> None:
    """The author ``Classification`` of a SubmissionSet or DocumentEntry."""
    element = ebrim.classification(parent, scheme, object_id, local_id)
    ebrim.slot(element, "authorPerson", author.xcn)
    ebrim.slot(element, "authorInstitution", author.xon)
    if author.role:
        ebrim.slot(element, "authorRole", author.role)
    ebrim.slot(element, "authorSpecialty", author.specialty_value)


@dataclass(frozen=True, slots=True)
class SubmissionSet:
    """What a SubmissionSet states; ``entry_id`` is its symbolic id in the submission."""

    unique_id: str
    source_id: str
    patient_cx: str
    author: Author
    submitted: datetime
    content_type: Code
    title: str | None = None
    comment: str | None = None
    entry_id: str = "SubmissionSet01"


def new_submission_set(
    *,
    lps_oid_root: str,
    patient_cx: str,
    author: Author,
    now: datetime,
    content_type: Code | None = None,
    title: str | None = None,
    comment: str | None = None,
) -> SubmissionSet:
    """A SubmissionSet with a fresh uniqueId under ``lps_oid_root`` (also its sourceId).
    The contentTypeCode defaults to the practice situation's sector (a value of the DMP's
    value set JDV_J59)."""
    return SubmissionSet(
        unique_id=new_unique_id(lps_oid_root, UniqueIdKind.SUBMISSION_SET),
        source_id=lps_oid_root,
        patient_cx=patient_cx,
        author=author,
        submitted=now,
        content_type=content_type or author.sector_code,
        title=title,
        comment=comment,
    )


def utc_timestamp(moment: datetime) -> str:
    """An XDS time: ``YYYYMMDDhhmmss`` in UTC (``moment`` is timezone-aware)."""
    if moment.tzinfo is None:
        raise ValueError("XDS times are written from timezone-aware datetimes")
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def submit_objects_request(parent: etree._Element | None = None) -> etree._Element:
    """An ``lcm:SubmitObjectsRequest`` (appended to ``parent`` when given); returns its
    ``rim:RegistryObjectList``, where the submission's objects go."""
    nsmap = {"lcm": LCM, "rim": RIM}
    if parent is None:
        request = etree.Element(f"{{{LCM}}}SubmitObjectsRequest", nsmap=nsmap)
    else:
        request = etree.SubElement(parent, f"{{{LCM}}}SubmitObjectsRequest", nsmap=nsmap)
    return ebrim.child(request, "RegistryObjectList")


def add_submission_set(objects: etree._Element, submission: SubmissionSet) -> etree._Element:
    """Append the SubmissionSet's ``RegistryPackage`` to ``objects`` (a RegistryObjectList)."""
    set_id = submission.entry_id
    package = ebrim.child(objects, "RegistryPackage", id=set_id)
    ebrim.slot(package, "submissionTime", utc_timestamp(submission.submitted))
    if submission.title:
        ebrim.localized(package, "Name", submission.title)
    if submission.comment:
        ebrim.localized(package, "Description", submission.comment)
    add_author(
        package,
        CLASSIFICATION_SCHEMES["submissionSetAuthor"],
        set_id,
        f"{set_id}-author",
        submission.author,
    )
    ebrim.classification(
        package,
        CLASSIFICATION_SCHEMES["contentTypeCode"],
        set_id,
        f"{set_id}-contentType",
        submission.content_type,
    )
    ebrim.child(
        package,
        "Classification",
        classificationNode=SUBMISSION_SET,
        classifiedObject=set_id,
        id=f"{set_id}-node",
    )
    for key, value, name in (
        ("submissionPatientId", submission.patient_cx, "XDSSubmissionSet.patientId"),
        ("submissionSourceId", submission.source_id, "XDSSubmissionSet.sourceId"),
        ("submissionUniqueId", submission.unique_id, "XDSSubmissionSet.uniqueId"),
    ):
        ebrim.external_identifier(
            package, EXTERNAL_IDENTIFIERS[key], set_id, f"{set_id}-{key}", value=value, name=name
        )
    return package


def add_member(
    objects: etree._Element, submission: SubmissionSet, target_id: str
) -> etree._Element:
    """The ``HasMember`` association from the SubmissionSet to ``target_id``
    (``SubmissionSetStatus=Original``: the object is submitted with the set)."""
    element = ebrim.association(
        objects,
        HAS_MEMBER,
        submission.entry_id,
        target_id,
        f"{submission.entry_id}-has-{target_id}",
    )
    ebrim.slot(element, "SubmissionSetStatus", "Original")
    return element
