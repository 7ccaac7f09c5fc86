"""Cards inserted by ``cardbridge emulator`` (a separate process, as users run it),
read through ``cardbridge serve`` (another process), over the real pcscd."""

from __future__ import annotations

from pathlib import Path

import httpx

from testkit.pcscd import VpcdSlot
from testkit.serve_process import ServeProcess, free_port
from tests.real.emulator.conftest import EmulatorProcess
from tests.support.vpcd_cards import wait_presence


def test_serve_reads_cards_of_the_emulator_command(
    vpcd_pair: list[VpcdSlot], tmp_path: Path, data_dir: Path
) -> None:
    cps_slot, vitale_slot = vpcd_pair
    emulators = [EmulatorProcess(cps_slot, "demo-cps"), EmulatorProcess(vitale_slot, "demo-vitale")]
    server = ServeProcess(tmp_path, free_port())
    # The server checks the cards' certificates against the emulators' test PKI.
    server.env["XDG_DATA_HOME"] = str(data_dir.parent)
    try:
        for emulator in emulators:
            emulator.wait_inserted()
        server.wait_ready()
        token = (tmp_path / "config" / "cardbridge" / "api-token").read_text().strip()
        auth = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{server.url}/v1/health").json()["backend"] == "pcsc"
        cps = httpx.get(f"{server.url}/v1/cps", params={"reader": cps_slot.reader}, headers=auth)
        assert cps.json()["national_id"] == "899700735741"
        vitale = httpx.get(
            f"{server.url}/v1/vitale", params={"reader": vitale_slot.reader}, headers=auth
        )
        assert vitale.json()["insured"]["nir"] == "1550672000101"
        emulators[0].stop()
        wait_presence(cps_slot.reader, False)  # pcscd notices within ~0.4 s, so do we
        gone = httpx.get(f"{server.url}/v1/cps", params={"reader": cps_slot.reader}, headers=auth)
        assert gone.json()["code"] == "card_absent"
    finally:
        for emulator in emulators:
            emulator.stop()
        assert server.stop() == 0
