"""Attacks on the published index in PostgreSQL (faqbot.retrieval.publish): rows written by someone
who can write to the database, or by a staff staff with other settings, each with a SHA-256
that matches, so the checksum alone trusts them.

Found by a helper's attack (twenty-eighth session): a manifest that is not an object stopped every
replica's follower thread for good and every restarting replica; a FAQ that replicas refuse stopped
every restarting replica, though the generation before it was intact; an index of another model
was rebuilt by every replica at once while their customers waited; a row of garbage with a high
id refused every publish after it and hid them from running replicas; and a crash that made the
id sequence skip ahead let the next publish delete every generation before it.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tarfile

import psycopg
import pytest

from faqbot import FaqBot
from faqbot.config import Settings
from faqbot.retrieval.publish import KEEP_PUBLISHED, MANIFEST, Follower, fetch_newest, publish
from faqbot.web.server import fetch_published
from tests.fakes import FAKE_MODEL
from tests.test_publish import OPENING, add_entry, another_machine, damage, edit, faq_id

pytestmark = pytest.mark.slow  # a PostgreSQL cluster


def forged(pg_url: str, change) -> int:
    """A new generation: the newest one's files, `change(files)` applied, with its own SHA-256."""
    with psycopg.connect(pg_url) as conn:
        [(archive, faq_hash)] = conn.execute(
            "SELECT archive, faq_hash FROM index_generations ORDER BY id DESC LIMIT 1"
        ).fetchall()
        with tarfile.open(fileobj=io.BytesIO(bytes(archive))) as tar:
            files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
        change(files)
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode="w") as tar:
            for name, data in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        data = out.getvalue()
        [(generation,)] = conn.execute(
            "INSERT INTO index_generations (built_at, faq_hash, sha256, archive) VALUES ('x', %s, %s, %s) RETURNING id",
            (faq_hash, hashlib.sha256(data).hexdigest(), data),
        ).fetchall()
    return int(generation)


def manifest(files: dict, **changes) -> None:
    key = f"index/{MANIFEST}"
    files[key] = json.dumps({**json.loads(files[key]), **changes}).encode()


def late_replica(tmp_path_factory, pg_url, monkeypatch):
    """A new staff: its settings, no FAQ, no index; what it starts from, and its bot."""
    late = tmp_path_factory.mktemp("late")
    (late / "config.yaml").write_text(f"model: {FAKE_MODEL}\nthreshold: 0.3\n", encoding="utf-8")
    monkeypatch.setenv("FAQBOT_LOG", pg_url)
    published = fetch_published(Settings.resolve(late / "faq.yaml", late / "index", late / "config.yaml"))
    return published[1] if published else None, late


@pytest.mark.parametrize(
    "change",
    [
        lambda files: files.__setitem__(f"index/{MANIFEST}", b"[]"),  # a manifest that is no object
        lambda files: files.__setitem__(
            "faq.yaml", files["faq.yaml"] + b"  - id: phone\n    question: X?\n    answer: Y.\n"
        ),
        lambda files: manifest(files, model="another/model"),  # a staff staff with another model
    ],
    ids=["manifest", "refused-faq", "other-model"],
)
def test_a_generation_a_replica_cannot_serve_is_passed_over_and_the_next_one_is_served(
    staff, replica, pg_url, fake_embedder, tmp_path_factory, monkeypatch, caplog, change
):
    good = publish(staff / "faq.yaml", staff / "index", pg_url, fake_embedder.name)
    follower = Follower(replica.index, pg_url)
    assert follower.sync() is True and follower.current == good
    built_at = replica.index.manifest.built_at
    bad = forged(pg_url, change)
    with caplog.at_level(logging.ERROR, logger="faqbot.retrieval.publish"):
        assert follower.sync() is False and follower.current == good  # no thread-killing error, nothing rebuilt
        assert follower.sync() is False
    assert [r.getMessage() for r in caplog.records if f"published index {bad} cannot be served" in r.getMessage()]
    assert replica.index.manifest.built_at == built_at and faq_id(replica, "Kan jag ringa er?") == "phone"
    started, late = late_replica(tmp_path_factory, pg_url, monkeypatch)  # a restarting replica starts:
    # on the good one; on another model's it builds its own index before it serves, as from its own FAQ
    assert started == (bad if "another/model" in caplog.text else good)
    assert faq_id(FaqBot(late / "faq.yaml", late / "index", late / "config.yaml"), "Kan jag ringa er?") == "phone"
    edit(staff, fake_embedder)  # staff publish after it: not refused, and followed
    newer = publish(staff / "faq.yaml", staff / "index", pg_url, fake_embedder.name)
    assert newer > bad and follower.sync() is True and follower.current == newer
    assert faq_id(replica, "Finns det parkering vid kontoret?") == "parking"


def test_a_row_of_garbage_with_a_high_id_blocks_no_publish_and_hides_none_from_replicas(
    staff, replica, pg_url, fake_embedder
):
    first = publish(staff / "faq.yaml", staff / "index", pg_url, fake_embedder.name)
    follower = Follower(replica.index, pg_url)
    assert follower.sync() is True
    with psycopg.connect(pg_url) as conn:
        conn.execute(
            "INSERT INTO index_generations (id, built_at, faq_hash, sha256, archive) OVERRIDING SYSTEM VALUE"
            " VALUES (1000000, 'x', 'x', %s, 'garbage')",
            (hashlib.sha256(b"garbage").hexdigest(),),
        )
    assert follower.sync() is False and follower.current == first
    edit(staff, fake_embedder)
    newer = publish(staff / "faq.yaml", staff / "index", pg_url, fake_embedder.name)  # refused before: "another FAQ"
    assert first < newer < 1000000
    assert follower.sync() is True and follower.current == newer
    assert faq_id(replica, "Finns det parkering vid kontoret?") == "parking"


def test_the_generations_kept_are_counted_by_rows_when_the_ids_skip_ahead(staff, pg_url, fake_embedder):
    """After a crash PostgreSQL's sequence skips ahead (32 ids): the next publish had deleted every
    generation before it, leaving nothing to fall back on."""

    def published(comment: str) -> int:  # another file each time (a comment), the same entries
        (staff / "faq.yaml").write_text((staff / "faq.yaml").read_text(encoding="utf-8") + f"# {comment}\n", "utf-8")
        return publish(staff / "faq.yaml", staff / "index", pg_url, fake_embedder.name)

    kept = [published(str(n)) for n in range(3)]
    with psycopg.connect(pg_url) as conn:
        conn.execute("ALTER TABLE index_generations ALTER COLUMN id RESTART WITH 100")
    kept.append(published("after the crash"))
    with psycopg.connect(pg_url) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM index_generations ORDER BY id").fetchall()]
    assert kept[-1] == 100 and ids == sorted(set(kept))[-KEEP_PUBLISHED:]


def test_a_restarting_replica_keeps_its_newer_generation_when_the_newest_published_is_damaged(
    staff, replica, pg_url, fake_embedder, monkeypatch
):
    """Found by an attack: with the newest generation damaged in the database, a restarted replica
    overwrote its own intact copy of it with the generation before, and answered from an older
    FAQ than the replicas beside it."""
    publish(staff / "faq.yaml", staff / "index", pg_url, fake_embedder.name)
    edit(staff, fake_embedder)
    newest = publish(staff / "faq.yaml", staff / "index", pg_url, fake_embedder.name)
    assert Follower(replica.index, pg_url).sync() is True  # the replica answers from the newest
    damage(pg_url, newest)
    folder = replica.index.faq_path.parent
    monkeypatch.setenv("FAQBOT_LOG", pg_url)
    settings = Settings.resolve(folder / "faq.yaml", folder / "index", folder / "config.yaml")
    assert fetch_published(settings) == (pg_url, newest)  # restarted: its own copy of the newest stays
    restarted = FaqBot(folder / "faq.yaml", folder / "index", folder / "config.yaml", auto_build=False)
    assert faq_id(restarted, "Finns det parkering vid kontoret?") == "parking"


def test_staff_who_fetched_past_a_damaged_newest_generation_can_publish(staff, pg_url, fake_embedder, tmp_path_factory):
    """Found by an attack: with the newest generation damaged, `--fetch` brought the one before it
    and publishing was refused for the damaged one's "another FAQ", round and round."""
    other = another_machine(staff, tmp_path_factory)
    first = publish(staff / "faq.yaml", staff / "index", pg_url, fake_embedder.name)
    edit(staff, fake_embedder)
    damaged = publish(staff / "faq.yaml", staff / "index", pg_url, fake_embedder.name)
    damage(pg_url, damaged)
    assert fetch_newest(pg_url, other / "faq.yaml", other / "index") == first
    add_entry(other, OPENING, fake_embedder)
    assert publish(other / "faq.yaml", other / "index", pg_url, fake_embedder.name) > damaged
