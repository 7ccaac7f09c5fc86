"""Texts of the configuration's errors, in French and English: the configuration itself
(its file, its settings), a setting or a file a setting names that the bridge cannot use
(the DMP's address and server roots, the structure's PKCS#12 files, the CPS's PKCS#11
module, the certificate authorities that verify tokens and the verifier's own settings),
and the bridge's own files in its config dir (the API token, the state files).

As :mod:`cardbridge.messages.inputs`, messages a raising site gives instead of its error
class's text (``config_invalid``); kept apart so that each module of the catalogue stays
small. Setting names stay as they are written in the configuration file; ``{reason}`` is
the operating system's own words (``No such file or directory``).
"""

from __future__ import annotations

from cardbridge.messages import Text

# --- The configuration file and its settings ------------------------------------------------
CONFIG_INVALID = Text(
    "Configuration non valide ({path}) : {problems}",
    "Invalid configuration ({path}): {problems}",
)
"""``{problems}``: each refused setting with what is wrong with it (pydantic's words in
English, :mod:`cardbridge.messages.validation`'s in French)."""
CONFIG_NOT_TOML = Text(
    "Le fichier de configuration {path} n'est pas du TOML valide : {error}",
    "The config file {path} is not valid TOML: {error}",
)
"""``{error}``: the TOML parser's own words, with the line and column."""
PKCS11_MODULE_NEEDED = Text(
    "card_backend = pkcs11 demande pkcs11_module (le chemin du module PKCS#11)",
    "card_backend = pkcs11 needs pkcs11_module (the path of the PKCS#11 module)",
)
STRUCTURE_FILES_NEEDED = Text(
    "dmp_authentication = indirect demande dmp_structure_tls_pkcs12 et "
    "dmp_structure_sign_pkcs12 (les fichiers PKCS#12 de la structure)",
    "dmp_authentication = indirect needs dmp_structure_tls_pkcs12 and "
    "dmp_structure_sign_pkcs12 (the structure's PKCS#12 files)",
)

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
CERTIFICATES_NOT_PEM = Text(
    "{source} : ce n'est pas un fichier PEM de certificats X.509.",
    "{source}: not a PEM file of X.509 certificates.",
)
CERTIFICATE_FILE_UNREADABLE = Text(
    "{path} : lecture impossible ({reason}).",
    "{path}: cannot read it ({reason}).",
)
TRUST_ANCHORS = Text("ancres de confiance", "trust anchors")
INTERMEDIATES = Text("certificats intermédiaires", "intermediates")
NO_TRUST_ANCHOR_GIVEN = Text(
    "Aucune ancre de confiance : donnez au moins un certificat racine (PEM).",
    "No trust anchor: give at least one root certificate (PEM).",
)
ANCHOR_NOT_A_CA = Text(
    "L'ancre de confiance de numéro de série {serial} n'est pas un certificat d'autorité "
    "de certification.",
    "Trust anchor serial {serial} is not a CA certificate.",
)
"""``{serial}``: in hexadecimal, as ``openssl x509 -serial`` shows it."""
NO_TRUST_ANCHOR = Text(
    "Aucune ancre de confiance n'est configurée pour vérifier les jetons : indiquez dans "
    "« trust_anchors » de la configuration les certificats racines IGC-Santé (PEM).",
    "No trust anchor is configured to verify tokens: set `trust_anchors` to the IGC-Santé "
    "root certificates (PEM) in the configuration.",
)

# --- The token verifier's settings (cardbridge.auth) ------------------------------------------
TOKEN_ALGORITHMS = Text(
    "Les algorithmes des jetons doivent être choisis parmi {algorithms}.",
    "Token algorithms must be among {algorithms}.",
)
CLOCK_SKEW_NEGATIVE = Text(
    "La tolérance d'écart entre les horloges ne peut pas être négative.",
    "The clock skew cannot be negative.",
)
POLICY_OID_INVALID = Text(
    "{oid} n'est pas un OID de politique de certification (des nombres séparés par des points).",
    "{oid} is not a certificate policy OID (dotted numbers).",
)

# --- The local API token (api-token in the config dir) ----------------------------------------
API_TOKEN_UNREADABLE = Text(
    "Impossible de lire le jeton d'API {path} : {reason}.",
    "Cannot read the API token {path}: {reason}.",
)
API_TOKEN_OPEN_TO_OTHERS = Text(
    "Le jeton d'API {path} est lisible par les autres utilisateurs : lancez « chmod 600 {path} ».",
    "The API token {path} is readable by other users: run `chmod 600 {path}`.",
)
API_TOKEN_DAMAGED = Text(
    "Le fichier du jeton d'API {path} est endommagé : supprimez-le pour en obtenir un nouveau.",
    "The API token file {path} is damaged: delete it to get a new one.",
)
API_TOKEN_UNWRITABLE = Text(
    "Impossible de créer le jeton d'API {path} : {reason}.",
    "Cannot create the API token {path}: {reason}.",
)
API_TOKEN_VANISHED = Text(
    "Le jeton d'API {path} a disparu pendant sa création.",
    "The API token {path} disappeared while being created.",
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
