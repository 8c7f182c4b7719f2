"""faqbot: a Swedish FAQ chatbot that answers customers from a company's own FAQ and sends the rest to its helpdesk.

faqbot import faq.csv --out data/faq.yaml    a company's FAQ (CSV/TSV, HTML, Markdown, text) -> faq.yaml
faqbot index                      validate data/faq.yaml and (re)build index/
faqbot ask "Kan jag ringa er?"    answer one question (or one per line from stdin)
faqbot evaluate                   score the bot on the test set beside the FAQ (data/test_questions.jsonl)
faqbot report                     what customers asked that the FAQ could not answer
faqbot serve                      the chat widget on http://127.0.0.1:7860
faqbot log copy SRC DST           copy a conversation log between SQLite and PostgreSQL
faqbot log mask LOG               mask a log's stored questions again after an upgrade
faqbot staff                      the staff console on http://127.0.0.1:7861 (behind a login)
faqbot learn                      what customers taught the bot, for staff to accept

Run `faqbot COMMAND --help` for a command's options and examples; docs/ has the guides.
(The commands are thin: each parses, calls the library and prints, for people or with --json.)
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import logging
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TextIO

from faqbot import config as cfg
from faqbot.errors import FaqbotError
from faqbot.files import atomic_write

if TYPE_CHECKING:
    from faqbot.bot import FaqBot
    from faqbot.decision import Calibration
    from faqbot.retrieval.index import BuildReport

LANGUAGE_NAMES = {"sv": "Swedish", "en": "English"}  # faqbot.language's codes, for staff

EXAMPLES = {
    "index": "examples:\n  faqbot index --faq data/faq.yaml --out index/\n"
    "  faqbot index --publish --db postgresql://faqbot@db.internal/faqbot",
    "import": "examples:\n  faqbot import faq.csv --out data/faq.yaml --helpdesk support@example.se\n"
    "  faqbot import vanliga-fragor.html --out data/faq.yaml --force\n"
    "  faqbot import copied-from-the-website.txt --out /tmp/faq.yaml --format text",
    "evaluate": "examples:\n  faqbot evaluate\n  faqbot evaluate --plot docs/threshold.png --write-threshold",
    "ask": "examples:\n  faqbot ask \"Kan jag ringa er?\"\n  printf 'Kan jag ringa er?\\nVad kostar en ny bil?\\n' | faqbot ask --json",
    "log": "examples:\n  faqbot log copy data/conversations.db postgresql://faqbot@db.internal/faqbot\n"
    "  faqbot log copy postgresql://faqbot@db.internal/faqbot backup.db\n"
    "  faqbot log mask data/conversations.db    # after an upgrade that masks more personal data",
    "learn": "examples:\n  faqbot learn\n  faqbot learn --accept all\n  faqbot learn --reject a1b2c3d4e\n"
    "  faqbot learn --off-topic w1b2c3d4e\n"
    "  faqbot learn --auto --publish    # with `learn: auto` in the settings, from a timer\n"
    "  faqbot learn --assign 3q2X...Zw backup --json",
    "staff": "examples:\n  faqbot staff add-user anna\n  printf '%s\\n' \"$PASSWORD\" | faqbot staff add-user anna --password-stdin\n"
    "  faqbot staff list-users\n  faqbot staff --port 7861",
    "report": "examples:\n  faqbot report --since 30\n  faqbot report --suggest > suggestions.yaml\n"
    "  faqbot report --json --html report.html",
}


DEFAULT_PLOT = "threshold.png"
SHOWN_IDS = 12  # ids printed in full after a build; more are counted
NOTES_SHOWN = 20  # an import's notes printed; more are counted


def id_list(ids: list[str]) -> str:
    """Ids for people: all of a few, wrapped; of many, the count and the first SHOWN_IDS."""
    shown = ", ".join(ids[:SHOWN_IDS]) + (f", ... ({len(ids) - SHOWN_IDS} more)" if len(ids) > SHOWN_IDS else "")
    return textwrap.fill(
        f"{len(ids)}: {shown}" if len(ids) > SHOWN_IDS else shown,
        width=100,
        subsequent_indent="  ",
        break_on_hyphens=False,
        break_long_words=False,
    )


def add_paths(parser: argparse.ArgumentParser, out_alias: bool = False) -> None:
    """--faq, --index and --config; `faqbot index` also takes --out for the index it writes."""
    parser.add_argument("--faq", type=Path, default=None, help="the FAQ file (env FAQBOT_FAQ; default data/faq.yaml)")
    parser.add_argument(
        "--index",
        *(["--out"] if out_alias else []),
        dest="index",
        type=Path,
        default=None,
        help="the index folder (env FAQBOT_INDEX; default index/)",
    )
    parser.add_argument(
        "--config", type=Path, default=None, help="the settings file (env FAQBOT_CONFIG; default data/config.yaml)"
    )


def embedding_progress(stream: TextIO, what: str = "texts") -> Callable[[int, int], None]:
    """How far the embedding is: on a terminal one line, rewritten as it goes; in a log file (a
    service's journal, a cron job's mail) a line at each tenth, not thousands of carriage returns
    on one line."""
    shown = [-1]

    def progress(done: int, total: int) -> None:
        if stream.isatty():
            print(f"\rembedding {done}/{total} {what}", end="" if done < total else "\n", file=stream, flush=True)
            return
        tenth = 10 * done // max(total, 1)
        if tenth > shown[0]:
            shown[0] = tenth
            print(f"embedding {done}/{total} {what}", file=stream, flush=True)

    return progress


def cmd_index(args: argparse.Namespace) -> int:
    from faqbot.faq.model import load_faq
    from faqbot.retrieval.embedding import load_embedder
    from faqbot.retrieval.heldout import offtopic_questions
    from faqbot.retrieval.index import build_index, folder_hash

    settings = cfg.Settings.resolve(args.faq, args.index, args.config)
    if args.fetch:
        return fetch_published(args, settings)
    faq_path, out = settings.faq_path, settings.index_dir
    faq = load_faq(faq_path)  # raises DataError before anything on disk is touched
    print(f"{faq_path}: {len(faq.entries)} entries OK; model {settings.config.model}", file=sys.stderr)
    embedder = load_embedder(settings.config.model)

    progress = embedding_progress(sys.stderr)
    bank = offtopic_questions(settings.config.offtopic_bank or None)
    previous = folder_hash(out)  # which FAQ this folder had: publishing checks it was the newest published
    report = build_index(faq, embedder, out, progress=progress, offtopic=bank)
    if report.repaired:
        print(f"repaired: {report.repaired}", file=sys.stderr)
    published = publish_index(args, settings, faq_path, out, embedder.name, previous) if args.publish else None
    if args.json:
        extra = {"published": published.generation if published else None} if args.publish else {}
        print(json.dumps({**dataclasses.asdict(report), **extra}, ensure_ascii=False))
        return 0
    for label, ids in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
        if ids:
            print(f"{label}: {id_list(ids)}")
    if report.unchanged and report.chat_built_at:
        print(
            f"no entries changed: the running chat had already rebuilt the index for this FAQ at {report.chat_built_at}"
        )
    elif report.unchanged:
        print("no entries changed")
    print(
        f"index written to {out}/: {report.entries} entries, {report.views} texts "
        f"({report.embedded} embedded, {report.views - report.embedded} reused), "
        f"{report.references} sample questions ({report.references_embedded} embedded), "
        f"{report.offtopic} off-topic questions ({report.offtopic_embedded} embedded) in {report.seconds:.2f} s"
    )
    for line in corrections_text(report):
        print(line)
    if report.calibration:
        print(calibration_text(report.calibration, settings.config.threshold))
    if published is not None:
        print(published_text(published))
    return 0


def published_text(published: Published) -> str:
    if published.existing:
        return f"nothing published: generation {published.generation} holds this FAQ and index already"
    return f"published as generation {published.generation}; every faqbot serve on that database swaps it in"


def corrections_text(report: BuildReport) -> list[str]:
    """What the build set apart from the plain similarities: questions staff marked as off-topic, and
    the same-language bonus taken off learned phrasings in English (faqbot/retrieval/language_gap.py)."""
    lines = []
    if report.marked_offtopic:
        lines.append(
            f"{report.marked_offtopic} question(s) staff marked as off-topic ({report.marked_embedded} embedded) "
            "go to the helpdesk, with questions nearer them than any entry"
        )
    for language, (phrasings, bonus) in report.language_bonus.items():
        name = LANGUAGE_NAMES.get(language, language)
        lines.append(
            f"{phrasings} learned phrasing(s) in {name}: {bonus:.3f} taken off their similarity to a question "
            f"in {name} (the model favours any text in the question's own language)"
        )
    return lines


class Published(NamedTuple):
    generation: int
    existing: bool  # the newest generation held this FAQ and index already: nothing was published


def publish_index(
    args: argparse.Namespace, settings: cfg.Settings, faq_path: Path, out: Path, model: str, previous: str | None
) -> Published:
    """`faqbot index --publish`: store the index just built in PostgreSQL for every replica;
    `previous`: the FAQ hash of the folder's index before this build (faqbot.retrieval.publish)."""
    from faqbot.retrieval.publish import newest_generation, publish

    url = replicas_database(args, settings)
    newest = newest_generation(url)  # to tell whether publish stored a new one
    generation = publish(Path(faq_path), Path(out), url, model, getattr(args, "force", False), previous)
    return Published(generation, existing=generation == newest)


def replicas_database(args: argparse.Namespace, settings: cfg.Settings) -> str:
    from faqbot.database import is_postgres

    url = args.db or settings.log_location
    if not is_postgres(url):
        flag = "--fetch" if getattr(args, "fetch", False) else "--publish"
        raise FaqbotError(
            f"{flag} needs the PostgreSQL database the replicas use: give --db postgresql://user@host/db, "
            "or set log_url in the settings or FAQBOT_LOG"
        )
    return url


def fetch_published(args: argparse.Namespace, settings: cfg.Settings) -> int:
    """`faqbot index --fetch`: write the newest published FAQ and index here, to change on top of them."""
    from faqbot.database import shown
    from faqbot.retrieval.publish import fetch_newest
    from faqbot.staff.fresh_start import keep_replaced

    url = replicas_database(args, settings)
    faq_path = Path(settings.faq_path)
    # the FAQ it replaces may hold edits not published (an attack lost one so): kept unless the same
    kept = keep_replaced(faq_path) if faq_path.is_file() else None
    generation = fetch_newest(url, settings.faq_path, settings.index_dir)
    if kept is not None and (generation is None or kept.read_bytes() == faq_path.read_bytes()):
        kept.unlink(missing_ok=True)
        kept = None
    if generation is None and nothing_published(url):
        raise FaqbotError(
            f"nothing fetched: nothing is published in {shown(url)} yet; publish this folder's with: faqbot index --publish"
        )
    if generation is None:
        raise FaqbotError(f"nothing fetched from {shown(url)}: see the line above")
    print(f"fetched published generation {generation} into {settings.faq_path} and {settings.index_dir}/")
    if kept is not None:
        print(f"the FAQ file it replaced is kept as {kept}")
    return 0


def nothing_published(url: str) -> bool:
    """Whether the database answers and holds no published generation (an operator's first
    `--fetch` was told to "see the line above", and there was none)."""
    from faqbot.retrieval.publish import newest_generation

    try:
        return newest_generation(url) is None
    except FaqbotError:  # the database is away: fetch_newest has said so
        return False


def print_notes(notes: list[str]) -> None:
    """An import's notes on stderr, at most NOTES_SHOWN (100,000 unused columns had printed 100,000 lines)."""
    for note in notes[:NOTES_SHOWN]:
        print(f"note: {note}", file=sys.stderr)
    if len(notes) > NOTES_SHOWN:
        print(f"note: ... and {len(notes) - NOTES_SHOWN:,} more notes like these", file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    from faqbot.faq.importers import import_faq, questions_by_id
    from faqbot.faq.model import load_faq
    from faqbot.staff.fresh_start import carried_over, faq_at, keep_replaced, left_out, outline_at, same_company

    out = Path(args.out)
    served = out.resolve() == cfg.faq_path().resolve()
    replacing = args.force and out.is_file() and out.resolve() != Path(args.source).resolve()
    earlier = faq_at(out) if replacing else None
    outline = outline_at(out) if replacing and earlier is None else None  # a file broken by hand: what reads
    earlier = earlier or outline
    kept = keep_replaced(out) if replacing else None  # before anything replaces it
    try:
        result = import_faq(args.source, args.out, args.helpdesk, args.force, args.format, replaced=earlier)
    except BaseException:
        if kept is not None:  # nothing was replaced: no copy to keep
            kept.unlink(missing_ok=True)
        raise
    print_notes(result.warnings)
    found = " (found in the source; --helpdesk sets another)" if result.helpdesk_found else ""
    if not found and args.helpdesk is None:
        found = " (the replaced FAQ's: the source names none; --helpdesk sets another)"
    print(f"imported {result.entries} entries in {result.sections} sections from {result.source} ({result.format})")
    print(f"helpdesk: {result.helpdesk}{found}")
    print(f"written to {result.out}")
    if kept is not None:
        print(f"replaced file: kept as {kept}")
    if kept is not None and earlier is None:
        print(
            f"note: {out} was not a valid FAQ, so nothing in it was carried over (phrasings customers taught included)"
        )
    elif outline is not None:
        print(
            f"note: {out} was not a valid FAQ; its {len(outline.entries)} readable entries were read for what to keep"
        )
    # a new company's settings file, which --name is about to write, is not said to be missing
    to_be_written = bool(args.name) and not cfg.config_path().exists()
    log_location = cfg.Settings.resolve(out, to_be_written=to_be_written).log_location if served else None
    for line in carried_over(earlier, out, log_location):
        print(line)
    now = load_faq(out)  # as the carry-over left it
    same = same_company(earlier, now)
    if same and earlier is not None and kept is not None:
        for line in left_out(earlier, now, kept):
            print(line)
    if log_location is not None:  # served: the settings were read once (a missing file's warning said once)
        start_clean(questions_by_id(earlier.entries) if earlier is not None else {}, out, log_location)
    settings_of_the_import(Path(result.out), args.name, served, same)
    for line in next_steps(Path(result.out), served):
        print(line)
    return 0


def settings_of_the_import(out: Path, name: str | None, served: bool, same: bool) -> None:
    """The settings after an import to `out`: over the served FAQ, the measured threshold goes
    and the company's `name` is written (or what customers would still be told, said); for an FAQ
    the chat does not serve, `name` goes into the settings beside it, the ones `next_steps` names
    (a walk-through wrote them by hand)."""
    settings = cfg.config_path()
    own = out.parent / "config.yaml"
    if not served and not own.exists() and own.resolve() != settings.resolve():
        write_own_settings(own)
    if served and settings.exists():
        forget_measured_threshold(settings)
        introduce_the_new_company(settings, name, same_company=same)
    elif served and name:  # a new company without a settings file yet: it starts with its name
        settings.parent.mkdir(parents=True, exist_ok=True)
        introduce_the_new_company(settings, name)
    elif name and own.resolve() != settings.resolve():
        introduce_the_new_company(own, name, same_company=same)
    elif name:
        print(
            f"note: --name is written to the settings of the FAQ they serve ({cfg.faq_path()}); "
            f"for {out}, set `name: {name}` in its settings"
        )


def write_own_settings(path: Path) -> None:
    """Settings for an FAQ imported into a folder the chat does not serve, beside it: `threshold:
    auto` and a conversation log of its own in the folder. Without them every command the import's
    next step names warned that its settings file did not exist, and the chat's log and staff
    accounts went to data/conversations.db (a helper's walk-through)."""
    log = path.parent / "conversations.db"
    text = (
        "# Settings of the FAQ beside this file, written by `faqbot import` (docs/staff.md has them all).\n"
        "threshold: auto\n"
        f"log_path: {json.dumps(str(log.resolve()), ensure_ascii=False)}\n"
    )
    atomic_write(path, text)
    print(f"settings: {path} (threshold: auto; its conversation log and staff accounts: {log})")


def next_steps(out: Path, served: bool) -> list[str]:
    """The command that indexes the imported FAQ. One the chat does not serve gets an index and
    settings of its own beside it: with the defaults, `faqbot index --faq` alone would replace the
    served index with it, calibrated by the served FAQ's settings (a walk-through followed it)."""
    if served:
        return [f"next: faqbot index --faq {out}"]
    settings, index = out.parent / "config.yaml", out.parent / "index"
    if index.resolve() == cfg.index_path().resolve():  # faq.yaml beside the served index/
        index = out.parent / f"{out.stem}-index"
    return [f"next: faqbot index --faq {out} --out {index} --config {settings}"]


def start_clean(before: Mapping[str, str], faq_path: Path, log_location: str) -> None:
    """After an import over the served FAQ: the old company's test set and log set aside (faqbot.staff.fresh_start)."""
    from faqbot.faq.model import load_faq
    from faqbot.staff.fresh_start import set_aside_the_old_company

    for line in set_aside_the_old_company(before, load_faq(faq_path), log_location):
        print(line)


def forget_measured_threshold(settings: Path) -> None:
    """An import over the FAQ the settings serve replaces it, so a threshold measured on the old FAQ
    (`faqbot evaluate --write-threshold`) means nothing for the new one: the settings go back to
    `threshold: auto`, which `faqbot index` calibrates on the new FAQ, and the command says so."""
    threshold = cfg.load_config(settings).threshold
    if threshold == cfg.AUTO:
        return
    cfg.write_auto_threshold(settings)
    print(
        f"threshold: {settings} had {threshold}, measured on the FAQ this import replaced; it is now `auto`, "
        "calibrated on the new FAQ by faqbot index"
    )


def introduce_the_new_company(settings: Path, name: str | None, same_company: bool = False) -> None:
    """The settings' `name` and greetings were written for the FAQ an import over it replaced: with
    --name they are the new company's (the old greetings go), without it the command says what
    customers would still be told; nothing for a re-import of the same company's FAQ."""
    config = cfg.load_config(settings)
    if name:
        cfg.write_setting(settings, "name", name, quoted=True)
        dropped = [key for key in ("greeting", "greeting_en") if getattr(config, key)]
        for key in dropped:
            cfg.write_setting(settings, key, None)
        gone = f" ({' and '.join(dropped)} removed: written for the FAQ this import replaced)" if dropped else ""
        print(f"name: {name} in {settings}{gone}")
    elif not same_company and (config.name or config.greeting or config.greeting_en):
        print(
            f"note: {settings} still introduces the chat as {config.name or 'before'} (name, greeting, "
            "greeting_en), written for the FAQ this import replaced; set them, or import with --name"
        )


def calibration_text(chosen: Calibration, configured: float | str) -> str:
    """Which threshold answers customers (first), then what `threshold: auto` calibrated at index time, and on what."""
    rates = chosen.rates
    margin = chosen.choice_margin
    choices = (
        f"choices when the runner-up is within {margin:.2f} of the best (from score {chosen.choice_floor or 0:.2f})"
        if margin
        else "no choices"
    )
    offtopic = rates.get("offtopic_to_helpdesk")
    if configured == cfg.AUTO:
        lines = [f"in force: threshold {chosen.threshold:.2f} (threshold: auto, calibrated below)"]
    else:
        lines = [
            f"in force: threshold {configured} (set in the config; the calibration below is not used: "
            "write `threshold: auto` to use it)"
        ]
    learned = f", {chosen.learned_questions} of them learned from customers" if chosen.learned_questions else ""
    lines += [
        f"threshold: auto calibrated on {chosen.faq_questions} FAQ questions{learned} (each asked with its own text "
        f"held out of the index) and {chosen.offtopic_questions} off-topic questions in {chosen.seconds:.1f} s:",
        f"  threshold {chosen.threshold:.2f}, {choices}",
        f"  on those questions: answered right {rates['answered_right']:.3f}, one click away {rates['one_click']:.3f}, "
        f"confident wrong {rates['confident_wrong']:.3f}, off-topic to helpdesk "
        + (f"{offtopic:.3f}" if offtopic is not None else "n/a (no off-topic bank)"),
    ]
    if chosen.learned_questions:
        lines.append(
            "  (customers' words are harder to find than the FAQ's own, so these figures fall as it learns; they "
            "chose the threshold and are not the share of customers answered: faqbot evaluate measures that)"
        )
    return "\n".join(lines)


def cmd_serve(args: argparse.Namespace) -> int:
    from faqbot.web.server import serve

    serve(cfg.Settings.resolve(args.faq, args.index, args.config, host=args.host, port=args.port))
    return 0


def questions_from(args: argparse.Namespace):
    if args.question is not None:
        yield args.question
        return
    # Invalid UTF-8 on stdin must not crash a batch: undecodable bytes become U+FFFD.
    stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    for line in stream:
        line = line.rstrip("\r\n")
        if line.strip():
            yield line


def print_reply(reply) -> None:
    if reply.resolved:
        print(f"[{reply.match.faq_id}] {reply.match.faq_question}  (score {reply.score:.2f}, {reply.language})")
    else:
        print(f"[{reply.kind}]  (score {reply.score:.2f}, {reply.language})")
    for paragraph in reply.answer.split("\n\n"):
        print(textwrap.fill(paragraph, width=100))
    if reply.suggestions:
        close = "; ".join(f"{s.faq_question} [{s.faq_id}]" for s in reply.suggestions)
        print(f"  close: {close}")
    print()


def cmd_ask(args: argparse.Namespace) -> int:
    from faqbot.bot import FaqBot

    settings = cfg.Settings.resolve(args.faq, args.index, args.config)
    if args.log:
        bot = FaqBot.from_settings(settings)
        if bot.log is None:
            print(f"not logging: log_enabled is false in {bot.config_path}", file=sys.stderr)
    else:
        bot = FaqBot(settings=settings)
    for question in questions_from(args):
        reply = bot.ask(question)
        if args.json:
            print(json.dumps(reply.to_dict(), ensure_ascii=False), flush=True)
        else:
            print_reply(reply)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from faqbot.bot import FaqBot
    from faqbot.config import write_threshold
    from faqbot.staff import evaluate
    from faqbot.staff.test_set import test_set_path

    # beside the FAQ, where the console's evaluation page keeps it and says `faqbot evaluate` reads it
    # (a walk-through with FAQBOT_FAQ set read the shipped FAQ's test set, or none)
    args.path = args.path or test_set_path(cfg.faq_path(args.faq))
    bot = FaqBot(args.faq, args.index, args.config)
    faq = load_faq_for(bot)
    questions = evaluate.load_test_set(args.path, faq)
    outcomes = evaluate.run(bot, questions)
    report = evaluate.score(outcomes, bot.threshold, evaluate.find_overlaps(questions, faq), bot.policy)
    if args.plot:
        evaluate.plot(report, args.plot)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(evaluate.format_report(report, str(args.path)))
    if report.overlaps:
        print(
            f"warning: {len(report.overlaps)} test question(s) repeat the FAQ's questions or alternatives",
            file=sys.stderr,
        )
    if args.plot:
        print(f"plot written to {args.plot}", file=sys.stderr)
    best = report.best_threshold
    if args.write_threshold and best is None:
        print(
            f"not writing a threshold: {args.path} has no off-topic questions (expected null), so it cannot "
            "tell where answering should stop; add some, or keep `threshold: auto`",
            file=sys.stderr,
        )
        return 1
    if args.write_threshold and best is not None:
        write_threshold(bot.config_path, best)
        print(
            f"threshold {best:.2f} written to {bot.config_path} (was {bot.threshold:.2f})",
            file=sys.stderr,
        )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from faqbot.bot import FaqBot
    from faqbot.staff import report
    from faqbot.staff import report_format as report_output

    settings = cfg.Settings.resolve(args.faq, args.index, args.config, log=args.log_file)
    bot = FaqBot(settings=settings)
    result = report.build(settings.log_location, bot, since_days=args.since)
    if args.html:
        report_output.write_html(result, args.html, top=args.top)
        print(f"report written to {args.html}", file=sys.stderr)
    if args.suggest:
        print(report_output.suggest_yaml(result, load_faq_for(bot), top=args.top))
    elif args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(report_output.format_report(result, top=args.top))
    return 0


def log_reading() -> Callable[[int, int], None]:
    """How far `faqbot learn` is in ranking the log's questions (those rated, picked or sent to the
    helpdesk: 45 s for 3,000 of them here), said on stderr; a log read in one model call, silently."""
    from faqbot.staff.learn import PRIMED_BATCH

    told = embedding_progress(sys.stderr, "questions of the log")

    def reading(done: int, total: int) -> None:
        if total > PRIMED_BATCH:
            told(done, total)

    return reading


def cmd_learn(args: argparse.Namespace) -> int:
    from faqbot.bot import FaqBot
    from faqbot.conversations.backends import open_existing_log
    from faqbot.conversations.rows import REOPENED
    from faqbot.faq.model import load_faq
    from faqbot.retrieval.index import build_index, build_lock, folder_hash
    from faqbot.staff import learn, teach
    from faqbot.staff.report import caught_by

    if args.auto and (args.accept or args.reject or args.assign or args.off_topic):
        raise FaqbotError(
            "--auto accepts by the settings' rule alone: give it without --accept, --reject, --off-topic or --assign"
        )
    settings = cfg.Settings.resolve(args.faq, args.index, args.config, log=args.log_file)
    bot, location = FaqBot(settings=settings), settings.log_location
    if args.auto:  # the settings first: without `learn: auto` there is nothing to read the log for
        require_auto(bot.config, settings.config_path)
    if args.publish and (args.accept or args.reject or args.assign or args.off_topic or args.auto):
        catch_up_first(args, settings, bot)
    log = open_existing_log(location, bot.config.retention_days)
    try:
        rows = log.questions()
        lesson = learn.lesson_of(bot, rows, load_faq(bot.faq_path), log.decisions(), log_reading())
        if args.auto:
            args.accept = automatic_ids(lesson, bot.config, log.decisions(REOPENED))
            if not args.accept:
                return 0
        if not (args.accept or args.reject or args.assign or args.off_topic):
            print_lesson(lesson, args.json)
            return 0

        def rebuild():
            print(f"{bot.faq_path} written; rebuilding the index in {bot.index_dir}/ ...", file=sys.stderr, flush=True)
            previous = folder_hash(bot.index_dir)
            report = build_index(load_faq(bot.faq_path), bot.embedder, bot.index_dir, offtopic=bot.index.offtopic)
            if args.publish:
                args.db = location  # the replicas' database is the log's
                published = publish_index(args, settings, bot.faq_path, bot.index_dir, bot.embedder.name, previous)
                print(published_text(published))
            return report

        # the build lock from the FAQ write on: a running chat waits for this rebuild, not build it too
        with kept_as_version(location, bot.faq_path, LEARN_AUTHOR), build_lock(bot.index_dir):
            taught = teach.teach(
                bot.faq_path, lesson, log, rebuild, args.accept, args.reject, args.assign or [], args.off_topic or []
            )
        if taught.set_aside:  # what else the marks catch among the answered questions, for staff to see
            bot.refresh()
            taught.caught = caught_by(rows, bot.searcher, bot.policy, taught.set_aside)
    finally:
        log.close()
    print_taught(taught, bot.faq_path, bot.config.threshold)
    return 0


def catch_up_first(args: argparse.Namespace, settings: cfg.Settings, bot: FaqBot) -> None:
    """`faqbot learn ... --publish`: when another machine published since this folder last
    published or fetched (a replica's `learn --auto` timer, the console elsewhere), that generation
    is written here first, as the console does, so that the change is made on top of it; when the
    FAQ file has changes of its own, refused before anything is written (StalePublishError). An
    operator found the accept written here, remembered as accepted, then refused by the publish:
    after `faqbot index --fetch` it was neither in the FAQ nor proposed again."""
    from faqbot.retrieval.publish import catch_up

    args.db = settings.log_location  # the replicas' database is the log's
    url = replicas_database(args, settings)  # without PostgreSQL, refused before anything is written
    fetched = catch_up(url, bot.faq_path, bot.index_dir, refuse=True)
    if fetched is not None:
        print(f"took published generation {fetched} first: it was published from elsewhere since", file=sys.stderr)
        bot.refresh()


LEARN_AUTHOR = "faqbot learn"  # who the console's Versioner names for a change `faqbot learn` wrote


@contextmanager
def kept_as_version(location: str, faq_path: Path, author: str) -> Iterator[None]:
    """Around a change to the FAQ file from the command line: the file kept in the console's
    Versioner as it was (a hand edit since the last version is kept as one) and as it is after,
    named by `author`. A walk-through found `faqbot learn`'s changes listed as "ändrad i filen",
    by no one, all of them in one version. The change stands when the versions cannot be kept."""
    from faqbot.staff.console.history import FaqHistory, noticed, what_changed

    history = FaqHistory(location)
    before = faq_path.read_bytes().decode("utf-8", "replace")

    def keep_after() -> None:
        after = faq_path.read_bytes().decode("utf-8", "replace")
        if after != before:
            history.record(after, author, what_changed(before, after))

    kept = versions_step(lambda: noticed(history, before))
    try:
        yield
    finally:
        if kept:  # also after a failed rebuild: the file was written all the same
            versions_step(keep_after)
        history.close()


def versions_step(step: Callable[[], object]) -> bool:
    """One step on the console's versions; False, with a note, when the database refuses it."""
    try:
        step()
    except Exception as err:  # noqa: BLE001 - SQLite's or PostgreSQL's: the FAQ change itself stands
        print(f"note: the change is not kept in the console's versions: {err}", file=sys.stderr)
        return False
    return True


def require_auto(config: cfg.Config, config_path: Path) -> None:
    """`faqbot learn --auto`: FaqbotError when the settings leave accepting to staff."""
    if config.learn != cfg.AUTO:
        raise FaqbotError(
            f"{config_path}: learn is {config.learn!r}, so staff accept what customers taught "
            "(faqbot learn --accept); set `learn: auto` there to let --auto accept without staff"
        )


def automatic_ids(lesson, config: cfg.Config, reopened: set[str]) -> list[str]:
    """`faqbot learn --auto`: the ids of the phrasings `learn: auto` accepts without staff, but
    those a restore took out (`reopened`: they stay for staff to accept again); when there are
    none, it says why."""
    from faqbot.staff import learn

    eligible = [s.id for s in learn.automatic(lesson, config.learn_auto_clients)]
    accepted = [i for i in eligible if i not in reopened]
    if not accepted and eligible:
        print(
            f"nothing to accept: {len(eligible)} confirmed phrasing(s) were taken out of the FAQ "
            "by a restored version, so staff decide on them again (faqbot learn --accept ID, or --reject ID)"
        )
    elif not accepted:
        print(
            f"nothing to accept: no confirmed phrasing has {config.learn_auto_clients} different "
            "clients behind it and no 👎 yet (faqbot learn lists what there is)"
        )
    return accepted


GROUP_EXAMPLES_LISTED = 3  # questions of a helpdesk group `faqbot learn` lists, with their reply ids


def print_lesson(lesson, as_json: bool) -> None:
    if as_json:
        for s in lesson.suggestions:
            print(json.dumps(s.to_dict(), ensure_ascii=False))
        return
    confirmed = [s for s in lesson.suggestions if s.action == "alternative"]
    groups = [s for s in lesson.suggestions if s.action == "new_entry"]
    how = " (faqbot learn --accept all, or --accept ID...)" if confirmed else ""
    print(f"{len(confirmed)} confirmed phrasing(s) to add{how}:")
    for s in confirmed:
        e = s.evidence
        at_least = "at least " if e.get("without_client") else ""  # the unknown ones may be others
        clients = f", from {at_least}{e['clients']} client(s)" if e.get("clients") else ""
        print(
            f"  {s.id}  {s.faq_id}: {s.question}  (picked {e['picked']}, 👍 {e['liked']}, 👎 {e['disliked']}{clients})"
        )
    how = " (faqbot learn --assign REPLY_ID FAQ_ID)" if groups else ""
    print(f"{len(groups)} group(s) of questions that reached the helpdesk or whose choices nobody picked{how}:")
    for s in groups:
        near, examples = s.evidence["nearest"], s.evidence["examples"]
        print(f"  {s.id}  asked {s.evidence['count']}x: {s.question}  (nearest: {near['faq_id']} {near['score']:.2f})")
        for example in examples[:GROUP_EXAMPLES_LISTED]:
            times = f"  (asked {example['times']}x)" if example.get("times", 1) > 1 else ""
            now = example.get("answered_now")
            unseen = f"  (now answered with {now}, since the threshold moved: is that right?)" if now else ""
            if example.get("set_aside_by"):
                unseen += f"  (to the helpdesk because it is like {example['set_aside_by']!r}, marked off-topic)"
            print(f"      reply {example['reply']}: {example['question']}{times}{unseen}")
        more = int(s.evidence.get("questions", len(examples))) - min(len(examples), GROUP_EXAMPLES_LISTED)
        if more > 0:
            print(f"      ... and {more} more question(s)")
    if lesson.disliked:
        print(
            "entries customers said 👎 to (read their answers again; --assign a question to the entry that answers it):"
        )
        for d in lesson.disliked:
            examples = f"; e.g. {'; '.join(d.questions[:2])}" if d.questions else ""
            print(f"  {d.faq_id}: 👎 {d.disliked}, 👍 {d.liked}{examples}")
            for wrong in d.to_assign:
                now = wrong.evidence.get("answered_now", d.faq_id)
                today = "" if now == d.faq_id else f"now answered with {now}; " if now else "now to the helpdesk; "
                print(
                    f"      reply {wrong.evidence['reply']}: {wrong.question}  ({today}answer right? --reject {wrong.id}; not about the FAQ? --off-topic {wrong.id})"
                )


def off_topic_count(taught) -> str:
    """What a learn step did to the FAQ's off_topic: list, for its summary ("" when nothing)."""
    marked, unmarked = len(taught.set_aside), len(taught.unmarked)
    return (f", {marked} off-topic question(s) marked" if marked else "") + (
        f", {unmarked} taken off the off-topic list" if unmarked else ""
    )


def print_taught(taught, faq_path: Path, threshold: float | str) -> None:
    for added in taught.added:
        print(f"added to {added.faq_id} (line {added.line}): {added.text}")
    for skipped in taught.skipped:
        print(f"not added to {skipped.faq_id}: {skipped.text} ({skipped.reason})")
    for rejected in taught.rejected:
        if rejected.id in taught.off_topic and rejected.faq_id:
            print(
                f"rejected {rejected.id}: {rejected.question} (about something the FAQ does not cover: never proposed "
                f"again, and its 👎 no longer counts against {rejected.faq_id})"
            )
        elif rejected.id in taught.off_topic:
            print(f"rejected {rejected.id}: {rejected.question} (about something the FAQ does not cover)")
        elif rejected.action == "alternative":  # rejected for the entry customers picked, not as a question
            print(f"rejected {rejected.id}: {rejected.question} (never proposed again for {rejected.faq_id})")
        else:
            print(f"rejected {rejected.id}: {rejected.question} (never proposed again)")
    for text in taught.set_aside:
        print(f"off_topic: {text} (the bot sends it, and questions nearer it than any entry, to the helpdesk)")
    for text in taught.unmarked:
        print(f"off_topic: {text} taken off the list (assigned to an entry)")
    for question, faq_id, answered in taught.caught:
        before = f"answered with {faq_id}" if answered else f"offered choices with {faq_id} first"
        print(f"also to the helpdesk now: {question} ({before} before; if wrong, remove the mark)")
    if not taught.build:
        print(f"{faq_path} unchanged")
        return
    report = taught.build
    print(
        f"{faq_path}: {len(taught.added)} learned phrasing(s) added{off_topic_count(taught)}; "
        f"index rebuilt: {report.embedded + report.marked_embedded} text(s) embedded, {report.views - report.embedded} reused, in "
        f"{report.seconds:.2f} s; the running chat answers from it now"
    )
    if report.calibration:
        print(calibration_text(report.calibration, threshold))


def cmd_staff(args: argparse.Namespace) -> int:
    """`faqbot staff`: serve the console; `faqbot staff add-user|remove-user|list-users`: its accounts."""
    from faqbot.staff.console import serve_console
    from faqbot.staff.console.accounts import StaffStore

    settings = cfg.Settings.resolve(args.faq, args.index, args.config, log=args.log_file)
    if args.staff_command is None:
        serve_console(settings, host=args.host, port=args.port)
        return 0
    store = StaffStore(settings.log_location)
    try:
        if args.staff_command == "list-users":
            for name in store.users():
                print(name)
        elif args.staff_command == "remove-user":
            if not store.remove_user(args.name):
                raise FaqbotError(f"no staff account {args.name!r}; `faqbot staff list-users` lists them")
            print(f"removed {args.name}; their sessions have ended")
        else:
            name = store.add_user(args.name, new_password(args.password_stdin))
            print(f"{name} may now log in to the staff console (faqbot staff)")
    finally:
        store.close()
    return 0


def new_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or typed twice without echo."""
    import getpass

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("the same password again: ") != first:
        raise FaqbotError("the two passwords differ; nothing was changed")
    return first


def cmd_log_copy(args: argparse.Namespace) -> int:
    from faqbot.conversations.transfer import copy_log

    settings = cfg.load_config(args.config)
    result = copy_log(args.source, args.destination, settings.retention_days)
    print(
        f"{result.read} row(s) read from {result.source}; {result.added} added to {result.destination}, "
        f"{result.read - result.added} already there"
        + (f", {result.updated} of them with a newer 👍/👎, updated" if result.updated else "")
    )
    return 0


def cmd_log_mask(args: argparse.Namespace) -> int:
    from faqbot.conversations.backends import open_existing_log
    from faqbot.database import shown

    settings = cfg.load_config(args.config)
    log = open_existing_log(args.log, settings.retention_days)
    try:
        changed = log.mask_again()
    finally:
        log.close()
    print(f"{changed} stored question(s) masked again in {shown(args.log)}" if changed else "nothing to mask")
    return 0


def positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def load_faq_for(bot):
    from faqbot.faq.model import load_faq

    return load_faq(bot.faq_path)


def command(sub, name: str, help_text: str, func, epilog: str) -> argparse.ArgumentParser:
    """A sub-command with its examples shown as written under its --help."""
    p = sub.add_parser(
        name,
        help=help_text,
        description=help_text[0].upper() + help_text[1:] + ".",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(func=func)
    return p


def flag(p: argparse.ArgumentParser, name: str, help_text: str) -> None:
    """An on/off option."""
    p.add_argument(name, action="store_true", help=help_text)


def add_index_command(sub) -> None:
    p = command(sub, "index", "validate the FAQ and (re)build the index", cmd_index, EXAMPLES["index"])
    add_paths(p, out_alias=True)
    flag(p, "--json", "print the build report as JSON")
    flag(p, "--publish", "also store the index in PostgreSQL, for every faqbot serve on that database to swap in")
    flag(
        p,
        "--force",
        "with --publish: publish even though a generation published since this folder last published or "
        "fetched has another FAQ (its changes are undone)",
    )
    flag(
        p,
        "--fetch",
        "instead of building: write the newest published FAQ and index into --faq and --index, to change "
        "on top of what was published from elsewhere",
    )
    p.add_argument(
        "--db",
        metavar="URL",
        help="with --publish or --fetch: the replicas' database (default log_url in the settings, or FAQBOT_LOG)",
    )


def add_import_command(sub) -> None:
    p = command(sub, "import", "write a faq.yaml from the FAQ a company already has", cmd_import, EXAMPLES["import"])
    p.description = (
        "Read a FAQ and write it as a faq.yaml (docs/import.md). SOURCE is one of:\n"
        "  CSV/TSV   a header row: question, answer, optional alternatives (a | b), id, section,\n"
        "            question_en, answer_en\n"
        "  HTML      a saved page: FAQPage JSON-LD, <details>, <dt>/<dd>, or headings and their text\n"
        "  Markdown  each heading a question, the text under it the answer\n"
        "  text      copied from a web page: a line ending in '?' starts an entry"
    )
    p.add_argument("source", type=Path, help="the FAQ to import")
    p.add_argument("--out", type=Path, required=True, metavar="PATH", help="the faq.yaml to write")
    p.add_argument(
        "--helpdesk", metavar="ADDRESS", help="where unanswered questions go (default: the address the source names)"
    )
    flag(p, "--force", "overwrite PATH if it exists")
    p.add_argument(
        "--name",
        help="the company's name customers know: the chat's title and greeting (written to the settings "
        "when PATH is the FAQ they serve)",
    )
    p.add_argument(
        "--format",
        choices=["csv", "tsv", "html", "markdown", "text"],
        help="the source's format (default: from the extension, else the content)",
    )


def add_serve_command(sub) -> None:
    examples = "examples:\n  faqbot serve\n  FAQBOT_PORT=8080 faqbot serve --host 0.0.0.0"
    p = command(sub, "serve", "the chat widget for customers (Gradio)", cmd_serve, examples)
    add_paths(p)
    p.add_argument("--host", help="the address to listen on (env FAQBOT_HOST; default 127.0.0.1)")
    p.add_argument("--port", help="the port (env FAQBOT_PORT; default 7860)")


def add_ask_command(sub) -> None:
    p = command(sub, "ask", "answer questions", cmd_ask, EXAMPLES["ask"])
    p.add_argument("question", nargs="?", help="the question; without it, one question per line from stdin")
    add_paths(p)
    flag(p, "--json", "one JSON object per question per line")
    flag(p, "--log", "record the questions in the conversation log (env FAQBOT_LOG; default log_path in the settings)")


def add_evaluate_command(sub) -> None:
    p = command(sub, "evaluate", "score the bot on a test question set", cmd_evaluate, EXAMPLES["evaluate"])
    p.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=None,
        help='JSON lines {"question": "...", "expected": "an FAQ id"}, or "expected": null for a question the '
        "FAQ does not answer (default test_questions.jsonl beside the FAQ: data/test_questions.jsonl)",
    )
    add_paths(p)
    flag(p, "--json", "the whole report as one JSON document")
    p.add_argument(
        "--plot",
        type=Path,
        nargs="?",
        const=Path(DEFAULT_PLOT),
        metavar="FILE.png",
        help=f"draw the threshold sweep (default file {DEFAULT_PLOT})",
    )
    flag(p, "--write-threshold", "write the best threshold into the settings file")


def add_log_option(p: argparse.ArgumentParser, what: str = "the conversation log") -> None:
    p.add_argument(
        "--log-file",
        "--db",
        dest="log_file",
        metavar="PATH|URL",
        help=f"{what}, a SQLite file or postgresql:// URL (env FAQBOT_LOG; default log_url/log_path)",
    )


def add_report_command(sub) -> None:
    p = command(
        sub, "learn", "what customers taught the bot: suggestions, and accepting them", cmd_learn, EXAMPLES["learn"]
    )
    add_paths(p)
    add_log_option(p)
    flag(p, "--json", "one suggestion per line: {id, action, faq_id, question, evidence}")
    p.add_argument(
        "--accept", nargs="+", metavar="ID", help="add these suggestions to the FAQ (all: every confirmed phrasing)"
    )
    p.add_argument("--reject", nargs="+", metavar="ID", help="never propose these again")
    p.add_argument(
        "--off-topic",
        nargs="+",
        metavar="ID",
        help="questions about something the FAQ does not cover (a 👎 question, a group that reached the "
        "helpdesk, or a confirmed phrasing): never listed again, a 👎 no longer counts against the entry that answered, and the questions "
        "go into the FAQ's off_topic: list, which the bot sends (and questions nearer them than any entry) to the helpdesk",
    )
    p.add_argument(
        "--assign",
        nargs=2,
        action="append",
        metavar=("REPLY_ID", "FAQ_ID"),
        help="the question of a reply that reached the helpdesk is a phrasing of this entry (repeatable)",
    )
    flag(p, "--publish", "publish the rebuilt index to every replica (needs log_url: postgresql://...)")
    flag(
        p,
        "--auto",
        "accept, without staff, what `learn: auto` in the settings allows: phrasings that "
        "learn_auto_clients different clients confirmed and nobody said 👎 to (for a timer)",
    )

    p = command(sub, "report", "what customers asked that the FAQ could not answer", cmd_report, EXAMPLES["report"])
    add_paths(p)
    add_log_option(p)
    p.add_argument("--since", type=positive, metavar="DAYS", help="only the last DAYS days (default: the whole log)")
    p.add_argument("--top", type=int, default=10, metavar="N", help="groups and entries to show (default 10)")
    flag(p, "--json", "the whole report as one JSON document")
    p.add_argument(
        "--html", type=Path, metavar="FILE", help="also write an HTML page with a bar chart of the top groups"
    )
    flag(p, "--suggest", "print FAQ YAML for the top groups, for staff to review and paste")


def add_log_command(sub) -> None:
    p = sub.add_parser(
        "log",
        help="the conversation log: copy it between SQLite and PostgreSQL, or mask it again",
        epilog=EXAMPLES["log"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    log_sub = p.add_subparsers(dest="log_command", required=True)
    c = log_subcommand(log_sub, "copy", "copy every row of SRC into DST, skipping rows DST already has", cmd_log_copy)
    c.add_argument("source", metavar="SRC", help="a SQLite file or a postgresql:// URL")
    c.add_argument("destination", metavar="DST", help="a SQLite file (created when missing) or a postgresql:// URL")
    m = log_subcommand(
        log_sub,
        "mask",
        "mask every stored question again with this faqbot's masking (after an upgrade that masks more)",
        cmd_log_mask,
    )
    m.add_argument("log", metavar="LOG", help="a SQLite file or a postgresql:// URL")


def log_subcommand(log_sub, name: str, what: str, func) -> argparse.ArgumentParser:
    """A `faqbot log` subcommand, with the settings file it reads retention_days from."""
    sub = log_sub.add_parser(
        name, help=what, epilog=EXAMPLES["log"], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub.add_argument(
        "--config", type=Path, default=None, help="the settings file, for retention_days (default data/config.yaml)"
    )
    sub.set_defaults(func=func)
    return sub


def add_staff_command(sub) -> None:
    p = command(
        sub, "staff", "the staff console (a web page behind a login), and its accounts", cmd_staff, EXAMPLES["staff"]
    )
    add_paths(p)
    add_log_option(p, "the database with the staff accounts: the conversation log")
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7861, help="the port (default 7861; never the chat's)")
    accounts = p.add_subparsers(dest="staff_command", metavar="{add-user,remove-user,list-users}")
    add = accounts.add_parser("add-user", help="create an account (or set a new password); asks for it twice")
    add.add_argument("name", help="the user name (letters, digits, . _ @ -)")
    flag(add, "--password-stdin", "read the password from the first line of stdin (for scripts)")
    remove = accounts.add_parser("remove-user", help="delete an account and end its sessions")
    remove.add_argument("name")
    accounts.add_parser("list-users", help="the accounts, one per line")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="faqbot", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (
        add_index_command,
        add_import_command,
        add_serve_command,
        add_ask_command,
        add_evaluate_command,
        add_report_command,
        add_log_command,
        add_staff_command,
    ):
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        return int(args.func(args) or 0)
    except FaqbotError as err:
        print(f"error: {err}" if "\n" not in str(err) else str(err), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except OSError as err:  # a full disk, a folder not writable: in words (an attack's full disk gave 56 lines)
        where = f": {err.filename}" if err.filename else ""
        print(f"error: {err.strerror or err}{where}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
