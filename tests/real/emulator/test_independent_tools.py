"""OpenSC and pcsc-tools against the emulated cards through pcscd + vpcd (docs/domain.md §5)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from cardbridge.layouts import cps, vitale
from testkit.pcscd import VpcdSlot
from tests.real.emulator.conftest import EmulatorProcess

SELECT_APP = "00 A4 04 0C 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 10"
PIN_INFO = "00 CB 3F FF 0A 4D 08 70 06 BF 81 01 02 A0 80 00"


def pin_info(tries_left: int) -> str:
    # The form of a real CPS3's answer (ANS Cryptolib trace, OpenSC issue #2275).
    return (
        f"70 16 BF 81 01 12 A0 10 9A 01 03 9B 01 {tries_left:02X} "
        "A1 08 8C 06 F3 00 00 13 FF 00 90 00"
    )


CPS_SCRIPT = [
    ("00 A4 04 00 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 10", "6A 86"),
    (SELECT_APP, "90 00"),
    ("00 A4 09 04 02 2F 00", "6A 82"),
    ("00 A4 09 0C 04 3F 00 D0 03", "90 00"),
    ("00 B0 00 00 00", "5A 0A 80 25 00 00 01 01 23 45 67 89 90 00"),
    (PIN_INFO, pin_info(3)),
    ("00 20 00 01 04 39 39 39 39", "63 C2"),
    ("00 20 00 01", "63 C2"),
    (PIN_INFO, pin_info(2)),
    ("00 A4 09 0C 06 3F 00 00 01 D1 20", "90 00"),
    ("00 B0 00 00 00", "69 82"),
    ("00 20 00 01 04 31 32 33 34", "90 00"),
    ("00 20 00 01", "90 00"),
    ("00 A4 09 0C 02 3F 00", "90 00"),
    (PIN_INFO, pin_info(3)),
]


def opensc_atr(reader: str) -> bytes:
    out = subprocess.run(
        ["opensc-tool", "-r", reader, "-a"], capture_output=True, text=True, timeout=30, check=True
    )
    return bytes.fromhex(out.stdout.strip().replace(":", ""))


def scriptor(reader: str, commands: list[str], tmp_path: Path) -> list[str]:
    """The responses (hex with SW) that ``scriptor`` prints for ``commands``."""
    script = tmp_path / "script.txt"
    script.write_text("\n".join(commands) + "\n")
    out = subprocess.run(
        ["scriptor", "-r", reader, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    # "< 90 00 : Normal processing." — long answers wrap over several lines.
    answers = re.findall(r"^< ([0-9A-F \n]+?) : ", out.stdout, flags=re.MULTILINE)
    return [" ".join(answer.split()) for answer in answers]


def test_opensc_tool_shows_both_atrs(
    vpcd_pair: list[VpcdSlot], run_emulator: Callable[[VpcdSlot, str], EmulatorProcess]
) -> None:
    cps_slot, vitale_slot = vpcd_pair
    run_emulator(cps_slot, "demo-cps")
    run_emulator(vitale_slot, "demo-vitale")
    assert opensc_atr(cps_slot.reader) == cps.ATR_CPS3
    assert opensc_atr(vitale_slot.reader) == vitale.ATR_VITALE2


def test_opensc_binds_its_ias_ecc_driver_to_the_cps3(
    vpcd_pair: list[VpcdSlot], run_emulator: Callable[[VpcdSlot, str], EmulatorProcess]
) -> None:
    cps3_slot, cps4_slot = vpcd_pair
    run_emulator(cps3_slot, "demo-cps")
    run_emulator(cps4_slot, "cps4-doctor")
    names = {}
    for slot in vpcd_pair:
        out = subprocess.run(
            ["opensc-tool", "-r", slot.reader, "-n"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert out.returncode == 0, out.stderr
        names[slot] = out.stdout.strip()
    # OpenSC reads EF.ATR and EF.SN.ICC to accept a CPx; its ATR table predates the CPS4.
    assert names == {cps3_slot: "IAS-ECC", cps4_slot: "Unsupported card"}
    assert opensc_atr(cps4_slot.reader) == cps.ATR_CPS4


def test_scriptor_gets_the_cps3_status_words(
    vpcd_slot: VpcdSlot,
    run_emulator: Callable[[VpcdSlot, str], EmulatorProcess],
    tmp_path: Path,
) -> None:
    run_emulator(vpcd_slot, "demo-cps")
    answers = scriptor(vpcd_slot.reader, [command for command, _ in CPS_SCRIPT], tmp_path)
    assert answers == [expected for _, expected in CPS_SCRIPT]


def test_scriptor_reads_the_vitale_card(
    vpcd_slot: VpcdSlot,
    run_emulator: Callable[[VpcdSlot, str], EmulatorProcess],
    tmp_path: Path,
) -> None:
    run_emulator(vpcd_slot, "demo-vitale")
    answers = scriptor(
        vpcd_slot.reader,
        [
            "00 A4 00 00 02 3F 00",
            "00 B0 82 00 00",
            "00 A4 04 0C 0B D2 50 00 00 02 56 49 54 41 4C 45",
            "00 B0 82 00 00",
        ],
        tmp_path,
    )
    assert answers[0].startswith("61 ")  # FCI waiting for GET RESPONSE (T=0)
    identity = bytes.fromhex(answers[1])
    assert identity[-2:] == b"\x90\x00"
    assert vitale.decode_identity_file(identity[:-2])[1].birth_date == "20150235"
    assert answers[2] == "90 00"
    nirs = bytes.fromhex(answers[3])
    assert vitale.decode_nir_file(nirs[:-2]) == ["155067200010159"] * 2
