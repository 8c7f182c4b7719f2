"""The index on disk: built atomically, reports what changed, reused where nothing changed,
left untouched by an invalid FAQ, and refused (with the command to run) when it does not fit."""

from __future__ import annotations

import json
import threading

import pytest

from faqbot import DataError, FaqBot, IndexMismatchError, IndexMissingError, build_index, load_faq, load_index
from faqbot.cli import main
from faqbot.index import check_fresh
from tests.conftest import SMALL_FAQ


@pytest.fixture
def small(tmp_path):
    (tmp_path / "faq.yaml").write_text(SMALL_FAQ, encoding="utf-8")
    return tmp_path


def snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != ".lock"}


def test_build_writes_manifest_with_model_hash_ids_and_format(small, embedder):
    faq = load_faq(small / "faq.yaml")
    report = build_index(faq, embedder, small / "index")
    manifest = json.loads((small / "index" / "manifest.json").read_text())
    assert report.added == ["backup", "phone"] and report.views == 4 and report.embedded == 4
    assert manifest["model"] == embedder.name and manifest["dimension"] == 384
    assert manifest["faq_hash"] == faq.content_hash()
    assert manifest["entry_ids"] == ["backup", "phone"]
    assert manifest["format_version"] == 1 and manifest["built_at"]
    assert load_index(small / "index").vectors.ntotal == 4


def test_rebuild_reports_changes_and_re_embeds_only_what_changed(small, embedder):
    build_index(load_faq(small / "faq.yaml"), embedder, small / "index")
    edited = SMALL_FAQ.replace("Varje natt.", "Varje timme.") + "  - id: ftp\n    question: Får jag FTP?\n    answer: Nej.\n"
    (small / "faq.yaml").write_text(edited.replace("  - id: phone\n    question: Kan jag ringa er?\n    answer: Ja, med supportavtal.\n", ""), encoding="utf-8")
    report = build_index(load_faq(small / "faq.yaml"), embedder, small / "index")
    assert (report.added, report.changed, report.removed) == (["ftp"], ["backup"], ["phone"])
    assert report.embedded == 3  # the changed answer and the new entry's two texts; the backup question is reused
    again = build_index(load_faq(small / "faq.yaml"), embedder, small / "index")
    assert again.unchanged and again.embedded == 0


def test_reused_vectors_equal_freshly_embedded_ones(small, embedder):
    build_index(load_faq(small / "faq.yaml"), embedder, small / "index")
    build_index(load_faq(small / "faq.yaml"), embedder, small / "index")
    index = load_index(small / "index")
    stored = index.vectors.reconstruct_n(0, index.vectors.ntotal)
    fresh = embedder.embed_passages([v.text for v in index.views])
    assert stored == pytest.approx(fresh, abs=1e-6)


def test_invalid_faq_leaves_the_index_untouched(small, embedder, capsys):
    build_index(load_faq(small / "faq.yaml"), embedder, small / "index")
    before = snapshot(small / "index")
    (small / "faq.yaml").write_text(SMALL_FAQ.replace("Varje natt.", '""'), encoding="utf-8")
    code = main(["index", "--faq", str(small / "faq.yaml"), "--out", str(small / "index")])
    assert code == 1
    assert f"{small / 'faq.yaml'}:5: answer of entry 'backup' is empty" in capsys.readouterr().err
    assert snapshot(small / "index") == before


def test_missing_index_says_which_command_to_run(tmp_path):
    with pytest.raises(IndexMissingError, match="faqbot index --out"):
        load_index(tmp_path / "nothing")


def test_damaged_index_says_which_command_to_run(small, embedder):
    build_index(load_faq(small / "faq.yaml"), embedder, small / "index")
    manifest = json.loads((small / "index" / "manifest.json").read_text())
    (small / "index" / manifest["files"]["vectors"]).write_bytes(b"truncated")
    with pytest.raises(IndexMissingError, match="damaged.*faqbot index --out"):
        load_index(small / "index")


def test_index_of_another_format_or_model_or_faq_is_refused(small, embedder):
    build_index(load_faq(small / "faq.yaml"), embedder, small / "index")
    index = load_index(small / "index")
    with pytest.raises(IndexMismatchError, match="built with model .* rebuild it with: faqbot index"):
        check_fresh(index, load_faq(small / "faq.yaml"), "sentence-transformers/other")
    (small / "faq.yaml").write_text(SMALL_FAQ.replace("Varje natt.", "Varje vecka."), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="has changed since the index"):
        check_fresh(index, load_faq(small / "faq.yaml"), embedder.name)
    manifest_path = small / "index" / "manifest.json"
    manifest_path.write_text(manifest_path.read_text().replace('"format_version": 1', '"format_version": 99'))
    with pytest.raises(IndexMismatchError, match="format 99"):
        load_index(small / "index")


def test_the_bot_rebuilds_a_stale_index_itself(small, embedder):
    (small / "config.yaml").write_text("threshold: 0.3\n")
    build_index(load_faq(small / "faq.yaml"), embedder, small / "index")
    (small / "faq.yaml").write_text(SMALL_FAQ.replace("Varje natt.", "Var tredje timme."), encoding="utf-8")
    bot = FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")
    assert "Var tredje timme." in bot.ask("Hur ofta gör ni säkerhetskopior?").answer


def test_concurrent_builds_leave_one_consistent_index(small, embedder):
    faqs = [SMALL_FAQ.replace("Varje natt.", f"Svar nummer {i}.") for i in range(4)]
    errors = []

    def build(text):
        try:
            path = small / f"faq{hash(text)}.yaml"
            path.write_text(text, encoding="utf-8")
            build_index(load_faq(path), embedder, small / "index")
        except Exception as err:  # collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=build, args=(t,)) for t in faqs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    index = load_index(small / "index")
    answers = {e.answer for e in index.entries}
    assert len([a for a in answers if a.startswith("Svar nummer")]) == 1
    assert index.manifest["faq_hash"] in {load_faq(p).content_hash() for p in small.glob("faq*.yaml")}


def test_running_bot_picks_up_a_rebuilt_index(small, embedder):
    (small / "config.yaml").write_text("threshold: 0.3\n")
    bot = FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")
    assert "Varje natt." in bot.ask("Hur ofta gör ni säkerhetskopior?").answer
    (small / "faq.yaml").write_text(SMALL_FAQ.replace("Varje natt.", "Två gånger per dygn."), encoding="utf-8")
    build_index(load_faq(small / "faq.yaml"), embedder, small / "index")
    assert bot.refresh()
    assert "Två gånger per dygn." in bot.ask("Hur ofta gör ni säkerhetskopior?").answer


def test_running_bot_keeps_serving_when_the_faq_becomes_invalid(small, embedder):
    (small / "config.yaml").write_text("threshold: 0.3\n")
    bot = FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")
    (small / "faq.yaml").write_text("entries: [oops", encoding="utf-8")
    assert not bot.refresh()
    assert "Varje natt." in bot.ask("Hur ofta gör ni säkerhetskopior?").answer
    with pytest.raises(DataError):
        load_faq(small / "faq.yaml")
