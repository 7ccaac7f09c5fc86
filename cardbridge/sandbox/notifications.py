"""The patient's notification e-mail at a professional's first access to the DMP.

Patients are told when a professional consults or fills their DMP for the first time (a
third party's report; the official wording was not found: the text here is ours,
docs/dmp-sandbox.md "Patient page and notifications"). Each message goes to the outbox
table; with an SMTP server configured it is also sent (over loopback, no authentication).
Secret accesses (restricted audience) send nothing.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from cardbridge.domain import terminologies
from cardbridge.sandbox.store import Store

log = logging.getLogger(__name__)

SENDER = "ne-pas-repondre@dmp-sandbox.test"
SUBJECT = "Mon espace santé : un professionnel a accédé à votre dossier médical"
_MODES = {"normal": "accès normal", "bris_de_glace": "accès en urgence", "centre_15": "centre 15"}


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int


def _who(store: Store, actor_id: str, structure_id: str | None) -> str:
    person = store.one("SELECT * FROM professional WHERE national_id = ?", actor_id)
    if person is not None:
        label = terminologies.PROFESSIONS.get(person["profession"], "professionnel de santé")
        return f"{person['first_name']} {person['last_name']} ({label})"
    structure = store.one("SELECT name FROM structure WHERE structure_id = ?", structure_id)
    return structure["name"] if structure is not None else "un professionnel de santé"


def notify_first_access(
    store: Store,
    smtp: SmtpServer | None,
    *,
    ins: str,
    actor_id: str,
    structure_id: str | None,
    purpose: str,
    now: datetime,
) -> None:
    """Queue (and send) the e-mail when ``actor_id`` just acted on ``ins`` for the first time."""
    dmp = store.one("SELECT email FROM dmp WHERE ins = ?", ins)
    if dmp is None or not dmp["email"]:
        return
    earlier = store.one(
        "SELECT count(*) AS n FROM trace WHERE ins = ? AND actor_id = ? AND result = 'OK'",
        ins,
        actor_id,
    )
    if earlier is None or earlier["n"] != 1:
        return
    body = (
        "Bonjour,\n\n"
        f"Le {now:%d/%m/%Y à %H:%M} (UTC), {_who(store, actor_id, structure_id)} a accédé pour la "
        f"première fois à votre dossier médical partagé ({_MODES.get(purpose, purpose)}).\n\n"
        "Vous pouvez consulter l'historique des accès dans Mon espace santé.\n"
    )
    with store.transaction() as db:
        cursor = db.execute(
            "INSERT INTO outbox (at, ins, recipient, subject, body) VALUES (?, ?, ?, ?, ?)",
            (now.strftime("%Y-%m-%dT%H:%M:%SZ"), ins, dmp["email"], SUBJECT, body),
        )
        message_id = cursor.lastrowid
    if smtp is not None:
        _send(store, smtp, message_id, dmp["email"], body)


def _send(
    store: Store, smtp: SmtpServer, message_id: int | None, recipient: str, body: str
) -> None:
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = recipient
    message["Subject"] = SUBJECT
    message.set_content(body)
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=10) as client:
            client.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.warning("The notification e-mail could not be sent; it stays in the outbox.")
        return
    with store.transaction() as db:
        db.execute("UPDATE outbox SET sent = 1 WHERE id = ?", (message_id,))
