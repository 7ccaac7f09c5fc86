"""TD0.2 (existence and authorization test) and TD0.3 (add or remove one's authorization,
become or stop being treating physician), with the rights matrix's rows for a doctor, a
non-doctor, the treating physician, a structure and the emergency modes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from testkit.dmp_messages import HL7, existence_test, set_authorization
from testkit.dmp_sandbox import Identity, RunningSandbox, running_sandbox
from tests.sandbox.conftest import LOUISE, LUC, PIERRE, SOPHIE

NS = {"hl7": HL7, "soap": "http://www.w3.org/2003/05/soap-envelope"}
EMERGENCY = {"purpose": "bris_de_glace", "reason": "Patient inconscient aux urgences"}
CENTRE_15 = {"purpose": "centre_15", "reason": "Appel au centre 15"}


def _status(
    dmp: RunningSandbox, who: Identity, ins: str = PIERRE, **vihf: object
) -> dict[str, str]:
    answer = dmp.call(
        "TD0.2", existence_test(ins), who, vihf=who.signed(who.vihf.but(patient=ins, **vihf))
    )
    assert answer.status == 200, answer.body
    root = answer.xml()
    values = root.findall(".//hl7:attentionLine/hl7:value", NS)
    patient_status = root.find(".//hl7:patient/hl7:statusCode", NS)
    return {
        "authorization": values[0].get("code", ""),
        "treating": values[1].get("value", ""),
        "query": root.find(".//hl7:queryResponseCode", NS).get("code", ""),  # type: ignore[union-attr]
        "patient": patient_status.get("code", "") if patient_status is not None else "",
        "ack": root.find(".//hl7:acknowledgement", NS).get("typeCode", ""),  # type: ignore[union-attr]
    }


def _set(dmp: RunningSandbox, who: Identity, action: str, role: str | None = None, **vihf: object):
    answer = dmp.call(
        "TD0.3", set_authorization(action, role), who, vihf=who.signed(who.vihf.but(**vihf))
    )
    root = answer.xml()
    if answer.status == 200:
        return "DMPOk" if root.findtext(
            ".//{*}output/{*}status"
        ) == "DMPOk" else "?", root.findtext(".//{*}output/{*}context")
    subcode = root.findtext(".//soap:Subcode/soap:Value", namespaces=NS) or ""
    return subcode.split(":")[-1], root.findtext(".//soap:Reason/soap:Text", namespaces=NS)


# --- TD0.2 ------------------------------------------------------------------------------


def test_treating_physician_sees_valid_and_treating(
    dmp: RunningSandbox, demo_doctor: Identity
) -> None:
    assert _status(dmp, demo_doctor) == {
        "authorization": "VALIDE",
        "treating": "true",
        "query": "OK",
        "patient": "active",
        "ack": "AA",
    }


def test_unknown_professional_has_no_authorization(dmp: RunningSandbox, nurse: Identity) -> None:
    assert _status(dmp, nurse)["authorization"] == "NON_EXISTE"
    assert _status(dmp, nurse)["treating"] == "false"


def test_no_dmp_is_nf(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    status = _status(dmp, demo_doctor, LUC)
    assert (status["query"], status["authorization"], status["patient"]) == ("NF", "NON_EXISTE", "")


def test_closed_dmp_is_terminated(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    status = _status(dmp, demo_doctor, SOPHIE)
    assert (status["query"], status["patient"]) == ("OK", "terminated")


def test_closing_date_is_the_registration_events_effective_time(
    dmp: RunningSandbox, demo_doctor: Identity
) -> None:
    # Where Mediboard's parser of the real answers reads it; the seed's closed_at, in UTC.
    answer = dmp.call(
        "TD0.2",
        existence_test(SOPHIE),
        demo_doctor,
        vihf=demo_doctor.signed(demo_doctor.vihf.but(patient=SOPHIE)),
    )
    effective = answer.xml().find(".//hl7:registrationEvent/hl7:effectiveTime", NS)
    assert effective is not None
    assert effective.get("value") == "20251130100000"


def test_habilitation_answers_are_qualified(dmp: RunningSandbox, nurse: Identity) -> None:
    # The WSDL's form="qualified" and the ANS TD0.3 sample: output, status and context
    # are in urn:si-dmp-habilitations.
    answer = dmp.call("TD0.3", set_authorization("AJOUT"), nurse, vihf=nurse.signed())
    hab = "urn:si-dmp-habilitations"
    output = answer.xml().find(f".//{{{hab}}}setAuthorizationResponse/{{{hab}}}output")
    assert output is not None
    assert output.findtext(f"{{{hab}}}status") == "DMPOk"
    assert output.findtext(f"{{{hab}}}context") == "Autorisation ajoutée"


@pytest.mark.parametrize("mode", [EMERGENCY, CENTRE_15])
def test_existence_test_allowed_in_every_mode(
    dmp: RunningSandbox, other_doctor: Identity, mode: dict[str, str]
) -> None:
    assert _status(dmp, other_doctor, **mode)["query"] == "OK"


def test_structure_may_test_existence(dmp: RunningSandbox, hospital: Identity) -> None:
    assert _status(dmp, hospital)["query"] == "OK"


def test_patient_data_in_the_answer(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    answer = dmp.call(
        "TD0.2",
        existence_test(LOUISE),
        demo_doctor,
        vihf=demo_doctor.signed(demo_doctor.vihf.but(patient=LOUISE)),
    )
    person = answer.xml().find(".//hl7:patientPerson", NS)
    assert person is not None
    assert person.findtext("hl7:name/hl7:given", namespaces=NS) == "LOUISE"
    assert person.find("hl7:birthTime", NS).get("value") == "20150201"  # type: ignore[union-attr]
    assert answer.xml().find(".//hl7:patient/hl7:id", NS).get("extension") == LOUISE  # type: ignore[union-attr]


def _seeded(tmp_path: Path, data_dir: Path, grants: str):
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "directory: {profiles: [demo-cps, cps-adeli-nurse, cps4-doctor]}\n"
        "patients:\n"
        f"  - {{ins: '{PIERRE}', family: LE QUINIO, given: PIERRE, birth_date: 1955-06-15,\n"
        "     sex: M,\n"
        f"     authorizations: [{grants}]}}\n"
    )
    return running_sandbox(tmp_path / "custom", data_dir, seed)


def test_six_months_without_action_is_expired(
    tmp_path: Path, data_dir: Path, organisations, nurse: Identity
) -> None:
    old = (datetime.now(UTC) - timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with _seeded(tmp_path, data_dir, f"{{actor: '0751234567', started: '{old}'}}") as dmp:
        assert _status(dmp, nurse)["authorization"] == "EXPIRE"
        assert _set(dmp, nurse, "AJOUT") == ("DMPOk", "Autorisation ajoutée")
        assert _status(dmp, nurse)["authorization"] == "VALIDE"


def test_five_months_is_still_valid(
    tmp_path: Path, data_dir: Path, organisations, nurse: Identity
) -> None:
    recent = (datetime.now(UTC) - timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with _seeded(tmp_path, data_dir, f"{{actor: '0751234567', started: '{recent}'}}") as dmp:
        assert _status(dmp, nurse)["authorization"] == "VALIDE"


def test_forbidden_professional(
    tmp_path: Path, data_dir: Path, organisations, nurse: Identity
) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with _seeded(
        tmp_path, data_dir, f"{{actor: '0751234567', status: INTERDIT, started: '{now}'}}"
    ) as dmp:
        assert _status(dmp, nurse)["authorization"] == "INTERDIT"
        assert _set(dmp, nurse, "AJOUT")[0] == "DMPAccessDeniedByRightsService"


# --- TD0.3: rows "se déclarer autorisé", "supprimer son autorisation", "se supprimer MT" --


def test_non_doctor_adds_then_removes_in_normal_mode(dmp: RunningSandbox, nurse: Identity) -> None:
    assert _set(dmp, nurse, "AJOUT") == ("DMPOk", "Autorisation ajoutée")
    assert _status(dmp, nurse)["authorization"] == "VALIDE"
    assert _set(dmp, nurse, "AJOUT") == (
        "DMPOk",
        "Autorisation déjà présente aucune action effectuée",
    )
    assert _set(dmp, nurse, "SUPPRESSION") == ("DMPOk", "Autorisation supprimée")
    assert _status(dmp, nurse)["authorization"] == "NON_EXISTE"


@pytest.mark.parametrize("mode", [EMERGENCY, CENTRE_15])
@pytest.mark.parametrize("action", ["AJOUT", "SUPPRESSION"])
def test_non_doctor_cannot_change_authorization_outside_normal_mode(
    dmp: RunningSandbox, nurse: Identity, mode: dict[str, str], action: str
) -> None:
    assert _set(dmp, nurse, action, **mode)[0] == "DMPAccessDeniedByRightsService"


@pytest.mark.parametrize("mode", [EMERGENCY, CENTRE_15])
def test_doctor_cannot_add_authorization_outside_normal_mode(
    dmp: RunningSandbox, other_doctor: Identity, mode: dict[str, str]
) -> None:
    assert _set(dmp, other_doctor, "AJOUT", **mode)[0] == "DMPAccessDeniedByRightsService"


def test_doctor_becomes_treating_physician(dmp: RunningSandbox, other_doctor: Identity) -> None:
    assert _set(dmp, other_doctor, "AJOUT", "MEDECIN_TRAITANT")[0] == "DMPOk"
    assert _status(dmp, other_doctor)["treating"] == "true"


def test_non_doctor_cannot_become_treating_physician(dmp: RunningSandbox, nurse: Identity) -> None:
    assert _set(dmp, nurse, "AJOUT", "MEDECIN_TRAITANT")[0] == "DMPAccessDeniedByRightsService"


def test_treating_physician_stops_being_treating_and_keeps_access(
    dmp: RunningSandbox, demo_doctor: Identity
) -> None:
    assert _set(dmp, demo_doctor, "AJOUT")[0] == "DMPOk"
    assert _status(dmp, demo_doctor) | {} == {
        "authorization": "VALIDE",
        "treating": "false",
        "query": "OK",
        "patient": "active",
        "ack": "AA",
    }


def test_treating_physician_cannot_stop_in_emergency_mode(
    dmp: RunningSandbox, demo_doctor: Identity
) -> None:
    assert _set(dmp, demo_doctor, "AJOUT", **EMERGENCY)[0] == "DMPAccessDeniedByRightsService"
    assert _status(dmp, demo_doctor)["treating"] == "true"


def test_structure_cannot_declare_itself_authorized(
    dmp: RunningSandbox, hospital: Identity
) -> None:
    assert _set(dmp, hospital, "AJOUT")[0] == "DMPAccessDeniedByRightsService"


def test_closed_dmp_refuses_authorization(dmp: RunningSandbox, nurse: Identity) -> None:
    assert _set(dmp, nurse, "AJOUT", patient=SOPHIE)[0] == "DMPClosed"


def test_no_dmp_refuses_authorization(dmp: RunningSandbox, nurse: Identity) -> None:
    assert _set(dmp, nurse, "AJOUT", patient=LUC)[0] == "DMPNotFound"


def test_bad_action_is_refused(dmp: RunningSandbox, nurse: Identity) -> None:
    assert _set(dmp, nurse, "AJOUTER")[0] == "DMPInvalidRequest"


def test_authorization_survives_a_restart(
    tmp_path: Path, data_dir: Path, organisations, nurse: Identity
) -> None:
    with running_sandbox(tmp_path / "persist", data_dir) as dmp:
        assert _set(dmp, nurse, "AJOUT")[0] == "DMPOk"
    with running_sandbox(tmp_path / "persist", data_dir) as dmp:
        assert _status(dmp, nurse)["authorization"] == "VALIDE"
