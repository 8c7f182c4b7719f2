"""The index on disk: built atomically, reports what changed, reused where nothing changed,
left untouched by an invalid FAQ, and refused (with the command to run) when it does not fit."""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time

import numpy as np
import pytest

from faqbot import DataError, FaqBot, IndexMismatchError, IndexMissingError, build_index, load_faq, load_index
from faqbot.cli import main
from faqbot.faq.model import Faq
from faqbot.retrieval.hubness import view_hubness
from faqbot.retrieval.index import FORMAT_VERSION, KEEP_GENERATIONS, MANIFEST, check_fresh
from tests.fakes import SMALL_FAQ, small_bank
from tests.test_index_damage import wait_for


def snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != ".lock"}


def test_build_writes_manifest_with_model_hash_ids_and_format(small, fake_embedder):
    faq = load_faq(small / "faq.yaml")
    report = build_index(faq, fake_embedder, small / "index", offtopic=small_bank(small))
    manifest = json.loads((small / "index" / "manifest.json").read_text())
    assert report.added == ["backup", "phone"] and report.views == 4 and report.embedded == 4
    assert manifest["model"] == fake_embedder.name and manifest["dimension"] == fake_embedder.dim
    assert manifest["faq_hash"] == faq.content_hash()
    assert manifest["entry_ids"] == ["backup", "phone"]
    assert manifest["format_version"] == FORMAT_VERSION and manifest["built_at"]
    assert load_index(small / "index").vectors.ntotal == 4


def test_rebuild_reports_changes_and_re_embeds_only_what_changed(small, fake_embedder):
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    edited = (
        SMALL_FAQ.replace("Varje natt.", "Varje timme.") + "  - id: ftp\n    question: Får jag FTP?\n    answer: Nej.\n"
    )
    (small / "faq.yaml").write_text(
        edited.replace("  - id: phone\n    question: Kan jag ringa er?\n    answer: Ja, med supportavtal.\n", ""),
        encoding="utf-8",
    )
    report = build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    assert (report.added, report.changed, report.removed) == (["ftp"], ["backup"], ["phone"])
    assert report.embedded == 3  # the changed answer and the new entry's two texts; the backup question is reused
    assert (report.references, report.references_embedded) == (2, 1)  # only the new question, as a question
    again = build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    assert again.unchanged and again.embedded == 0 and again.references_embedded == 0
    # the off-topic bank is counted too: the progress line's total had not matched the summary
    assert (report.offtopic, again.offtopic, again.offtopic_embedded) == (len(small_bank(small)),) * 2 + (0,)


def test_hubness_is_how_near_a_view_lies_to_other_entries_questions():
    # Entry 0 has a generic view (row 1) that lies near entry 1's questions; entry 1's own
    # questions are not counted for its own view (row 2).
    views = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], dtype=np.float32)
    view_entry = np.array([0, 0, 1])
    references = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)  # one question per entry
    reference_entry = np.array([0, 1])
    hubness = view_hubness(views, view_entry, references, reference_entry)
    raw = np.array([0.0, 0.8, 0.0])  # each view's similarity to the other entry's question
    assert hubness == pytest.approx(raw - raw.mean())
    assert hubness.argmax() == 1


def test_hubness_of_a_one_entry_faq_is_zero():
    hubness = view_hubness(np.eye(2, dtype=np.float32), np.array([0, 0]), np.eye(2, dtype=np.float32), np.array([0, 0]))
    assert hubness == pytest.approx([0.0, 0.0])


def test_stored_hubness_matches_the_views_and_old_generations_are_removed(small, fake_embedder):
    for answer in ("Varje natt.", "Varje timme.", "Varje vecka.", "Varje månad."):
        (small / "faq.yaml").write_text(SMALL_FAQ.replace("Varje natt.", answer), encoding="utf-8")
        build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    index = load_index(small / "index")
    assert index.hubness.shape == (index.vectors.ntotal,)
    assert abs(float(index.hubness.mean())) < 1e-6
    for pattern in ("vectors-*.faiss", "data-*.json", "hubness-*.npz"):
        assert len(list((small / "index").glob(pattern))) == KEEP_GENERATIONS


def test_reused_vectors_equal_freshly_embedded_ones(small, fake_embedder):
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    index = load_index(small / "index")
    stored = index.vectors.reconstruct_n(0, index.vectors.ntotal)
    fresh = fake_embedder.embed_passages([v.text for v in index.views])
    assert stored == pytest.approx(fresh, abs=1e-6)


def test_invalid_faq_leaves_the_index_untouched(small, fake_embedder, capsys):
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    before = snapshot(small / "index")
    (small / "faq.yaml").write_text(SMALL_FAQ.replace("Varje natt.", '""'), encoding="utf-8")
    code = main(
        [
            "index",
            "--faq",
            str(small / "faq.yaml"),
            "--out",
            str(small / "index"),
            "--config",
            str(small / "config.yaml"),
        ]
    )
    assert code == 1
    assert f"{small / 'faq.yaml'}:5: answer of entry 'backup' is empty" in capsys.readouterr().err
    assert snapshot(small / "index") == before


def test_missing_index_says_which_command_to_run(tmp_path):
    with pytest.raises(IndexMissingError, match="faqbot index --out"):
        load_index(tmp_path / "nothing")


def test_damaged_index_says_which_command_to_run(small, fake_embedder):
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    manifest = json.loads((small / "index" / "manifest.json").read_text())
    (small / "index" / manifest["files"]["vectors"]).write_bytes(b"truncated")
    with pytest.raises(IndexMissingError, match="damaged.*faqbot index --out"):
        load_index(small / "index")


def test_index_of_another_format_or_model_or_faq_is_refused(small, fake_embedder):
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    index = load_index(small / "index")
    with pytest.raises(IndexMismatchError, match="built with model .* rebuild it with: faqbot index"):
        check_fresh(index, load_faq(small / "faq.yaml"), "sentence-transformers/other")
    (small / "faq.yaml").write_text(SMALL_FAQ.replace("Varje natt.", "Varje vecka."), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="has changed since the index"):
        check_fresh(index, load_faq(small / "faq.yaml"), fake_embedder.name)
    manifest_path = small / "index" / "manifest.json"
    manifest_path.write_text(
        manifest_path.read_text().replace(f'"format_version": {FORMAT_VERSION}', '"format_version": 99')
    )
    with pytest.raises(IndexMismatchError, match="format 99"):
        load_index(small / "index")


def test_the_bot_rebuilds_a_stale_index_itself(small, fake_embedder):
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    (small / "faq.yaml").write_text(SMALL_FAQ.replace("Varje natt.", "Var tredje timme."), encoding="utf-8")
    bot = FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")
    assert "Var tredje timme." in bot.ask("Hur ofta gör ni säkerhetskopior?").answer


def test_faqbot_index_after_the_chat_rebuilt_the_index_says_so_and_when(small, fake_embedder, capsys, caplog):
    """Issue 20 item 9: `faqbot index` right after the running chat rebuilt the index said "no
    entries changed", and the server's line said "rebuild it with: faqbot index...; rebuilding it now"."""
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    (small / "faq.yaml").write_text(SMALL_FAQ.replace("Varje natt.", "Var tredje timme."), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="faqbot.retrieval.lifecycle"):
        FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")  # the chat finds the FAQ edited
    said = " ".join(r.getMessage() for r in caplog.records)
    assert f"building it now from {small / 'faq.yaml'}" in said and "rebuild it with" not in said
    shutil.rmtree(small / "index")  # a missing index (a mistyped --index): "build it with" was kept in the line
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="faqbot.retrieval.lifecycle"):
        FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")
    said = " ".join(r.getMessage() for r in caplog.records)
    assert f"no index in {small / 'index'}/; building it now from {small / 'faq.yaml'}" in said
    assert "build it with" not in said
    built_at = load_index(small / "index").manifest.built_at
    paths = ["--faq", str(small / "faq.yaml"), "--index", str(small / "index"), "--config", str(small / "config.yaml")]
    assert main(["index", *paths]) == 0
    out = capsys.readouterr().out
    assert f"no entries changed: the running chat had already rebuilt the index for this FAQ at {built_at}" in out
    assert main(["index", *paths]) == 0  # staff's own build since: nothing more to say
    assert "no entries changed\n" in capsys.readouterr().out


def test_concurrent_builds_leave_one_consistent_index(small, fake_embedder):
    faqs = [SMALL_FAQ.replace("Varje natt.", f"Svar nummer {i}.") for i in range(4)]
    errors = []

    def build(text):
        try:
            path = small / f"faq{hash(text)}.yaml"
            path.write_text(text, encoding="utf-8")
            build_index(load_faq(path), fake_embedder, small / "index", offtopic=small_bank(small))
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
    assert index.manifest.faq_hash in {load_faq(p).content_hash() for p in small.glob("faq*.yaml")}


def test_running_bot_picks_up_a_rebuilt_index(small, fake_embedder):
    bot = FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")
    assert "Varje natt." in bot.ask("Hur ofta gör ni säkerhetskopior?").answer
    (small / "faq.yaml").write_text(SMALL_FAQ.replace("Varje natt.", "Två gånger per dygn."), encoding="utf-8")
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    assert bot.refresh()
    assert "Två gånger per dygn." in bot.ask("Hur ofta gör ni säkerhetskopior?").answer


def test_while_an_edited_faq_is_rebuilt_the_chat_answers_from_the_newest_index_on_disk(
    small, fake_embedder, monkeypatch
):
    """Found by a walk-through: staff rebuilt the index (the console), no question came, then the
    FAQ was edited by hand: while the chat rebuilt it, it answered from the index before staff's
    rebuild, not from staff's. It answers from staff's now, and from the edit's once built."""
    from faqbot.retrieval import lifecycle

    bot = FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")
    question = "Hur ofta gör ni säkerhetskopior?"
    assert "Varje natt." in bot.ask(question).answer
    staff_faq = SMALL_FAQ.replace("Varje natt.", "Två gånger per dygn.")
    (small / "faq.yaml").write_text(staff_faq, encoding="utf-8")
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    time.sleep(1.1)  # the next build is a second later (built_at has seconds)
    release = threading.Event()
    real_rebuild = lifecycle.rebuild_for_file
    monkeypatch.setattr(lifecycle, "rebuild_for_file", lambda *args: release.wait(30) and real_rebuild(*args))
    (small / "faq.yaml").write_text(staff_faq.replace("Två gånger per dygn.", "Varje timme."), encoding="utf-8")
    assert bot.refresh(wait=False) is False  # the edit's index is being built
    assert "Två gånger per dygn." in bot.ask(question).answer  # staff's, not the one from before it
    release.set()
    assert wait_for(lambda: bot.refresh(wait=False) or "Varje timme." in bot.ask(question).answer)
    assert "Varje timme." in bot.ask(question).answer


def test_another_faqs_index_built_into_the_served_folder_is_never_answered_from(small, fake_embedder, monkeypatch):
    """Found by an attack: `faqbot index --faq other.yaml` into the served index folder answered
    customers from the other FAQ for the seconds the chat took to rebuild its own."""
    from faqbot.retrieval import lifecycle

    bot = FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")
    question = "Hur ofta gör ni säkerhetskopior?"
    assert "Varje natt." in bot.ask(question).answer
    other = small / "other.yaml"
    other.write_text(
        SMALL_FAQ.replace("id: backup", "id: kopior")
        .replace("id: phone", "id: ring")
        .replace("Varje natt.", "Hos tandläkaren."),
        encoding="utf-8",
    )
    time.sleep(1.1)
    build_index(load_faq(other), fake_embedder, small / "index", offtopic=small_bank(small))
    release = threading.Event()
    real_rebuild = lifecycle.rebuild_for_file
    monkeypatch.setattr(lifecycle, "rebuild_for_file", lambda *args: release.wait(30) and real_rebuild(*args))
    assert bot.refresh(wait=False) is False
    assert "Varje natt." in bot.ask(question).answer  # its own index, kept in memory, until its own is rebuilt
    release.set()
    assert wait_for(
        lambda: bot.refresh(wait=False) or bot.index.manifest.faq_hash == load_faq(small / "faq.yaml").content_hash()
    )
    assert "Varje natt." in bot.ask(question).answer


def test_a_generation_installed_from_elsewhere_is_swapped_in_and_not_loaded_half_written(
    small, fake_embedder, tmp_path_factory
):
    bot = FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")
    staff = tmp_path_factory.mktemp("staff")
    (staff / "faq.yaml").write_text(SMALL_FAQ.replace("Varje natt.", "Två gånger per dygn."), encoding="utf-8")
    build_index(load_faq(staff / "faq.yaml"), fake_embedder, staff / "index", offtopic=small_bank(small))
    noticed = []
    request = threading.Thread(target=lambda: noticed.append(bot.index.refresh(wait=True)))

    def write(faq_path, index_dir):
        faq_path.write_bytes((staff / "faq.yaml").read_bytes())
        request.start()  # a request notices the new FAQ file before the index is there
        request.join(timeout=0.3)
        assert request.is_alive()  # it waits for the rest instead of loading half a generation
        for path in sorted(snapshot(staff / "index"), key=lambda name: name == MANIFEST):  # the manifest last
            (index_dir / path).write_bytes((staff / "index" / path).read_bytes())

    installed = bot.index.install(write)
    request.join()
    assert installed is True and noticed == [False]  # the request found it swapped in
    assert "Två gånger per dygn." in bot.ask("Hur ofta gör ni säkerhetskopior?").answer


def test_running_bot_keeps_serving_when_the_faq_becomes_invalid(small, fake_embedder):
    bot = FaqBot(small / "faq.yaml", small / "index", small / "config.yaml")
    (small / "faq.yaml").write_text("entries: [oops", encoding="utf-8")
    assert not bot.refresh()
    assert "Varje natt." in bot.ask("Hur ofta gör ni säkerhetskopior?").answer
    with pytest.raises(DataError):
        load_faq(small / "faq.yaml")


def test_hubness_lowers_the_dense_score_of_its_own_entry_only(small, fake_embedder):
    from dataclasses import replace

    from faqbot.retrieval.search import Searcher

    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    index = load_index(small / "index")
    question = "Hur ofta tar ni backup?"
    flat = Searcher(replace(index, hubness=np.zeros(4, dtype=np.float32)), fake_embedder).dense_scores(question)
    hub = np.array([0.2, 0.2, 0.0, 0.0], dtype=np.float32)  # views in row order: backup q/a, phone q/a
    lowered = Searcher(replace(index, hubness=hub), fake_embedder).dense_scores(question)
    assert lowered[0] < flat[0]  # the entry whose texts lie near other entries' questions loses
    assert lowered[1] == pytest.approx(flat[1])  # the other entry keeps its score


def test_english_question_is_indexed_like_an_alternative_and_kept_with_the_entry(small, fake_embedder):
    with_english = SMALL_FAQ.replace(
        "    answer: Varje natt.",
        "    answer: Varje natt.\n    section: Drift\n    question_en: How often do you back up?\n"
        "    answer_en: Every night.",
    )
    (small / "faq.yaml").write_text(with_english, encoding="utf-8")
    report = build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    index = load_index(small / "index")
    assert report.views == 5 and index.vectors.ntotal == 5
    assert list(index.views)[:3] == [
        ("backup", "question", "Hur ofta gör ni säkerhetskopior?"),
        ("backup", "alternative", "How often do you back up?"),
        ("backup", "answer", "Varje natt."),
    ]
    backup = index.entries[0]
    assert (backup.section, backup.question_en, backup.answer_en) == (
        "Drift",
        "How often do you back up?",
        "Every night.",
    )
    stored = Faq(index.helpdesk, tuple(index.entries))
    assert stored.content_hash() == load_faq(small / "faq.yaml").content_hash()  # nothing lost on the way


def test_learned_phrasings_are_indexed_and_kept_with_the_entry(small, fake_embedder):
    learned = SMALL_FAQ.replace(
        "    answer: Varje natt.", "    answer: Varje natt.\n    learned:\n      - Sparar ni kopior?"
    )
    (small / "faq.yaml").write_text(learned, encoding="utf-8")
    build_index(load_faq(small / "faq.yaml"), fake_embedder, small / "index", offtopic=small_bank(small))
    index = load_index(small / "index")
    assert ("backup", "alternative", "Sparar ni kopior?") in list(index.views)
    assert index.entries[0].learned == ("Sparar ni kopior?",)
    stored = Faq(index.helpdesk, tuple(index.entries))
    assert stored.content_hash() == load_faq(small / "faq.yaml").content_hash()  # nothing lost on the way


def test_questions_staff_marked_off_topic_are_stored_with_the_index_and_embedded_once(small, fake_embedder, capsys):
    faq = small / "faq.yaml"
    faq.write_text(SMALL_FAQ + "off_topic:\n  - Säljer ni bilar?\n  - Tvättar ni bilar?\n", encoding="utf-8")
    first = build_index(load_faq(faq), fake_embedder, small / "index", offtopic=small_bank(small))
    assert (first.marked_offtopic, first.marked_embedded) == (2, 2)
    faq.write_text(faq.read_text(encoding="utf-8") + "  - Hyr ni ut bilar?\n", encoding="utf-8")
    second = build_index(load_faq(faq), fake_embedder, small / "index", offtopic=small_bank(small))
    assert (second.marked_offtopic, second.marked_embedded, second.embedded) == (3, 1, 0)  # the new one alone
    stored = load_index(small / "index").marked
    expected = fake_embedder.embed_passages(["Säljer ni bilar?", "Tvättar ni bilar?", "Hyr ni ut bilar?"])
    assert stored.shape == (3, fake_embedder.dim) and np.allclose(stored, expected)
    assert (
        main(["index", "--faq", str(faq), "--out", str(small / "index"), "--config", str(small / "config.yaml")]) == 0
    )
    assert "3 question(s) staff marked as off-topic (0 embedded) go to the helpdesk" in capsys.readouterr().out


def test_a_running_chat_waits_for_staffs_rebuild_instead_of_building_the_same_index(small, fake_embedder):
    """`faqbot learn --accept` writes the FAQ file, then rebuilds. A running chat that saw the edited
    file in between built the same index itself first, and staff's rebuild again after it: twice
    the work (an accept took 30 s to reach the chat instead of 6 on a busy machine). Staff's writer
    now holds the build lock from the write on; the chat's build waits and finds the index fresh."""
    from faqbot.faq.edit import add_learned
    from faqbot.retrieval.index import build_lock, rebuild_for_file

    faq_path, out, bank = small / "faq.yaml", small / "index", small_bank(small)
    build_index(load_faq(faq_path), fake_embedder, out, offtopic=bank)
    entry = load_faq(faq_path).entries[0].id
    written, done = threading.Event(), {}

    def staff() -> None:
        with build_lock(out):  # from the FAQ write to the end of its rebuild
            add_learned(faq_path, {entry: ["En kunds egna ord om det här?"]})
            written.set()
            time.sleep(0.5)  # the chat's build starts meanwhile and waits for the lock
            done["chat waited"] = "chat" not in done
            build_index(load_faq(faq_path), fake_embedder, out, offtopic=bank)  # held already: no deadlock
        done["staff"] = True

    def chat() -> None:
        written.wait(30)
        done["chat"] = rebuild_for_file(faq_path, fake_embedder, out, bank)

    threads = [threading.Thread(target=step, daemon=True) for step in (staff, chat)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert done == {"chat waited": True, "staff": True, "chat": None}  # None: it found staff's index fresh
    check_fresh(load_index(out), load_faq(faq_path), fake_embedder.name)
