"""The DMP transactions of the local API, as methods of
:class:`~cardbridge.client.CardBridgeClient` (a mixin: it keeps client.py small).

Each method returns the API's own models (those of :mod:`cardbridge.dmp.results`); a
DMP refusal is raised as :class:`~cardbridge.errors.DmpRefusedError` with the DMP's
``dmp_code`` and ``dmp_text``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import httpx
from pydantic import TypeAdapter

from cardbridge.api.dmp_models import DepositAnswer, Patient
from cardbridge.dmp.access import AccessMode
from cardbridge.dmp.documents import DepositForm
from cardbridge.dmp.patients import IdentityCriteria
from cardbridge.dmp.results import (
    AuthorizedPatient,
    DmpStatus,
    DocumentContent,
    DocumentEntry,
    PatientCandidate,
    PractitionerAuthorization,
)

_ENTRIES = TypeAdapter(list[DocumentEntry])
_AUTHORIZATIONS = TypeAdapter(list[PractitionerAuthorization])
_PATIENTS = TypeAdapter(list[AuthorizedPatient])


class DmpMethods:
    """The DMP transactions; the host class gives ``_dmp_request`` (an answered request,
    errors raised as cardbridge exceptions) and ``_dmp_parse``."""

    def _dmp_request(
        self, method: str, path: str, reader: str | None = None, **options: Any
    ) -> httpx.Response:
        raise NotImplementedError

    def _dmp_parse(self, adapter: TypeAdapter[Any], response: httpx.Response) -> Any:
        raise NotImplementedError

    def search_patients(
        self,
        situation: int,
        criteria: IdentityCriteria,
        reason: str,
        *,
        reader: str | None = None,
    ) -> list[PatientCandidate]:
        """TD0.5: the patients matching ``criteria``, each with its INS. The DMP allows the
        search in centre 15 mode only, which this method asks (``reason`` is mandatory)."""
        body = {
            "criteria": criteria.model_dump(mode="json", exclude_none=True),
            "situation": situation,
            "mode": AccessMode.REGULATION.value,
            "reason": reason,
        }
        response = self._dmp_request("POST", "/v1/dmp/patient", reader, json=body)
        patient: Patient = self._dmp_parse(TypeAdapter(Patient), response)
        return patient.candidates or []

    def dmp_status(self, ins: str, *, situation: int = 0, reader: str | None = None) -> DmpStatus:
        """TD0.2: the DMP of ``ins`` exists, is closed; this practitioner's rights on it."""
        params = {"patient": ins, "situation": situation}
        response = self._dmp_request("GET", "/v1/dmp/status", reader, params=params)
        status: DmpStatus = self._dmp_parse(TypeAdapter(DmpStatus), response)
        return status

    def documents(
        self,
        ins: str,
        *,
        type_code: str | None = None,
        status: str | None = None,
        start: date | None = None,
        end: date | None = None,
        reader: str | None = None,
    ) -> list[DocumentEntry]:
        """TD3.1: the documents of the opened DMP of ``ins``; ``status`` is ``approved``
        (default), ``archived``, ``deprecated`` or ``all``; ``start`` and ``end`` bound the
        creation day (included)."""
        filters = {
            "patient": ins,
            "type": type_code,
            "status": status,
            "from": start.isoformat() if start is not None else None,
            "to": end.isoformat() if end is not None else None,
        }
        params = {name: value for name, value in filters.items() if value is not None}
        response = self._dmp_request("GET", "/v1/dmp/documents", reader, params=params)
        entries: list[DocumentEntry] = self._dmp_parse(_ENTRIES, response)
        return entries

    def document(self, ins: str, unique_id: str, *, reader: str | None = None) -> DocumentContent:
        """TD3.2: the document ``unique_id`` as deposited (unwrapped from its CDA)."""
        response = self._dmp_request(
            "GET", f"/v1/dmp/documents/{unique_id}", reader, params={"patient": ins}
        )
        media_type = response.headers.get("content-type", "application/octet-stream")
        return DocumentContent(
            unique_id=unique_id,
            media_type=media_type.split(";")[0].strip(),
            content=response.content,
            wrapped_in_cda=response.headers.get("x-dmp-wrapped-in-cda") == "true",
            filename=_filename(response.headers.get("content-disposition")),
        )

    def deposit(
        self,
        situation: int,
        form: DepositForm,
        *,
        content: bytes | None = None,
        filename: str = "",
        text: str | None = None,
        beneficiary: int | None = None,
        ins: str | None = None,
        practice_setting: str | None = None,
        reader: str | None = None,
    ) -> DepositAnswer:
        """TD2.1: deposit a file (``content``, ``filename``) or a free ``text`` in the
        opened DMP of the Vitale card's ``beneficiary`` (or of ``ins``); the answer's
        ``receipt.unique_id`` is what the DMP now holds."""
        fields = {
            "situation": situation,
            "ins": ins,
            "beneficiary": beneficiary,
            "practice_setting": practice_setting,
            "text": text,
            **form.model_dump(mode="json"),
        }
        data = {name: str(value) for name, value in fields.items() if value is not None}
        files = {"file": (filename, content)} if content is not None else None
        response = self._dmp_request("POST", "/v1/dmp/documents", reader, data=data, files=files)
        answer: DepositAnswer = self._dmp_parse(TypeAdapter(DepositAnswer), response)
        return answer

    def change_document(
        self,
        ins: str,
        unique_id: str,
        *,
        masked: bool | None = None,
        visible_to_patient: bool | None = None,
        archived: bool | None = None,
        reader: str | None = None,
    ) -> DocumentEntry:
        """TD3.3: mask or unmask, make visible to the patient, archive or unarchive; the
        document as the DMP lists it afterwards."""
        changes = {
            "masked_from_professionals": masked,
            "visible_to_patient": visible_to_patient,
            "archived": archived,
        }
        body = {"patient": ins, **{k: v for k, v in changes.items() if v is not None}}
        response = self._dmp_request("PATCH", f"/v1/dmp/documents/{unique_id}", reader, json=body)
        entry: DocumentEntry = self._dmp_parse(TypeAdapter(DocumentEntry), response)
        return entry

    def delete_document(self, ins: str, unique_id: str, *, reader: str | None = None) -> None:
        """TD3.3c: delete the document ``unique_id``."""
        self._dmp_request(
            "DELETE", f"/v1/dmp/documents/{unique_id}", reader, params={"patient": ins}
        )

    def authorizations(
        self, ins: str, *, reader: str | None = None
    ) -> list[PractitionerAuthorization]:
        """TD1.6: who is authorized on (or blocked from) the opened DMP of ``ins``."""
        response = self._dmp_request(
            "GET", "/v1/dmp/authorizations", reader, params={"patient": ins}
        )
        found: list[PractitionerAuthorization] = self._dmp_parse(_AUTHORIZATIONS, response)
        return found

    def dmp_patients(
        self, *, situation: int = 0, since: datetime | None = None, reader: str | None = None
    ) -> list[AuthorizedPatient]:
        """TD0.4: the DMPs this practitioner is authorized on (since ``since``, default a
        year)."""
        params: dict[str, str | int] = {"situation": situation}
        if since is not None:
            params["since"] = since.isoformat()
        response = self._dmp_request("GET", "/v1/dmp/patients", reader, params=params)
        found: list[AuthorizedPatient] = self._dmp_parse(_PATIENTS, response)
        return found


def _filename(disposition: str | None) -> str | None:
    if not disposition or 'filename="' not in disposition:
        return None
    return disposition.split('filename="', 1)[1].rstrip('"') or None
