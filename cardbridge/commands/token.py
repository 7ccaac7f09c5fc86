"""``cardbridge token verify``: verify an authentication token, print the practitioner.

Exit 0 only when the token is valid; otherwise the reason goes to stderr and the exit
code is :data:`cardbridge.cli.EXIT_AUTH` (token refused) or another of the CLI's codes.
The nonce given is taken as the one this session issued: the command keeps no nonce
store, so freshness and single use are the caller's to enforce.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cardbridge.auth.limits import DEFAULT_CLOCK_SKEW, MAX_TOKEN_BYTES
from cardbridge.errors import InvalidInputError

if TYPE_CHECKING:
    from cardbridge.auth.practitioner import AuthenticatedPractitioner


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("token", help="authentication tokens (Web eID 1.0 format)")
    actions = parser.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="verify a token and print the practitioner (exit 0 only if valid)",
        description="Verify an authentication token made by a CPS and print the practitioner.",
    )
    verify.add_argument(
        "--token", required=True, metavar="FILE", help="file holding the token JSON, - for stdin"
    )
    verify.add_argument(
        "--nonce", required=True, metavar="N", help="the challenge nonce issued for this login"
    )
    verify.add_argument(
        "--origin", required=True, metavar="O", help="this site's origin, https://host[:port]"
    )
    verify.add_argument(
        "--trust", required=True, nargs="+", action="extend", metavar="PEM",
        help="trust anchors (root certificates), PEM files",
    )  # fmt: skip
    verify.add_argument(
        "--intermediate", default=[], nargs="+", action="extend", metavar="PEM",
        help="intermediate CA certificates, PEM files",
    )  # fmt: skip
    verify.add_argument(
        "--ocsp", action="store_true", help="check revocation with the certificate's OCSP responder"
    )
    verify.add_argument(
        "--ocsp-url", metavar="URL", help="ask this OCSP responder instead (implies --ocsp)"
    )
    verify.add_argument(
        "--clock-skew", type=float, default=DEFAULT_CLOCK_SKEW.total_seconds(), metavar="SECONDS",
        help="clock difference allowed with the card's world (default %(default)s)",
    )  # fmt: skip
    verify.add_argument(
        "--require-policy", default=[], action="append", metavar="OID",
        help="a certificate policy OID the certificate must carry (repeat: any of them)",
    )  # fmt: skip
    verify.add_argument("--json", action="store_true", help="machine-readable output")
    verify.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from cardbridge.auth.ocsp import OcspChecker
    from cardbridge.auth.practitioner import TokenVerification
    from cardbridge.auth.trust import TrustStore
    from cardbridge.auth.verifier import TokenVerifier

    trust = TrustStore.from_pem_files(args.trust, args.intermediate)
    ocsp = OcspChecker(url=args.ocsp_url) if args.ocsp or args.ocsp_url else None
    verifier = TokenVerifier(
        trust,
        clock_skew=timedelta(seconds=args.clock_skew),
        ocsp=ocsp,
        required_policies=args.require_policy,
    )
    practitioner = verifier.verify(_read_token(args.token), args.nonce, args.origin)
    if args.json:
        print(TokenVerification(valid=True, practitioner=practitioner).model_dump_json())
    else:
        print(_text(practitioner))
    return 0


def _read_token(source: str) -> bytes:
    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_TOKEN_BYTES + 1)
        else:
            with Path(source).open("rb") as file:
                data = file.read(MAX_TOKEN_BYTES + 1)
    except OSError as error:
        message = f"cannot read {source} ({error.strerror})"
        raise InvalidInputError(message, field="--token") from None
    # parse_token refuses what is over the limit: reading one byte more is enough to tell.
    return data


def _text(practitioner: AuthenticatedPractitioner) -> str:
    identity = practitioner.national_id or f"{practitioner.structure_id}/{practitioner.internal_id}"
    profession = practitioner.title or "-"
    if practitioner.profession:
        profession += f" ({practitioner.profession.code})"
    certificate = practitioner.certificate
    return "\n".join(
        [
            "valid: yes",
            f"practitioner: {practitioner.first_name} {practitioner.last_name}",
            f"national id: {identity} ({practitioner.id_type})",
            f"profession: {profession}",
            f"certificate: serial {certificate.serial}, expires {certificate.expires:%Y-%m-%d}, "
            f"issuer {certificate.issuer or '-'}",
        ]
    )
