"""Configuration: ``CARDBRIDGE_*`` environment variables over a config file over defaults.

The config file is TOML, at ``$XDG_CONFIG_HOME/cardbridge/config.toml`` unless
``CARDBRIDGE_CONFIG_FILE`` names another; its keys are the field names below
(``port = 8470``, ``allowed_origins = ["https://app.example"]``). Where they are is
:mod:`cardbridge.config_sources`.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
import tempfile
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from cardbridge.config_sources import (
    ENV_PREFIX,
    api_token_path,
    config_file_path,
    default_config_dir,
    default_data_dir,
)
from cardbridge.errors import ConfigError
from cardbridge.messages import Text
from cardbridge.messages import configuration as say
from cardbridge.messages.errors import FIELD_DETAIL
from cardbridge.messages.validation import validation_text
from cardbridge.pcsc.holdup import BUSY_TIMEOUT

log = logging.getLogger(__name__)

DEFAULT_PORT = 8470
# 32 random bytes: far beyond guessing, even at the loopback's request rate.
_API_TOKEN_BYTES = 32


class Settings(BaseSettings):
    """All settings of cardbridge, each documented in README's configuration table."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    host: str = Field("127.0.0.1", description="Loopback address the API listens on.")
    port: int = Field(DEFAULT_PORT, ge=1, le=65535, description="TCP port of the API.")
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Web origins allowed to call the API (comma-separated in the environment).",
    )
    api_token: str | None = Field(
        None,
        min_length=16,
        pattern=r"^\S+$",
        description="Local API token; default: a random token kept in the config dir.",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Emulator test PKI and DMP access journal.",
    )
    emulator: bool = Field(False, description="Serve the built-in emulated readers only.")
    emulator_fallback: bool = Field(
        False,
        description="Serve the emulated readers when PC/SC has no reader with a card at start.",
    )
    trust_anchors: Annotated[list[Path], NoDecode] = Field(
        default_factory=list,
        description="PEM files of the root CAs that token verification trusts "
        "(comma-separated in the environment); the emulator's test root is added in "
        "emulator mode.",
    )
    intermediates: Annotated[list[Path], NoDecode] = Field(
        default_factory=list,
        description="PEM files of the issuing CAs of real cards: the chain of "
        "GET /v1/cps/certificates, and the path from a card to a trust anchor.",
    )
    required_certificate_policies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Certificate policy OIDs (dotted, comma-separated in the environment) of "
        "which a token's certificate must carry one; empty: any policy, or none.",
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "warning", description="Log level of `cardbridge serve` when no -v is given."
    )

    lps_id: str = Field(
        "cardbridge", description="LPS_ID of the VIHF: the software's identifier at the DMP."
    )
    lps_name: str = Field("cardbridge", description="LPS_Nom of the VIHF.")
    lps_homologation_dmp: str | None = Field(
        None, description="LPS_ID_HOMOLOGATION_DMP: the DMP homologation number, when granted."
    )
    lps_oid_root: str = Field(
        "2.999.250.1",
        pattern=r"^[0-2](\.(0|[1-9][0-9]*))+$",
        max_length=40,
        description="The software's OID root: HL7v3 message ids and the uniqueIds of "
        "deposited documents are made under it. The default is under the example arc 2.999 "
        "(ITU-T X.660): a real deployment supplies its own, registered OID.",
    )
    dmp_endpoint: str = Field(
        "sandbox",
        description="The DMP cardbridge talks to: `sandbox` (the offline DMP of "
        "`cardbridge dmp-sandbox` on this machine, https://127.0.0.1:8471), `formation1`…"
        "`formation5` (national training environments), `production`, or the https:// base "
        "URL of the DMP services (an editor test environment).",
    )
    dmp_patient_pages: str | None = Field(
        None,
        pattern=r"^http://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?/?$",
        description="The offline DMP's patient pages (`cardbridge dmp-sandbox`, a loopback "
        "http:// address), which the status page links to for a patient's access history. "
        "Default: http://127.0.0.1:8472 with `dmp_endpoint = sandbox`, none otherwise.",
    )
    dmp_server_roots: Annotated[list[Path], NoDecode] = Field(
        default_factory=list,
        description="PEM files of the root CAs that verify the DMP server (comma-separated in "
        "the environment): the IGC-Santé roots for the national services. `sandbox` uses "
        "the emulator's test root when none is given; the others refuse to connect without.",
    )
    dmp_authentication: Literal["direct", "indirect"] = Field(
        "direct",
        description="`direct`: TLS with the practitioner's CPS card; `indirect`: TLS with a "
        "structure's certificate (dmp_structure_tls_pkcs12).",
    )
    dmp_structure_tls_pkcs12: Path | None = Field(
        None, description="Indirect mode: PKCS#12 file of the structure's AUTH_CLI certificate."
    )
    dmp_structure_sign_pkcs12: Path | None = Field(
        None,
        description="Indirect mode: PKCS#12 file of the structure's SIGN certificate (signs "
        "the VIHF).",
    )
    dmp_structure_sector: str | None = Field(
        None,
        pattern=r"^SA[0-9]{2}$",
        description="Indirect mode: the structure's sector of activity (R02, e.g. SA01 for a "
        "hospital) stated in the VIHF; by default the sector of the CPS's practice situation.",
    )
    dmp_structure_pkcs12_password_file: Path | None = Field(
        None,
        description="A file holding the password of both PKCS#12 files (or set "
        "CARDBRIDGE_DMP_STRUCTURE_PKCS12_PASSWORD).",
    )
    dmp_structure_pkcs12_password: SecretStr | None = Field(
        None, description="The PKCS#12 files' password, from the environment; never logged."
    )
    vihf_validity_minutes: int = Field(
        30, ge=1, le=24 * 60, description="How long a signed VIHF assertion is valid."
    )
    pin_session_minutes: float = Field(
        10,
        gt=0,
        le=8 * 60,
        description="Minutes a PIN session (DMP work) stays open without use; then the card "
        "is locked again and the PIN is asked anew.",
    )
    state_dir: Path = Field(
        default_factory=default_config_dir,
        description="Where the bridge keeps the paired status pages and the web "
        "applications the clinician approved (default: the config dir).",
    )
    card_backend: Literal["pcsc", "pkcs11"] = Field(
        "pcsc",
        description="How the bridge talks to the CPS: `pcsc` (its own APDUs through pcscd: "
        "CPS and Vitale) or `pkcs11` (through the PKCS#11 module `pkcs11_module`, e.g. the "
        "ANS Cryptolib CPS: the CPS only, see docs/cps-card.md).",
    )
    pkcs11_module: Path | None = Field(
        None,
        description="The PKCS#11 module (.so) for `card_backend = pkcs11`, e.g. the "
        "Cryptolib's libcps3_pkcs11.so or OpenSC's opensc-pkcs11.so.",
    )
    card_busy_timeout: float = Field(
        BUSY_TIMEOUT,
        ge=0.1,
        le=300,
        description=(
            "Seconds a card operation waits while another program holds the card (a PC/SC "
            "transaction), before answering card_busy. Raise it for PIN-pad readers."
        ),
    )

    @field_validator(
        "allowed_origins",
        "trust_anchors",
        "intermediates",
        "required_certificate_policies",
        "dmp_server_roots",
        mode="before",
    )
    @classmethod
    def _split_lists(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @model_validator(mode="after")
    def _module_for_pkcs11(self) -> Settings:
        if self.card_backend == "pkcs11" and self.pkcs11_module is None:
            raise ValueError(say.PKCS11_MODULE_NEEDED)
        return self

    @model_validator(mode="after")
    def _structure_for_indirect(self) -> Settings:
        if self.dmp_authentication == "indirect" and (
            self.dmp_structure_tls_pkcs12 is None or self.dmp_structure_sign_pkcs12 is None
        ):
            raise ValueError(say.STRUCTURE_FILES_NEEDED)
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file_path())
        return (init_settings, env_settings, toml)


def bridge_url(settings: Settings) -> str:
    """The address of the local API that ``settings`` make the bridge listen on: where
    the CLI, the Python client and the messages find it (``http://127.0.0.1:8470``)."""
    host = settings.host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{settings.port}"


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and config file, with ``overrides`` on top."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = [_problem(e) for e in error.errors()]
        listed = Text(" ; ".join(p.fr for p in problems), "; ".join(p.en for p in problems))
        raise ConfigError(
            say.CONFIG_INVALID.format(path=config_file_path(), problems=listed)
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            say.CONFIG_NOT_TOML.format(path=config_file_path(), error=error)
        ) from None


def _problem(error: ErrorDetails) -> Text:
    """``setting: what is wrong``: pydantic's own English, the catalogue's French."""
    setting = ".".join(str(part) for part in error["loc"]) or "config"
    problem = validation_text(error["type"], dict(error.get("ctx") or {}), error["msg"])
    return Text(problem.fr, error["msg"]).inside(FIELD_DETAIL, field=setting)


def read_api_token(path: Path | None = None) -> str | None:
    """The token kept in ``path`` (default :func:`api_token_path`); ``None`` if none yet.

    Raises :class:`ConfigError` when the file is empty, unreadable, or readable by other
    users (which would let any local account use the cards).
    """
    path = path or api_token_path()
    try:
        with path.open("rb") as file:
            mode = os.fstat(file.fileno()).st_mode
            text = file.read(1024).decode("ascii", errors="replace").strip()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ConfigError(
            say.API_TOKEN_UNREADABLE.format(path=path, reason=error.strerror)
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(say.API_TOKEN_OPEN_TO_OTHERS.format(path=path))
    if not text or any(c.isspace() for c in text):
        raise ConfigError(say.API_TOKEN_DAMAGED.format(path=path))
    return text


def ensure_api_token(settings: Settings) -> str:
    """The local API token: ``settings.api_token``, else the token file's.

    The file is created at first start, mode 0600, atomically (written aside, then
    linked into place, which fails rather than overwrite): two first starts at once end
    with one token, and an existing token is never replaced.
    """
    if settings.api_token:
        return settings.api_token
    path = api_token_path()
    existing = read_api_token(path)
    if existing is not None:
        return existing
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(descriptor, "w") as file:  # mkstemp made it 0600
                file.write(secrets.token_urlsafe(_API_TOKEN_BYTES) + "\n")
                file.flush()
                os.fsync(file.fileno())
            os.link(draft, path)
            log.info("created the local API token in %s", path)
        except FileExistsError:
            pass  # another first start won: use its token
        finally:
            os.unlink(draft)
    except OSError as error:
        raise ConfigError(
            say.API_TOKEN_UNWRITABLE.format(path=path, reason=error.strerror)
        ) from None
    token = read_api_token(path)
    if token is None:
        raise ConfigError(say.API_TOKEN_VANISHED.format(path=path))
    return token
