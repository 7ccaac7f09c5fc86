"""The advice of ``cardbridge doctor`` (what to do), in French and English.

What a check found (its ``message``) is for support and stays in English, with the
technical names it quotes; what to do (its ``fix``) and the summary follow the
environment's language.
"""

from __future__ import annotations

from cardbridge.messages import Text

# --- The report -------------------------------------------------------------------------
FIX_LABEL = Text("à faire :", "fix:")
ALL_WELL = Text("Tout va bien.", "All is well.")
ONE_ERROR = Text("1 erreur", "1 error")
ERRORS = Text("{count} erreurs", "{count} errors")
ONE_WARNING = Text("1 avertissement", "1 warning")
WARNINGS = Text("{count} avertissements", "{count} warnings")
FIX_FROM_THE_TOP = Text(
    " Corrigez les erreurs en commençant par la première, puis relancez « cardbridge doctor ».",
    " Fix the errors from the top, then run `cardbridge doctor` again.",
)

# --- pcscd --------------------------------------------------------------------------------
INSTALL_PCSCD = Text(
    "Installez le service carte à puce : sudo apt install pcscd libccid",
    "Install the smart-card service: sudo apt install pcscd libccid",
)
START_PCSCD = Text(
    "Démarrez le service carte à puce : sudo systemctl enable --now pcscd.socket",
    "Start the smart-card service: sudo systemctl enable --now pcscd.socket",
)
RESTART_PCSCD = Text(
    "Redémarrez le service carte à puce : sudo systemctl restart pcscd.socket pcscd (son "
    "journal : journalctl -u pcscd -b)",
    "Restart the smart-card service: sudo systemctl restart pcscd.socket pcscd (its log: "
    "journalctl -u pcscd -b)",
)
UNSET_SOCKET_VARIABLE = Text(
    "Supprimez la variable {variable} : pcscd écoute sur {socket}.",
    "Unset {variable}: pcscd listens on {socket}.",
)
SOCKET_FOR_EVERYONE = Text(
    "Tout utilisateur doit pouvoir l'ouvrir : vérifiez que « systemctl cat pcscd.socket » "
    "indique SocketMode=0666, puis : sudo systemctl restart pcscd.socket pcscd",
    "Every user must be able to open it: check that `systemctl cat pcscd.socket` says "
    "SocketMode=0666, then: sudo systemctl restart pcscd.socket pcscd",
)
POLKIT = Text(
    "Ajoutez l'utilisateur au groupe {group} et installez la règle polkit de cardbridge : "
    "sudo groupadd -f --system {group} && sudo usermod -aG {group} {user} && "
    "sudo cp {rule} /etc/polkit-1/rules.d/ ; puis fermez la session et rouvrez-la. Pour "
    "confirmer la cause : journalctl -u pcscd affiche « Rejected unauthorized PC/SC client ».",
    "Add the user to the {group} group and install cardbridge's polkit rule: "
    "sudo groupadd -f --system {group} && sudo usermod -aG {group} {user} && "
    "sudo cp {rule} /etc/polkit-1/rules.d/ ; then log out and back in. To confirm the cause: "
    "journalctl -u pcscd shows “Rejected unauthorized PC/SC client”.",
)

# --- Readers and cards ----------------------------------------------------------------------
READER = Text(
    "Branchez le lecteur directement (pas sur un concentrateur USB non alimenté) et vérifiez "
    "que « lsusb » le liste. Installez le pilote CCID (sudo apt install libccid) et les "
    "règles udev de cardbridge ({rules}, voir le README), puis débranchez le lecteur et "
    "rebranchez-le.",
    "Plug the reader in directly (not through an unpowered hub) and check that `lsusb` lists "
    "it. Install the CCID driver (sudo apt install libccid) and cardbridge's udev rules "
    "({rules}, see README), then unplug the reader and plug it back in.",
)
INSERT_CARD = Text(
    "Insérez la carte CPS (ou la carte Vitale), puce en avant et vers le haut, puis relancez "
    "« cardbridge doctor ».",
    "Insert the CPS (or the Vitale card), chip first and facing up, then run `cardbridge "
    "doctor` again.",
)
INSERT_CPS = Text(
    "Insérez la carte CPS, puce en avant et vers le haut, puis relancez « cardbridge doctor ».",
    "Insert the CPS, chip first and facing up, then run `cardbridge doctor` again.",
)
CLOSE_OTHER_PROGRAM = Text(
    "Fermez l'autre programme qui utilise la carte (ou attendez qu'il ait fini), puis recommencez.",
    "Close the other program using the card (or wait for it to finish), then retry.",
)
REINSERT_CARD = Text(
    "Retirez la carte et réinsérez-la, puce en avant et vers le haut.",
    "Remove the card and insert it again, chip first and facing up.",
)
UNKNOWN_CARD = Text(
    "Vérifiez qu'il s'agit d'une carte CPS ou Vitale, insérée puce en avant. Si c'est le cas, "
    "envoyez cet ATR aux mainteneurs de cardbridge.",
    "Check that it is a CPS or a Vitale card, inserted chip first. If it is, send this ATR "
    "to the cardbridge maintainers.",
)
CHECK_PIN_USERS = Text(
    "Un code PIN juste remet le compteur à son maximum. Si personne n'a saisi de code faux, "
    "un autre programme en présente un (un code PIN enregistré dans le logiciel métier ou "
    "un outil de signature) : vérifiez-le avant que la carte se bloque.",
    "A right PIN sets the counter back. If nobody typed a wrong PIN, another program is "
    "presenting one (a saved PIN in the practice software or a signing tool): check it "
    "before the card blocks.",
)

# --- PKCS#11 ---------------------------------------------------------------------------------
INSTALL_MODULE = Text(
    "Installez la Cryptolib CPS de l'ANS (ou OpenSC) et indiquez dans config.toml, réglage "
    "pkcs11_module, le chemin de son module (README, « Workstations with the ANS Cryptolib "
    "CPS »), ou choisissez card_backend = pcsc.",
    "Install the ANS Cryptolib CPS (or OpenSC) and set pkcs11_module in config.toml to the "
    "path of its module (README, 'Workstations with the ANS Cryptolib CPS'), or set "
    "card_backend = pcsc.",
)
CONNECT_READER = Text(
    "Branchez le lecteur de cartes et vérifiez que pcscd tourne (vérifications ci-dessus) : "
    "le module montre un emplacement par lecteur.",
    "Plug the card reader in and check that pcscd runs (the checks above): the module shows "
    "one slot per reader.",
)

# --- cardbridge itself ------------------------------------------------------------------------
CORRECT_CONFIG = Text(
    "Corrigez {path} (TOML, un réglage « clé = valeur » par ligne ; le README liste les "
    "réglages) ou la variable CARDBRIDGE_* nommée, ou déplacez le fichier pour revenir aux "
    "réglages par défaut.",
    "Correct {path} (TOML, one `key = value` per line; README lists the settings) or the "
    "CARDBRIDGE_* variable named, or move the file away to use the defaults.",
)
EMULATOR_ON = Text(
    "Sur le poste d'un professionnel de santé, retirez « emulator = true » du fichier de "
    "configuration et supprimez la variable CARDBRIDGE_EMULATOR, puis : systemctl --user "
    "restart cardbridge",
    "On a clinician's workstation, remove `emulator = true` from the config file and unset "
    "CARDBRIDGE_EMULATOR, then: systemctl --user restart cardbridge",
)
DATA_DIR = Text(
    "Rendez-le à l'utilisateur (« sudo chown -R {user}: {path} ») ou choisissez un autre "
    "dossier : CARDBRIDGE_DATA_DIR, ou data_dir dans config.toml.",
    "Give it back to the user (sudo chown -R {user}: {path}) or choose another directory: "
    "CARDBRIDGE_DATA_DIR, or data_dir in config.toml.",
)
TOKEN_NOT_A_FILE = Text(
    "Déplacez-le ; un nouveau jeton est créé au prochain démarrage.",
    "Move it away; a new token is created at the next start.",
)
TOKEN_OWNER = Text(
    "Rendez-le à l'utilisateur : « sudo chown {user}: {path} »", "sudo chown {user}: {path}"
)
TOKEN_MODE = Text("Rendez-le lisible par l'utilisateur seul : chmod 600 {path}", "chmod 600 {path}")
RECREATE_TEST_PKI = Text(
    "rm -r {directory} ; une nouvelle PKI de test est créée la prochaine fois qu'il en faut une.",
    "rm -r {directory} ; a new test PKI is made the next time it is needed.",
)
CREATE_TEST_PKI = Text(
    "Elle est créée à la première utilisation des cartes émulées ; pour la créer maintenant : "
    "{command}",
    "It is created the first time emulated cards are used; to create it now: {command}",
)
CHECK_TRUST_ANCHORS = Text(
    "Vérifiez trust_anchors et intermediates ({files}) : des fichiers PEM lisibles des "
    "certificats d'autorité, les racines dans trust_anchors (pour de vraies cartes, les "
    "autorités IGC-Santé publiées par l'ANS).",
    "Check trust_anchors and intermediates ({files}): readable PEM files of the CA "
    "certificates, the roots in trust_anchors (for real cards, the IGC-Santé CAs published "
    "by the ANS).",
)
DOWNLOAD_CAS = Text(
    "Téléchargez les certificats d'autorité en vigueur et configurez-les.",
    "Download the current CA certificates and configure them.",
)
RESTART_NEW_VERSION = Text(
    "Redémarrez-le pour utiliser cette version : systemctl --user restart cardbridge",
    "Restart it to run this version: systemctl --user restart cardbridge",
)
PORT_TAKEN = Text(
    "Arrêtez ce programme, ou déplacez cardbridge sur un port libre avec CARDBRIDGE_PORT "
    "(ou port = … dans {path}) ; le logiciel qui appelle cardbridge doit alors utiliser ce "
    "port lui aussi.",
    "Stop that program, or move cardbridge to a free port with CARDBRIDGE_PORT (or port = … "
    "in {path}); the software calling cardbridge must then use that port too.",
)
INSTALL_SERVICE = Text(
    "Sous le compte du professionnel de santé (pas root) : cardbridge install-service",
    "As the clinician's user (not root): cardbridge install-service",
)
SERVICE_FAILED = Text(
    "Voyez pourquoi : journalctl --user -u cardbridge -n 50 ; puis : systemctl --user "
    "restart cardbridge",
    "See why: journalctl --user -u cardbridge -n 50 ; then: systemctl --user restart cardbridge",
)
START_SERVICE = Text(
    "Démarrez-le : systemctl --user start cardbridge", "Start it: systemctl --user start cardbridge"
)
ENABLE_SERVICE = Text(
    "Activez-le : systemctl --user enable cardbridge", "systemctl --user enable cardbridge"
)
