"""Texts about the data directory, in French and English: kept private to its user
(:mod:`cardbridge.private_dir`), and the emulator's test PKI made in it
(:mod:`cardbridge.emulator.pki`, :mod:`cardbridge.emulator.pki_organisations`).

As :mod:`cardbridge.messages.configuration`, messages a raising site gives instead of its
error class's text (``config_invalid``). ``{reason}`` is the operating system's own words
(``Permission denied``); modes are octal (``0755``), as ``ls`` and ``chmod`` write them.
"""

from __future__ import annotations

from cardbridge.messages import Text

# --- The data directory, private to its user ---------------------------------------------------
DATA_DIR_SETTING = Text(
    "CARDBRIDGE_DATA_DIR, ou data_dir dans config.toml",
    "CARDBRIDGE_DATA_DIR, or data_dir in config.toml",
)
"""The settings that choose the bridge's data dir: the ``{choose_with}`` of the texts
below (the DMP sandbox's is its option ``--data-dir``)."""
DATA_DIR_UNCREATABLE = Text(
    "Impossible de créer le dossier de données {path} : {reason}. Choisissez-en un autre "
    "avec {choose_with}.",
    "Cannot create the data directory {path}: {reason}. Choose another with {choose_with}.",
)
DATA_DIR_OTHER_OWNER = Text(
    "{entry} appartient à un autre utilisateur (uid {uid}) : les données de santé et les "
    "clés du dossier de données {data_dir} ne vous seraient pas réservées. Rendez-le à "
    "votre utilisateur (« sudo chown -R $USER: {data_dir} ») ou choisissez un autre "
    "dossier avec {choose_with}.",
    "{entry} belongs to another user (uid {uid}), so the health data and keys of the data "
    "directory {data_dir} would not be yours alone. Give it back to your user (sudo chown "
    "-R $USER: {data_dir}) or choose another directory with {choose_with}.",
)
DATA_DIR_NOT_PRIVATE = Text(
    "{entry} est lisible par les autres utilisateurs (mode {mode}) et ne peut pas être "
    "rendu privé : {reason}. Lancez « chmod -R go= {data_dir} ».",
    "{entry} can be read by other users (mode {mode}) and cannot be made private: "
    "{reason}. Run `chmod -R go= {data_dir}`.",
)
DATA_DIR_MADE_PRIVATE = Text(
    "le dossier de données était lisible par les autres utilisateurs ; rendu privé : {changes}",
    "the data directory was readable by other users; made private: {changes}",
)
"""The warning of a start that tightened modes; ``{changes}``: :data:`MODE_CHANGED`
items, separated by commas."""
MODE_CHANGED = Text("{path} : {old} → {new}", "{path}: {old} → {new}")

# --- The emulator's test PKI -----------------------------------------------------------------
TEST_PKI_UNCREATABLE = Text(
    "Impossible de créer la PKI de test de l'émulateur dans {directory} : {reason}.",
    "Cannot create the emulator's test PKI in {directory}: {reason}.",
)
TEST_PKI_DAMAGED = Text(
    "La PKI de test de l'émulateur dans {directory} est endommagée ({name}) : supprimez ce "
    "dossier, une nouvelle PKI de test sera créée.",
    "The emulator's test PKI in {directory} is damaged ({name}): delete that directory "
    "and a new test PKI will be created.",
)
ORGANISATIONS_CA_UNCREATABLE = Text(
    "Impossible de créer l'autorité des organisations de la PKI de test dans {directory} : "
    "{reason}.",
    "Cannot create the test PKI's organisations CA in {directory}: {reason}.",
)
ORGANISATIONS_CA_DAMAGED = Text(
    "L'autorité des organisations de la PKI de test dans {directory} est endommagée "
    "({name}) : supprimez ce dossier, une nouvelle sera créée.",
    "The test PKI's organisations CA in {directory} is damaged ({name}): delete that "
    "directory and a new one will be created.",
)
