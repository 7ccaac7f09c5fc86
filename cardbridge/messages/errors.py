"""The texts of every error, in French and English: one entry per error class.

An error class finds its text under its ``message_key`` (its ``code`` unless the class
says otherwise, as :class:`~cardbridge.errors.CardResetError` does). To add an error
class, add its entry here; ``tests/messages/test_error_messages.py`` names any class whose
text is missing and prints the entry to write. French follows the rules of
docs/messages.md (a space before « : », « ; », « ? », commands between « »).
"""

from __future__ import annotations

from cardbridge.messages import Text

ERROR_TEXTS: dict[str, Text] = {
    # --- The bridge itself ------------------------------------------------------------
    "internal_error": Text(
        "Le pont carte a rencontré une erreur imprévue. Réessayez ; si elle se reproduit, "
        "lancez « cardbridge doctor » et contactez le support.",
        "cardbridge failed unexpectedly. Retry; if it happens again, run `cardbridge doctor` "
        "and contact support.",
    ),
    "config_invalid": Text(
        "La configuration du pont carte n'est pas valide.",
        "The cardbridge configuration is not valid.",
    ),
    "service_error": Text(
        "L'installation ou le retrait du service utilisateur du pont carte a échoué.",
        "Installing or removing the card bridge's user service failed.",
    ),
    "unexpected_answer": Text(
        "Le pont carte a fait une réponse inattendue.",
        "The card bridge gave an unexpected answer.",
    ),
    # --- PC/SC and readers ------------------------------------------------------------
    "pcsc_error": Text(
        "Le service carte à puce a signalé une erreur. Réessayez.",
        "The smart-card service reported an error. Try again.",
    ),
    "pcsc_unavailable": Text(
        "Le service carte à puce (pcscd) n'est pas démarré ou ne répond pas. Démarrez-le "
        "(sudo systemctl start pcscd.socket) et lancez « cardbridge doctor ».",
        "The smart-card service (pcscd) is not running or cannot be reached. Start it "
        "(sudo systemctl start pcscd.socket) and check `cardbridge doctor`.",
    ),
    "pcsc_access_denied": Text(
        "Le service carte à puce refuse l'accès à cet utilisateur (polkit). Lancez "
        "« cardbridge doctor » et suivez ses conseils.",
        "The smart-card service refused access to this user (polkit). Run `cardbridge doctor` "
        "and follow its advice.",
    ),
    "reader_not_found": Text(
        "Aucun lecteur de cartes trouvé. Branchez un lecteur et vérifiez son câble.",
        "No card reader found. Plug in a card reader and check its cable.",
    ),
    "card_absent": Text(
        "Aucune carte dans le lecteur. Insérez la carte dans un lecteur.",
        "No card in the reader. Insert the card in a reader.",
    ),
    "card_removed": Text(
        "La carte a été retirée pendant l'opération. Réinsérez-la et recommencez.",
        "The card was removed during the operation. Insert it again and retry.",
    ),
    "card_reset": Text(
        "Un autre programme a réinitialisé la carte : elle doit être déverrouillée à nouveau. "
        "Recommencez ; le code PIN peut vous être redemandé.",
        "The card was reset by another program, so it must be unlocked again. Retry; you may "
        "be asked for the PIN again.",
    ),
    "card_busy": Text(
        "La carte est utilisée par un autre programme. Fermez l'autre programme ou patientez, "
        "puis recommencez.",
        "The card is being used by another program. Close the other program or wait, then retry.",
    ),
    "card_communication_error": Text(
        "Le lecteur n'arrive pas à communiquer avec la carte. Retirez la carte, vérifiez "
        "qu'elle est insérée dans le bon sens, puis réinsérez-la.",
        "The reader could not talk to the card. Remove the card, check it is inserted the "
        "right way up, and insert it again.",
    ),
    # --- Cards ------------------------------------------------------------------------
    "card_error": Text(
        "La carte a refusé l'opération.",
        "The card refused the operation.",
    ),
    "wrong_card_type": Text(
        "Ce n'est pas la carte attendue. Insérez la carte CPS ou Vitale demandée.",
        "This is not the expected card. Insert a CPS or Vitale card as asked.",
    ),
    "card_data_invalid": Text(
        "Les données de la carte sont illisibles ou incohérentes. La carte est peut-être "
        "endommagée : contactez l'émetteur de la carte.",
        "The data on the card is not readable or not consistent. The card may be damaged: "
        "contact the card issuer.",
    ),
    "pin_error": Text(
        "La vérification du code PIN a échoué.",
        "The PIN check failed.",
    ),
    "pin_required": Text(
        "Cette opération demande le code PIN de la carte CPS. Saisissez le code PIN de la carte.",
        "This needs the CPS PIN. Enter the PIN of the card.",
    ),
    "pin_format": Text(
        "Le code PIN comporte 4 à 8 chiffres.",
        "The PIN must be 4 to 8 digits.",
    ),
    "pin_invalid": Text("Code PIN incorrect.", "Wrong PIN."),
    "pin_invalid_tries": Text(
        "Code PIN incorrect. Essais restants : {tries_left}.",
        "Wrong PIN. {tries_left} tries left.",
    ),
    "pin_invalid_last_try": Text(
        "Code PIN incorrect. Il ne reste qu'un essai : un code faux de plus bloque la carte.",
        "Wrong PIN. One try left: a further wrong PIN blocks the card.",
    ),
    "pin_blocked": Text(
        "PIN bloqué : débloquez-le avec le code PUK (le code de déblocage reçu avec la carte) "
        "ou adressez-vous au gestionnaire de votre carte.",
        "PIN blocked: unblock it with the PUK (the unblocking code sent with the card), or ask "
        "your card manager.",
    ),
    "puk_invalid": Text("Code PUK (code de déblocage) incorrect.", "Wrong PUK (unblocking code)."),
    "puk_invalid_tries": Text(
        "Code PUK (code de déblocage) incorrect. Essais restants avant le blocage définitif de "
        "la carte : {tries_left}.",
        "Wrong PUK (unblocking code). {tries_left} tries left before the card is permanently "
        "blocked.",
    ),
    "puk_blocked": Text(
        "Le code PUK (code de déblocage) est bloqué lui aussi : la carte ne peut plus être "
        "débloquée. Commandez une nouvelle carte auprès du gestionnaire de votre carte.",
        "The PUK (unblocking code) is blocked too: the card cannot be unblocked. Order a new "
        "card from your card manager.",
    ),
    # --- Data given by users ----------------------------------------------------------
    "invalid_request": Text(
        "La demande n'est pas valide.",
        "The request is not valid.",
    ),
    "payload_too_large": Text(
        "Le contenu envoyé est trop volumineux.", "The request body is too large."
    ),
    "payload_too_large_size": Text(
        "Le contenu envoyé dépasse {size}.",
        "The request body is larger than {size}.",
    ),
    "method_not_allowed": Text(
        "Cette adresse n'accepte pas cette méthode HTTP.",
        "This address does not accept this HTTP method.",
    ),
    "unsupported_media_type": Text(
        "Ce type de contenu n'est pas accepté ici.",
        "This media type is not accepted here.",
    ),
    "not_found": Text(
        "Rien n'a été trouvé à cette adresse.",
        "Nothing was found at this address.",
    ),
    "profile_invalid": Text(
        "Le profil de carte émulée n'est pas valide.",
        "The emulated card's profile is not valid.",
    ),
    # --- Who may call, and when -------------------------------------------------------
    "pairing_required": Text(
        "Cette page n'est pas appairée avec le pont carte. Ouvrez le lien d'appairage "
        "affiché par « cardbridge serve », ou lancez « cardbridge open ».",
        "This page is not paired with the card bridge. Open the pairing link that "
        "`cardbridge serve` printed, or run `cardbridge open`.",
    ),
    "caller_forbidden": Text(
        "Cette opération n'est pas permise à cette application.",
        "This is not allowed to this application.",
    ),
    "origin_not_approved": Text(
        "Ce site ne peut utiliser le pont carte qu'une fois que vous l'avez autorisé : ouvrez "
        "la page d'état du pont (« cardbridge open »), section « Applications web », et "
        "autorisez-le.",
        "This web site may use the card bridge only once you have approved it: open the "
        "bridge's status page (`cardbridge open`), section 'Web applications', and approve it.",
    ),
    "approval_required": Text(
        "Cette opération demande votre accord et votre code PIN dans la fenêtre du pont "
        "carte : le site l'ouvre pour vous.",
        "This needs your approval and your PIN in the card bridge's window: the site opens it "
        "for you.",
    ),
    "confirmation_required": Text(
        "C'est le dernier essai du code PIN : un code faux bloque la carte. Vérifiez le code, "
        "puis confirmez (confirm_last_try).",
        "This is the PIN's last try: a wrong PIN blocks the card. Check the PIN, then confirm "
        "(confirm_last_try).",
    ),
    "confirmation_required_puk": Text(
        "Chaque code PUK faux rapproche la carte d'un blocage définitif : vérifiez le code de "
        "déblocage, puis confirmez (confirm_last_try).",
        "Each wrong PUK brings the card closer to being blocked for good: check the unblocking "
        "code, then confirm (confirm_last_try).",
    ),
    "pin_retry_later": Text(
        "Un code faux vient d'être saisi sur cette carte : patientez un instant avant de "
        "réessayer.",
        "A wrong code was just entered on this card: wait a moment before trying again.",
    ),
    "pin_retry_later_wait": Text(
        "Un code faux vient d'être saisi sur cette carte : patientez {retry_after} s avant de "
        "réessayer.",
        "A wrong code was just entered on this card: wait {retry_after} s before trying again.",
    ),
    "user_forbidden": Text(
        "Le pont carte ne sert que la session de l'utilisateur qui l'a démarré : ce programme "
        "tourne sous un autre compte. Utilisez le pont carte de votre propre session.",
        "The card bridge serves only the session of the user who started it: this program "
        "runs as another user. Use the card bridge of your own session.",
    ),
    "too_many_connections": Text(
        "Trop de programmes ou de pages sont connectés en même temps au pont carte. Fermez "
        "ceux dont vous n'avez pas besoin, puis recommencez.",
        "Too many programs or pages are connected to the card bridge at once. Close the ones "
        "you do not need, then retry.",
    ),
    "consent_required": Text(
        "Le consentement du patient est nécessaire. Demandez-le au patient ou à son "
        "représentant légal, préalablement informé, puis confirmez qu'il a été donné, ou "
        "choisissez l'accès en urgence si le patient ne peut pas répondre.",
        "The patient's consent is needed. Ask the patient, or their legal representative, "
        "informed beforehand, then confirm that consent was given, or use emergency access if "
        "the patient cannot answer.",
    ),
    "consent_required_because": Text(
        "Le consentement du patient est nécessaire ({reason}). Demandez-le au patient ou à son "
        "représentant légal, préalablement informé, puis confirmez qu'il a été donné, ou "
        "choisissez l'accès en urgence si le patient ne peut pas répondre.",
        "The patient's consent is needed ({reason}). Ask the patient, or their legal "
        "representative, informed beforehand, then confirm that consent was given, or use "
        "emergency access if the patient cannot answer.",
    ),
    "journal_error": Text(
        "L'historique des accès au DMP est inutilisable : aucun accès au DMP ne peut donc être "
        "ouvert (chacun doit être tracé). Lancez « cardbridge journal verify » et montrez sa "
        "réponse à votre administrateur.",
        "The DMP access journal cannot be used, so no DMP access can be opened (each one must "
        "be traced). Run `cardbridge journal verify` and show its answer to your "
        "administrator.",
    ),
    # --- Authentication (Web eID tokens, origins) -------------------------------------
    "unauthorized": Text(
        "L'authentification a échoué.",
        "Authentication failed.",
    ),
    "api_token": Text(
        "Jeton d'API local absent ou faux : envoyez « Authorization: Bearer <jeton> » (le "
        "jeton est {token_source}).",
        "Missing or wrong local API token: send 'Authorization: Bearer <token>' (the token is "
        "{token_source}).",
    ),
    "api_token_file": Text("dans le fichier {path}", "in {path}"),
    "api_token_env": Text("la valeur de CARDBRIDGE_API_TOKEN", "the value of CARDBRIDGE_API_TOKEN"),
    "api_token_config_dir": Text(
        "dans le fichier api-token du dossier de configuration de cardbridge",
        "in the file api-token of cardbridge's configuration directory",
    ),
    "no_api_token_in": Text(
        "Pas de jeton d'API local dans {path} : démarrez « cardbridge serve » une fois (il "
        "l'y crée), ou définissez CARDBRIDGE_API_TOKEN.",
        "No local API token in {path}: start `cardbridge serve` once (it creates it there), "
        "or set CARDBRIDGE_API_TOKEN.",
    ),
    "api_token_missing": Text(
        "Jeton d'API local absent ou faux.",
        "Missing or wrong local API token.",
    ),
    "origin_invalid": Text(
        "L'origine doit avoir la forme https://hôte[:port], sans chemin.",
        "The origin must look like https://host[:port], with no path.",
    ),
    "nonce_invalid": Text(
        "Le défi est inconnu, expiré ou déjà utilisé : demandez-en un nouveau.",
        "The challenge is unknown, expired or already used: ask for a new one.",
    ),
    "origin_forbidden": Text(
        "Ce site n'est pas autorisé à utiliser le pont carte.",
        "This web site is not allowed to use the card bridge.",
    ),
    "origin_not_configured": Text(
        "Ce site n'est pas autorisé à utiliser le pont carte. Demandez à votre administrateur "
        "de l'ajouter à allowed_origins.",
        "This web site is not allowed to use the card bridge. Ask your administrator to add it "
        "to allowed_origins.",
    ),
    "several_origins": Text(
        "Une requête porte un seul en-tête Origin, pas plusieurs.",
        "A request has one Origin header, not several.",
    ),
    "host_forbidden": Text(
        "Cette adresse n'est pas celle du pont carte local.",
        "This address is not the local card bridge.",
    ),
    "host_forbidden_port": Text(
        "Cette adresse n'est pas celle du pont carte local. Utilisez http://127.0.0.1:{port}.",
        "This address is not the local card bridge. Use http://127.0.0.1:{port}.",
    ),
    "origin_mismatch": Text(
        "Le jeton a été fait pour un autre site que celui-ci.",
        "The token was made for another web site than this one.",
    ),
    "token_malformed": Text(
        "Le jeton d'authentification n'est pas un jeton Web eID valide.",
        "The authentication token is not a valid Web eID token.",
    ),
    "token_format_unsupported": Text(
        "Ce format de jeton n'est pas pris en charge (web-eid:1.0 attendu).",
        "The token format is not supported (expected web-eid:1.0).",
    ),
    "token_algorithm_unsupported": Text(
        "L'algorithme de signature du jeton n'est pas autorisé.",
        "The token's signature algorithm is not allowed.",
    ),
    "certificate_not_yet_valid": Text(
        "Le certificat de la carte n'est pas encore valide (vérifiez l'horloge de l'ordinateur).",
        "The card's certificate is not valid yet (check the computer's clock).",
    ),
    "certificate_expired": Text(
        "Le certificat de la carte a expiré : la carte doit être renouvelée.",
        "The card's certificate has expired: the card must be renewed.",
    ),
    "certificate_wrong_purpose": Text(
        "Ce certificat n'est pas un certificat d'authentification.",
        "The certificate is not an authentication certificate.",
    ),
    "certificate_policy_refused": Text(
        "Le certificat de la carte n'a pas été émis selon une politique de certification "
        "acceptée par ce site.",
        "The card's certificate was not issued under a certificate policy this site accepts.",
    ),
    "certificate_untrusted": Text(
        "Le certificat de la carte n'est pas émis par une autorité de confiance.",
        "The card's certificate is not issued by a trusted authority.",
    ),
    "certificate_revoked": Text(
        "Le certificat de la carte est révoqué.",
        "The card's certificate is revoked.",
    ),
    "certificate_status_unknown": Text(
        "L'autorité du certificat ne connaît pas ce certificat (OCSP).",
        "The certificate's authority does not know this certificate (OCSP).",
    ),
    "ocsp_unavailable": Text(
        "L'état du certificat n'a pas pu être vérifié (OCSP).",
        "The certificate status could not be checked (OCSP).",
    ),
    "signature_invalid": Text(
        "La signature du jeton ne correspond pas.",
        "The token's signature does not match.",
    ),
    # --- The DMP ----------------------------------------------------------------------
    "dmp_error": Text(
        "Le DMP n'a pas pu être joint. Réessayez dans un instant.",
        "The DMP could not be reached. Try again in a moment.",
    ),
    "dmp_refused": Text("Le DMP a refusé la demande.", "The DMP refused the request."),
    "dmp_refused_code": Text(
        "Le DMP a refusé la demande ({told}).",
        "The DMP refused the request ({told}).",
    ),
    "dmp_unavailable": Text(
        "Le DMP est injoignable. Vérifiez la connexion au réseau et réessayez ; si cela "
        "persiste, « cardbridge doctor » vérifie les réglages du DMP.",
        "The DMP could not be reached. Check the network connection and try again; if it "
        "persists, `cardbridge doctor` checks the DMP settings.",
    ),
    "dmp_server_untrusted": Text(
        "Le certificat du serveur du DMP n'est pas reconnu : vérifiez les racines IGC-Santé "
        "du réglage dmp_server_roots. Rien n'a été envoyé.",
        "The DMP server's certificate is not trusted: check the IGC-Santé roots configured in "
        "dmp_server_roots. Nothing was sent.",
    ),
    "dmp_answer_invalid": Text(
        "La réponse du DMP est illisible. Réessayez ; signalez-le si cela se reproduit.",
        "The DMP's answer could not be read. Try again; report it if it persists.",
    ),
    "dmp_access_required": Text(
        "Ouvrez d'abord le DMP du patient (POST /v1/dmp/access, ou « cardbridge dmp "
        "access ») : avec le consentement du patient, ou en urgence avec son motif.",
        "Open the patient's DMP first (POST /v1/dmp/access, or `cardbridge dmp access`): with "
        "the patient's consent, or in emergency with its reason.",
    ),
}
"""The text of each error, by message key (an error class's ``code`` by default)."""

TECHNICAL_DETAIL = Text("{message} Détail technique : {detail}", "{detail}")
"""A French message with its specifics kept as the code raising it wrote them (in English):
technical facts for support, such as a malformed card file's offset."""

FIELD_DETAIL = Text("{field} : {message}", "{field}: {message}")
"""A refused input's field before what is wrong with it."""

TITLES: dict[int, Text] = {
    401: Text("Non authentifié", "Unauthorized"),
    403: Text("Interdit", "Forbidden"),
    404: Text("Introuvable", "Not found"),
    405: Text("Méthode non permise", "Method not allowed"),
    409: Text("Conflit", "Conflict"),
    413: Text("Contenu trop volumineux", "Payload too large"),
    415: Text("Type de contenu non pris en charge", "Unsupported media type"),
    422: Text("Demande invalide", "Invalid request"),
    423: Text("Bloqué", "Locked"),
    429: Text("Trop de demandes", "Too many requests"),
    500: Text("Erreur interne", "Internal error"),
    502: Text("Erreur de la carte ou du DMP", "Card error"),
    503: Text("Service indisponible", "Service unavailable"),
}
"""The ``title`` of a problem document, by HTTP status."""

UNKNOWN_TITLE = Text("Erreur", "Error")
