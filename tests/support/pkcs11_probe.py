"""``python -m tests.support.pkcs11_probe MODULE READER PIN``: the PKCS#11 CPS session's view
of one card, as JSON on stdout.

Run in its own process: a PKCS#11 module such as OpenSC's keeps PC/SC connections to the
readers until the process ends, which would disturb the tests that follow.
"""

from __future__ import annotations

import json
import sys

from cardbridge.cards.cps_pkcs11 import Pkcs11CpsSession
from cardbridge.errors import PinInvalidError

MESSAGE = b"a challenge signed through a PKCS#11 module"


def main(module: str, reader: str, pin: str) -> None:
    session = Pkcs11CpsSession(module, reader)
    try:
        practitioner = session.read_practitioner().model_dump(mode="json")
        try:
            session.verify_pin("9999" if pin != "9999" else "0000")
            wrong = None
        except PinInvalidError as error:
            wrong = error.tries_left
        session.verify_pin(pin)
        result = {
            "practitioner": practitioner,
            "tries_left_after_wrong_pin": wrong,
            "tries_left_after_login": session.pin_status().tries_left,
            "situations": [s.model_dump(mode="json") for s in session.read_situations()],
            "authentication": session.authenticate(MESSAGE).hex(),
        }
    finally:
        session.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:4])
