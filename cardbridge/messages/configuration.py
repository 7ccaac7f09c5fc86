"""Texts of the configuration's errors, in French and English: a setting, or a file a
setting names, that the bridge cannot use (the DMP's address and server roots, the
structure's PKCS#12 files, the CPS's PKCS#11 module, the certificate authorities that
verify tokens), and the bridge's own state files in its config dir.

As :mod:`cardbridge.messages.inputs`, messages a raising site gives instead of its error
class's text (``config_invalid``); kept apart so that each module of the catalogue stays
small. Setting names stay as they are written in the configuration file; ``{reason}`` is
the operating system's own words (``No such file or directory``).
"""

from __future__ import annotations

from cardbridge.messages import Text

# --- Files a setting names ----------------------------------------------------------------
SETTING_FILE_UNREADABLE = Text(
    "{setting} : impossible de lire {path} ({reason}).",
    "{setting}: cannot read {path} ({reason}).",
)
SETTING_FILE_ITSELF_UNREADABLE = Text(
    "{setting} : impossible de lire ce fichier ({reason}).",
    "{setting}: cannot read it ({reason}).",
)

# --- The DMP's address and its server --------------------------------------------------
DMP_ENDPOINT_UNKNOWN = Text(
    "dmp_endpoint {value} n'est ni sandbox, ni formation1…formation5, ni production, ni une "
    "adresse https:// des services du DMP.",
    "dmp_endpoint {value} is not one of sandbox, formation1…formation5, production or an "
    "https:// URL of the DMP services.",
)
DMP_ENDPOINT_PORT = Text(
    "dmp_endpoint {value} a un numéro de port invalide.",
    "dmp_endpoint {value} has an invalid port.",
)
DMP_SERVER_ROOTS_NEEDED = Text(
    "dmp_endpoint {endpoint} demande dmp_server_roots : les fichiers PEM des racines "
    "IGC-Santé qui vérifient le serveur du DMP. cardbridge ne se connecte jamais à un "
    "serveur qu'il n'a pas vérifié.",
    "dmp_endpoint {endpoint} needs dmp_server_roots: the PEM files of the IGC-Santé roots "
    "that verify the DMP server. cardbridge never connects to an unverified server.",
)
DMP_SERVER_ROOTS_NO_PEM = Text(
    "dmp_server_roots ne contient aucun certificat PEM lisible.",
    "dmp_server_roots holds no readable PEM certificate.",
)

# --- The structure's PKCS#12 files (indirect mode) ---------------------------------------
STRUCTURE_KEY_NOT_SET = Text(
    "{setting} n'est pas renseigné (le mode indirect en a besoin).",
    "{setting} is not set (needed in indirect mode).",
)
STRUCTURE_KEY_NOT_OPENED = Text(
    "{setting} : {path} n'est pas un fichier PKCS#12 que ce mot de passe ouvre.",
    "{setting}: {path} is not a PKCS#12 file this password opens.",
)
STRUCTURE_KEY_NO_RSA = Text(
    "{setting} : {path} ne contient pas de clé RSA accompagnée de son certificat.",
    "{setting}: {path} holds no RSA key with its certificate.",
)

# --- The CPS's PKCS#11 module (card_backend = "pkcs11") --------------------------------------
PKCS11_MODULE_NOT_LOADED = Text(
    "Impossible de charger le module PKCS#11 {module} : {reason}.",
    "Cannot load the PKCS#11 module {module}: {reason}.",
)

# --- The certificate authorities that verify tokens ----------------------------------------
TRUST_ANCHOR = Text("ancre de confiance", "trust anchor")
INTERMEDIATE_CERTIFICATE = Text("certificat intermédiaire", "intermediate certificate")
CA_FILE_UNREADABLE = Text(
    "{what} {path} : lecture impossible ({reason}).",
    "{what} {path}: cannot read it ({reason}).",
)
NO_TRUST_ANCHOR = Text(
    "Aucune ancre de confiance n'est configurée pour vérifier les jetons : indiquez dans "
    "« trust_anchors » de la configuration les certificats racines IGC-Santé (PEM).",
    "No trust anchor is configured to verify tokens: set `trust_anchors` to the IGC-Santé "
    "root certificates (PEM) in the configuration.",
)

# --- The bridge's state files (pairings, approved web applications) -----------------------
STATE_UNREADABLE = Text(
    "Impossible de lire {path} : {reason}.",
    "Cannot read {path}: {reason}.",
)
STATE_OPEN_TO_OTHERS = Text(
    "{path} est accessible aux autres utilisateurs : lancez « chmod 600 {path} ».",
    "{path} is open to other users: run `chmod 600 {path}`.",
)
STATE_DAMAGED = Text(
    "{path} est endommagé : supprimez-le (les appairages ou les autorisations qu'il "
    "contenait seront perdus).",
    "{path} is damaged: delete it (the pairings or approvals it held are lost).",
)
STATE_UNWRITABLE = Text(
    "Impossible d'écrire {path} : {reason}.",
    "Cannot write {path}: {reason}.",
)
