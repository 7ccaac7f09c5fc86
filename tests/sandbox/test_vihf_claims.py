"""The VIHF's content rules, in process: :func:`read_claims` on assertions built attribute by
attribute as in the ANS samples (testkit/dmp_messages.py), at a fixed instant.

Each refusal is checked to the fault, the location and the detail the service answers;
each accepted form to every claim read. The rules are those of docs/dmp-sandbox.md, "VIHF"
(version 3.0, modes, G15 profession then R01 speciality, TRE_R248 purposes, the INS in CX
form); the validity window's durations (one hour without Conditions, five minutes of
clock skew) are the sandbox's own choices, tested at their edges.
(test_vihf_rules.py checks the same rules over mutual TLS, with signatures.)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from cardbridge.sandbox.faults import Fault, ServiceFault
from cardbridge.sandbox.vihf import (
    AuthenticationMode,
    Claims,
    Patient,
    Purpose,
    read_claims,
)
from testkit.dmp_messages import Vihf, build_vihf

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PIERRE = "155067200010159"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
HL7 = "urn:hl7-org:v3"
ROLE = "urn:oasis:names:tc:xacml:2.0:subject:role"
PURPOSE = "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse"
RESOURCE = "urn:oasis:names:tc:xacml:2.0:resource:resource-id"
SUBJECT = "urn:oasis:names:tc:xspa:1.0:subject:subject-id"
CONFIDENTIALITY = "urn:oasis:names:tc:xspa:1.0:resource:patient:hl7:confidentiality-code"
DOCTOR = Vihf("899700735741", "499700735741008", patient=PIERRE, issued=NOW)
HOSPITAL = Vihf(
    "LOCAL-USER-42",
    "10B0307377",
    sector="SA01",
    mode="INDIRECTE",
    subject_text="DUPONT Jean, service des urgences",
    patient=PIERRE,
    issued=NOW,
)


def where(name: str) -> str:
    return f"Assertion/AttributeStatement/Attribute[@Name='{name}']"


def claims(
    vihf: Vihf | etree._Element, *, now: datetime = NOW, patient_required: bool = True
) -> Claims:
    assertion = build_vihf(vihf) if isinstance(vihf, Vihf) else vihf
    return read_claims(assertion, now, patient_required=patient_required)


def refusal(
    vihf: Vihf | etree._Element, *, now: datetime = NOW, patient_required: bool = True
) -> tuple[Fault, str, str | None]:
    with pytest.raises(ServiceFault) as caught:
        claims(vihf, now=now, patient_required=patient_required)
    return caught.value.kind, caught.value.location, caught.value.detail


def invalid(location: str, detail: str) -> tuple[Fault, str, str | None]:
    return Fault.VIHF_INVALID, location, detail


def attribute(assertion: etree._Element, name: str) -> etree._Element:
    found = assertion.find(f".//{{{SAML}}}Attribute[@Name='{name}']")
    assert found is not None, name
    return found


def with_conditions(vihf: Vihf, **times: str | None) -> etree._Element:
    assertion = build_vihf(vihf)
    conditions = assertion.find(f"{{{SAML}}}Conditions")
    assert conditions is not None
    for name, value in times.items():
        if value is None:
            del conditions.attrib[name]
        else:
            conditions.set(name, value)
    return assertion


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- accepted forms -------------------------------------------------------------------


def test_a_direct_vihf_read_claim_by_claim() -> None:
    assert claims(DOCTOR) == Claims(
        actor_id="899700735741",
        issuer="CN=899700735741",
        authentication_mode=AuthenticationMode.DIRECT,
        structure_id="499700735741008",
        sector="SA07",
        profession="10",
        specialty="SM26",
        purpose=Purpose.NORMAL,
        reason=None,
        patient=Patient(PIERRE, "1.2.250.1.213.1.4.10"),
        secret=False,
        subject_text="LE QUINIO PIERRE",
    )


def test_an_indirect_vihf_read_claim_by_claim() -> None:
    read = claims(HOSPITAL.but(mode="INDIRECTE_RENFORCEE"))
    assert read.authentication_mode is AuthenticationMode.INDIRECT_REINFORCED
    assert not read.authentication_mode.direct
    assert (read.actor_id, read.structure_id, read.sector) == (
        "LOCAL-USER-42",
        "10B0307377",
        "SA01",
    )
    assert read.subject_text == "DUPONT Jean, service des urgences"
    assert claims(HOSPITAL).authentication_mode is AuthenticationMode.INDIRECT


def test_the_modes_and_their_wire_names() -> None:
    assert [mode.value for mode in AuthenticationMode] == [
        "DIRECTE",
        "INDIRECTE",
        "INDIRECTE_RENFORCEE",
    ]
    assert [mode.direct for mode in AuthenticationMode] == [True, False, False]
    assert [purpose.value for purpose in Purpose] == ["normal", "bris_de_glace", "centre_15"]


def test_both_spellings_of_the_mode_attribute() -> None:
    spelled = DOCTOR.but(mode_attribute="Authentification_Mode")
    assert claims(spelled).authentication_mode is AuthenticationMode.DIRECT


def test_values_are_read_without_surrounding_blanks() -> None:
    assertion = build_vihf(DOCTOR)
    attribute(assertion, "VIHF_Version")[0].text = "  3.0\n"
    issuer = assertion.find(f"{{{SAML}}}Issuer")
    assert issuer is not None
    issuer.text = " CN=899700735741 "
    name_id = assertion.find(f"{{{SAML}}}Subject/{{{SAML}}}NameID")
    assert name_id is not None
    name_id.text = "\n899700735741 "
    read = claims(assertion)
    assert (read.issuer, read.actor_id) == ("CN=899700735741", "899700735741")


def test_without_issuer_the_issuer_is_empty() -> None:
    assertion = build_vihf(DOCTOR)
    issuer = assertion.find(f"{{{SAML}}}Issuer")
    assert issuer is not None
    assertion.remove(issuer)
    assert claims(assertion).issuer == ""


@pytest.mark.parametrize(
    ("profession", "specialty"),
    [("10", "SM26"), ("21", "A"), ("40", "SCD01"), ("60", None), ("60", "SI06"), ("50", None)],
)
def test_professions_and_specialities_that_go_together(
    profession: str, specialty: str | None
) -> None:
    read = claims(DOCTOR.but(profession=profession, specialty=specialty))
    assert (read.profession, read.specialty) == (profession, specialty)


def test_the_first_speciality_of_the_r01_system_counts() -> None:
    assertion = build_vihf(DOCTOR.but(profession="60", specialty=None))
    roles = attribute(assertion, ROLE)
    for code, system in (("SM26", "1.2.3"), ("SI07", "1.2.250.1.71.4.2.5"), ("SM26", "")):
        value = etree.SubElement(roles, f"{{{SAML}}}AttributeValue")
        etree.SubElement(value, f"{{{HL7}}}Role", code=code, codeSystem=system)
    assert claims(assertion).specialty == "SI07"


def test_a_speciality_role_without_its_code() -> None:
    """A nurse needs no speciality, but a speciality role without a code is not none."""
    assertion = build_vihf(DOCTOR.but(profession="60", specialty=None))
    value = etree.SubElement(attribute(assertion, ROLE), f"{{{SAML}}}AttributeValue")
    etree.SubElement(value, f"{{{HL7}}}Role", codeSystem="1.2.250.1.71.4.2.5")
    assert refusal(assertion) == invalid(where(ROLE), "spécialité  incompatible avec la profession")


@pytest.mark.parametrize(
    ("purpose", "expected"),
    [("bris_de_glace", Purpose.EMERGENCY), ("centre_15", Purpose.CENTRE_15)],
)
def test_emergency_modes_with_their_reason(purpose: str, expected: Purpose) -> None:
    read = claims(DOCTOR.but(purpose=purpose, reason="Patient inconscient"))
    assert (read.purpose, read.reason) == (expected, "Patient inconscient")


def test_a_reason_in_normal_mode_is_kept() -> None:
    assert claims(DOCTOR.but(reason="Consultation")).reason == "Consultation"


def test_secret_access_for_legal_representatives() -> None:
    secret = "INVISIBLE_REPRESENTANTS_LEGAUX^1.2.250.1.213.1.1.4.13"
    assert claims(DOCTOR.but(confidentiality=secret)).secret is True


def test_a_direct_vihf_needs_no_subject_id() -> None:
    assert claims(DOCTOR.but(subject_text=None)).subject_text is None


def test_the_patient_is_optional_where_the_transaction_has_none() -> None:
    assert claims(DOCTOR.but(patient=None), patient_required=False).patient is None
    read = claims(DOCTOR, patient_required=False)
    assert read.patient == Patient(PIERRE, "1.2.250.1.213.1.4.10")


def test_the_patients_oid_is_read_from_the_cx() -> None:
    read = claims(DOCTOR.but(patient="2A5067200010159", patient_oid="1.2.250.1.213.1.4.8"))
    assert read.patient == Patient("2A5067200010159", "1.2.250.1.213.1.4.8")


# --- the validity window --------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "lifetime"),
    [
        (NOW + timedelta(minutes=5), timedelta(minutes=30)),  # the skew's edge
        (NOW - timedelta(minutes=35) + timedelta(seconds=1), timedelta(minutes=30)),
        (NOW - timedelta(minutes=65) + timedelta(seconds=1), None),  # one hour, no Conditions
        (NOW + timedelta(minutes=5), None),
    ],
)
def test_accepted_at_the_edges_of_the_window(issued: datetime, lifetime: timedelta | None) -> None:
    assert claims(DOCTOR.but(issued=issued, lifetime=lifetime)).actor_id == "899700735741"


@pytest.mark.parametrize(
    ("issued", "lifetime", "expected"),
    [
        (
            NOW + timedelta(minutes=5, seconds=1),
            timedelta(minutes=30),
            invalid("Assertion/@IssueInstant", "VIHF émis dans le futur"),
        ),
        (
            NOW - timedelta(minutes=35),
            timedelta(minutes=30),
            invalid("Assertion/Conditions/@NotOnOrAfter", "VIHF expiré"),
        ),
        (
            NOW - timedelta(minutes=65),
            None,
            invalid("Assertion/Conditions/@NotOnOrAfter", "VIHF expiré"),
        ),
    ],
)
def test_refused_outside_the_window(
    issued: datetime, lifetime: timedelta | None, expected: tuple[Fault, str, str]
) -> None:
    assert refusal(DOCTOR.but(issued=issued, lifetime=lifetime)) == expected


def test_not_before_with_the_skew() -> None:
    early = with_conditions(DOCTOR, NotBefore=iso(NOW + timedelta(minutes=5, seconds=1)))
    assert refusal(early) == invalid("Assertion/Conditions/@NotBefore", "VIHF pas encore valide")
    edge = with_conditions(DOCTOR, NotBefore=iso(NOW + timedelta(minutes=5)))
    assert claims(edge).actor_id == "899700735741"


def test_conditions_without_dates_leave_the_hour_after_issue() -> None:
    issued = NOW - timedelta(minutes=65)
    bare = with_conditions(DOCTOR.but(issued=issued), NotBefore=None, NotOnOrAfter=None)
    assert refusal(bare) == invalid("Assertion/Conditions/@NotOnOrAfter", "VIHF expiré")
    later = DOCTOR.but(issued=issued + timedelta(seconds=1))
    assert claims(with_conditions(later, NotBefore=None, NotOnOrAfter=None)).actor_id
    # NotOnOrAfter alone ends it; NotBefore alone leaves the hour.
    only_end = with_conditions(DOCTOR, NotBefore=None, NotOnOrAfter=iso(NOW - timedelta(minutes=5)))
    assert refusal(only_end) == invalid("Assertion/Conditions/@NotOnOrAfter", "VIHF expiré")
    only_start = with_conditions(
        DOCTOR.but(issued=issued), NotOnOrAfter=None, NotBefore=iso(issued)
    )
    assert refusal(only_start) == invalid("Assertion/Conditions/@NotOnOrAfter", "VIHF expiré")


def test_instants_with_an_offset_are_compared_in_utc() -> None:
    # 09:55 UTC written 06:25-03:30 (Newfoundland): now less the skew, hence expired.
    ahead = with_conditions(DOCTOR, NotOnOrAfter="2026-03-02T06:25:00-03:30")
    assert refusal(ahead) == invalid("Assertion/Conditions/@NotOnOrAfter", "VIHF expiré")
    # 10:00 and 10:06 UTC written with an offset of one hour.
    assertion = with_conditions(DOCTOR, NotOnOrAfter="2026-03-02T11:06:00+01:00")
    assertion.set("IssueInstant", "2026-03-02T11:00:00+01:00")
    assert claims(assertion).actor_id == "899700735741"


@pytest.mark.parametrize(
    ("attribute_name", "value", "expected"),
    [
        ("IssueInstant", "hier", invalid("Assertion/@IssueInstant", "date invalide")),
        ("IssueInstant", None, invalid("Assertion/@IssueInstant", "date invalide")),
        (
            "IssueInstant",
            "2026-03-02T10:00:00",
            invalid("Assertion/@IssueInstant", "date sans fuseau (UTC attendu)"),
        ),
        ("NotBefore", "demain", invalid("Conditions/@NotBefore", "date invalide")),
        (
            "NotOnOrAfter",
            "2026-13-02T10:00:00Z",
            invalid("Conditions/@NotOnOrAfter", "date invalide"),
        ),
        (
            "NotOnOrAfter",
            "2026-03-02T10:30:00",
            invalid("Conditions/@NotOnOrAfter", "date sans fuseau (UTC attendu)"),
        ),
    ],
)
def test_unreadable_instants(
    attribute_name: str, value: str | None, expected: tuple[Fault, str, str]
) -> None:
    if attribute_name == "IssueInstant":
        assertion = build_vihf(DOCTOR)
        if value is None:
            del assertion.attrib["IssueInstant"]
        else:
            assertion.set("IssueInstant", value)
    else:
        assertion = with_conditions(DOCTOR, **{attribute_name: value})
    assert refusal(assertion) == expected


# --- refusals, one rule at a time -----------------------------------------------------

SAML_REFUSAL = invalid("Assertion/@Version", "assertion SAML 2.0 avec un ID attendue")


@pytest.mark.parametrize(("name", "value"), [("Version", "1.1"), ("Version", None), ("ID", "")])
def test_a_saml_2_assertion_with_an_id(name: str, value: str | None) -> None:
    assertion = build_vihf(DOCTOR)
    if value is None:
        del assertion.attrib[name]
    else:
        assertion.set(name, value)
    assert refusal(assertion) == SAML_REFUSAL


def test_the_user_must_be_named() -> None:
    assertion = build_vihf(DOCTOR)
    name_id = assertion.find(f"{{{SAML}}}Subject/{{{SAML}}}NameID")
    assert name_id is not None
    name_id.text = "  "
    assert refusal(assertion) == invalid(
        "Assertion/Subject/NameID", "identifiant de l'utilisateur absent"
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"version": "2.0"}, invalid(where("VIHF_Version"), "version 3.0 attendue")),
        ({"version": ""}, invalid(where("VIHF_Version"), "attribut VIHF_Version absent ou vide")),
        ({"mode": "DIRECT"}, invalid(where("Authentification_Mode"), "mode inconnu")),
        (
            {"mode": ""},
            invalid(
                where("Authentification_Mode"), "attribut Authentification_Mode absent ou vide"
            ),
        ),
        ({"resource_urn": "urn:autre"}, invalid(where("Ressource_URN"), "urn:dmp attendu")),
        (
            {"structure_id": ""},
            invalid(
                where("Identifiant_Structure"), "attribut Identifiant_Structure absent ou vide"
            ),
        ),
        ({"sector": "SX99"}, invalid(where("Secteur_Activite"), "SAxx^1.2.250.1.71.4.2.4 attendu")),
        ({"sector": "SA11"}, invalid(where("Secteur_Activite"), "SAxx^1.2.250.1.71.4.2.4 attendu")),
        ({"sector": "SA0"}, invalid(where("Secteur_Activite"), "SAxx^1.2.250.1.71.4.2.4 attendu")),
        ({"profession": None, "specialty": None}, invalid(where(ROLE), "aucun rôle")),
        (
            {"profession": "99"},
            invalid(where(ROLE), "le premier rôle doit être une profession G15 connue"),
        ),
        (
            {"profession": None},  # the speciality first
            invalid(where(ROLE), "le premier rôle doit être une profession G15 connue"),
        ),
        (
            {"specialty": "SI06"},
            invalid(where(ROLE), "spécialité SI06 incompatible avec la profession"),
        ),
        (
            {"profession": "60", "specialty": "SM26"},
            invalid(where(ROLE), "spécialité SM26 incompatible avec la profession"),
        ),
        (
            {"specialty": "ZZ99"},
            invalid(where(ROLE), "spécialité ZZ99 incompatible avec la profession"),
        ),
        ({"specialty": None}, (Fault.SPECIALTY_MISSING, where(ROLE), None)),
        ({"profession": "21", "specialty": None}, (Fault.SPECIALTY_MISSING, where(ROLE), None)),
        (
            {"purpose": "urgence"},
            invalid(where(PURPOSE), "mode d'accès attendu : normal, bris_de_glace, centre_15"),
        ),
        (
            {"purpose_system": "1.2.250.1.213.1.1.4.249"},
            invalid(where(PURPOSE), "mode d'accès attendu : normal, bris_de_glace, centre_15"),
        ),
        (
            {"purpose": "bris_de_glace"},
            invalid(where("Mode_Acces_Raison"), "attribut Mode_Acces_Raison absent ou vide"),
        ),
        (
            {"purpose": "centre_15"},
            invalid(where("Mode_Acces_Raison"), "attribut Mode_Acces_Raison absent ou vide"),
        ),
        (
            {"confidentiality": "MASQUE_PS^1.2.250.1.213.1.1.4.13"},
            invalid(
                where(CONFIDENTIALITY),
                "seule valeur admise : INVISIBLE_REPRESENTANTS_LEGAUX^1.2.250.1.213.1.1.4.13",
            ),
        ),
        ({"patient": None}, invalid(where(RESOURCE), f"attribut {RESOURCE} absent ou vide")),
        (
            {"patient": "1550672000101"},
            invalid(where(RESOURCE), "INS attendu sous la forme CX matricule^^^&OID&ISO^NH"),
        ),
        (
            {"patient_oid": "1.2.250.1.213.1.4.10&ISO^PI^^^&1.2"},
            invalid(where(RESOURCE), "INS attendu sous la forme CX matricule^^^&OID&ISO^NH"),
        ),
    ],
)
def test_each_rule_refused_with_its_fault(
    change: dict[str, object], expected: tuple[Fault, str, str | None]
) -> None:
    assert refusal(DOCTOR.but(**change)) == expected


def test_an_indirect_vihf_needs_a_subject_id() -> None:
    assert refusal(HOSPITAL.but(subject_text=None)) == invalid(
        where(SUBJECT), f"attribut {SUBJECT} absent ou vide"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [("VIHF_Version", "3.0"), ("Authentification_Mode", "DIRECTE"), ("LPS_Nom", "AUTRE")],
)
def test_a_repeated_attribute_is_refused(name: str, value: str) -> None:
    assert refusal(DOCTOR.but(extra=((name, value),))) == invalid(
        where(name), f"attribut {name} répété"
    )


def remove(assertion: etree._Element, name: str) -> etree._Element:
    found = attribute(assertion, name)
    found.getparent().remove(found)  # type: ignore[union-attr]
    return assertion


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ressource_URN", invalid(where("Ressource_URN"), "attribut Ressource_URN absent ou vide")),
        (
            "Secteur_Activite",
            invalid(where("Secteur_Activite"), "attribut Secteur_Activite absent ou vide"),
        ),
        (ROLE, invalid(where(ROLE), "aucun rôle")),
        ("LPS_Nom", invalid(where("LPS_Nom"), "attribut LPS_Nom absent ou vide")),
    ],
)
def test_a_required_attribute_left_out(name: str, expected: tuple[Fault, str, str | None]) -> None:
    assert refusal(remove(build_vihf(DOCTOR), name)) == expected


def test_without_a_name_id() -> None:
    assertion = build_vihf(DOCTOR)
    subject = assertion.find(f"{{{SAML}}}Subject")
    assert subject is not None
    subject.remove(subject[0])
    assert refusal(assertion) == invalid(
        "Assertion/Subject/NameID", "identifiant de l'utilisateur absent"
    )


def test_the_time_zone_designator_is_an_upper_case_z() -> None:
    """XML Schema's dateTime writes UTC ``Z``; a lower-case ``z`` is not a date."""
    assertion = build_vihf(DOCTOR)
    assertion.set("IssueInstant", "2026-03-02T10:00:00z")
    assert refusal(assertion) == invalid("Assertion/@IssueInstant", "date invalide")


def test_the_software_must_be_named() -> None:
    assertion = build_vihf(DOCTOR)
    lps = attribute(assertion, "LPS_Nom")
    lps.getparent().remove(lps)  # type: ignore[union-attr]
    assert refusal(assertion) == invalid(where("LPS_Nom"), "attribut LPS_Nom absent ou vide")


def test_a_sector_of_another_code_system() -> None:
    assertion = build_vihf(DOCTOR)
    for text in ("SA07^1.2.250.1.71.4.2.5", "SA07^1x2x250x1x71x4x2x4", "SA07"):
        attribute(assertion, "Secteur_Activite")[0].text = text
        assert refusal(assertion) == invalid(
            where("Secteur_Activite"), "SAxx^1.2.250.1.71.4.2.4 attendu"
        )


def test_a_profession_of_another_code_system() -> None:
    assertion = build_vihf(DOCTOR)
    attribute(assertion, ROLE)[0][0].set("codeSystem", "1.2.250.1.71.4.2.5")
    assert refusal(assertion) == invalid(
        where(ROLE), "le premier rôle doit être une profession G15 connue"
    )


def test_a_role_value_without_its_coded_element() -> None:
    assertion = build_vihf(DOCTOR)
    first = attribute(assertion, ROLE)[0]
    first.remove(first[0])
    assert refusal(assertion) == invalid(
        where(ROLE), "le premier rôle doit être une profession G15 connue"
    )


def test_without_a_purpose() -> None:
    assertion = build_vihf(DOCTOR)
    purpose = attribute(assertion, PURPOSE)
    purpose.getparent().remove(purpose)  # type: ignore[union-attr]
    assert refusal(assertion) == invalid(
        where(PURPOSE), "mode d'accès attendu : normal, bris_de_glace, centre_15"
    )
