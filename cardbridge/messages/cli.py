"""What the ``cardbridge`` commands print, in French and English.

The commands print these in the language of the environment (:func:`say`). Argument
help (``--help``) stays in English, as option names are.
"""

from __future__ import annotations

from cardbridge.messages import Text, language_of_environment


def say(text: Text, **params: object) -> str:
    """``text`` with its parameters, in the environment's language (``LANG``…)."""
    return text.format(**params).in_(language_of_environment())


# --- cardbridge dmp ---------------------------------------------------------------------
DMP_STATE = Text("DMP {state}", "DMP {state}")
DMP_AUTHORIZATION = Text(
    ", votre autorisation : {authorization}", ", your authorization: {authorization}"
)
DMP_TREATING = Text(", vous êtes le médecin traitant", ", you are the treating physician")
NO_PATIENT = Text("Aucun patient trouvé.", "No patient found.")
DMP_OPENED = Text(
    "DMP ouvert ({mode}), enregistrement {seq} de l'historique des accès",
    "DMP opened ({mode}), journal record {seq}",
)
SECRET_ACCESS = Text(
    "; accès secret, masqué aux représentants légaux",
    "; secret access, hidden from the legal representatives",
)
AUTHORIZATION_ADDED = Text("; votre autorisation a été ajoutée", "; your authorization was added")
DATE_EXPECTED = Text("date attendue au format AAAA-MM-JJ", "expected a date written YYYY-MM-DD")
NO_DOCUMENT = Text("Aucun document.", "No document.")
DOCUMENT_SAVED = Text("{path} : {media_type}, {size} octets", "{path}: {media_type}, {size} bytes")
DEPOSITED = Text("Déposé : {unique_id}", "Deposited: {unique_id}")
DELETED = Text("Supprimé : {unique_id}", "Deleted: {unique_id}")

# --- cardbridge journal -----------------------------------------------------------------
JOURNAL_INTACT = Text(
    "L'historique des accès est intact : {records} enregistrements ({database}).",
    "The journal is intact: {records} records ({database}).",
)
JOURNAL_TAMPERED = Text(
    "L'historique des accès a été altéré ({database}) :",
    "The journal was tampered with ({database}):",
)
AT_LEAST_ONE = Text("au moins 1", "must be at least 1")
BEFORE_SEQUENCE = Text(
    "doit être le numéro d'un enregistrement (1 ou plus) : la première colonne de "
    "« cardbridge journal list »",
    "must be a record's sequence number (1 or more): the first column of `cardbridge journal list`",
)

# --- cardbridge open ----------------------------------------------------------------------
NOT_RUNNING = Text(
    "cardbridge ne tourne pas sur {base} : démarrez-le avec « cardbridge serve » (ou "
    "« systemctl --user start cardbridge »).",
    "cardbridge is not running on {base}: start it with `cardbridge serve` (or `systemctl "
    "--user start cardbridge`).",
)
PAIRING_LINK = Text(
    "Lien d'appairage de la page d'état (valable 10 minutes, une seule fois) : {url}",
    "Status page pairing link (valid 10 minutes, once): {url}",
)
NO_BROWSER = Text(
    "Aucun navigateur n'a pu être ouvert : ouvrez le lien ci-dessus dans le vôtre.",
    "No browser could be opened: open the link above in yours.",
)

# --- cardbridge service -------------------------------------------------------------------
SERVICE_INSTALLED = Text(
    "{path} installé ; le pont tourne maintenant et démarre avec chaque session.",
    "Installed {path}; the bridge runs now and starts with each session.",
)
SERVICE_CHECK = Text("Vérifiez-le avec : cardbridge doctor", "Check it with: cardbridge doctor")
SERVICE_REMOVED = Text("{path} supprimé.", "Removed {path}.")
SERVICE_ABSENT = Text("Le service n'était pas installé.", "The service was not installed.")
