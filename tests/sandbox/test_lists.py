"""TD1.6 (who is authorized or blocked on a DMP), TD0.4 (the DMPs one is authorized on) and
TD0.5 (patient search without INS, at most 10 matches, centre 15 only) with their rows."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from cardbridge.domain.nir import parse_nir
from testkit.dmp_documents import Doc
from testkit.dmp_messages import (
    HL7,
    list_authorizations,
    patient_list,
    patient_search,
    set_authorization,
)
from testkit.dmp_sandbox import Identity, RunningSandbox, running_sandbox
from tests.sandbox.conftest import PIERRE

NS = {"hl7": HL7, "soap": "http://www.w3.org/2003/05/soap-envelope"}
CENTRE_15 = {"purpose": "centre_15", "reason": "Régulation"}
EMERGENCY = {"purpose": "bris_de_glace", "reason": "Coma"}


def _fault(answer) -> str:  # type: ignore[no-untyped-def]
    assert answer.status == 500, answer.body
    return (answer.xml().findtext(".//soap:Subcode/soap:Value", namespaces=NS) or "").split(":")[-1]


def _call(
    dmp: RunningSandbox, transaction: str, body: etree._Element, who: Identity, **vihf: object
):  # type: ignore[no-untyped-def]
    return dmp.call(transaction, body, who, vihf=who.signed(who.vihf.but(**vihf)))


def test_td16_lists_the_treating_physician(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    root = _call(dmp, "TD1.6", list_authorizations("ACTIVE"), demo_doctor).xml()
    items = root.findall(".//{*}listOfAuthorizationByPatient")
    assert [i.findtext("{*}nationalId") for i in items] == ["899700735741"]
    assert items[0].findtext("{*}codeSpeciality") == "G15_10/SM26"
    assert items[0].findtext("{*}specificRight") == "MEDECIN_TRAITANT"
    assert items[0].findtext("{*}mode") == "ACTIVE"
    assert root.findtext(".//{*}output/{*}status") == "DMPOk"


def test_td16_after_a_new_authorization(
    dmp: RunningSandbox, demo_doctor: Identity, nurse: Identity
) -> None:
    assert _call(dmp, "TD0.3", set_authorization("AJOUT"), nurse).status == 200
    root = _call(dmp, "TD1.6", list_authorizations("TOUTE"), nurse).xml()
    found = {
        i.findtext("{*}nationalId"): i.findtext("{*}codeSpeciality")
        for i in root.findall(".//{*}listOfAuthorizationByPatient")
    }
    assert found == {"899700735741": "G15_10/SM26", "0751234567": "G15_60"}
    assert (
        _call(dmp, "TD1.6", list_authorizations("INTERDITE"), nurse)
        .xml()
        .findall(".//{*}listOfAuthorizationByPatient")
        == []
    )


def test_td16_rows(
    dmp: RunningSandbox, demo_doctor: Identity, nurse: Identity, hospital: Identity
) -> None:
    assert (
        _fault(_call(dmp, "TD1.6", list_authorizations("ACTIVE"), demo_doctor, **EMERGENCY))
        == "DMPAccessDeniedByRightsService"
    )
    assert (
        _fault(_call(dmp, "TD1.6", list_authorizations("ACTIVE"), hospital))
        == "DMPAccessDeniedByRightsService"
    )
    # Without an authorization, a professional in normal mode may not list them.
    assert (
        _fault(_call(dmp, "TD1.6", list_authorizations("ACTIVE"), nurse))
        == "DMPAccessDeniedByRightsService"
    )


def test_td04_lists_the_authorized_dmps(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    root = _call(dmp, "TD0.4", patient_list("20000101000000"), demo_doctor, patient=None).xml()
    items = root.findall(".//{*}patientlistData")
    assert [i.findtext("{*}patientIdentifier/{*}nationalId") for i in items] == [PIERRE]
    assert items[0].findtext("{*}MT") == "true"
    assert items[0].findtext("{*}dateOfBirth") == "19550615"
    later = _call(dmp, "TD0.4", patient_list("20991231000000"), demo_doctor, patient=None).xml()
    assert later.findall(".//{*}patientlistData") == []


def test_list_answers_are_qualified(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    # The WSDLs' form="qualified" and the ANS TD0.4 and TD1.6 samples: every element of
    # the answer is in the service's namespace.
    pat, hab = "urn:si-dmp-patients", "urn:si-dmp-habilitations"
    root = _call(dmp, "TD0.4", patient_list("20000101000000"), demo_doctor, patient=None).xml()
    item = root.find(f".//{{{pat}}}output/{{{pat}}}patientlistData")
    assert item is not None
    assert item.findtext(f"{{{pat}}}patientIdentifier/{{{pat}}}nationalId") == PIERRE
    assert root.findtext(f".//{{{pat}}}output/{{{pat}}}status") == "DMPOk"
    root = _call(dmp, "TD1.6", list_authorizations("ACTIVE"), demo_doctor).xml()
    item = root.find(f".//{{{hab}}}output/{{{hab}}}listOfAuthorizationByPatient")
    assert item is not None
    assert item.findtext(f"{{{hab}}}nationalId") == "899700735741"
    assert root.findtext(f".//{{{hab}}}output/{{{hab}}}status") == "DMPOk"


def test_td04_by_last_document(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    root = _call(
        dmp, "TD0.4", patient_list("20261201000000", "LASTDOC"), demo_doctor, patient=None
    ).xml()
    assert root.findall(".//{*}patientlistData") == []
    assert dmp.deposit([Doc(PIERRE)], demo_doctor).status == 200
    root = _call(
        dmp, "TD0.4", patient_list("20261201000000", "LASTDOC"), demo_doctor, patient=None
    ).xml()
    assert [i.findtext("{*}lastAddDate") for i in root.findall(".//{*}patientlistData")] == [
        "20261205093000"
    ]


def test_td04_empty_for_a_professional_without_authorizations(
    dmp: RunningSandbox, nurse: Identity
) -> None:
    root = _call(dmp, "TD0.4", patient_list("20000101000000"), nurse, patient=None).xml()
    assert root.findall(".//{*}patientlistData") == []


def _patients(root: etree._Element) -> list[str]:
    return [p.get("extension", "") for p in root.findall(".//hl7:patient/hl7:id", NS)]


def test_td05_only_in_centre_15(
    dmp: RunningSandbox, other_doctor: Identity, nurse: Identity, hospital: Identity
) -> None:
    for who, mode in ((other_doctor, {}), (other_doctor, EMERGENCY), (nurse, {})):
        assert (
            _fault(_call(dmp, "TD0.5", patient_search("LE QUINIO"), who, patient=None, **mode))
            == "DMPAccessDeniedByRightsService"
        )
    assert (
        _fault(_call(dmp, "TD0.5", patient_search("LE QUINIO"), hospital, patient=None))
        == "DMPAccessDeniedByRightsService"
    )
    root = _call(dmp, "TD0.5", patient_search("le quin"), nurse, patient=None, **CENTRE_15).xml()
    assert sorted(_patients(root)) == ["155067200010159", "215027512345610"]
    assert _patients(
        _call(dmp, "TD0.5", patient_search("LE QUINIO"), hospital, patient=None, **CENTRE_15).xml()
    )


def test_td05_traits(dmp: RunningSandbox, other_doctor: Identity) -> None:
    def search(**traits: str) -> etree._Element:
        return _call(
            dmp, "TD0.5", patient_search(**traits), other_doctor, patient=None, **CENTRE_15
        ).xml()

    assert _patients(search(family="LE QUINIO", given="lou")) == ["215027512345610"]
    assert _patients(search(family="DURAND")) == ["287096912304577"]  # birth name
    assert _patients(search(family="LE QUINIO", birth="19550615")) == [PIERRE]
    # The acknowledgement as in the ANS TD0.5 sample: its type code a child element.
    type_code = search(family="LE QUINIO").find(".//hl7:acknowledgement/hl7:typeCode", NS)
    assert type_code is not None
    assert type_code.get("code") == "AA"
    root = search(family="INCONNU")
    assert root.find(".//hl7:queryResponseCode", NS).get("code") == "NF"  # type: ignore[union-attr]


def test_td05_birth_time_as_a_year_or_an_interval(
    dmp: RunningSandbox, other_doctor: Identity
) -> None:
    # livingSubjectBirthTime is an IVL_TS (the PDQv3 schema): a point of any precision,
    # or low/high. Pierre was born on 1955-06-15 (the seed).
    def search(**birth: str) -> list[str]:
        body = patient_search("LE QUINIO", "PIERRE")
        parameters = body.find(".//hl7:parameterList", NS)
        assert parameters is not None
        time = etree.SubElement(
            etree.SubElement(parameters, f"{{{HL7}}}livingSubjectBirthTime"), f"{{{HL7}}}value"
        )
        if "value" in birth:
            time.set("value", birth["value"])
        for end in ("low", "high"):
            if end in birth:
                etree.SubElement(time, f"{{{HL7}}}{end}", value=birth[end])
        return _patients(_call(dmp, "TD0.5", body, other_doctor, patient=None, **CENTRE_15).xml())

    assert search(value="1955") == [PIERRE]
    assert search(value="1956") == []
    assert search(low="19550101", high="19551231") == [PIERRE]
    assert search(low="19550616") == []
    assert search(high="19550614") == []
    assert search(low="19550615", high="19550615") == [PIERRE]


def test_td05_at_most_ten(
    tmp_path: Path, data_dir: Path, organisations, other_doctor: Identity
) -> None:  # type: ignore[no-untyped-def]
    seed = tmp_path / "seed.yaml"
    lines = ["directory: {profiles: [cps4-doctor]}", "patients:"]
    for number in range(11):
        ins = parse_nir(f"18505751234{number:02d}").value
        lines.append(
            f"  - {{ins: '{ins}', family: DUPONT, given: JEAN{number}, "
            "birth_date: 1985-05-12, sex: M}"
        )
    seed.write_text("\n".join(lines) + "\n")
    with running_sandbox(tmp_path / "dmp", data_dir, seed) as dmp:
        root = _call(
            dmp, "TD0.5", patient_search("DUPONT"), other_doctor, patient=None, **CENTRE_15
        ).xml()
        assert _patients(root) == []
        assert root.find(".//hl7:queryResponseCode", NS).get("code") == "QE"  # type: ignore[union-attr]
        assert root.find(".//hl7:resultTotalQuantity", NS).get("value") == "11"  # type: ignore[union-attr]
        narrower = _call(
            dmp, "TD0.5", patient_search("DUPONT", "JEAN1"), other_doctor, patient=None, **CENTRE_15
        ).xml()
        assert sorted(_patients(narrower)) == sorted(
            parse_nir(f"18505751234{n:02d}").value for n in (1, 10)
        )
