"""Texts of refused inputs and other specific error messages, in French and English.

The error classes' own texts are in :mod:`cardbridge.messages.errors`; these are the
messages a raising site gives instead, with its parameters (a file's size, a field's
limit). Each is a :class:`~cardbridge.messages.Text` constant, so mypy checks every use.
"""

from __future__ import annotations

from cardbridge.messages import Text

# --- Identifiers (NIR, INS) -------------------------------------------------------------
NIR_LENGTH = Text(
    "un NIR compte 13 caractères, ou 15 avec sa clé (ici {length})",
    "a NIR has 13 characters, or 15 with its key (got {length})",
)
NIR_SHAPE = Text(
    "ce n'est pas un NIR : il commence par le sexe 1, 2, 7 ou 8, suivi de chiffres "
    "(département 2A ou 2B admis)",
    "not a NIR: expected sex 1, 2, 7 or 8, then digits (department 2A/2B allowed)",
)
NIR_KEY = Text(
    "la clé du NIR ne correspond pas au numéro",
    "the NIR key does not match the number",
)
INS_LENGTH = Text(
    "un INS compte {length} caractères, les 13 du numéro et sa clé à 2 chiffres (ici "
    "{got}). Saisissez aussi la clé, telle que la carte Vitale ou le dossier INS la "
    "montre : elle détecte une faute de frappe qui ouvrirait le dossier d'un autre patient",
    "an INS has {length} characters, the 13 of the number and its 2-digit key (got {got}). "
    "Type the key too, as the Vitale card or the INS record shows it: it catches a typo "
    "that would open another patient's record",
)
INS_KEY = Text(
    "la clé ne correspond pas au numéro (la clé est formée des 2 derniers caractères) : "
    "comparez les 15 caractères avec la carte Vitale ou le dossier INS, l'un d'eux est faux",
    "the key does not match the number (the key is the last 2 characters): check the 15 "
    "characters against the Vitale card or the INS record, one of them is wrong",
)

# --- Cards and readers ----------------------------------------------------------------------
NO_SUCH_READER = Text(
    "Aucun lecteur de cartes ne s'appelle « {reader} » (lecteurs : {known}).",
    "There is no card reader named “{reader}” (readers: {known}).",
)
NO_READERS = Text("aucun", "none")
NO_CARD_IN_READER = Text(
    "Aucune carte dans ce lecteur. Insérez la carte {what}.",
    "No card in this reader. Insert the {what} card.",
)
NOT_THIS_CARD = Text(
    "La carte de ce lecteur n'est pas une carte {what} : insérez-y la carte {what}.",
    "The card in this reader is not a {what} card: insert the {what} card there.",
)
NO_CARD_ANYWHERE = Text(
    "Aucune carte {what} dans les lecteurs. Insérez la carte {what} dans un lecteur.",
    "No {what} card in the readers. Insert the {what} card in a reader.",
)
NOT_A_CPS = Text(
    "La carte de ce lecteur n'est pas une carte CPS : insérez la carte CPS du professionnel "
    "de santé.",
    "The card in this reader is not a CPS: insert the practitioner's CPS card.",
)
NOT_A_VITALE = Text(
    "La carte de ce lecteur n'est pas une carte Vitale : insérez la carte Vitale du patient.",
    "The card in this reader is not a Vitale card: insert the patient's Vitale card.",
)
VITALE_1 = Text(
    "C'est une carte Vitale 1, que cardbridge ne lit pas : demandez au patient sa carte "
    "Vitale 2 ou son attestation de droits.",
    "This is a Vitale 1 card, which cardbridge does not read: ask the patient for their "
    "Vitale 2 card or their attestation of rights.",
)
CPS_CONTACTLESS = Text(
    "La carte CPS est lue sans contact, ce qui ne permet ni le code PIN ni les signatures : "
    "insérez-la dans un lecteur à contact.",
    "The CPS is read without contact, which allows neither the PIN nor signatures: insert "
    "it in a contact reader.",
)
NOT_ISSUED_BY_ANS = Text(
    "Cette carte a l'ATR d'une carte CPS mais n'a pas été émise par l'ANS : ce n'est pas "
    "une carte CPS.",
    "This card has the ATR of a CPS but was not issued by the ANS: it is not a CPS.",
)
PIN_SHAPE = Text(
    "Le code PIN comporte {minimum} à {maximum} chiffres.",
    "The PIN must be {minimum} to {maximum} digits.",
)
NEW_PIN_SHAPE = Text(
    "Le nouveau code PIN comporte {minimum} à {maximum} chiffres.",
    "The new PIN must be {minimum} to {maximum} digits.",
)
PUK_SHAPE = Text(
    "Le code PUK (code de déblocage) comporte {length} chiffres.",
    "The PUK (unblocking code) is {length} digits.",
)
SITUATIONS_PROTECTED = Text(
    "Les situations d'exercice sont protégées : saisissez d'abord le code PIN de la carte CPS.",
    "The practice situations are protected: enter the CPS PIN first.",
)
SIGNS_AFTER_PIN = Text(
    "La carte ne signe qu'après son code PIN : saisissez le code PIN de la carte CPS.",
    "The card signs only after its PIN: enter the CPS PIN.",
)
SIGN_IN_NEEDS_PIN = Text(
    "La connexion demande le code PIN de la carte CPS, à chaque fois : saisissez le code PIN.",
    "Signing in needs the CPS PIN, every time: enter the PIN.",
)
NO_PIN_SESSION = Text(
    "Saisissez le code PIN de la carte CPS : cette application n'a pas de session PIN "
    "ouverte sur la carte.",
    "Enter the CPS PIN: this application has no PIN session open on the card.",
)
PKCS11_NO_CARD = Text(
    "Le module PKCS#11 ne voit aucune carte : insérez la carte CPS.",
    "No card is seen by the PKCS#11 module: insert the CPS.",
)
PKCS11_FAILED = Text(
    "L'intergiciel de la carte a échoué ({error}). Retirez la carte et réinsérez-la.",
    "The card's middleware failed ({error}). Remove the card and insert it again.",
)
OWN_SITE_ONLY = Text(
    "Une page web n'obtient de défis et de jetons que pour son propre site.",
    "A web page gets challenges and tokens for its own site only.",
)
NO_SUCH_APPROVAL = Text(
    "Cette demande d'accord n'existe pas : elle a peut-être expiré. Recommencez la demande.",
    "No such approval request: it may have expired. Ask again.",
)

# --- DMP access -------------------------------------------------------------------------
CONSENT_LAST_ACCESS_OLD = Text(
    "votre dernier accès à ce DMP date de plus de six mois",
    "your last access to this DMP is more than six months old",
)
CONSENT_ONLY_EMERGENCIES = Text(
    "vos accès précédents à ce DMP étaient des accès en urgence ou par le centre 15, faits "
    "sans le consentement du patient",
    "your earlier accesses to this DMP were emergency or centre 15 accesses, made without "
    "the patient's consent",
)
CONSENT_FIRST_ACCESS = Text(
    "premier accès de votre part au DMP de ce patient",
    "first access by you to this patient's DMP",
)
CONSENT_AUTHORIZATION_EXPIRED = Text(
    "votre autorisation sur ce DMP a expiré",
    "your authorization on this DMP has expired",
)
CONSENT_NO_AUTHORIZATION = Text(
    "le DMP n'a aucune autorisation à votre nom pour ce patient",
    "the DMP has no authorization of yours for this patient",
)
ACCESS_FORBIDDEN_BY_PATIENT = Text(
    "Le patient vous a interdit l'accès à son DMP (réponse INTERDIT du DMP) : seul le patient "
    "peut lever cette interdiction.",
    "The patient has blocked your access to their DMP (the DMP answered INTERDIT): only the "
    "patient can lift it.",
)
REASON_TOO_SHORT = Text(
    "{mode} demande un motif d'au moins {minimum} caractères ; il est conservé dans "
    "l'historique des accès que le patient peut lire",
    "{mode} needs a reason of at least {minimum} characters; it is kept in the access "
    "history the patient can read",
)
REASON_TOO_LONG = Text(
    "le motif compte au plus {maximum} caractères",
    "the reason must be at most {maximum} characters",
)
REASON_NOT_NORMAL = Text(
    "un motif accompagne un accès en urgence ou par le centre 15, et seulement eux",
    "a reason goes with an emergency or centre 15 access, and only with them",
)
SITUATION_UNKNOWN = Text(
    "la carte CPS n'a pas de situation d'exercice {index} (elle a : {known})",
    "the CPS has no practice situation {index} (it has {known})",
)
SITUATIONS_NEED_PIN = Text(
    "Saisissez le code PIN de la carte CPS : les situations d'exercice sont nécessaires "
    "pour accéder au DMP.",
    "Enter the CPS PIN: the practice situations are needed to access the DMP.",
)
PATIENT_WITHOUT_INS = Text(
    "le DMP s'ouvre avec l'INS du patient : lisez-le sur la carte Vitale ou saisissez le "
    "matricule INS (une recherche par traits d'identité ne le donne pas)",
    "the DMP is opened with the patient's INS: read it from the Vitale card or type the INS "
    "matricule (a search by identity criteria does not give it)",
)
PATIENT_INS_OR_CANDIDATE = Text(
    "le DMP s'ouvre avec l'INS du patient : lisez-le sur la carte Vitale, saisissez l'INS "
    "avec sa clé, ou cherchez par traits d'identité et choisissez un candidat",
    "the DMP is opened with the patient's INS: read it from the Vitale card, type the INS "
    "with its key, or search by identity criteria and choose a candidate",
)
NO_DMP = Text(
    "Ce patient n'a pas de DMP (le DMP a répondu à TD0.2 : introuvable).",
    "This patient has no DMP (the DMP answered TD0.2: not found).",
)
DMP_CLOSED = Text(
    "Le DMP de ce patient a été fermé : il ne peut pas être ouvert.",
    "This patient's DMP was closed: it cannot be opened.",
)
DMP_CLOSED_ON = Text(
    "Le DMP de ce patient a été fermé le {day} : il ne peut pas être ouvert.",
    "This patient's DMP was closed on {day}: it cannot be opened.",
)
SECRET_FOR_MINORS = Text(
    "un accès secret cache l'accès aux représentants légaux d'un mineur ; ce patient a "
    "{age} ans (né le {born}) : ouvrez le DMP sans cette option",
    "a secret access hides the access from a minor's legal representatives; this patient "
    "is {age} (born {born}): open the DMP without it",
)
BENEFICIARY_UNKNOWN = Text(
    "la carte Vitale porte {count} bénéficiaire(s) (numéros 0 à {last})",
    "the Vitale card has {count} beneficiaries (0 to {last})",
)
PATIENT_REFERENCE = Text(
    "un INS est attendu (15 caractères, espaces admis), un INS sous forme CX "
    "(…^^^&OID&ISO^NH) ou des traits d'identité ({prefix}NOM|PRÉNOM|SEXE|NAISSANCE)",
    "expected an INS (15 characters, spaces allowed), an INS in CX form (…^^^&OID&ISO^NH) "
    "or traits as recorded ({prefix}NAME|FIRST NAME|SEX|BIRTH)",
)

NAME_LETTERS = Text(
    "lettres, espaces, traits d'union et apostrophes seulement",
    "use letters, spaces, hyphens and apostrophes only",
)
DAY_EXPECTED = Text(
    "date réelle attendue, au format JJ/MM/AAAA", "expected a real date written JJ/MM/AAAA"
)
BIRTH_IN_FUTURE = Text("la date de naissance est dans le futur", "the birth date is in the future")
YEAR_EXPECTED = Text(
    "année attendue au format AAAA, pas dans le futur",
    "expected a year written AAAA, not in the future",
)
DEPARTMENT_EXPECTED = Text(
    "code de département attendu : 01 à 95, 2A, 2B, 971 à 976 ou 99",
    "expected a department code: 01–95, 2A, 2B, 971–976 or 99",
)

SEARCH_TOO_MANY = Text(
    "Plus de patients correspondent que le DMP n'en liste ({told}) : ajoutez une date de "
    "naissance, ou davantage du nom ou du prénom.",
    "More patients match than the DMP lists ({told}): add a birth date, or more of the name "
    "or first name.",
)
SEARCH_CENTRE_15_ONLY = Text(
    "Le DMP a refusé la recherche de patient ({told}). La recherche sans INS n'est ouverte "
    "à la plupart des professionnels qu'en mode centre 15 (régulation) : retrouvez le "
    "patient par sa carte Vitale ou son INS, ou cherchez en mode centre 15 lorsque vous "
    "régulez un appel d'urgence.",
    "The DMP refused the patient search ({told}). Searching without an INS is open to most "
    "professionals in centre 15 (régulation) mode only: find the patient by the Vitale card "
    "or the INS, or search in centre 15 mode when regulating an emergency call.",
)

# --- DMP documents ----------------------------------------------------------------------
DEPOSIT_NEEDS_TRAITS = Text(
    "un dépôt indique les traits du patient (nom de naissance, prénoms, sexe, date de "
    "naissance) et le DMP ne les a pas donnés pour cet INS : choisissez le patient sur la "
    "carte Vitale (bénéficiaire) ou parmi les candidats d'une recherche dans le DMP "
    "(POST /v1/dmp/patient)",
    "a deposit states the patient's traits (birth name, first names, sex, birth date) and "
    "the DMP did not give them for this INS: choose the patient on the Vitale card "
    "(beneficiary), or from a DMP search's candidates (POST /v1/dmp/patient)",
)
CANDIDATE_TRAITS_MISSING = Text(
    "la fiche INS n'a pas la date de naissance ou les prénoms : choisissez le patient sur la "
    "carte Vitale (bénéficiaire) pour déposer",
    "the INS record lacks the birth date or the given names: choose the patient on the "
    "Vitale card (beneficiary) to deposit",
)
BENEFICIARY_LUNAR_BIRTH = Text(
    "la date de naissance de ce bénéficiaire est lunaire (jour ou mois inconnus) : "
    "choisissez le patient parmi les candidats d'une recherche dans le DMP",
    "the beneficiary's birth date is lunar: use the INS record (a DMP search's candidate)",
)
END_BEFORE_START = Text("précède la date « from »", "is before from")
SIGN_NAMES_NO_STRUCTURE = Text(
    "Le certificat SIGN de la structure ne nomme aucune structure (pas d'OU) : vérifiez "
    "dmp_structure_sign_pkcs12.",
    "The structure's SIGN certificate names no structure (no OU): check dmp_structure_sign_pkcs12.",
)
MAX_DOCUMENT = Text("5 Mo (5\u202f000\u202f000 octets)", "5 MB (5,000,000 bytes)")
TITLE_MANDATORY = Text("le titre est obligatoire", "the title is mandatory")
FILE_EMPTY = Text("le fichier est vide", "the file is empty")
FILE_TOO_LARGE = Text(
    "le fichier fait {megabytes} Mo ({size} octets) ; le DMP accepte au plus {maximum}",
    "the file is {megabytes} MB ({size} bytes); the DMP accepts at most {maximum}",
)
DOCUMENT_TOO_LARGE = Text(
    "Le document dépasse ce que le DMP accepte : au plus {maximum}.",
    "The document is larger than the DMP accepts: at most {maximum}.",
)
TYPE_UNKNOWN = Text(
    "« {code} » n'est pas un type de document du catalogue",
    "{code!r} is not a document type of the catalogue",
)
TYPE_CODE_UNKNOWN = Text(
    "le code officiel de « {label} » n'est pas encore connu : ce type ne peut pas être "
    "déposé ; choisissez-en un autre",
    "the official code of '{label}' is not known yet, so it cannot be deposited; choose "
    "another type",
)
DOCUMENT_ONE_WAY = Text(
    "donnez le document d'une seule façon : un fichier (file) ou un texte libre (text)",
    "give the document one way: a file (file) or a free text (text)",
)
FILE_UTF16 = Text(
    "le texte est en UTF-16 : enregistrez-le en texte brut UTF-8 (ou Windows-1252), ou en PDF",
    "the text is in UTF-16; save it as UTF-8 (or Windows-1252) plain text, or as PDF",
)
FILE_FORMAT = Text(
    "le fichier n'est pas un {accepted}",
    "the file is not a {accepted}",
)
FILE_BLANK = Text(
    "le fichier est vide (ou ne contient que des blancs)",
    "the file is empty (or holds only blank space)",
)
FILE_MARKUP = Text(
    "le fichier est du balisage web (HTML, SVG ou XML), pas du texte brut : une visionneuse "
    "pourrait exécuter ce qu'il contient. Enregistrez le document en PDF",
    "the file is web markup (HTML, SVG or XML), not plain text: a viewer could run what it "
    "holds. Save the document as PDF",
)
FILE_PROGRAM = Text(
    "le fichier est un programme (il commence par #!), pas un document",
    "the file is a program (it starts with #!), not a document",
)
FILE_DAMAGED = Text(
    "le fichier commence comme un {name} mais ne se lit pas comme tel (abîmé, incomplet ou "
    "pas vraiment un {name}) : ouvrez-le sur ce poste, enregistrez-le à nouveau et "
    "recommencez",
    "the file starts like a {name} but cannot be read as one (damaged, incomplete or not "
    "really a {name}): open it on this workstation, save it again and retry",
)
PDF_ENCRYPTED = Text(
    "le PDF est protégé (chiffré) : les visionneuses du DMP ne pourraient pas l'ouvrir. "
    "Enregistrez-le sans protection (PDF/A) et recommencez",
    "the PDF is protected (encrypted): the DMP's viewers could not open it. Save it without "
    "protection (PDF/A) and retry",
)
TOO_MANY_PAGES = Text(
    "le {name} compte {pages} pages ; {maximum} au plus sont acceptées",
    "the {name} has {pages} pages; at most {maximum} are accepted",
)
IMAGE_TOO_LARGE = Text(
    "l'image fait {width} × {height} pixels, plus de {millions} millions : réduisez sa résolution",
    "the image is {width} × {height} pixels, more than {millions} million: reduce its resolution",
)
DATE_IN_FUTURE = Text(
    "la date {what} ({day}) est dans le futur : un document rend compte de ce qui a eu lieu",
    "the {what} date ({day}) is in the future: a document records what has happened",
)
DOCUMENT_DATE = Text("du document", "document")
EVENT_START = Text("de début de l'acte", "event's start")
EVENT_END = Text("de fin de l'acte", "event's end")
PDF_NO_PAGE = Text("le PDF n'a aucune page", "the PDF has no page")

# --- Requests -----------------------------------------------------------------------------
NOT_A_PARAMETER = Text(
    "n'est pas un paramètre de cette requête", "is not a parameter of this request"
)
GIVEN_TWICE = Text("est donné plusieurs fois", "is given more than once")
NOT_A_FORM_FIELD = Text(
    "n'est pas un champ du formulaire de dépôt", "is not a field of the deposit form"
)
FORM_FIELD_TWICE = Text(
    "est donné plusieurs fois ; donnez chaque champ du formulaire de dépôt une seule fois",
    "is given more than once; give each field of the deposit form once",
)
NATIVE_NAMES_ORIGIN = Text(
    "un client natif indique le site web auquel le jeton est destiné",
    "a native client names the web origin the token is for",
)
PAGE_NEVER_SENDS_PIN = Text(
    "une page web n'envoie jamais le code PIN : le professionnel de santé le saisit dans la "
    "fenêtre d'accord du pont",
    "a web page never sends the PIN: the clinician types it in the bridge's approval window",
)
APPROVAL_DECIDED = Text(
    "la demande a déjà été traitée ({status})",
    "the request is {status} already",
)
APPROVAL_NEEDS_PIN = Text(
    "pour accepter, saisissez le code PIN de la carte CPS", "approving needs the CPS PIN"
)
LOOPBACK_ONLY = Text(
    "cardbridge n'écoute que sur cet ordinateur : {host} n'est pas une adresse locale "
    "(utilisez 127.0.0.1 ou ::1)",
    "cardbridge listens on this computer only: {host} is not a loopback address (use "
    "127.0.0.1 or ::1)",
)
