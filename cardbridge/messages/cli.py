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

# --- cardbridge read ----------------------------------------------------------------------
NO_PIN_ON_STDIN = Text(
    "Aucun code PIN n'a été donné sur l'entrée standard.",
    "No PIN was given on standard input.",
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

# --- cardbridge serve (its start banner) ----------------------------------------------------
SERVES = Text("cardbridge {version} sert {reason}.", "cardbridge {version} serves {reason}.")
SERVES_EMULATED = Text(
    "les lecteurs émulés (cartes CPS et Vitale de démonstration)",
    "emulated readers (demo CPS and Vitale cards)",
)
SERVES_PKCS11 = Text(
    "le module PKCS#11 {module} ({described}, {slots} emplacement(s)) : carte CPS seulement",
    "PKCS#11 module {module} ({described}, {slots} slot(s)): CPS only",
)
SERVES_EMULATED_NO_PCSCD = Text(
    "les lecteurs émulés avec les cartes CPS et Vitale de démonstration : pcscd ne tourne pas",
    "emulated readers with the demo CPS and Vitale cards: pcscd is not running",
)
SERVES_PCSC_WAITING = Text(
    "PC/SC (pcscd ne tourne pas encore : le pont l'attend)",
    "PC/SC (pcscd is not running yet: waiting for it)",
)
SERVES_EMULATED_NO_CARD = Text(
    "les lecteurs émulés avec les cartes CPS et Vitale de démonstration : aucune carte dans "
    "les lecteurs PC/SC",
    "emulated readers with the demo CPS and Vitale cards: no card in the PC/SC readers",
)
SERVES_PCSC = Text("PC/SC ({readers} lecteur(s))", "PC/SC ({readers} reader(s))")
NO_READER_YET = Text(
    "Aucun lecteur n'est encore branché : la page d'état montre les lecteurs à mesure qu'ils "
    "arrivent.",
    "No reader is connected yet: the status page shows readers as they come.",
)
READERS = Text("Lecteurs :", "Readers:")
READER_CARD = Text("{reader} : {card}", "{reader}: {card}")
CARD_CPS = Text("une carte CPS", "a CPS card")
CARD_VITALE = Text("une carte Vitale", "a Vitale card")
CARD_UNKNOWN = Text("une carte qui n'est ni CPS ni Vitale", "a card that is no CPS nor Vitale")
CARD_OTHER = Text("une carte {card}", "a {card} card")
NO_CARD = Text("pas de carte", "no card")
DEMO_PIN = Text(
    "Les cartes de démonstration sont émulées : le code PIN de la CPS de démonstration est "
    "{pin} (cartes de test : aucun vrai professionnel de santé, aucun vrai patient).",
    "The demo cards are emulated: the demo CPS's PIN is {pin} (test cards: no real "
    "practitioner, no real patient).",
)
STATUS_PAGE = Text(
    "Page d'état : {address}/   Documentation de l'API : {address}/docs",
    "Status page: {address}/   API documentation: {address}/docs",
)
PAIR_BROWSER = Text(
    "Appairez votre navigateur avec la page d'état (lien à suivre une fois, dans les "
    "10 minutes ; plus tard, « cardbridge open » le fait) : {link}",
    "Pair your browser with the status page (follow once, within 10 minutes; later, "
    "`cardbridge open` does it): {link}",
)
DMP_ENDPOINT = Text("DMP : {name} ({url}).", "DMP: {name} ({url}).")
DMP_OFFLINE = Text(
    "DMP : le DMP hors ligne sur {url} (démarré par « make run », ou "
    "« cardbridge dmp-sandbox ») ; ses pages patient : {pages}/",
    "DMP: the offline DMP at {url} (started by `make run`, or `cardbridge dmp-sandbox`); "
    "its patient pages: {pages}/",
)
NATIVE_TOKEN = Text(
    "Les logiciels natifs envoient le jeton d'API de {source}. Ctrl-C arrête le pont.",
    "Native clients send the API token of {source}. Ctrl-C stops.",
)
STOPPED = Text("cardbridge est arrêté.", "cardbridge stopped.")

# --- cardbridge config, cardbridge journal list -----------------------------------------------
TOKEN_FROM_VARIABLE = Text(
    "CARDBRIDGE_API_TOKEN (ou api_token)", "CARDBRIDGE_API_TOKEN (or api_token)"
)
OLDER_RECORDS = Text(
    "Enregistrements plus anciens : la même commande avec --before {seq}.",
    "Older records: the same command with --before {seq}.",
)
