"""The learning loop end to end (issue 18): a customer's picked choice becomes, with one staff
command, a phrasing the bot answers directly; the FAQ file changes only by the added lines; a
rejection sticks; a helpdesk question staff assign is published to a replica."""

from __future__ import annotations

import difflib
import json
import re
import shutil

import pytest

from faqbot import FaqBot, build_index, load_faq
from faqbot.cli import main
from faqbot.conversations.backends import open_log_at
from faqbot.conversations.rows import LogRow
from faqbot.conversations.store import ConversationLog
from faqbot.faq.edit import add_learned
from faqbot.retrieval.publish import Follower, StalePublishError
from faqbot.staff.learn import lesson_of
from faqbot.staff.teach import teach
from tests.fakes import UNSURE_QUESTIONS
from tests.harness import cli_paths

pytestmark = pytest.mark.slow  # the real model, a subprocess-free but full index build


@pytest.fixture
def shop(workdir, shipped_index):
    """The shipped FAQ with its index and a SQLite conversation log, in a folder of its own."""
    shutil.copytree(shipped_index / "index", workdir / "index")
    return workdir


def learn(folder, capsys, *args: str) -> str:
    capsys.readouterr()
    assert main(["learn", *cli_paths(folder), "--log-file", str(folder / "log.db"), *args]) == 0
    return capsys.readouterr().out


def a_customer_picks(folder) -> tuple[str, str]:
    """A customer asks a question the bot does not answer, and picks an entry offered under the reply."""
    with ConversationLog(folder / "log.db") as log:
        bot = FaqBot(folder / "faq.yaml", folder / "index", folder / "config.yaml", log=log)
        for question in UNSURE_QUESTIONS:
            offered = bot.ask(question)
            if offered.suggestions:
                picked = offered.suggestions[0].faq_id
                assert bot.choose(offered.reply_id, picked).match.faq_id == picked
                return offered.question, picked
    raise AssertionError("no unanswered question offered an entry")


def test_a_picked_choice_is_proposed_accepted_and_then_answered_directly(shop, capsys):
    question, picked = a_customer_picks(shop)
    [suggestion] = [json.loads(line) for line in learn(shop, capsys, "--json").splitlines()]
    assert suggestion["action"] == "alternative" and suggestion["faq_id"] == picked
    assert suggestion["question"] == question and suggestion["evidence"]["picked"] == 1
    before = (shop / "faq.yaml").read_text(encoding="utf-8")

    out = learn(shop, capsys, "--accept", "all")
    assert f"added to {picked}" in out and "1 learned phrasing(s) added" in out

    after = (shop / "faq.yaml").read_text(encoding="utf-8")
    diff = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)]
    changed = [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed and all(line.startswith("+") for line in changed), diff  # comments and layout kept
    assert question in load_faq(shop / "faq.yaml").by_id[picked].learned
    reply = FaqBot(shop / "faq.yaml", shop / "index", shop / "config.yaml").ask(question)
    assert reply.resolved and reply.match.faq_id == picked
    assert learn(shop, capsys, "--json") == ""  # accepted: not proposed again


def test_an_accept_from_the_command_line_is_a_version_named_by_the_command_in_the_console(shop, capsys):
    """Found by a walk-through: `faqbot learn`'s changes showed in the console's Versioner as
    "ändrad i filen", by no one, several commands in one version."""
    from faqbot.staff.console.history import FaqHistory

    question, picked = a_customer_picks(shop)
    (shop / "faq.yaml").write_text((shop / "faq.yaml").read_text(encoding="utf-8") + "# Lisa\n", encoding="utf-8")
    learn(shop, capsys, "--accept", "all")
    history = FaqHistory(shop / "log.db")
    try:
        newest, by_hand = history.versions()[:2]
        assert (newest.author, newest.what) == ("faqbot learn", f"ändrade: {picked}")
        assert by_hand.author == "" and question not in history.version(by_hand.id).content
        assert history.version(newest.id).content == (shop / "faq.yaml").read_text(encoding="utf-8")
    finally:
        history.close()


def test_a_follow_up_is_never_learned_alone_as_the_entry_it_was_picked_for(shop, capsys):
    """Found by a walk-through: "och vad kostar det?", asked after a question about monitoring,
    offered choices and picked, was proposed (and `--accept all` would write it) as a phrasing of
    the pricing entry, which would then answer that follow-up after every other question too."""
    before = (shop / "faq.yaml").read_bytes()
    with ConversationLog(shop / "log.db") as log:
        bot = FaqBot(shop / "faq.yaml", shop / "index", shop / "config.yaml", log=log)
        followup = bot.ask("och vad kostar det?", previous="Har ni övervakning?")
        assert followup.followup_to == "Har ni övervakning?" and "overvakning" in [
            s.faq_id for s in followup.suggestions
        ]
        assert bot.choose(followup.reply_id, "overvakning").resolved  # the entry the customer had asked about
        liked = bot.ask("och hur ofta?", previous="Kan ni ta backup av min hemsida?")
        assert liked.resolved and bot.feedback(liked.reply_id, True)
        disliked = bot.ask("och kostar det extra?", previous="Vad ingår i supporten?")
        assert disliked.resolved and bot.feedback(disliked.reply_id, False)
        bot.ask("och hur länge då?", previous="Kan jag ringa er?")
        # a short new subject after another question names its subject itself: staff, who read it alone, may
        # assign it (an attack found --assign refused every such question)
        parking = bot.ask("Har ni parkering?", previous="Kan jag ringa er?")
        assert parking.followup_to == "Kan jag ringa er?"
    assert log_followups(shop) >= 4
    assert learn(shop, capsys, "--json") == ""  # neither as a phrasing, nor to assign, nor as a helpdesk group
    for reply in (followup.reply_id, disliked.reply_id):
        capsys.readouterr()
        assert (
            main(["learn", *cli_paths(shop), "--log-file", str(shop / "log.db"), "--assign", reply, "debitering"]) == 1
        )
        assert "is a follow-up to a question before it" in capsys.readouterr().err
    assert (shop / "faq.yaml").read_bytes() == before
    learn(shop, capsys, "--assign", parking.reply_id, "akut")
    assert "Har ni parkering?" in load_faq(shop / "faq.yaml").by_id["akut"].learned


def test_a_pick_under_a_question_the_previous_one_swayed_counts_for_an_entry_it_brings_by_itself(shop, capsys):
    """Found by a walk-through (a dog groomer): "Do you groom cats?" asked second in a chat was
    marked a follow-up (the previous question added a choice), so the cat entry the customer picked
    and liked was never proposed, though the question offers it by itself. A pick of an entry only
    the previous question brought still confirms nothing (tests/attack/test_followup_attacks.py)."""
    with ConversationLog(shop / "log.db") as log:
        bot = FaqBot(shop / "faq.yaml", shop / "index", shop / "config.yaml", log=log)
        alone = bot.ask("support")
        own = {s.faq_id for s in alone.suggestions} | {alone.match.faq_id}
        swayed = [bot.ask("support", previous="Kan jag ringa er?") for _ in range(2)]
        assert all(reply.log_row().followup for reply in swayed)
        offered = [s.faq_id for s in swayed[0].suggestions]
        by_itself = next(f for f in offered if f in own and f != alone.match.faq_id)  # not answered with it alone
        brought = next(f for f in offered if f not in own)  # only the previous question brought it
        for reply, picked in zip(swayed, (by_itself, brought), strict=True):
            chosen = bot.choose(reply.reply_id, picked)
            assert chosen.match.faq_id == picked and bot.feedback(chosen.reply_id, True)
    proposed = [json.loads(line) for line in learn(shop, capsys, "--json").splitlines()]
    assert [(p["faq_id"], p["question"]) for p in proposed if p["action"] == "alternative"] == [(by_itself, "support")]


def test_small_talk_is_never_assigned_to_an_entry(shop, capsys):
    """Found by the red team: `--assign` (and the console's Koppla, which sends the same) wrote a
    greeting's "hej" into an entry; only a question the bot ranked the FAQ for can be assigned."""
    before = (shop / "faq.yaml").read_bytes()
    with ConversationLog(shop / "log.db") as log:
        bot = FaqBot(shop / "faq.yaml", shop / "index", shop / "config.yaml", log=log)
        said = [bot.ask("Hej!"), bot.ask("Tack så mycket!")]
    assert [reply.kind for reply in said] == ["greeting", "thanks"]
    for reply in said:
        capsys.readouterr()
        command = ["learn", *cli_paths(shop), "--log-file", str(shop / "log.db"), "--assign", reply.reply_id, "backup"]
        assert main(command) == 1
        assert f"was not a question of the FAQ (the bot took it as {reply.kind})" in capsys.readouterr().err
    assert (shop / "faq.yaml").read_bytes() == before


def test_choices_nobody_picked_from_are_listed_for_staff_to_assign(vatten, tmp_path, capsys):
    """A walk-through: "Hur lång tid har jag på mig att returnera?" was offered three entries
    without the one it meant; the customer picked none, and staff never saw the question (only
    helpdesk replies were listed), so the next customer was offered the same. A message with no
    subject ("Jag behöver information", offered choices for want of one; "Jag har en fråga", sent to
    the helpdesk) is no question to link: a second walk-through found ten such listed as a group."""
    for name in ("faq.yaml", "config.yaml"):
        shutil.copy(vatten / name, tmp_path / name)
    shutil.copytree(vatten / "index", tmp_path / "index")
    with ConversationLog(tmp_path / "log.db") as log:
        bot = FaqBot(tmp_path / "faq.yaml", tmp_path / "index", tmp_path / "config.yaml", log=log)
        keyword, vague = bot.ask("vattenmätare"), bot.ask("Jag behöver information")
        to_helpdesk = bot.ask("Jag har en fråga")
    assert (keyword.kind, vague.kind, vague.vague) == ("choices", "choices", True)
    assert (to_helpdesk.kind, to_helpdesk.vague) == ("helpdesk", True)
    assert "matarbyte" in [m.faq_id for m in keyword.suggestions]  # offered, not picked

    listed = [json.loads(line) for line in learn(tmp_path, capsys, "--json").splitlines()]
    examples = [e for s in listed if s["action"] == "new_entry" for e in s["evidence"]["examples"]]
    assert [(e["question"], e["reply"]) for e in examples] == [("vattenmätare", keyword.reply_id)]

    out = learn(tmp_path, capsys, "--assign", keyword.reply_id, "matarbyte")
    assert "added to matarbyte" in out
    assert "vattenmätare" in (tmp_path / "faq.yaml").read_text(encoding="utf-8")
    assert learn(tmp_path, capsys, "--json").strip() == ""  # nothing left to assign


def log_followups(folder) -> int:
    with ConversationLog(folder / "log.db") as log:
        return sum(row.followup for row in log.questions())


def test_a_thumbs_down_on_an_off_topic_question_is_taken_off_the_entry_with_off_topic(shop, capsys):
    """`--off-topic ID`: a 👎 question about something the FAQ does not cover is not listed again,
    and its 👎 no longer counts against the entry that answered it, as "Handlar om annat" does in
    the console; `--reject` leaves the 👎 on the entry, whose answer staff should read again."""
    with ConversationLog(shop / "log.db") as log:
        bot = FaqBot(shop / "faq.yaml", shop / "index", shop / "config.yaml", log=log)
        for question in ("Hur ofta tar ni backup?", "Hur ofta säkerhetskopierar ni min sida?"):
            rated = bot.ask(question)
            assert rated.match.faq_id == "backup" and bot.feedback(rated.reply_id, False)
        assert bot.ask("Säkerhetskopierar ni min sida ofta?").match.faq_id == "backup"  # no rating
    listed = learn(shop, capsys)
    assert "backup: 👎 2, 👍 0" in listed and "not about the FAQ? --off-topic w" in listed
    ids = dict(re.findall(r"reply \S+: (.+?)  \(.*--off-topic (w[0-9a-f]{16})\)", listed))
    first, second = ids["Hur ofta säkerhetskopierar ni min sida?"], ids["Hur ofta tar ni backup?"]
    before = (shop / "faq.yaml").read_text(encoding="utf-8")
    marked = learn(shop, capsys, "--off-topic", first)
    assert "its 👎 no longer counts against backup" in marked  # it says what it did, unlike --reject
    # and what else the mark sends to the helpdesk of what the bot answered (staff may not want that)
    assert "also to the helpdesk now: Säkerhetskopierar ni min sida ofta? (answered with backup" in marked
    assert "also to the helpdesk now: Hur ofta tar ni backup?" not in marked
    assert "backup: 👎 1, 👍 0" in learn(shop, capsys)  # the other 👎 still counts
    assert "no longer counts" not in learn(shop, capsys, "--reject", second)
    assert "backup: 👎 1, 👍 0" in learn(shop, capsys)  # a plain rejection leaves its 👎 on the entry
    # the marked question went into the FAQ's off_topic: list, and nothing else changed
    after = (shop / "faq.yaml").read_text(encoding="utf-8")
    assert after.startswith(before) and after.endswith("off_topic:\n  - Hur ofta säkerhetskopierar ni min sida?\n")
    assert "off_topic: Hur ofta säkerhetskopierar ni min sida?" in marked
    bot = FaqBot(shop / "faq.yaml", shop / "index", shop / "config.yaml", auto_build=False)
    aside = bot.ask("Hur ofta säkerhetskopierar ni min sida?")  # the index was rebuilt with it
    assert aside.kind.value == "helpdesk" and aside.set_aside and "helpdesk@winterkvist.com" in aside.answer
    assert bot.ask("Hur ofta tar ni backup?").match.faq_id == "backup"  # the entry's own question still answered
    capsys.readouterr()
    main(["learn", *cli_paths(shop), "--log-file", str(shop / "log.db"), "--off-topic", "a0000000000"])
    assert "no open suggestion a0000000000" in capsys.readouterr().err


def test_a_rejected_phrasing_is_never_proposed_again_and_the_faq_is_untouched(shop, capsys):
    a_customer_picks(shop)
    [suggestion] = [json.loads(line) for line in learn(shop, capsys, "--json").splitlines()]
    before = (shop / "faq.yaml").read_bytes()
    said = learn(shop, capsys, "--reject", suggestion["id"])
    assert f"never proposed again for {suggestion['faq_id']}" in said  # rejected for that entry
    assert learn(shop, capsys, "--json") == ""
    assert (shop / "faq.yaml").read_bytes() == before


def test_a_confirmed_phrasing_about_something_else_is_marked_with_off_topic(shop, capsys):
    """A customer picked the nearest entry for want of a better: `--off-topic ID` on the proposed
    phrasing keeps it out of the entry and sends the question to the helpdesk from then on."""
    question, picked = a_customer_picks(shop)
    [suggestion] = [json.loads(line) for line in learn(shop, capsys, "--json").splitlines()]
    assert suggestion["action"] == "alternative"
    out = learn(shop, capsys, "--off-topic", suggestion["id"])
    assert f"off_topic: {question}" in out
    faq = load_faq(shop / "faq.yaml")
    assert faq.off_topic == (question,) and question not in faq.by_id[picked].learned
    assert learn(shop, capsys, "--json") == ""  # not proposed again, nor listed with the helpdesk questions
    reply = FaqBot(shop / "faq.yaml", shop / "index", shop / "config.yaml", auto_build=False).ask(question)
    assert reply.kind.value == "helpdesk" and reply.set_aside and "helpdesk@winterkvist.com" in reply.answer


def a_replica_of(shop, tmp_path_factory):
    """Another machine's folder with the shop's FAQ and index, and the bot serving it."""
    replica = tmp_path_factory.mktemp("replica")
    for name in ("faq.yaml", "config.yaml"):
        shutil.copy(shop / name, replica / name)
    shutil.copytree(shop / "index", replica / "index")
    return replica, FaqBot(replica / "faq.yaml", replica / "index", replica / "config.yaml")


def test_a_helpdesk_question_staff_assign_is_published_to_a_replica(shop, capsys, pg_url, embedder, tmp_path_factory):
    replica, replica_bot = a_replica_of(shop, tmp_path_factory)
    question = "Vi har bytt namn på företaget, vart skickar jag det nya namnet?"
    with open_log_at(pg_url) as log:
        staff_bot = FaqBot(shop / "faq.yaml", shop / "index", shop / "config.yaml", log=log)
        asked = staff_bot.ask(question)
    assert not asked.resolved
    capsys.readouterr()
    args = ["learn", *cli_paths(shop), "--log-file", pg_url, "--assign", asked.reply_id, "helpdesk", "--publish"]
    assert main(args) == 0
    assert "added to helpdesk" in capsys.readouterr().out
    assert Follower(replica_bot.index, pg_url).sync() is True
    reply = replica_bot.ask(question)
    assert reply.resolved and reply.match.faq_id == "helpdesk"
    build_index(
        load_faq(replica / "faq.yaml"), embedder, tmp_path_factory.mktemp("check")
    )  # the published FAQ is valid


def another_machine_publishes(shop, pg_url, tmp_path_factory, capsys) -> str:
    """The shop's folder published, then another machine's (the console elsewhere, a replica's
    `learn --auto` timer) publishes an FAQ with a phrasing of its own: the phrasing."""
    assert main(["index", *cli_paths(shop), "--publish", "--db", pg_url]) == 0
    other, _ = a_replica_of(shop, tmp_path_factory)
    theirs = "Hur ofta tar ni kopior av min sajt?"
    add_learned(other / "faq.yaml", {"backup": [theirs]})
    assert main(["index", *cli_paths(other), "--publish", "--db", pg_url]) == 0
    capsys.readouterr()
    return theirs


def test_an_accept_published_after_another_machine_published_is_made_on_top_of_it(
    shop, capsys, pg_url, tmp_path_factory
):
    """Found by an operator following docs/production.md: after another machine published, `faqbot
    learn --assign ... --publish` here wrote the FAQ, remembered the phrasing as accepted, and then
    the publish was refused; after `faqbot index --fetch` the phrasing was neither in the FAQ nor
    proposed again. Now the newer generation is taken first, as the console does."""
    theirs = another_machine_publishes(shop, pg_url, tmp_path_factory, capsys)
    replica, replica_bot = a_replica_of(shop, tmp_path_factory)
    question = "Vi har bytt namn på företaget, vart skickar jag det nya namnet?"
    with open_log_at(pg_url) as log:
        asked = FaqBot(shop / "faq.yaml", shop / "index", shop / "config.yaml", log=log).ask(question)
    args = ["learn", *cli_paths(shop), "--log-file", pg_url, "--assign", asked.reply_id, "helpdesk", "--publish"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert "took published generation 2 first" in err and "published as generation 3" in out
    assert Follower(replica_bot.index, pg_url).sync() is True
    published = load_faq(replica / "faq.yaml")
    assert question in published.by_id["helpdesk"].learned and theirs in published.by_id["backup"].learned


def test_an_accept_that_cannot_be_published_writes_nothing_and_stays_proposed(shop, capsys, pg_url, tmp_path_factory):
    """The same with a change of the folder's own not published (a hand edit): refused before anything
    is written, the question still listed; after `faqbot index --fetch`, assigned and published."""
    theirs = another_machine_publishes(shop, pg_url, tmp_path_factory, capsys)
    add_learned(shop / "faq.yaml", {"akut": ["Har ni jour på julafton?"]})  # here, not published
    before = (shop / "faq.yaml").read_bytes()
    question = "Vi har bytt namn på företaget, vart skickar jag det nya namnet?"
    with open_log_at(pg_url) as log:
        asked = FaqBot(shop / "faq.yaml", shop / "index", shop / "config.yaml", log=log).ask(question)
    args = ["learn", *cli_paths(shop), "--log-file", pg_url, "--assign", asked.reply_id, "helpdesk", "--publish"]
    assert main(args) == 1
    assert "fetch it first with: faqbot index --fetch" in capsys.readouterr().err
    assert (shop / "faq.yaml").read_bytes() == before
    assert main(["learn", *cli_paths(shop), "--log-file", pg_url, "--json"]) == 0
    assert asked.reply_id in capsys.readouterr().out  # still listed to assign

    assert main(["index", *cli_paths(shop), "--fetch", "--db", pg_url]) == 0
    assert main(args) == 0
    written = load_faq(shop / "faq.yaml")
    assert question in written.by_id["helpdesk"].learned and theirs in written.by_id["backup"].learned


def test_a_publish_refused_after_the_file_is_written_leaves_the_suggestion_open(shop, capsys):
    """Another machine may publish between the catching up and the publish: then the accept is
    written here but not remembered, so after `faqbot index --fetch` it is proposed again."""
    question, picked = a_customer_picks(shop)
    [suggestion] = [json.loads(line) for line in learn(shop, capsys, "--json").splitlines()]
    before = (shop / "faq.yaml").read_bytes()

    def refused():
        raise StalePublishError("not published: generation 6 ... fetch it first")

    with ConversationLog(shop / "log.db") as log:
        bot = FaqBot(shop / "faq.yaml", shop / "index", shop / "config.yaml")
        lesson = lesson_of(bot, log.questions(), load_faq(shop / "faq.yaml"), log.decisions())
        with pytest.raises(StalePublishError):
            teach(shop / "faq.yaml", lesson, log, refused, accept=[suggestion["id"]])
        assert question in load_faq(shop / "faq.yaml").by_id[picked].learned  # written here
        assert log.decisions() == set()
    (shop / "faq.yaml").write_bytes(before)  # what `faqbot index --fetch` writes back
    [again] = [json.loads(line) for line in learn(shop, capsys, "--json").splitlines()]
    assert (again["id"], again["question"], again["faq_id"]) == (suggestion["id"], question, picked)


def test_a_question_staff_mark_off_topic_is_published_to_a_replica(shop, capsys, pg_url, tmp_path_factory):
    """The marked questions travel with the index (its hubness file holds their vectors): a replica
    that follows the published generation sends the question to the helpdesk too."""
    replica, replica_bot = a_replica_of(shop, tmp_path_factory)
    question = "Hur ofta säkerhetskopierar ni min sida?"
    with open_log_at(pg_url) as log:
        staff_bot = FaqBot(shop / "faq.yaml", shop / "index", shop / "config.yaml", log=log)
        asked = staff_bot.ask(question)
        assert asked.match.faq_id == "backup" and staff_bot.feedback(asked.reply_id, False)
    assert replica_bot.ask(question).match.faq_id == "backup"
    capsys.readouterr()
    assert main(["learn", *cli_paths(shop), "--log-file", pg_url]) == 0
    [marked] = re.findall(r"--off-topic (w[0-9a-f]{16})", capsys.readouterr().out)
    assert main(["learn", *cli_paths(shop), "--log-file", pg_url, "--off-topic", marked, "--publish"]) == 0
    assert f"off_topic: {question}" in capsys.readouterr().out
    assert Follower(replica_bot.index, pg_url).sync() is True
    reply = replica_bot.ask(question)
    assert reply.kind.value == "helpdesk" and reply.set_aside and "helpdesk@winterkvist.com" in reply.answer
    assert load_faq(replica / "faq.yaml").off_topic == (question,)


def test_one_suggestion_named_by_two_decisions_is_refused(shop, capsys):
    """Found by an attack: `--off-topic X --reject X` said "rejected" twice, and which one held
    depended on the order they were carried out in."""
    with ConversationLog(shop / "log.db") as log:
        bot = FaqBot(shop / "faq.yaml", shop / "index", shop / "config.yaml", log=log)
        wrong = bot.ask("Säljer ni cyklar till barn?")
    capsys.readouterr()
    found = json.loads(learn(shop, capsys, "--json").splitlines()[0])
    before = (shop / "faq.yaml").read_bytes()
    command = ["learn", *cli_paths(shop), "--log-file", str(shop / "log.db")]
    assert main([*command, "--off-topic", found["id"], "--reject", found["id"]]) == 1
    assert "is named by two of --accept, --reject and --off-topic; name it once" in capsys.readouterr().err
    assert (shop / "faq.yaml").read_bytes() == before and wrong.kind == "helpdesk"


def test_a_lesson_embeds_only_the_questions_it_ranks(shop, capsys, monkeypatch):
    """A question the bot answered with nobody saying whether it was right teaches nothing, so
    `faqbot learn` does not embed it: over a log of 30,000 rows (13,000 such answers) embedding
    every question took most of its seven minutes. The picked, the helpdesk and the choices
    questions are embedded once each, for ranking and grouping both."""
    question, picked = a_customer_picks(shop)
    answered = ["Hur ofta tar ni säkerhetskopior av min sida?", "Kan jag ha min hemsida hos er?"]
    with ConversationLog(shop / "log.db") as log:
        bot = FaqBot(shop / "faq.yaml", shop / "index", shop / "config.yaml", log=log)
        assert all(bot.ask(q).resolved for q in answered)
        helpdesk = bot.ask("Säljer ni begagnade cyklar?")
        assert helpdesk.kind == "helpdesk"
        rows = log.questions()
    embedded: list[str] = []
    real = bot.embedder.embed_queries
    monkeypatch.setattr(bot.embedder, "embed_queries", lambda texts: (embedded.extend(texts), real(texts))[1])
    told: list[tuple[int, int]] = []
    lesson = lesson_of(bot, rows, load_faq(shop / "faq.yaml"), set(), lambda read, total: told.append((read, total)))
    assert told and told[-1] == (len(set(embedded)), len(set(embedded)))  # how far: the console's page shows it
    assert [s.question for s in lesson.suggestions if s.action == "alternative"] == [question]
    assert helpdesk.question in [s.question for s in lesson.suggestions if s.action == "new_entry"]
    assert not any(a in text for a in answered for text in embedded)
    assert embedded.count(question) == 1 and embedded.count(helpdesk.question) == 1


def test_learn_says_how_far_it_is_on_a_long_log(shop, capsys):
    """Ranking the log's questions takes most of `faqbot learn`'s time on a long log (45 s for
    3,000 of them here): it says how far it is, as `faqbot index` does."""
    with ConversationLog(shop / "log.db") as log:
        for n in range(70):
            row = LogRow(
                f"h{n}",
                f"Säljer ni begagnade cyklar av märket nummer {n}?",
                "sv",
                "helpdesk",
                False,
                None,
                None,
                0.1,
                0.4,
                "v1",
            )
            log.record(row)
    capsys.readouterr()
    assert main(["learn", *cli_paths(shop), "--log-file", str(shop / "log.db")]) == 0
    err = capsys.readouterr().err
    assert re.search(r"^embedding 64/70 questions of the log$", err, re.M), err
    assert re.search(r"^embedding 70/70 questions of the log$", err, re.M), err
