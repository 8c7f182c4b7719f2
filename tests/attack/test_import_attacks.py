"""Attacks on `faqbot import --force` over an FAQ that is there (faqbot.staff.fresh_start): what it
keeps, what it carries over to the new FAQ, and that the replaced file is never lost.

Found by a helper's attack on the carry-over of customers' learned phrasings: another company's
spreadsheet with the same row numbers took the old company's phrasings and helpdesk; phrasings
that no longer fit made the import fail half-way; a hand-broken old file lost its phrasings
without a word; the copy of the replaced file was made after it was overwritten.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from faqbot import load_faq
from faqbot.cli import main
from faqbot.conversations.store import ConversationLog
from faqbot.faq.edit import add_learned
from faqbot.staff.signals import ALTERNATIVE, suggestion_id

DENTIST = """id,question,answer
1,Tar ni emot nya patienter?,"Ja, ring oss."
2,Hur bokar jag en tid?,Boka på webben.
3,Vad kostar en undersökning?,850 kronor.
"""
BIKES = """id,question,answer
1,Byter ni kedja på cyklar?,"Ja, medan du väntar."
2,Hur lång tid tar en service?,En vecka.
3,Lagar ni punkteringar?,Samma dag.
"""
PHRASING = "Vad tar ni för en tandkontroll?"


def served(tmp_path: Path, monkeypatch) -> Path:
    """The FAQ the settings serve, in a folder of its own (the log is FAQBOT_LOG: default-log.db)."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("FAQBOT_FAQ", str(data / "faq.yaml"))
    monkeypatch.setenv("FAQBOT_CONFIG", str(data / "config.yaml"))
    return data / "faq.yaml"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def accepted(log_path: Path) -> set[str]:
    with ConversationLog(log_path) as log:
        return log.decisions("accepted")


def test_another_companys_faq_numbered_the_same_way_takes_nothing_of_the_old_one(tmp_path, monkeypatch, capsys):
    faq = served(tmp_path, monkeypatch)
    dentist = write(tmp_path / "tand.csv", DENTIST)
    assert main(["import", str(dentist), "--out", str(faq), "--helpdesk", "info@tand.se"]) == 0
    add_learned(faq, {"3": [PHRASING]})
    bikes = write(tmp_path / "cykel.csv", BIKES)
    # no address in the bike shop's spreadsheet: the dentist's is not taken for it
    assert main(["import", str(bikes), "--out", str(faq), "--force"]) == 1
    assert "no e-mail address in" in capsys.readouterr().err and load_faq(faq).helpdesk == "info@tand.se"
    assert main(["import", str(bikes), "--out", str(faq), "--force", "--helpdesk", "verkstad@cykel.se"]) == 0
    assert "learned:" not in capsys.readouterr().out
    assert load_faq(faq).by_id["3"].learned == ()  # "Lagar ni punkteringar?" learned no dentist's question


@pytest.mark.slow  # a 2 MB FAQ written three times: 10 s
def test_phrasings_that_no_longer_fit_leave_the_import_standing_and_are_proposed_again(tmp_path, monkeypatch, capsys):
    faq = served(tmp_path, monkeypatch)
    rows = "".join(f"e{n},Fråga nummer {n} om något?,{'Svar ' * 4000}\n" for n in range(95))
    source = write(tmp_path / "big.csv", "id,question,answer\n" + rows)
    assert main(["import", str(source), "--out", str(faq), "--helpdesk", "a@b.se"]) == 0
    (tmp_path / "data" / "config.yaml").write_text("threshold: 0.36\n", encoding="utf-8")  # measured by evaluate
    taught = {f"e{n}": [f"Undrar hur det blir med sak {n} och {k}?" for k in range(20)] for n in range(95)}
    add_learned(faq, taught)
    ids = {suggestion_id(ALTERNATIVE, faq_id, text) for faq_id, texts in taught.items() for text in texts}
    with ConversationLog(tmp_path / "default-log.db") as log:
        for faq_id, texts in taught.items():
            for text in texts:
                log.record_decision(suggestion_id(ALTERNATIVE, faq_id, text), "accepted", faq_id, text)
    # the updated spreadsheet's longer answers leave no room for them under the FAQ's size limit
    write(
        source,
        "id,question,answer\n" + "".join(f"e{n},Fråga nummer {n} om något?,{'Svar ' * 4150}\n" for n in range(95)),
    )
    capsys.readouterr()
    assert main(["import", str(source), "--out", str(faq), "--force"]) == 0
    out = capsys.readouterr().out
    assert "note: the phrasings customers taught were not written into the new FAQ" in out and "bug" not in out
    assert "faqbot learn proposes them again" in out and not accepted(tmp_path / "default-log.db") & ids
    assert "threshold: auto" in (tmp_path / "data" / "config.yaml").read_text(encoding="utf-8")  # the rest went on
    assert not any(entry.learned for entry in load_faq(faq).entries)


def test_an_old_faq_broken_by_hand_still_gives_what_customers_taught_and_is_kept(tmp_path, monkeypatch, capsys):
    """A slip in a hand edit made the old file invalid: its learned phrasings were dropped while the
    log kept them as accepted (never proposed again), and another company's log was not set aside."""
    faq = served(tmp_path, monkeypatch)
    source = write(tmp_path / "cykel.csv", BIKES.replace("\n1,", "\nkedja,").replace("\n2,", "\nservice,"))
    assert main(["import", str(source), "--out", str(faq), "--helpdesk", "verkstad@cykel.se"]) == 0
    add_learned(faq, {"kedja": ["Fixar ni en trasig kedja?"]})
    write(faq, faq.read_text(encoding="utf-8") + "  - oops\n")  # a slip in a hand edit
    broken = faq.read_bytes()
    # the updated spreadsheet: two typos fixed, still the same company (an attack found it taken for another)
    source.write_text(source.read_text(encoding="utf-8").replace("kedja på cyklar", "kedjor på cyklar"))
    assert main(["import", str(source), "--out", str(faq), "--force"]) == 0  # its helpdesk kept: the same company
    out = capsys.readouterr().out
    [kept] = faq.parent.glob("faq.yaml.old-*")
    assert kept.read_bytes() == broken and f"replaced file: kept as {kept}" in out
    assert f"note: {faq} was not a valid FAQ; its 3 readable entries were read for what to keep" in out
    assert load_faq(faq).by_id["kedja"].learned == ("Fixar ni en trasig kedja?",)
    # a file that is not even YAML: nothing to read, and the import says so
    kept.unlink()
    write(faq, "helpdesk: [\n")
    assert main(["import", str(source), "--out", str(faq), "--force", "--helpdesk", "verkstad@cykel.se"]) == 0
    assert f"note: {faq} was not a valid FAQ, so nothing in it was carried over" in capsys.readouterr().out


def test_the_replaced_file_is_copied_before_it_is_replaced_or_not_replaced_at_all(tmp_path, capsys):
    faq = tmp_path / ("f" * 215 + ".yaml")  # a legal name, but not with ".old-<time>" and a temporary suffix
    bikes = write(tmp_path / "cykel.csv", BIKES)
    assert main(["import", str(bikes), "--out", str(faq), "--helpdesk", "verkstad@cykel.se"]) == 0
    write(faq, faq.read_text(encoding="utf-8") + "# staff's own notes, only here\n")
    before = faq.read_bytes()
    dentist = write(tmp_path / "tand.csv", DENTIST)
    assert main(["import", str(dentist), "--out", str(faq), "--force", "--helpdesk", "info@tand.se"]) == 1
    assert "cannot keep a copy of" in capsys.readouterr().err and faq.read_bytes() == before
    # a source that does not parse replaces nothing, and leaves no copy behind
    short = tmp_path / "faq.yaml"
    assert main(["import", str(bikes), "--out", str(short), "--helpdesk", "verkstad@cykel.se"]) == 0
    assert (
        main(
            [
                "import",
                str(write(tmp_path / "bad.csv", "question,answer\nVad kostar det?,\n")),
                "--out",
                str(short),
                "--force",
            ]
        )
        == 1
    )
    assert not list(tmp_path.glob("faq.yaml.old-*")) and load_faq(short).by_id["1"]
