"""JSON models of the service's answers that the card models do not cover."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

_PEM_EXAMPLE = "-----BEGIN CERTIFICATE-----\nMIIF…\n-----END CERTIFICATE-----\n"


class CertificateBundle(BaseModel):
    """The two certificates of a CPS and the CA certificates above them (``GET
    /v1/cps/certificates``), all PEM."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "authentication": _PEM_EXAMPLE,
                    "signature": _PEM_EXAMPLE,
                    "chain": _PEM_EXAMPLE + _PEM_EXAMPLE,
                }
            ]
        },
    )

    authentication: str = Field(
        description="Authentication certificate (key usage digitalSignature, EKU clientAuth)",
        examples=[_PEM_EXAMPLE],
    )
    signature: str = Field(
        description="Signature certificate (non-repudiation), the one that signs the VIHF",
        examples=[_PEM_EXAMPLE],
    )
    chain: str = Field(
        description="The issuing CA certificates known to the bridge, from the card's issuer "
        "up to its root, concatenated; empty when none is known (configure `intermediates` "
        "and `trust_anchors`)",
        examples=[_PEM_EXAMPLE + _PEM_EXAMPLE],
    )
