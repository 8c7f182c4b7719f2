"""A damaged index (issue 15, items 2 and 7): every kind of damage is found, the running bot keeps
answering from the last good index, and `faqbot index`, `ask` and `serve` repair it, embedding
again whatever they cannot trust."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from faqbot import FaqBot, build_index, load_faq, load_index
from faqbot.cli import main
from faqbot.errors import IndexDamagedError, IndexMissingError
from faqbot.retrieval.index import FORMAT_VERSION, MANIFEST
from tests.conftest import SMALL_FAQ

QUESTION = "Hur ofta gör ni säkerhetskopior?"


@pytest.fixture
def small(tmp_path, embedder):
    (tmp_path / "faq.yaml").write_text(SMALL_FAQ, encoding="utf-8")
    (tmp_path / "config.yaml").write_text("threshold: 0.3\n", encoding="utf-8")
    build_index(load_faq(tmp_path / "faq.yaml"), embedder, tmp_path / "index")
    return tmp_path


def current_file(folder, kind: str):
    return folder / "index" / json.loads((folder / "index" / MANIFEST).read_text())["files"][kind]


def flip_exponent_bit(path, row: int = 0, dim: int = 384, rows: int = 4) -> None:
    """Flip one bit of the exponent of the first float of vector `row` (the vectors end the file)."""
    data = bytearray(path.read_bytes())
    offset = len(data) - 4 * dim * rows + 4 * dim * row + 3  # little-endian: byte 3 holds the exponent
    data[offset] ^= 0x40
    path.write_bytes(bytes(data))


DAMAGE = {
    "truncated to half": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "truncated to 10 bytes": lambda p: p.write_bytes(p.read_bytes()[:10]),
    "0 bytes": lambda p: p.write_bytes(b""),
    "one byte changed at the end": lambda p: p.write_bytes(p.read_bytes()[:-1] + bytes([p.read_bytes()[-1] ^ 1])),
}
DAMAGE_CASES = [(kind, name) for kind in ("vectors", "data", "hubness") for name in DAMAGE]


@pytest.mark.parametrize("kind, damage", DAMAGE_CASES, ids=[f"{k}-{d}" for k, d in DAMAGE_CASES])
def test_any_damaged_index_file_is_a_damaged_index_that_says_what_to_run(small, kind, damage):
    DAMAGE[damage](current_file(small, kind))
    with pytest.raises(IndexDamagedError, match="faqbot index --out"):
        load_index(small / "index")


MANIFESTS = {
    "empty list": "[]",
    "not json": '{"format_version": ',
    "0 bytes": "",
    "a number": "7",
    "nul bytes": "\0" * 64,
}


@pytest.mark.parametrize("name", list(MANIFESTS))
def test_a_damaged_manifest_is_a_damaged_index(small, name):
    (small / "index" / MANIFEST).write_text(MANIFESTS[name], encoding="utf-8")
    with pytest.raises(IndexDamagedError, match="faqbot index --out"):
        load_index(small / "index")


def test_a_damaged_index_is_still_a_missing_index_for_callers_that_rebuild_one():
    assert issubclass(IndexDamagedError, IndexMissingError)


def test_a_flipped_bit_in_the_vectors_is_found_and_faqbot_index_embeds_everything_again(small, embedder, capsys):
    good = load_index(small / "index").vectors.reconstruct_n(0, 4)
    flip_exponent_bit(current_file(small, "vectors"))
    with pytest.raises(IndexDamagedError, match="vectors"):
        load_index(small / "index")
    code = main(["index", "--faq", str(small / "faq.yaml"), "--out", str(small / "index"), "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in err
    report = json.loads(out)
    assert report["embedded"] == report["views"] == 4  # nothing reused from the damaged file
    assert np.allclose(load_index(small / "index").vectors.reconstruct_n(0, 4), good, atol=1e-6)


@pytest.mark.parametrize("kind", ["vectors", "data", "hubness", "manifest"])
def test_faqbot_index_repairs_a_damaged_index_without_a_traceback(small, kind, capsys):
    target = small / "index" / MANIFEST if kind == "manifest" else current_file(small, kind)
    target.write_bytes(b"[]" if kind == "manifest" else target.read_bytes()[:100])
    code = main(["index", "--faq", str(small / "faq.yaml"), "--out", str(small / "index")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err and "damaged" in err  # says why everything is embedded again
    assert "4 embedded" in out
    assert load_index(small / "index").vectors.ntotal == 4


@pytest.mark.parametrize("kind", ["vectors", "data", "hubness", "manifest"])
def test_ask_starts_on_a_damaged_index_by_rebuilding_it(small, kind, capsys):
    target = small / "index" / MANIFEST if kind == "manifest" else current_file(small, kind)
    target.write_bytes(b"[]" if kind == "manifest" else b"")
    code = main(["ask", QUESTION, "--json", "--faq", str(small / "faq.yaml"), "--index", str(small / "index"),
                 "--config", str(small / "config.yaml")])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in err
    assert json.loads(out)["faq_id"] == "backup"
    assert load_index(small / "index").vectors.ntotal == 4


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("kind", ["vectors", "data", "hubness", "manifest"])
def test_a_serving_bot_keeps_answering_from_the_last_good_index_and_rebuilds_the_damaged_one(small, kind):
    bot = FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")
    built_at = bot.index.manifest.built_at
    time.sleep(1.1)  # built_at has one-second steps
    target = small / "index" / MANIFEST if kind == "manifest" else current_file(small, kind)
    target.write_bytes(b"[]" if kind == "manifest" else target.read_bytes()[:10])
    for _ in range(5):  # what the web server does on every message
        bot.refresh(wait=False)
        reply = bot.ask(QUESTION)
        assert reply.kind == "answer" and reply.match.faq_id == "backup"
    assert wait_for(lambda: bot.refresh(wait=False) or bot.index.manifest.built_at != built_at)
    assert load_index(small / "index").vectors.ntotal == 4
    assert bot.ask(QUESTION).match.faq_id == "backup"


def test_a_file_damaged_under_a_serving_bot_is_noticed_without_touching_the_manifest(small):
    bot = FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")
    built_at = bot.index.manifest.built_at
    time.sleep(1.1)
    current_file(small, "hubness").write_bytes(b"")
    assert bot.ask(QUESTION).match.faq_id == "backup"
    assert wait_for(lambda: bot.refresh(wait=False) or bot.index.manifest.built_at != built_at)
    load_index(small / "index")  # repaired


def test_an_index_of_the_previous_format_is_rebuilt(small):
    manifest_path = small / "index" / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["format_version"] = FORMAT_VERSION - 1
    manifest.pop("checksums", None)
    manifest_path.write_text(json.dumps(manifest))
    bot = FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")
    assert bot.index.manifest.format_version == FORMAT_VERSION
    assert bot.ask(QUESTION).match.faq_id == "backup"


def test_a_build_that_fails_while_writing_leaves_no_files_of_its_own_and_the_old_index_in_force(
    small, embedder, monkeypatch
):
    """A full disk halfway through a generation: the files written of it are removed (they would
    take room until the next build), the manifest still names the old one, and it answers."""
    import faqbot.retrieval.index as index_module

    before = sorted(p.name for p in (small / "index").iterdir())
    real = index_module.atomic_write

    def full_disk_at_hubness(path, data, check=None):
        if path.name.startswith("hubness-"):
            raise OSError(28, "No space left on device", str(path))
        real(path, data, check)

    monkeypatch.setattr(index_module, "atomic_write", full_disk_at_hubness)
    faq = load_faq(small / "faq.yaml")
    with pytest.raises(OSError, match="No space left"):
        build_index(faq, embedder, small / "index", offtopic=["Vad kostar en ny bil?"])
    assert sorted(p.name for p in (small / "index").iterdir() if not p.name.startswith(".")) == [
        name for name in before if not name.startswith(".")
    ]
    bot = FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")
    reply = bot.ask(QUESTION)
    assert reply.kind == "answer" and reply.match.faq_id == "backup"
