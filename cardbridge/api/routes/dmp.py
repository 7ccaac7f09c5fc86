"""DMP access workflows (``/v1/dmp``): patient, access with a signed VIHF, journal, deposit.

An access is allowed by the consent rule (or explicit emergency with a reason), signed
by the CPS **signature** key over the held connection (the PIN must have been verified
through the bridge), and traced in the journal before the VIHF is returned.
"""

from __future__ import annotations

from typing import Annotated, Self

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from pydantic import ConfigDict, Field, model_validator
from starlette.datastructures import FormData
from starlette.formparsers import MultiPartParser

from cardbridge.api import dmp_examples as demo
from cardbridge.api.deps import BridgeDep, CallerDep, ReaderQuery
from cardbridge.api.dmp_models import (
    AccessAnswer,
    AccessBody,
    DepositAnswer,
    DocumentTypeInfo,
    JournalCheck,
    JournalEntryModel,
    Moment,
    Patient,
)
from cardbridge.api.dmp_workflow_models import PatientSearch
from cardbridge.api.routes.common import BODY_CODES, CARD_CODES, responses
from cardbridge.api.routes.dmp_records import DMP_TRANSACTION_CODES
from cardbridge.api.security import DEFAULT_BODY_LIMIT, BodyLimit
from cardbridge.dmp.catalogue import DOCUMENT_TYPES
from cardbridge.dmp.documents import MAX_DOCUMENT_BYTES, MAX_DOCUMENT_TEXT, DepositForm
from cardbridge.dmp.fields import field_error
from cardbridge.dmp.journal import JournalKind
from cardbridge.dmp.patients import (
    JournalPatient,
    PatientSelector,
    VitaleBeneficiary,
    journal_patient,
)
from cardbridge.dmp.period import period_end, period_start
from cardbridge.errors import InvalidInputError
from cardbridge.messages import inputs as say
from cardbridge.service.dmp import JournalFilter
from cardbridge.service.dmp_changes import DepositAsked

router = APIRouter(prefix="/v1/dmp", tags=["DMP"])

DMP_CODES = ("pin_required", "consent_required", "journal_error")
DEPOSIT_PATH = "/v1/dmp/documents"
# The DMP's rule for the file, plus what any body may hold for the form's other fields
# (the file's own limit is then checked with its size in the message).
DEPOSIT_BODY_LIMIT = BodyLimit(
    MAX_DOCUMENT_BYTES + DEFAULT_BODY_LIMIT,
    say.DOCUMENT_TOO_LARGE.format(maximum=MAX_DOCUMENT_TEXT),
)
# The deposit's file stays in memory while the form is read: no body the API accepts is
# larger (the security middleware caps them all). Starlette would spool a part over 1 MB
# to a temporary file, writing the patient's document to disk and back through a thread
# per 64 KB read (docs/dmp-client.md, "The deposit's cost"). Ours.
MultiPartParser.spool_max_size = DEPOSIT_BODY_LIMIT.size
# A free text written in the form (the file's limit applies to its UTF-8 bytes too).
MAX_FREE_TEXT = 1_000_000


@router.get(
    "/document-types",
    summary="The deposit form's document types",
    responses=responses(),
)
async def document_types() -> list[DocumentTypeInfo]:
    """Types with `known: false` have no official code yet and are refused on deposit."""
    return [DocumentTypeInfo.of(entry) for entry in DOCUMENT_TYPES]


@router.post(
    "/patient",
    summary="The patient designated by a Vitale beneficiary, an INS or identity criteria; "
    "with a situation, the DMP searched by identity criteria (TD0.5)",
    responses=responses(*BODY_CODES, *CARD_CODES, *DMP_TRANSACTION_CODES),
)
async def patient(
    body: PatientSearch, bridge: BridgeDep, caller: CallerDep, reader: ReaderQuery = None
) -> Patient:
    """Checks the choice as an access would: INS key, identity criteria field by field,
    the Vitale card read (once per insertion). With `criteria` and a `situation`, the DMP
    is searched (TD0.5) and `candidates` lists the patients found, each with the INS to
    open their DMP with. The DMP allows that search **in centre 15 mode only** (`mode:
    centre_15` with a `reason`): another mode is refused at once (422 naming `mode`),
    before the card signs anything. The search needs the caller's own PIN session."""
    reference = await bridge.dmp.resolve(body, reader)
    candidates = None
    if body.situation is not None and body.criteria is not None:
        candidates = await bridge.dmp.search(
            situation=body.situation,
            criteria=body.criteria,
            mode=body.mode,
            reason=body.reason,
            reader=reader,
            caller=caller,
        )
    return Patient.of(reference, candidates)


@router.post(
    "/access",
    summary="Open a patient's DMP: TD0.2, then TD0.3 with the patient's consent, or an "
    "emergency / centre 15 access with its reason; traced in the journal",
    responses=responses(*BODY_CODES, *CARD_CODES, *DMP_CODES, *DMP_TRANSACTION_CODES, "not_found"),
)
async def access(
    body: AccessBody, bridge: BridgeDep, caller: CallerDep, reader: ReaderQuery = None
) -> AccessAnswer:
    """The bridge's own guard first: `bris_de_glace` and `centre_15` need a `reason`
    (kept in the VIHF's `Mode_Acces_Raison` and the history the patient reads). Then the
    DMP's existence test (TD0.2): a DMP that does not exist or is closed is 404
    `not_found`. In `normal` mode the DMP's answer decides: authorized, the DMP opens
    (consent or not); no authorization or an expired one, the patient's consent is
    needed (403 `consent_required` without `consent: true`) and with it the DMP adds
    the authorization (TD0.3); blocked by the patient, 422 `dmp_refused` (`INTERDIT`).
    The journal records the access with what the DMP answered. The caller's own PIN
    session must be open on the CPS (403 `pin_required`: a PIN verified by another
    application does not count). The document routes then use this access's mode.
    `secret: true` asks for a secret access to a minor's DMP: the DMP hides it, and the
    document transactions made in it, from the legal representatives."""
    opened, reference = await bridge.dmp.open_access(
        situation=body.situation,
        patient=body.patient,
        mode=body.mode,
        consent=body.consent,
        reason=body.reason,
        reader=reader,
        caller=caller,
        secret=body.secret,
    )
    return AccessAnswer(
        assertion_id=opened.vihf.assertion_id,
        not_on_or_after=opened.vihf.not_on_or_after,
        mode=opened.decision.mode,
        consent_needed=opened.decision.consent_needed,
        consent_attested=opened.decision.consent_attested,
        secret=body.secret,
        journal_seq=opened.record.seq,
        issuer=opened.vihf.issuer,
        structure_id=opened.situation.structure_id,
        sector=opened.situation.sector,
        patient=Patient.of(reference),
        vihf=opened.vihf.xml.decode(),
        dmp=opened.status,
        authorization_added=opened.authorization_added,
    )


@router.get(
    "/journal",
    summary="The DMP access journal, newest first",
    responses=responses("invalid_request", "journal_error"),
    response_model_exclude_unset=True,  # the details a record has, as recorded
)
async def journal(  # noqa: PLR0917 - one argument per query parameter
    bridge: BridgeDep,
    patient: Annotated[
        str | None,
        Query(
            max_length=512,
            description="An INS (15 characters, spaces allowed), whatever the OID it was "
            "recorded with; or as recorded: an INS in CX form, or traits (`traits:…`)",
            examples=["1 55 06 72 000 101 59", demo.DEMO_INS_CX],
        ),
    ] = None,
    practitioner: Annotated[str | None, Query(max_length=64, description="idNat_PS")] = None,
    since: Annotated[
        Moment | None,
        Query(
            description="From this date (its first instant) or date-time; without an "
            "offset, the workstation's local time"
        ),
    ] = None,
    until: Annotated[
        Moment | None,
        Query(description="Up to this date (included: to its last instant) or date-time"),
    ] = None,
    kind: JournalKind | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before: Annotated[
        int | None,
        Query(
            ge=1,
            description="The paging cursor: records older than the record of this sequence "
            "number only. For the next page, the `seq` of the last record of this one.",
        ),
    ] = None,
) -> list[JournalEntryModel]:
    whom = journal_patient(patient) if patient is not None else JournalPatient()
    records = await bridge.dmp.journal(
        JournalFilter(
            whom.key,
            practitioner,
            period_start(since) if since is not None else None,
            period_end(until) if until is not None else None,
            kind,
            limit,
            whom.key_prefix,
            before,
        )
    )
    return [JournalEntryModel.of(record) for record in records]


@router.get(
    "/journal/verify",
    summary="Check the journal's integrity (edited, deleted or reordered records)",
    responses=responses("journal_error"),
)
async def verify_journal(bridge: BridgeDep) -> JournalCheck:
    report = await bridge.dmp.verify_journal()
    return JournalCheck(ok=report.ok, records=report.records, problems=list(report.problems))


class DepositFields(DepositForm):
    """The deposit form's fields, and who it is for (an INS or a Vitale beneficiary).

    The multipart form also carries ``file``, which FastAPI hands to the model too:
    unknown or repeated names are refused by the route instead (:func:`_check_form_fields`).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    situation: int = Field(ge=0, le=15, description="Index of the CPS practice situation")
    ins: str | None = Field(None, max_length=32, description="The patient's INS matricule")
    beneficiary: int | None = Field(
        None, ge=0, le=15, description="Or: a beneficiary of the Vitale card in a reader"
    )
    practice_setting: str = Field(
        "AMBULATOIRE",
        max_length=32,
        description="The author's cadre d'exercice (practiceSettingCode): AMBULATOIRE, "
        "ETABLISSEMENT, HAD, SAD, MAD, PALLIATIF, DEPISTAGE, SAMU_SMUR",
    )
    text: str | None = Field(
        None,
        max_length=MAX_FREE_TEXT,
        description="Rédiger un document (texte libre): the document's text, instead of a file",
    )

    @model_validator(mode="after")
    def _one_patient(self) -> Self:
        if (self.ins is None) == (self.beneficiary is None):
            raise field_error(
                self,
                "ins" if self.ins is None else "beneficiary",
                "give the patient one way: the INS (ins) or a beneficiary of the Vitale card "
                "(beneficiary)" + (", not both" if self.ins is not None else ""),
            )
        return self

    def form(self) -> DepositForm:
        return DepositForm(
            **self.model_dump(
                exclude={"situation", "ins", "beneficiary", "practice_setting", "text"}
            )
        )

    def patient(self) -> PatientSelector:
        if self.beneficiary is not None:
            return PatientSelector(vitale=VitaleBeneficiary(beneficiary=self.beneficiary))
        return PatientSelector(ins=self.ins)


def _check_form_fields(form: FormData) -> None:
    """Each field of the form known and given once: with a field given twice, the model
    would silently keep the last value."""
    known = {*DepositFields.model_fields, "file"}
    unknown = sorted(set(form.keys()) - known)
    if unknown:
        raise InvalidInputError(say.NOT_A_FORM_FIELD, field=unknown[0])
    names = [name for name, _ in form.multi_items()]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InvalidInputError(say.FORM_FIELD_TWICE, field=repeated[0])


@router.post(
    "/documents",
    summary="Deposit a document (a file or a free text) in an opened DMP (TD2.1)",
    responses=responses(
        *BODY_CODES,
        *CARD_CODES,
        *DMP_CODES,
        *DMP_TRANSACTION_CODES,
        "dmp_access_required",
        "unsupported_media_type",
    ),
)
async def deposit(
    fields: Annotated[DepositFields, Form()],
    file: Annotated[
        UploadFile | None,
        File(
            description="PDF, JPEG, TIFF, RTF or plain text (UTF-8 or Windows-1252); 5 MB "
            "(5,000,000 bytes) at most; the content decides the format, whatever the name, and "
            "a PDF, JPEG or TIFF must open. Or `text`."
        ),
    ] = None,
    *,
    bridge: BridgeDep,
    caller: CallerDep,
    request: Request,
    reader: ReaderQuery = None,
) -> DepositAnswer:
    """The patient's DMP must have been opened in this PIN session (`POST
    /v1/dmp/access`). The document is checked first: its format is recognised by its
    content, not its name (the metadata say which format was detected,
    `detected_format`, what the name suggested, `named_format`, and, for text, its
    encoding); HTML, SVG or XML markup and scripts are refused; every refusal names its
    field (`file`, `title`, `type`, `event_end`…). Then it is wrapped in its CDA, signed
    (XAdES, the CPS signature key) and deposited (TD2.1); `receipt.unique_id` is what the
    DMP now holds, which the document routes take. The CDA header's patient traits are
    those of the Vitale card (`beneficiary`), or, for an `ins`, those the DMP gave when it
    was opened (or in a search's candidates); 422 naming `ins` when it gave none. A PDF,
    JPEG or TIFF that does not open is refused, dates may not be in the future, and a
    field given twice is refused."""
    _check_form_fields(await request.form())
    if (file is None) == (fields.text is None):
        raise InvalidInputError(say.DOCUMENT_ONE_WAY, field="file" if file is None else "text")
    if file is not None:
        content, filename = await file.read(), file.filename or ""
    else:
        from cardbridge.dmp.transactions.deposit import FREE_TEXT_FILENAME  # noqa: PLC0415

        content, filename = (fields.text or "").encode("utf-8"), FREE_TEXT_FILENAME
    done = await bridge.dmp.deposit(
        DepositAsked(
            fields.situation,
            fields.patient(),
            fields.form(),
            content,
            filename,
            fields.practice_setting,
        ),
        reader=reader,
        caller=caller,
    )
    return DepositAnswer(metadata=done.metadata, journal_seq=done.record.seq, receipt=done.receipt)
