"""The CPS3's PKCS#15 structure and IAS-ECC security objects, as data.

The emulator builds its CPS from these values and cardbridge finds the certificates
and keys through the lists they describe. Each value carries its provenance, as in
``docs/cps-card.md`` (which gives the sources):

- **[field]** seen on real CPS3 cards (OpenSC's CPx support, its real-card traces and
  tool outputs, the ANS Cryptolib sources);
- **[inferred]** deduced from field facts (sizes that add up, file names the Cryptolib
  caches) — not read from a card;
- **[ours]** chosen by cardbridge where nothing public says, in the standard PKCS#15
  form that OpenSC reads.
"""

from __future__ import annotations

import datetime as dt

from cardbridge.layouts import der, pkcs15
from cardbridge.layouts.cps import PKCS15_AID, PKCS15_AID_CONTACTLESS
from cardbridge.layouts.pkcs15 import (
    AccessMode,
    AccessRule,
    AlgorithmInfo,
    AlgorithmOperation,
    Application,
    CommonObject,
    Directory,
    KeyAccess,
    KeyUsage,
    ObjectFlag,
    PinFlag,
    TokenFlag,
)

# --- Card level (MF) -------------------------------------------------------------------

MF_AID = bytes.fromhex("8025000001FF0100")
"""[field] The DF name EF.ATR gives; selecting it selects the MF ([inferred])."""

EF_ATR_CONTENT = bytes.fromhex(
    "80 4301B8 460404B0ECC1 4703940180 4F088025000001FF0100"
    " E010 02020104 02020104 02020100 02020100 7808 06062B8122F87802 82029000"
)
"""[field] The 57 bytes of EF.ATR on a real CPS3: a stray ``80`` first, then card
service data, pre-issuing data, capabilities, the MF AID, the I/O buffer sizes
(send 260, receive 256), an OID and a status word."""

# Security attributes (8C contact / 9C contactless) [field]: read always, update and
# delete under secure messaging (SE 5), everything else never; contactless read only.
ACL_PUBLIC_EF = bytes.fromhex("7B45FFFFFF4500")
ACL_READ_ONLY_EF = bytes.fromhex("7BFFFFFFFFFF00")
ACL_CONTACTLESS_READ_ONLY = bytes.fromhex("7BFFFFFFFFFF00")
ACL_READ_AFTER_PIN = bytes.fromhex("7BFFFFFFFFFF11")
"""[ours] the situation files: read after the PIN (user authentication, SE 1)."""
ACL_DF = bytes.fromhex("00")
"""[ours] DFs: no access mode flagged (real MF/DF FCPs were never published)."""

EF_DIR_FID = 0x2F00
EF_DIR_SFI = 0x1E  # [field]

APPLICATIONS = (
    # [field] AIDs, labels, the DDO naming the contact AID in both records;
    # [inferred] the paths 3F00/0001 and 3F00/0002 (EF.DIR is then exactly 0x65 bytes).
    Application(
        PKCS15_AID, "CPX IAS", bytes.fromhex("3F000001"), bytes.fromhex("4F0D") + PKCS15_AID
    ),
    Application(
        PKCS15_AID_CONTACTLESS,
        "CPX IAS CL",
        bytes.fromhex("3F000002"),
        bytes.fromhex("4F0D") + PKCS15_AID,
    ),
)


def ef_dir() -> bytes:
    """EF.DIR: the two application records."""
    return b"".join(app.to_bytes() for app in APPLICATIONS)


# --- PKCS#15 files of DF 0001 -------------------------------------------------------------

EF_ODF = 0x5031  # [inferred, strong] as in OpenSC's IAS-ECC profile
EF_TOKEN_INFO = 0x5032  # [inferred, strong]
EF_AODF = 0x7001  # [field]
EF_PRKDF = 0x7002  # [inferred, strong]
EF_CDF = 0x7005  # [field]
EF_DODF = 0x7006  # [inferred, strong]
APPLICATION_PATH = bytes.fromhex("3F000001")


def odf() -> bytes:
    """[ours] The ODF lists the directories by full path from the MF (the Cryptolib
    filters ODF paths starting ``3F00``); no PuKDF (public keys are in the certificates)."""
    return pkcs15.odf(
        (kind, APPLICATION_PATH + fid.to_bytes(2, "big"))
        for kind, fid in (
            (Directory.PRIVATE_KEYS, EF_PRKDF),
            (Directory.CERTIFICATES, EF_CDF),
            (Directory.DATA_OBJECTS, EF_DODF),
            (Directory.AUTH_OBJECTS, EF_AODF),
        )
    )


# Algorithms of TokenInfo: refs 1-4 [field] (mechanism, operation, OID, card reference);
# refs 5 and 6 [inferred] (RSA PKCS#1 for the authentication key; card references ours).
CKM_RSA_PKCS, CKM_SHA1_RSA_PKCS, CKM_SHA256_RSA_PKCS = 0x01, 0x06, 0x40
CKM_SHA_1, CKM_SHA256 = 0x220, 0x250
ALGORITHMS = (
    AlgorithmInfo(1, CKM_SHA_1, (AlgorithmOperation.HASH,), "1.3.14.3.2.26", 0x10),
    AlgorithmInfo(2, CKM_SHA256, (AlgorithmOperation.HASH,), "2.16.840.1.101.3.4.2.1", 0x40),
    AlgorithmInfo(
        3, CKM_SHA1_RSA_PKCS, (AlgorithmOperation.COMPUTE_SIGNATURE,), "1.2.840.113549.1.1.5", 0x12
    ),
    AlgorithmInfo(
        4,
        CKM_SHA256_RSA_PKCS,
        (AlgorithmOperation.COMPUTE_SIGNATURE,),
        "1.2.840.113549.1.1.11",
        0x42,
    ),
    AlgorithmInfo(
        5, CKM_RSA_PKCS, (AlgorithmOperation.COMPUTE_SIGNATURE,), "1.2.840.113549.1.1.1", 0x02
    ),
    AlgorithmInfo(6, CKM_RSA_PKCS, (AlgorithmOperation.DECIPHER,), "1.2.840.113549.1.1.1", 0x1A),
)

MANUFACTURER = "ASIP SANTE"  # [field]
TOKEN_LABEL_PREFIX = "CPS3v3-"  # noqa: S105 - a label, not a secret. [field] the form; the 10 digits after it are ours (serial)


def token_info(serial: str, issued: dt.date) -> bytes:
    """TokenInfo: version 0, no serial (OpenSC reads EF.SN.ICC) [field]; lastUpdate [ours:
    the card's issue date]."""
    return pkcs15.TokenInfo(
        label=TOKEN_LABEL_PREFIX + serial,
        manufacturer=MANUFACTURER,
        flags=(TokenFlag.READ_ONLY, TokenFlag.LOGIN_REQUIRED),
        last_update=dt.datetime(issued.year, issued.month, issued.day, tzinfo=dt.UTC),
        algorithms=ALGORITHMS,
    ).to_der()


# --- AODF ---------------------------------------------------------------------------------

PIN_AUTH_ID = b"\x01"  # [inferred, strong] every key names it
PUK_AUTH_ID = b"\x02"  # [field] the PIN object's own authId (the PUK protects it)
PIN_LABEL = "Code porteur de la carte CPX"  # [field]
PUK_LABEL = "Code de deblocage de la carte CPX"  # [ours]
PUK_REFERENCE = 0x02  # [field] CHV SDO 2

# [field] a one-byte flags BIT STRING without its unused-bits octet (strict DER decoders
# refuse it; OpenSC reads empty flags). The byte's value is ours (low 3 bits zero, as seen).
QUIRKY_FLAGS = der.raw_flags(0x80)

# [field] the PIN's rules: verify (execute) always, change (update) always, the bit-4
# mode under the PUK; the exact mode encodings as the card has them.
PIN_RULES = (
    AccessRule((AccessMode.EXECUTE,), encoded_mode=bytes.fromhex("03020520")),
    AccessRule((AccessMode.UPDATE,), encoded_mode=bytes.fromhex("03020640")),
    AccessRule((AccessMode.ATTRIBUTE,), PUK_AUTH_ID, encoded_mode=bytes.fromhex("03020308")),
)


def aodf(pin_reference: int, min_length: int, max_length: int, puk_length: int) -> bytes:
    """The PIN [field: label, authIds, reference, rules] and the PUK [ours but reference];
    lengths, padding and flags [ours]: digits padded with ``FF`` to ``max_length``."""
    pin = pkcs15.PinObject(
        CommonObject(PIN_LABEL, auth_id=PUK_AUTH_ID, rules=PIN_RULES, flags_encoding=QUIRKY_FLAGS),
        auth_id=PIN_AUTH_ID,
        reference=pin_reference,
        flags=(PinFlag.INITIALIZED, PinFlag.NEEDS_PADDING),
        min_length=min_length,
        stored_length=max_length,
        max_length=max_length,
        pad_char=0xFF,
    )
    puk = pkcs15.PinObject(
        CommonObject(PUK_LABEL),
        auth_id=PUK_AUTH_ID,
        reference=PUK_REFERENCE,
        flags=(PinFlag.INITIALIZED, PinFlag.UNBLOCKING_PIN, PinFlag.CHANGE_DISABLED),
        min_length=puk_length,
        stored_length=puk_length,
        max_length=puk_length,
    )
    return pin.to_der() + puk.to_der()


# --- PrKDF, CDF [field except where marked] ----------------------------------------------

SIGNATURE_KEY_LABEL = "CPS_PRIV_SIG"
AUTHENTICATION_KEY_LABEL = "CPS_PRIV_AUT"
SIGNATURE_ID = PKCS15_AID + b"\x01"
AUTHENTICATION_ID = PKCS15_AID + b"\x02"
SIGNATURE_CERT_LABEL = "Certificat de Signature CPS"
AUTHENTICATION_CERT_LABEL = "Certificat d'Authentification CPS"
KEY_BITS = 2048
KEY_ACCESS = (KeyAccess.SENSITIVE, KeyAccess.ALWAYS_SENSITIVE, KeyAccess.NEVER_EXTRACTABLE)
FLAG_UNNAMED = 2  # set on CPS_PRIV_AUT by real cards; not named by PKCS#15


def prkdf(signature_reference: int, authentication_reference: int) -> bytes:
    """Both keys: no algReference and no key path, as on real cards."""
    signature = pkcs15.PrivateRsaKey(
        CommonObject(
            SIGNATURE_KEY_LABEL,
            flags=(ObjectFlag.PRIVATE,),
            auth_id=PIN_AUTH_ID,
            rules=(AccessRule((AccessMode.PSO_CDS,), PIN_AUTH_ID),),
        ),
        id=SIGNATURE_ID,
        usage=(KeyUsage.NON_REPUDIATION,),
        access=KEY_ACCESS,
        reference=signature_reference,
        modulus_bits=KEY_BITS,
    )
    authentication = pkcs15.PrivateRsaKey(
        CommonObject(
            AUTHENTICATION_KEY_LABEL,
            flags_encoding=der.bits(ObjectFlag.PRIVATE, ObjectFlag.MODIFIABLE, FLAG_UNNAMED),
            auth_id=PIN_AUTH_ID,
            rules=(
                AccessRule((AccessMode.PSO_DECRYPT,), PIN_AUTH_ID),
                AccessRule((AccessMode.INT_AUTH,), PIN_AUTH_ID),
            ),
        ),
        id=AUTHENTICATION_ID,
        usage=(KeyUsage.DECRYPT, KeyUsage.SIGN),
        access=KEY_ACCESS,
        reference=authentication_reference,
        modulus_bits=KEY_BITS,
    )
    return signature.to_der() + authentication.to_der()


def cdf(authentication_fid: int, signature_fid: int) -> bytes:
    """Both certificates, public, with the key identifiers [field: labels, flags quirk;
    inferred: identifiers equal to the keys', 2-byte file ids A00x; ours: which is which]."""
    return b"".join(
        pkcs15.CertificateObject(
            CommonObject(label, flags_encoding=QUIRKY_FLAGS), id, fid.to_bytes(2, "big")
        ).to_der()
        for label, id, fid in (
            (AUTHENTICATION_CERT_LABEL, AUTHENTICATION_ID, authentication_fid),
            (SIGNATURE_CERT_LABEL, SIGNATURE_ID, signature_fid),
        )
    )


# --- DODF ----------------------------------------------------------------------------------

ID_CARD_LABEL = "CPS_ID_CARD"  # [field] labels and access: public
NAME_LABEL = "CPS_NAME_PS"
INFO_LABEL = "CPS_INFO_PS"
APPLICATION_NAME = "CPS"  # [ours] (the Cryptolib names its synthesised objects so)


def activity_label(index: int) -> str:
    """``CPS_ACTIVITY_01_PS`` .. ``_16_PS`` [field]: private (after the PIN)."""
    return f"CPS_ACTIVITY_{index + 1:02d}_PS"


def dodf(public: list[tuple[str, int]], activities: list[int]) -> bytes:
    """Data objects: public ones (label, file id), then the activities (file ids) under
    the PIN. Paths are 2-byte file ids of DF 0001 [ours, as the certificates']."""
    objects = [
        pkcs15.DataObject(CommonObject(label), APPLICATION_NAME, fid.to_bytes(2, "big"))
        for label, fid in public
    ]
    objects += [
        pkcs15.DataObject(
            CommonObject(activity_label(index), flags=(ObjectFlag.PRIVATE,), auth_id=PIN_AUTH_ID),
            APPLICATION_NAME,
            fid.to_bytes(2, "big"),
        )
        for index, fid in enumerate(activities)
    ]
    return b"".join(obj.to_der() for obj in objects)


# --- IAS-ECC security objects -----------------------------------------------------------

PIN_ACL = bytes.fromhex("F3000013FF00")
"""[field] CHV 1: change and verify always, reset after user authentication (SE 3),
put never, get always."""
PUK_ACL = bytes.fromhex("F3FF00FFFF00")
"""[field] CHV 2: verify and get always, everything else never."""
PUK_USAGE = 100  # [field] uses left on a new card
SIGNATURE_KEY_ACL = bytes.fromhex("4B11FFFF00")
"""[ours] PSO signature after the PIN (SE 1), generate and put never, get always."""
AUTHENTICATION_KEY_ACL = bytes.fromhex("3B1111FFFF00")
"""[ours] internal authenticate and decipher after the PIN, generate/put never, get always."""
