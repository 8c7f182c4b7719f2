"""`atomic_write`: a file is replaced whole or not at all, keeps its permission bits, and two
writers never share a temporary file; the FAQ import, the settings and the index all write
through it."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from faqbot.cli import main
from faqbot.config import write_setting
from faqbot.files import atomic_write
from tests.test_import import repaired


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_the_file_holds_the_new_data_and_no_temporary_file_is_left(tmp_path):
    target = tmp_path / "faq.yaml"
    atomic_write(target, "helpdesk: a@b.se\n")
    atomic_write(target, b"helpdesk: c@d.se\n")
    atomic_write(tmp_path / "vectors.bin", lambda name: Path(name).write_bytes(b"\x00\x01"))
    assert target.read_text(encoding="utf-8") == "helpdesk: c@d.se\n"
    assert (tmp_path / "vectors.bin").read_bytes() == b"\x00\x01"
    assert leftovers(tmp_path) == []


class Crash(Exception):
    pass


def crash(name: str) -> None:
    Path(name).write_bytes(b"half a fi")  # the writer dies halfway
    raise Crash


def refuse(path: Path) -> None:
    raise Crash


@pytest.mark.parametrize(
    ("data", "check"),
    [(crash, None), (b"the whole new file", refuse)],
    ids=["the write fails halfway", "the check refuses the written file"],
)
def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary_file(tmp_path, data, check):
    target = tmp_path / "faq.yaml"
    target.write_text("staff's own work\n", encoding="utf-8")
    with pytest.raises(Crash):
        atomic_write(target, data, check=check)
    assert target.read_text(encoding="utf-8") == "staff's own work\n"
    assert leftovers(tmp_path) == []


def test_two_writers_never_share_a_temporary_file(tmp_path):
    target = tmp_path / "manifest.json"
    seen: list[str] = []
    both_writing = threading.Barrier(2)

    def write(name: str) -> None:
        seen.append(name)
        both_writing.wait(timeout=10)  # both temporary files exist at once
        Path(name).write_text(f"written by {threading.current_thread().name}", encoding="utf-8")

    writers = [threading.Thread(target=atomic_write, args=(target, write), name=f"w{i}") for i in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert len(set(seen)) == 2 and all(Path(name).parent == tmp_path for name in seen)
    assert target.read_text(encoding="utf-8") in {"written by w0", "written by w1"}
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("bits", [0o644, 0o640, 0o600])
def test_an_existing_file_keeps_its_permission_bits(tmp_path, bits):
    target = tmp_path / "config.yaml"
    target.write_text("threshold: auto\n", encoding="utf-8")
    target.chmod(bits)
    atomic_write(target, "threshold: 0.5\n")
    assert mode(target) == bits


def test_a_new_file_gets_the_modes_a_plain_write_gives(tmp_path):
    plain, atomic = tmp_path / "plain.txt", tmp_path / "atomic.txt"
    plain.write_text("x", encoding="utf-8")
    atomic_write(atomic, "x")
    assert mode(atomic) == mode(plain)  # 0666 less the umask, not mkstemp's 0600


def test_import_force_over_a_readable_faq_keeps_it_readable(tmp_path):
    """Issue 20 item 19: `faqbot import --force` left faq.yaml mode 600, so a web server
    running as another user could no longer read the FAQ it serves."""
    out = tmp_path / "faq.yaml"
    out.write_text("the old FAQ\n", encoding="utf-8")
    out.chmod(0o644)
    assert main(["import", str(repaired("faq.md", tmp_path)), "--out", str(out), "--force"]) == 0
    assert mode(out) == 0o644 and "the old FAQ" not in out.read_text(encoding="utf-8")
    assert leftovers(tmp_path) == []


def test_a_new_import_gets_the_modes_a_plain_write_gives(tmp_path):
    out, plain = tmp_path / "new" / "faq.yaml", tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    assert main(["import", str(repaired("faq.md", tmp_path)), "--out", str(out)]) == 0
    assert mode(out) == mode(plain)


def test_a_setting_written_keeps_the_file_mode_and_leaves_no_temporary_file(tmp_path):
    settings = tmp_path / "config.yaml"
    settings.write_text("# staff's comment\nthreshold: auto\n", encoding="utf-8")
    os.chmod(settings, 0o640)
    write_setting(settings, "threshold", "0.420")
    assert settings.read_text(encoding="utf-8") == "# staff's comment\nthreshold: 0.420\n"
    assert mode(settings) == 0o640 and leftovers(tmp_path) == []
