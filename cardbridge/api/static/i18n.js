// Every text of the page, in French (default) and English, and how to show them.
// Static elements name their text with data-i18n="key"; modules call t("key", {params}).
// API errors: the French text of their `code` when there is one, else the server's `detail`.

const STORAGE_KEY = "cardbridge.language";
const LANGUAGES = ["fr", "en"];

const STRINGS = {
  fr: {
    "page.title": "cardbridge — état du pont",
    "page.heading": "cardbridge — état du pont",
    "page.skip": "Aller au contenu",
    "language.label": "Langue",
    "nav.title": "Sections",
    "footer.version": "Version",
    "footer.docs": "Documentation de l'API",

    "connection.connecting": "Connexion au pont…",
    "connection.open": "Pont connecté ({backend}).",
    "connection.lost": "Pont injoignable : nouvelle tentative en cours. Le service cardbridge est-il démarré ?",
    "backend.emulator": "cartes émulées",
    "backend.pcsc": "lecteurs PC/SC",

    "readers.title": "Lecteurs et cartes",
    "readers.caption": "Lecteurs de cartes",
    "readers.pcsc_down": "Service carte à puce indisponible.",
    "readers.pcsc_down_help": "Le service pcscd ne répond pas : les lecteurs ne peuvent pas être lus. Lancez « cardbridge doctor » pour savoir quoi faire ; la page se met à jour dès que le service revient.",
    "readers.none": "Aucun lecteur détecté. Branchez un lecteur de cartes.",
    "readers.col_reader": "Lecteur",
    "readers.col_card": "Carte",
    "readers.col_atr": "ATR",
    "card.cps": "Carte CPS",
    "card.vitale": "Carte Vitale",
    "card.unknown": "Carte non reconnue",
    "card.none": "Aucune carte",
    "live.card_inserted": "{card} insérée dans « {reader} ».",
    "live.card_removed": "Carte retirée de « {reader} ».",
    "live.reader_added": "Lecteur branché : « {reader} ».",
    "live.reader_removed": "Lecteur débranché : « {reader} ».",
    "live.pcsc_unavailable": "Service carte à puce indisponible.",
    "live.pcsc_available": "Service carte à puce rétabli.",

    "cps.title": "Professionnel de santé (CPS)",
    "cps.loading": "Lecture de la carte CPS…",
    "cps.name": "Nom",
    "cps.national_id": "Identifiant national",
    "cps.profession": "Profession",
    "cps.specialty": "Spécialité",
    "cps.no_specialty": "aucune",
    "cps.card": "Carte",
    "cps.card_value": "{type} {generation}, n° {serial}, expire le {expires}",
    "card.test": "carte de test",

    "pin.title": "Code PIN",
    "pin.label": "Code PIN de la carte CPS",
    "pin.hint": "4 à 8 chiffres. Le code PIN déverrouille les situations d'exercice et les signatures.",
    "pin.tries": "Essais restants : {left} sur {max}.",
    "pin.last_try": "Attention : dernier essai. Un code faux de plus bloque la carte ; il faudra alors le code de déblocage (PUK).",
    "pin.confirm_last": "J'ai vérifié mon code : utiliser le dernier essai",
    "pin.confirm_needed": "Cochez cette case pour utiliser le dernier essai.",
    "pin.blocked": "Code PIN bloqué.",
    "pin.blocked_help": "Trois codes faux ont été saisis : la carte ne peut plus signer ni s'authentifier. Débloquez-la avec le code PUK (code de déblocage à 8 chiffres reçu avec la carte) dans l'outil de gestion de la CPS, ou demandez un déblocage à votre gestionnaire de cartes.",
    "pin.submit": "Vérifier le code PIN",
    "pin.verified": "Code PIN vérifié : la carte est déverrouillée tant qu'elle reste dans le lecteur.",
    "pin.checking": "Vérification…",

    "situations.title": "Situations d'exercice",
    "situations.col_index": "N°",
    "situations.col_name": "Structure",
    "situations.col_id": "Identifiant",
    "situations.col_sector": "Secteur d'activité",

    "vitale.title": "Carte Vitale",
    "vitale.loading": "Lecture de la carte Vitale…",
    "vitale.card": "Carte",
    "vitale.card_value": "{generation}, n° {serial}",
    "vitale.insured": "NIR de l'assuré",
    "vitale.regime": "Régime",
    "vitale.caisse": "Caisse / centre",
    "vitale.beneficiaries": "Bénéficiaires",
    "vitale.col_name": "Nom",
    "vitale.col_birth": "Date de naissance",
    "vitale.col_rank": "Rang",
    "vitale.col_quality": "Qualité",
    "vitale.col_ins": "INS",
    "vitale.birth_name": "né(e) {name}",
    "vitale.lunar": "date lunaire ({raw} sur la carte)",
    "vitale.no_ins": "Aucun INS : ce bénéficiaire n'est pas l'assuré et la carte ne porte pas son propre NIR certifié.",

    "auth.title": "Test d'authentification",
    "auth.intro": "La carte CPS signe un défi pour cette page (jeton Web eID), puis le pont vérifie le jeton : certificat, chaîne de confiance et signature. Le code PIN doit avoir été vérifié.",
    "auth.run": "Tester l'authentification",
    "auth.result": "Résultat",
    "auth.step_challenge": "Défi reçu",
    "auth.step_token": "Jeton signé par la CPS",
    "auth.step_verify": "Jeton vérifié",
    "separator": " : ",
    "step.pending": "en cours",
    "step.done": "réussi",
    "step.failed": "échec",
    "step.skipped": "non effectué",
    "auth.success": "Authentification réussie.",
    "auth.title_field": "Titre",
    "auth.certificate": "Certificat",
    "auth.certificate_value": "émis par {issuer}, n° {serial}, expire le {expires}",

    "dmp.title": "Accès au DMP",
    "patient.title": "1. Le patient",
    "patient.source": "Identifier le patient par",
    "patient.source_vitale": "sa carte Vitale",
    "patient.source_ins": "son matricule INS",
    "patient.source_criteria": "ses traits d'identité",
    "patient.beneficiary": "Bénéficiaire de la carte Vitale",
    "patient.no_vitale": "Aucune carte Vitale lue",
    "patient.ins": "Matricule INS",
    "patient.ins_hint": "Le NIR ou le NIA : 13 caractères, ou 15 avec la clé.",
    "patient.submit": "Identifier le patient",
    "patient.result": "Patient identifié",
    "patient.name": "Nom",
    "patient.sex": "Sexe",
    "patient.birth_date": "Date de naissance",
    "patient.ins_value": "INS",
    "patient.source_value": "Source",
    "patient.history": "Voir l'historique de ce patient",
    "patient.no_ins": "Pas d'INS : une recherche par traits d'identité ne donne pas l'INS, et le DMP ne s'ouvre qu'avec lui. Lisez la carte Vitale ou saisissez le matricule INS.",
    "source.vitale": "carte Vitale",
    "source.ins": "matricule INS",
    "source.criteria": "traits d'identité",
    "criteria.last_name": "Nom (d'usage ou de naissance)",
    "criteria.first_name": "Prénom",
    "criteria.sex": "Sexe",
    "criteria.sex_choose": "Choisir…",
    "criteria.sex_f": "Féminin",
    "criteria.sex_m": "Masculin",
    "criteria.birth_date": "Date de naissance (facultative)",
    "criteria.birth_date_hint": "JJ/MM/AAAA",
    "sex.F": "féminin",
    "sex.M": "masculin",

    "access.title": "2. L'accès",
    "access.needs_patient": "Identifiez d'abord le patient.",
    "access.situation": "Situation d'exercice",
    "access.situation_locked": "Vérifiez le code PIN de la CPS pour choisir la situation d'exercice.",
    "access.mode": "Mode d'accès",
    "access.consent": "Le patient consent à l'accès à son DMP",
    "access.consent_hint": "Nécessaire au premier accès à ce DMP et lorsque le dernier accès date de plus de six mois.",
    "access.reason": "Motif de l'accès (obligatoire)",
    "access.reason_hint": "10 caractères au moins. Il est conservé dans l'historique des accès, que le patient peut consulter.",
    "access.submit": "Ouvrir l'accès au DMP",
    "mode.normal": "Accès normal",
    "mode.bris_de_glace": "Urgence (bris de glace)",
    "mode.centre_15": "Régulation (centre 15)",

    "vihf.title": "VIHF signé",
    "vihf.xml": "Voir le XML de l'assertion",
    "vihf.assertion_id": "Identifiant de l'assertion",
    "vihf.valid_until": "Valable jusqu'au",
    "vihf.mode": "Mode",
    "vihf.consent": "Consentement",
    "vihf.consent_attested": "attesté",
    "vihf.consent_not_attested": "non attesté",
    "vihf.consent_needed": "nécessaire",
    "vihf.consent_not_needed": "non nécessaire",
    "vihf.structure": "Structure",
    "vihf.issuer": "Signataire",
    "vihf.patient_name": "Patient",
    "vihf.patient": "INS du patient (forme CX)",
    "vihf.journal": "Enregistrement de l'historique",

    "journal.title": "Historique des accès",
    "journal.patient": "Patient",
    "journal.patient_hint": "Tel que l'historique le nomme (INS en forme CX) : le bouton « Voir l'historique de ce patient » le remplit.",
    "journal.kind": "Type",
    "journal.kind_all": "tous",
    "journal.practitioner": "Professionnel (identifiant national)",
    "journal.since": "Depuis le",
    "journal.until": "Jusqu'au",
    "journal.limit": "Nombre maximum",
    "journal.show": "Afficher",
    "journal.verify": "Vérifier l'intégrité",
    "journal.count": "{count} enregistrement(s).",
    "journal.empty": "Aucun enregistrement pour ces critères.",
    "journal.loading": "Chargement…",
    "journal.col_seq": "N°",
    "journal.col_time": "Date",
    "journal.col_kind": "Type",
    "journal.col_practitioner": "Professionnel",
    "journal.col_patient": "Patient",
    "journal.col_details": "Détails",
    "journal.kind_access": "accès",
    "journal.kind_deposit": "dépôt",
    "journal.ok": "Historique intègre : {count} enregistrement(s) vérifié(s), aucun modifié, supprimé ou déplacé.",
    "journal.broken": "Historique altéré : {count} problème(s) trouvé(s).",
    "detail.mode": "mode",
    "detail.consent_needed": "consentement nécessaire",
    "detail.consent_attested": "consentement attesté",
    "detail.reason": "motif",
    "detail.patient_source": "patient identifié par",
    "detail.structure_id": "structure",
    "detail.sector": "secteur",
    "detail.vihf_id": "VIHF",
    "detail.type": "type de document",
    "detail.visibility": "visibilité",
    "detail.document_id": "document",
    "detail.size": "taille (octets)",
    "detail.sha256": "SHA-256",
    "yes": "oui",
    "no": "non",

    "error.network": "Le pont ne répond pas. Vérifiez que le service cardbridge est démarré.",
    "error.pcsc_unavailable": "Service carte à puce indisponible : le service pcscd ne répond pas.",
    "error.pcsc_access_denied": "Accès au service carte à puce refusé : lancez « cardbridge doctor ».",
    "error.reader_not_found": "Aucun lecteur de cartes trouvé. Branchez un lecteur.",
    "error.card_absent": "Aucune carte n'est insérée : insérez la carte CPS ou Vitale demandée.",
    "error.card_absent.cps": "Aucune carte CPS n'est insérée. Insérez la carte du professionnel de santé.",
    "error.card_absent.vitale": "Aucune carte Vitale n'est insérée. Insérez la carte du patient.",
    "error.wrong_card_type": "Ce n'est pas la carte attendue.",
    "error.card_removed": "La carte a été retirée pendant l'opération. Réinsérez-la et recommencez.",
    "error.card_busy": "La carte est occupée par une autre opération. Réessayez dans un instant.",
    "error.pin_required": "Vérifiez d'abord le code PIN de la carte CPS (section « Professionnel de santé »).",
    "error.pin_invalid": "Code PIN incorrect. Essais restants : {tries_left}.",
    "error.pin_invalid.last": "Code PIN incorrect. Il ne reste qu'un essai : un code faux de plus bloque la carte.",
    "error.pin_blocked": "Code PIN bloqué : débloquez-le avec le code PUK.",
    "error.consent_required": "Le consentement du patient est nécessaire (premier accès à ce DMP, ou dernier accès il y a plus de six mois). Demandez-le au patient puis cochez la case, ou choisissez un accès d'urgence si le patient ne peut pas répondre.",
    "error.nonce_invalid": "Le défi a expiré ou a déjà servi. Recommencez le test.",
    "error.unauthorized": "Requête refusée par le pont (jeton d'API absent).",
    "error.origin_forbidden": "Ce site n'est pas autorisé à utiliser le pont.",
    "error.invalid_request.pin": "Le code PIN comporte 4 à 8 chiffres.",
    "error.invalid_request.reason": "Indiquez le motif de l'accès (10 caractères au moins, 500 au plus).",
    "error.invalid_request.patient": "Ce patient n'a pas d'INS : le DMP s'ouvre avec l'INS. Lisez la carte Vitale ou saisissez le matricule INS.",
    "error.invalid_request.situation": "Choisissez une situation d'exercice de la carte.",
    "error.invalid_request.last_name": "Indiquez le nom (lettres, espaces, traits d'union et apostrophes).",
    "error.invalid_request.first_name": "Indiquez le prénom (lettres, espaces, traits d'union et apostrophes).",
    "error.invalid_request.sex": "Choisissez le sexe.",
    "error.invalid_request.birth_date": "Date de naissance attendue au format JJ/MM/AAAA.",
    "error.invalid_request.ins": "Matricule INS invalide : vérifiez les 13 caractères (2A ou 2B pour la Corse) et la clé à 2 chiffres.",
    "error.invalid_request.beneficiary": "Choisissez un bénéficiaire de la carte Vitale.",
    "error.journal_error": "L'historique des accès est inutilisable : aucun accès au DMP ne peut être ouvert. Lancez « cardbridge journal verify » et montrez sa réponse à votre administrateur.",
    "error.card_communication_error": "La communication avec la carte a échoué. Retirez la carte, réinsérez-la et recommencez.",
    "error.internal_error": "Erreur interne du pont. Réessayez ; si elle se reproduit, lancez « cardbridge doctor ».",
  },
  en: {
    "page.title": "cardbridge — bridge status",
    "page.heading": "cardbridge — bridge status",
    "page.skip": "Skip to content",
    "language.label": "Language",
    "nav.title": "Sections",
    "footer.version": "Version",
    "footer.docs": "API documentation",

    "connection.connecting": "Connecting to the bridge…",
    "connection.open": "Bridge connected ({backend}).",
    "connection.lost": "Bridge unreachable: trying again. Is the cardbridge service running?",
    "backend.emulator": "emulated cards",
    "backend.pcsc": "PC/SC readers",

    "readers.title": "Readers and cards",
    "readers.caption": "Card readers",
    "readers.pcsc_down": "Smart-card service unavailable.",
    "readers.pcsc_down_help": "The pcscd service does not answer: the readers cannot be read. Run “cardbridge doctor” to see what to do; this page updates as soon as the service is back.",
    "readers.none": "No reader found. Plug in a card reader.",
    "readers.col_reader": "Reader",
    "readers.col_card": "Card",
    "readers.col_atr": "ATR",
    "card.cps": "CPS card",
    "card.vitale": "Vitale card",
    "card.unknown": "Unrecognised card",
    "card.none": "No card",
    "live.card_inserted": "{card} inserted in “{reader}”.",
    "live.card_removed": "Card removed from “{reader}”.",
    "live.reader_added": "Reader plugged in: “{reader}”.",
    "live.reader_removed": "Reader unplugged: “{reader}”.",
    "live.pcsc_unavailable": "Smart-card service unavailable.",
    "live.pcsc_available": "Smart-card service back.",

    "cps.title": "Health professional (CPS)",
    "cps.loading": "Reading the CPS card…",
    "cps.name": "Name",
    "cps.national_id": "National id",
    "cps.profession": "Profession",
    "cps.specialty": "Speciality",
    "cps.no_specialty": "none",
    "cps.card": "Card",
    "cps.card_value": "{type} {generation}, no. {serial}, expires {expires}",
    "card.test": "test card",

    "pin.title": "PIN",
    "pin.label": "PIN of the CPS card",
    "pin.hint": "4 to 8 digits. The PIN unlocks the practice situations and signatures.",
    "pin.tries": "Tries left: {left} of {max}.",
    "pin.last_try": "Warning: last try. One more wrong PIN blocks the card; it will then need the unblocking code (PUK).",
    "pin.confirm_last": "I have checked my PIN: use the last try",
    "pin.confirm_needed": "Tick this box to use the last try.",
    "pin.blocked": "PIN blocked.",
    "pin.blocked_help": "Three wrong PINs were entered: the card can no longer sign or authenticate. Unblock it with the PUK (the 8-digit unblocking code sent with the card) in the CPS management tool, or ask your card manager to unblock it.",
    "pin.submit": "Verify the PIN",
    "pin.verified": "PIN verified: the card stays unlocked while it stays in the reader.",
    "pin.checking": "Checking…",

    "situations.title": "Practice situations",
    "situations.col_index": "No.",
    "situations.col_name": "Structure",
    "situations.col_id": "Identifier",
    "situations.col_sector": "Sector of activity",

    "vitale.title": "Vitale card",
    "vitale.loading": "Reading the Vitale card…",
    "vitale.card": "Card",
    "vitale.card_value": "{generation}, no. {serial}",
    "vitale.insured": "Insured person's NIR",
    "vitale.regime": "Scheme",
    "vitale.caisse": "Fund / centre",
    "vitale.beneficiaries": "Beneficiaries",
    "vitale.col_name": "Name",
    "vitale.col_birth": "Birth date",
    "vitale.col_rank": "Rank",
    "vitale.col_quality": "Status",
    "vitale.col_ins": "INS",
    "vitale.birth_name": "born {name}",
    "vitale.lunar": "lunar date ({raw} on the card)",
    "vitale.no_ins": "No INS: this beneficiary is not the insured person and the card holds no certified NIR of their own.",

    "auth.title": "Authentication test",
    "auth.intro": "The CPS card signs a challenge for this page (a Web eID token), then the bridge verifies the token: certificate, chain of trust and signature. The PIN must have been verified.",
    "auth.run": "Test authentication",
    "auth.result": "Result",
    "auth.step_challenge": "Challenge received",
    "auth.step_token": "Token signed by the CPS",
    "auth.step_verify": "Token verified",
    "separator": ": ",
    "step.pending": "in progress",
    "step.done": "done",
    "step.failed": "failed",
    "step.skipped": "not done",
    "auth.success": "Authentication succeeded.",
    "auth.title_field": "Title",
    "auth.certificate": "Certificate",
    "auth.certificate_value": "issued by {issuer}, no. {serial}, expires {expires}",

    "dmp.title": "DMP access",
    "patient.title": "1. The patient",
    "patient.source": "Identify the patient by",
    "patient.source_vitale": "their Vitale card",
    "patient.source_ins": "their INS number",
    "patient.source_criteria": "their identity traits",
    "patient.beneficiary": "Beneficiary of the Vitale card",
    "patient.no_vitale": "No Vitale card read",
    "patient.ins": "INS number",
    "patient.ins_hint": "The NIR or NIA: 13 characters, or 15 with its key.",
    "patient.submit": "Identify the patient",
    "patient.result": "Patient identified",
    "patient.name": "Name",
    "patient.sex": "Sex",
    "patient.birth_date": "Birth date",
    "patient.ins_value": "INS",
    "patient.source_value": "Source",
    "patient.history": "Show this patient's history",
    "patient.no_ins": "No INS: a search by identity traits does not give the INS, and the DMP opens with it only. Read the Vitale card or type the INS number.",
    "source.vitale": "Vitale card",
    "source.ins": "INS number",
    "source.criteria": "identity traits",
    "criteria.last_name": "Last name (usage or birth name)",
    "criteria.first_name": "First name",
    "criteria.sex": "Sex",
    "criteria.sex_choose": "Choose…",
    "criteria.sex_f": "Female",
    "criteria.sex_m": "Male",
    "criteria.birth_date": "Birth date (optional)",
    "criteria.birth_date_hint": "DD/MM/YYYY",
    "sex.F": "female",
    "sex.M": "male",

    "access.title": "2. The access",
    "access.needs_patient": "Identify the patient first.",
    "access.situation": "Practice situation",
    "access.situation_locked": "Verify the CPS PIN to choose the practice situation.",
    "access.mode": "Access mode",
    "access.consent": "The patient consents to the access to their DMP",
    "access.consent_hint": "Needed at the first access to this DMP and when the last access is more than six months old.",
    "access.reason": "Reason for the access (mandatory)",
    "access.reason_hint": "At least 10 characters. It is kept in the access history, which the patient can read.",
    "access.submit": "Open the DMP access",
    "mode.normal": "Normal access",
    "mode.bris_de_glace": "Emergency (break the glass)",
    "mode.centre_15": "Medical regulation (centre 15)",

    "vihf.title": "Signed VIHF",
    "vihf.xml": "Show the assertion's XML",
    "vihf.assertion_id": "Assertion id",
    "vihf.valid_until": "Valid until",
    "vihf.mode": "Mode",
    "vihf.consent": "Consent",
    "vihf.consent_attested": "attested",
    "vihf.consent_not_attested": "not attested",
    "vihf.consent_needed": "needed",
    "vihf.consent_not_needed": "not needed",
    "vihf.structure": "Structure",
    "vihf.issuer": "Signed by",
    "vihf.patient_name": "Patient",
    "vihf.patient": "Patient's INS (CX form)",
    "vihf.journal": "Access history record",

    "journal.title": "Access history",
    "journal.patient": "Patient",
    "journal.patient_hint": "As the history names them (INS in CX form): the “Show this patient's history” button fills it in.",
    "journal.kind": "Kind",
    "journal.kind_all": "all",
    "journal.practitioner": "Professional (national id)",
    "journal.since": "From",
    "journal.until": "Until",
    "journal.limit": "Maximum number",
    "journal.show": "Show",
    "journal.verify": "Check integrity",
    "journal.count": "{count} record(s).",
    "journal.empty": "No record for these criteria.",
    "journal.loading": "Loading…",
    "journal.col_seq": "No.",
    "journal.col_time": "Date",
    "journal.col_kind": "Kind",
    "journal.col_practitioner": "Professional",
    "journal.col_patient": "Patient",
    "journal.col_details": "Details",
    "journal.kind_access": "access",
    "journal.kind_deposit": "deposit",
    "journal.ok": "History intact: {count} record(s) checked, none edited, deleted or moved.",
    "journal.broken": "History altered: {count} problem(s) found.",
    "detail.mode": "mode",
    "detail.consent_needed": "consent needed",
    "detail.consent_attested": "consent attested",
    "detail.reason": "reason",
    "detail.patient_source": "patient identified by",
    "detail.structure_id": "structure",
    "detail.sector": "sector",
    "detail.vihf_id": "VIHF",
    "detail.type": "document type",
    "detail.visibility": "visibility",
    "detail.document_id": "document",
    "detail.size": "size (bytes)",
    "detail.sha256": "SHA-256",
    "yes": "yes",
    "no": "no",

    "error.network": "The bridge does not answer. Check that the cardbridge service is running.",
  },
};

let language = initialLanguage();
const listeners = [];

function initialLanguage() {
  const stored = localStorage.getItem(STORAGE_KEY);
  return LANGUAGES.includes(stored) ? stored : "fr";
}

export function currentLanguage() {
  return language;
}

/** The text of `key` in the current language ({name} replaced by params.name). */
export function t(key, params = {}) {
  const text = STRINGS[language][key] ?? STRINGS.fr[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

function known(key) {
  return key in STRINGS[language];
}

/**
 * What to tell the user about an API error: the dictionary's text for its code (most
 * specific first: code.context, code.field, code), else the server's own detail.
 */
export function errorText(error, context = "") {
  const field = error.field ? error.field.split(".").pop() : "";
  const keys = [
    context && `error.${error.code}.${context}`,
    field && `error.${error.code}.${field}`,
    error.code === "pin_invalid" && error.tries_left === 1 && "error.pin_invalid.last",
    `error.${error.code}`,
  ];
  const key = keys.find((candidate) => candidate && known(candidate));
  if (key) return t(key, error);
  return error.detail || t("error.network");
}

/** Translate the static elements (data-i18n) under `root`. */
export function translatePage(root = document) {
  document.documentElement.lang = language;
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
}

export function setLanguage(next) {
  if (!LANGUAGES.includes(next) || next === language) return;
  language = next;
  localStorage.setItem(STORAGE_KEY, next);
  translatePage();
  for (const listener of listeners) listener();
}

/** Call `listener` after each language change (to render dynamic texts again). */
export function onLanguageChange(listener) {
  listeners.push(listener);
}

/** Dates and times in the page's language. */
export function formatDate(iso) {
  const [year, month, day] = iso.split("-").map(Number);
  return new Intl.DateTimeFormat(language, { dateStyle: "long", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, month - 1, day)),
  );
}

export function formatDateTime(iso) {
  return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "medium" }).format(
    new Date(iso),
  );
}
