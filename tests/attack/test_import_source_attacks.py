"""Attacks on `faqbot import` with hostile or damaged source files, and on hand edits of the FAQ.

Found by a helper's attack (twenty-eighth session): a file name with a line break wrote keys into
the FAQ; JSON-LD nested 100,000 deep and a damaged UTF-16 file ended in tracebacks; one
Windows-1252 line in a UTF-8 CSV turned every å, ä and ö of the rest into "Ã¥"; a line break in a
CSV cell glued two words together; Excel for Mac's CR line ends were refused in the csv module's
words; invalid JSON-LD was reported as missing; a control character in faq.yaml was said to be
on line 1; an id quoted with a space passed the check and then could not be edited.
"""

from __future__ import annotations

import pytest

from faqbot import DataError, load_faq
from faqbot.cli import main
from faqbot.faq.importers import import_faq

ROWS = "question,answer\nVad kostar en reparation?,Hundra kronor\nNär öppnar ni?,Klockan nio\n"


def test_a_file_name_with_a_line_break_writes_no_key_into_the_faq(tmp_path):
    source = tmp_path / "faq\noff_topic: [Hur mycket kostar en reparation]\n#.csv"
    source.write_text(ROWS, encoding="utf-8")
    faq = load_faq(import_faq(source, tmp_path / "faq.yaml", helpdesk="a@b.se").out)
    assert faq.off_topic == () and len(faq.entries) == 2
    first = (tmp_path / "faq.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert (
        first.startswith("# FAQ imported by") and "faq\\noff_topic: [Hur mycket kostar en reparation]\\n#.csv" in first
    )


def test_json_ld_nested_too_deep_is_a_note_not_a_traceback(tmp_path):
    source = tmp_path / "faq.html"
    nested = "[" * 100_000 + "]" * 100_000
    script = f'<script type="application/ld+json">{{"@type":"FAQPage","mainEntity":{nested}}}</script>'
    source.write_text(f"<html><body>{script}</body></html>", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        import_faq(source, tmp_path / "faq.yaml", helpdesk="a@b.se")
    assert "note: JSON-LD is nested too deep to read; ignored" in str(caught.value)
    assert not (tmp_path / "faq.yaml").exists()


def test_invalid_json_ld_is_named_when_nothing_else_is_found(tmp_path):
    source = tmp_path / "faq.html"
    data = '{"@type": "FAQPage", "mainEntity": [{"@type": "Question", "name": "Vad kostar det?",}]}'
    source.write_text(f'<html><body><script type="application/ld+json">{data}</script></body></html>', "utf-8")
    with pytest.raises(DataError) as caught:
        import_faq(source, tmp_path / "faq.yaml", helpdesk="a@b.se")
    assert "no entries found as html" in str(caught.value) and "note: JSON-LD is not valid JSON" in str(caught.value)


def test_a_damaged_utf16_file_is_named_with_its_line(tmp_path):
    source = tmp_path / "faq.csv"
    source.write_bytes("question\tanswer\nVad kostar det?\tHundra\n".encode("utf-16") + b"\x00\xd8")
    with pytest.raises(DataError, match=r"faq\.csv:3: is not valid UTF-16 text"):
        import_faq(source, tmp_path / "faq.yaml", helpdesk="a@b.se")


def test_one_windows_1252_line_in_a_utf8_csv_leaves_the_rest_as_written(tmp_path):
    source = tmp_path / "faq.csv"
    utf8 = "question,answer\nVad kostar det på lördag?,Hundra kronor för åäö\n".encode()
    source.write_bytes(utf8 + "När öppnar ni?,Klockan åtta\n".encode("cp1252"))
    result = import_faq(source, tmp_path / "faq.yaml", helpdesk="a@b.se")
    faq = load_faq(result.out)
    assert [e.question for e in faq.entries] == ["Vad kostar det på lördag?", "När öppnar ni?"]
    assert [e.answer for e in faq.entries] == ["Hundra kronor för åäö", "Klockan åtta"]
    assert faq.entries[0].id == "vad-kostar-det-pa-lordag"
    assert any(f"{source}:3: line 3 not UTF-8, unlike the rest" in w for w in result.warnings)


def test_all_windows_1252_reads_as_before(tmp_path):
    source = tmp_path / "faq.csv"
    source.write_bytes("question,answer\nNär öppnar ni?,Klockan åtta\n".encode("cp1252"))
    result = import_faq(source, tmp_path / "faq.yaml", helpdesk="a@b.se")
    assert load_faq(result.out).entries[0].question == "När öppnar ni?"
    assert any("not UTF-8; read as Windows-1252 (check å, ä and ö in the result)" in w for w in result.warnings)


def test_line_breaks_in_a_cell_are_spaces_in_a_question_and_paragraphs_in_an_answer(tmp_path):
    source = tmp_path / "faq.csv"
    source.write_text(
        'question,answer\n"Vad\nkostar det?","Hundra kronor.\u2029Moms ingår.\u2028Betala med kort."\n', "utf-8"
    )
    entry = load_faq(import_faq(source, tmp_path / "faq.yaml", helpdesk="a@b.se").out).entries[0]
    assert entry.question == "Vad kostar det?" and entry.id == "vad-kostar-det"
    assert entry.answer == "Hundra kronor.\n\nMoms ingår.\nBetala med kort."  # as the console saves them


def test_a_csv_with_mac_line_ends_is_read(tmp_path):
    source = tmp_path / "faq.csv"
    source.write_bytes('question;answer\r"Vad kostar det?";"Hundra"\rNär?;Nu\r'.encode())
    faq = load_faq(import_faq(source, tmp_path / "faq.yaml", helpdesk="a@b.se").out)
    assert [(e.question, e.answer) for e in faq.entries] == [("Vad kostar det?", "Hundra"), ("När?", "Nu")]


def test_characters_yaml_does_not_allow_are_dropped_from_a_source(tmp_path):
    source = tmp_path / "faq.csv"
    source.write_text("question,answer\nVad kostar det?,Hundra\ufffe kronor\x9b\n", encoding="utf-8")
    faq = load_faq(import_faq(source, tmp_path / "faq.yaml", helpdesk="a@b.se").out)
    assert faq.entries[0].answer == "Hundra kronor"


@pytest.mark.parametrize("character", ["\ufffe", "\x9b", "\x07"])
def test_a_character_yaml_does_not_allow_in_a_hand_edit_is_named_at_its_line(tmp_path, character):
    faq = tmp_path / "faq.yaml"
    faq.write_text(
        f"helpdesk: a@b.se\nentries:\n  - id: backup\n    question: Q?\n    answer: a{character}b\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match=rf"faq\.yaml:5: an invisible control character \(U\+{ord(character):04X}\)"):
        load_faq(faq)


@pytest.mark.parametrize("written", ['"backup "', '"backup\\n"'])
def test_an_id_quoted_with_a_space_or_line_break_is_refused_at_its_line(tmp_path, written):
    faq = tmp_path / "faq.yaml"
    faq.write_text(f"helpdesk: a@b.se\nentries:\n  - id: {written}\n    question: Q?\n    answer: a\n", "utf-8")
    with pytest.raises(DataError, match=r"faq\.yaml:3: id 'backup(\\n| )' may only use"):
        load_faq(faq)


def test_an_import_prints_at_most_twenty_notes_and_counts_the_rest(tmp_path, capsys):
    """Found by an attack: a CSV with 100,000 unused columns printed 100,000 note lines."""
    source = tmp_path / "faq.csv"
    source.write_text("".join(f"Rad {n} ovanför tabellen\n" for n in range(25)) + ROWS, encoding="utf-8")
    assert main(["import", str(source), "--out", str(tmp_path / "faq.yaml"), "--helpdesk", "a@b.se"]) == 0
    notes = capsys.readouterr().err.splitlines()
    assert len(notes) == 21 and notes[-1] == "note: ... and 5 more notes like these"
    assert all("is above the header row; skipped" in note for note in notes[:20])


def test_a_byte_order_mark_before_a_mixed_file_is_not_read_into_its_header(tmp_path):
    source = tmp_path / "faq.csv"
    source.write_bytes(b"\xef\xbb\xbf" + b"question,answer\n" + "När?,Nu\n".encode("cp1252"))
    faq = load_faq(import_faq(source, tmp_path / "faq.yaml", helpdesk="a@b.se").out)
    assert [(e.question, e.answer) for e in faq.entries] == [("När?", "Nu")]
