"""Texts of the bridge's own refusals, in French and English: the PIN session, the card's
queue, the listening port, the web applications that may be approved, the DMP's search and
its secure connection.

As :mod:`cardbridge.messages.inputs`, messages a raising site gives instead of its error
class's text; kept apart so that each module of the catalogue stays small.
"""

from __future__ import annotations

from cardbridge.messages import Text

PIN_SESSION_IDLE = Text(
    "La session PIN s'est terminée après un moment sans usage : saisissez de nouveau le "
    "code PIN de la carte CPS.",
    "The PIN session ended after a while without use: enter the CPS PIN again.",
)
CARD_QUEUE_FULL = Text(
    "Trop de demandes attendent cette carte. Réessayez dans un instant.",
    "Too many requests are waiting for this card. Retry in a moment.",
)
PORT_IN_USE = Text(
    "Le port {port} est déjà utilisé : cardbridge tourne-t-il déjà ? Vérifiez avec "
    "« cardbridge doctor », ou choisissez-en un autre avec --port.",
    "Port {port} is already in use: is cardbridge already running? Check with "
    "`cardbridge doctor`, or choose another with --port.",
)
CANNOT_LISTEN = Text(
    "Impossible d'écouter sur {host}:{port} : {reason}.",
    "Cannot listen on {host}:{port}: {reason}.",
)
ORIGIN_NOT_CONFIGURED = Text(
    "ne fait pas partie des applications web configurées (réglage allowed_origins) : seules "
    "celles-ci peuvent être autorisées",
    "is not among the configured web applications (allowed_origins): only those can be approved",
)
SEARCH_CENTRE_15_MODE_ONLY = Text(
    "le DMP n'admet la recherche par traits d'identité (TD0.5) qu'en mode centre 15 (mode : "
    "centre_15, avec un motif) ; en mode normal ou d'urgence, identifiez le patient par sa "
    "carte Vitale ou son INS",
    "the DMP allows a search by identity criteria (TD0.5) in centre 15 mode only (mode: "
    "centre_15, with a reason); in normal or emergency mode, identify the patient by the "
    "Vitale card or the INS",
)
DMP_SERVER_UNTRUSTED = Text(
    "Le serveur du DMP sur {host} n'est pas reconnu ({why}) : vérifiez les racines de "
    "dmp_server_roots. Rien n'a été envoyé.",
    "The DMP server at {host} is not trusted ({why}): check the roots in dmp_server_roots. "
    "Nothing was sent.",
)
DMP_CONNECTION_FAILED = Text(
    "La connexion sécurisée au DMP sur {host} a échoué ({why}). Vérifiez le réseau et la "
    "carte, puis réessayez.",
    "The secure connection to the DMP at {host} failed ({why}). Check the network and the "
    "card; try again.",
)
