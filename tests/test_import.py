"""`faqbot import`: a company's own FAQ (CSV/TSV, HTML, Markdown, plain text) becomes a valid
faq.yaml, navigation and footers are not entries, problems are reported as SOURCE:LINE."""

from __future__ import annotations

import csv
import difflib
import shlex
import shutil
from pathlib import Path

import pytest

from faqbot import DataError, load_faq, load_index
from faqbot.cli import main
from faqbot.config import load_config
from faqbot.conversations.rows import LogRow
from faqbot.conversations.store import ConversationLog
from faqbot.errors import FaqbotError
from faqbot.faq.importers import guess_format, import_faq
from faqbot.faq.importers.common import slugify
from tests.conftest import ROOT
from tests.fakes import FAKE_MODEL

FIXTURES = ROOT / "tests" / "fixtures" / "import"
SEED = Path("/work/shared/seed/000_85e6d2844c180721.txt")
SEED_COPY = FIXTURES.parent / "seed.txt"  # the seed as shipped in the repository, for machines without /work
NAVIGATION_AND_FOOTER = ("Hem", "Tjänster", "Kontakt", "©", "Cookies", "cookies", "Telefon", "Relaterat", "begagnade")

# fixture -> (the malformed part's SOURCE:LINE message, the malformed part and its repair)
MALFORMED = {
    "faq.csv": (
        ":8: question 'Kan jag hämta cykeln efter stängning?' has no answer",
        (",Elcyklar,Kan jag hämta cykeln efter stängning?,,,,,2025-03-02\n", ""),
    ),
    "faq.tsv": (":5: the row has 5 fields but the header 3", ("\tfel\tfält", "")),
    "faq.txt": (
        ":18: question 'Kan jag hämta cykeln efter stängning?' has no answer",
        ("Kan jag hämta cykeln efter stängning?\n", ""),
    ),
    "faq.md": (
        ":28: question 'Kan jag hämta cykeln efter stängning?' has no answer",
        ("### Kan jag hämta cykeln efter stängning?\n", ""),
    ),
    "faq-details.html": (
        ":35: the question is empty",
        ("<summary> </summary>", "<summary>Får jag parkera cykeln?</summary>"),
    ),
    "faq-dl.html": (
        ":22: question 'Kan jag hämta cykeln efter stängning?' has no answer",
        ("<dt>Kan jag hämta cykeln efter stängning?</dt>", ""),
    ),
    "faq-headings.html": (
        ":24: question 'Kan jag hämta cykeln efter stängning?' has no answer",
        ("<h3>Kan jag hämta cykeln efter stängning?</h3>", ""),
    ),
    "faq-jsonld.html": (
        ":26: question 'Kan jag hämta cykeln efter stängning?' has no answer",
        (
            '"name": "Kan jag hämta cykeln efter stängning?"',
            '"name": "Får jag parkera cykeln?", "acceptedAnswer": {"text": "Ja."}',
        ),
    ),
}
SERVICE_TIME = (
    "En vanlig service tar två arbetsdagar.\n\nUnder högsäsong (april till juni) kan det ta upp till en vecka."
)


def repaired(name: str, tmp_path: Path) -> Path:
    """The fixture with its malformed row or entry repaired."""
    old, new = MALFORMED[name][1]
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_row_or_entry_is_reported_as_source_line_and_nothing_is_written(tmp_path, name):
    out = tmp_path / "faq.yaml"
    with pytest.raises(DataError) as caught:
        import_faq(FIXTURES / name, out, helpdesk="verkstad@cykelverkstan.se")
    assert f"{FIXTURES / name}{MALFORMED[name][0]}" in str(caught.value).splitlines()[0]
    assert not out.exists()


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_each_format_imports_the_questions_as_written_and_not_the_navigation_or_footer(tmp_path, name):
    result = import_faq(repaired(name, tmp_path), tmp_path / "faq.yaml", helpdesk="verkstad@cykelverkstan.se")
    faq = load_faq(result.out)  # the same checks as `faqbot index`
    questions = [e.question for e in faq.entries]
    assert questions[:2] == ["Hur lång tid tar en service?", "Vad kostar en service?"]
    assert "Lagar ni elcyklar?" in questions and len(questions) == result.entries
    assert faq.entries[0].answer.strip() == SERVICE_TIME or name == "faq.tsv"
    for entry in faq.entries:
        for text in (entry.question, entry.answer, *entry.alternatives):
            assert not any(word in text for word in NAVIGATION_AND_FOOTER), (entry.id, text)
    expected_sections = [] if name in ("faq-jsonld.html", "faq.txt") else ["Service", "Service", "Elcyklar"]
    assert [e.section for e in faq.entries if e.section][:3] == expected_sections
    assert faq.helpdesk == "verkstad@cykelverkstan.se"


def test_an_ordered_list_keeps_its_numbers(tmp_path):
    """A walk-through's shop wrote its return steps as an <ol>; they were imported as "- " bullets,
    their order lost. Numbered from the list's `start`, the items of an <ul> inside still bullets."""
    page = tmp_path / "faq.html"
    page.write_text(
        "<html><body><h1>Vanliga frågor</h1><h2>Hur returnerar jag en vara?</h2><p>Så här gör du:</p>"
        "<ol><li>Fyll i returformuläret.</li><li>Packa varan.</li><li>Lämna paketet hos ombudet.</li></ol>"
        "<h2>Vad kan jag betala med?</h2><ol start='4'><li>Kort</li><li>Swish<ul><li>även företag</li></ul></li></ol>"
        "</body></html>",
        encoding="utf-8",
    )
    faq = load_faq(import_faq(page, tmp_path / "faq.yaml", helpdesk="kundtjanst@skobutik.se").out)
    assert [e.answer.strip() for e in faq.entries] == [
        "Så här gör du:\n\n1. Fyll i returformuläret.\n2. Packa varan.\n3. Lämna paketet hos ombudet.",
        "4. Kort\n5. Swish\n- även företag",
    ]


@pytest.mark.parametrize("name", ["faq.md", "faq-details.html", "faq-headings.html"])
def test_list_items_stay_one_per_line(tmp_path, name):
    result = import_faq(repaired(name, tmp_path), tmp_path / "faq.yaml", helpdesk="verkstad@cykelverkstan.se")
    answer = load_faq(result.out).entries[1].answer.strip()
    assert answer == "Baspaketet kostar 795 kronor och omfattar:\n\n- justering av växlar\n- justering av bromsar"


def test_definition_terms_before_one_description_are_alternatives(tmp_path):
    result = import_faq(repaired("faq-dl.html", tmp_path), tmp_path / "faq.yaml")
    assert load_faq(result.out).entries[0].alternatives == ("När är cykeln klar?",)


def test_the_csv_reads_alternatives_ids_sections_and_english_columns(tmp_path):
    result = import_faq(repaired("faq.csv", tmp_path), tmp_path / "faq.yaml")
    service, price, ebikes = load_faq(result.out).entries
    assert service.alternatives == ("Hur länge måste jag vänta på cykeln?", "När är cykeln klar?")
    assert (service.question_en, service.answer_en) == (
        "How long does a service take?",
        "A regular service takes two working days.",
    )
    assert ebikes.answer_en == "Yes, we repair all common brands of e-bikes."
    assert (price.id, price.answer_en) == ("pris", "")
    assert (result.entries, result.sections) == (3, 2)
    assert any(":3: column 'updated' is not used" in w for w in result.warnings)
    assert any(
        ":1: 'Cykelverkstan Nord – vanliga frågor (export 2025-03-02)' is above the header" in w
        for w in result.warnings
    )


def test_ids_that_yaml_would_read_as_another_type_are_quoted(tmp_path):
    """An id made from the question "Yes?" (or a CSV's id column "2024") was written bare: the
    FAQ it imported could not be read ("must be text")."""
    source = tmp_path / "faq.csv"
    source.write_text("id,question,answer\n,Yes?,Ja.\n2024,Vad hände 2024?,Mycket.\n,On?,Av.\n", encoding="utf-8")
    result = import_faq(source, tmp_path / "faq.yaml", helpdesk="hej@example.se")
    assert [e.id for e in load_faq(result.out).entries] == ["yes", "2024", "on"]


def test_the_seed_text_gives_its_fourteen_entries_as_written(tmp_path):
    source = SEED if SEED.is_file() else SEED_COPY
    result = import_faq(source, tmp_path / "faq.yaml")
    faq = load_faq(result.out)
    assert (result.entries, result.format, faq.helpdesk) == (14, "text", "helpdesk@winterkvist.com")
    first = faq.entries[0]
    assert first.question == "Hur når jag er om jag behöver hjälp, support?"
    assert first.answer.startswith("skriv till helpdesk@winterkvist.com\n\nFörsök att beskriva ditt ärende")
    assert faq.entries[-1].question == "Hur säger jag upp mitt abonnemang och avtal med er?"
    assert faq.entries[-1].answer.strip().endswith("som vi alltid betalr för våra kunders räkning.")  # typos kept


def test_the_seed_import_matches_the_shipped_faq_up_to_staffs_copy_edits(tmp_path):
    source = SEED if SEED.is_file() else SEED_COPY
    imported = load_faq(import_faq(source, tmp_path / "faq.yaml").out)
    shipped = load_faq(ROOT / "data" / "faq.yaml")
    assert [e.question for e in imported.entries] == [e.question for e in shipped.entries]
    for ours, theirs in zip(imported.entries, shipped.entries, strict=True):
        ours_text, theirs_text = " ".join(ours.answer.split()), " ".join(theirs.answer.split())
        similarity = difflib.SequenceMatcher(None, ours_text, theirs_text, autojunk=False).ratio()
        assert similarity >= 0.9, (theirs.id, similarity)  # typo fixes and rewording, no other text


def test_the_seed_copy_in_the_repository_is_the_seed():
    if not SEED.is_file():
        pytest.skip("the seed is not on this machine")
    assert SEED_COPY.read_bytes() == SEED.read_bytes()


def test_an_existing_file_is_kept_unless_force_is_given(tmp_path, capsys):
    out = tmp_path / "faq.yaml"
    out.write_text("staff's own work\n", encoding="utf-8")
    source = str(repaired("faq.md", tmp_path))
    assert main(["import", source, "--out", str(out)]) == 1
    assert f"{out} already exists; add --force to overwrite it" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "staff's own work\n"
    assert main(["import", source, "--out", str(out), "--force"]) == 0
    assert len(load_faq(out).entries) == 3


def test_following_the_next_command_indexes_an_faq_the_chat_does_not_serve_beside_it(tmp_path, capsys):
    """`next: faqbot index --faq OUT` alone wrote the served index (a walk-through followed it),
    calibrated by the served FAQ's settings."""
    out = tmp_path / "other" / "faq.yaml"
    out.parent.mkdir()
    (out.parent / "config.yaml").write_text(f"model: {FAKE_MODEL}\n", encoding="utf-8")
    assert main(["import", str(repaired("faq.csv", tmp_path)), "--out", str(out)]) == 0
    [hint] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("next: ")]
    assert main(shlex.split(hint.removeprefix("next: faqbot "))) == 0
    assert load_index(out.parent / "index").manifest.faq_hash == load_faq(out).content_hash()
    assert not (tmp_path / "default-index").exists()  # the served index (FAQBOT_INDEX) untouched


def test_the_next_command_never_names_the_served_index(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FAQBOT_INDEX", str(tmp_path / "index"))  # faq.yaml imported beside the served index/
    assert main(["import", str(repaired("faq.csv", tmp_path)), "--out", str(tmp_path / "faq.yaml")]) == 0
    [hint] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("next: ")]
    assert f"--out {tmp_path / 'faq-index'} " in hint


def test_the_command_prints_a_summary_and_the_next_command(tmp_path, capsys):
    out = tmp_path / "new" / "faq.yaml"
    assert main(["import", str(repaired("faq.csv", tmp_path)), "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert printed.out.splitlines() == [
        f"imported 3 entries in 2 sections from {tmp_path / 'faq.csv'} (csv)",
        "helpdesk: verkstad@cykelverkstan.se (found in the source; --helpdesk sets another)",
        f"written to {out}",
        f"settings: {out.parent / 'config.yaml'} (threshold: auto; its conversation log and staff accounts: "
        f"{out.parent / 'conversations.db'})",
        f"next: faqbot index --faq {out} --out {out.parent / 'index'} --config {out.parent / 'config.yaml'}",
    ]
    # the settings the next step names are there: no "does not exist" warning, the folder keeps its own log
    settings = load_config(out.parent / "config.yaml")
    assert settings.threshold == "auto" and Path(settings.log_path) == (out.parent / "conversations.db").resolve()
    assert "note: " in printed.err and "column 'updated' is not used" in printed.err
    text = out.read_text(encoding="utf-8")
    assert text.startswith(f"# FAQ imported by `faqbot import` from {tmp_path / 'faq.csv'} (csv).")
    assert "    answer: |\n      En vanlig service tar två arbetsdagar.\n\n      Under högsäsong" in text


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


CSV_PROBLEMS = [
    # (what is wrong, CSV text, expected ":LINE: message")
    ("missing answer", "question,answer\nVad kostar det?,\n", ":2: question 'Vad kostar det?' has no answer"),
    ("empty question", "question,answer\nVad kostar det?,Mycket.\n,Ett svar.\n", ":3: the question is empty"),
    (
        "duplicate question",
        "question,answer\nVad kostar det?,Mycket.\nVAD kostar det,Lite.\n",
        ":3: question 'VAD kostar det' is already asked on line 2",
    ),
    ("no rows", "question,answer\n", ":1: no entries found as csv"),
    ("no answer column", "fråga,text\nVad kostar det?,Mycket.\n", ":1: the header has no 'answer' column"),
    ("bad id", "id,question,answer\nÖppet Tider,När har ni öppet?,Alltid.\n", ":2: id 'Öppet Tider' may only use"),
    (
        "duplicate id",
        "id,question,answer\npris,Vad kostar det?,Mycket.\npris,Vad kostar frakten?,Lite.\n",
        ":3: id 'pris' is already used on line 2",
    ),
    (
        "a row of several lines is reported by its first line",
        'question,answer\nA?,"Rad ett\n\nrad två"\nB?,\n',
        ":5: question 'B?' has no answer",
    ),
]


@pytest.mark.parametrize("what, text, expected", CSV_PROBLEMS, ids=[p[0] for p in CSV_PROBLEMS])
def test_csv_problems_are_reported_with_source_and_line(tmp_path, what, text, expected):
    source = write(tmp_path, "faq.csv", text)
    with pytest.raises(DataError) as caught:
        import_faq(source, tmp_path / "faq.yaml", helpdesk="hej@example.se")
    assert f"{source}{expected}" in str(caught.value)


def test_every_problem_is_reported_at_once(tmp_path):
    source = write(tmp_path, "faq.csv", "question,answer\nA?,\n,Svar.\nC?,Svar.\nC?,Svar igen.\n")
    with pytest.raises(DataError) as caught:
        import_faq(source, tmp_path / "faq.yaml", helpdesk="hej@example.se")
    assert [line for line, _ in caught.value.problems] == [2, 3, 5]


def test_text_without_any_question_says_what_it_looked_for(tmp_path):
    source = write(tmp_path, "faq.txt", "Välkommen till vår webbplats.\nHär finns inget att fråga om.\n")
    with pytest.raises(DataError, match=r"faq.txt:1: no entries found as text: no line ends in '\?'"):
        import_faq(source, tmp_path / "faq.yaml", helpdesk="hej@example.se")


def test_without_an_address_in_the_source_it_asks_for_helpdesk(tmp_path):
    source = write(tmp_path, "faq.csv", "question,answer\nVad kostar det?,Mycket.\n")
    with pytest.raises(FaqbotError, match="no e-mail address in .* name it with --helpdesk ADDRESS"):
        import_faq(source, tmp_path / "faq.yaml")
    with pytest.raises(FaqbotError, match="--helpdesk 'support' is not an e-mail address"):
        import_faq(source, tmp_path / "faq.yaml", helpdesk="support")
    assert (
        load_faq(import_faq(source, tmp_path / "faq.yaml", helpdesk="hej@example.se").out).helpdesk == "hej@example.se"
    )


def test_the_address_meant_for_questions_is_preferred_as_helpdesk(tmp_path):
    text = (
        "question,answer\nKan jag skriva ut?,Mejla print@bibliotek.se.\nHur når jag er?,Skriv till info@bibliotek.se.\n"
    )
    result = import_faq(write(tmp_path, "faq.csv", text), tmp_path / "faq.yaml")
    assert result.helpdesk == "info@bibliotek.se" and result.helpdesk_found


def test_ids_are_ascii_slugs_of_the_question():
    assert slugify("Får jag ändra öppettiderna för mitt café?") == "far-jag-andra-oppettiderna-for-mitt-cafe"
    assert slugify("Hur når jag er om jag behöver hjälp, support?") == "hur-nar-jag-er-om-jag-behover-hjalp"
    assert slugify("Ærlig talt: hvad koster smørrebrød?") == "aerlig-talt-hvad-koster-smorrebrod"
    assert slugify("???") == "fraga"


def test_ids_are_unique_and_stable_for_the_same_question(tmp_path):
    rows = [
        "Hur gör jag om jag vill säga upp mitt avtal i förtid?,Ring oss.",
        "Hur gör jag om jag vill säga upp mitt avtal efter ett år?,Skriv till oss.",
        "Hur gör jag om jag vill säga upp mitt avtal när jag flyttar?,Mejla oss.",
        "Vad kostar det?,Mycket.",
    ]
    first = load_faq(
        import_faq(
            write(tmp_path, "a.csv", "question,answer\n" + "\n".join(rows)),
            tmp_path / "a.yaml",
            helpdesk="hej@example.se",
        ).out
    )
    base = "hur-gor-jag-om-jag-vill-saga-upp-mitt"
    assert [e.id for e in first.entries] == [base, f"{base}-2", f"{base}-3", "vad-kostar-det"]
    # Imported again with an entry added at the top: the others keep their ids.
    again_text = "question,answer\nNär har ni öppet?,Alltid.\n" + "\n".join(rows)
    again = load_faq(
        import_faq(write(tmp_path, "b.csv", again_text), tmp_path / "b.yaml", helpdesk="hej@example.se").out
    )
    assert [e.id for e in again.entries] == ["nar-har-ni-oppet", *(e.id for e in first.entries)]


def test_the_same_source_gives_the_same_file(tmp_path):
    source = repaired("faq-headings.html", tmp_path)
    import_faq(source, tmp_path / "one.yaml", helpdesk="hej@example.se")
    import_faq(source, tmp_path / "two.yaml", helpdesk="hej@example.se")
    one = (tmp_path / "one.yaml").read_text(encoding="utf-8")
    assert one.replace("one.yaml", "two.yaml") == (tmp_path / "two.yaml").read_text(encoding="utf-8")


def test_excel_csv_with_semicolons_in_windows_1252_is_read_with_a_note(tmp_path):
    source = write(tmp_path, "export.csv", "Fråga;Svar\r\nVad kostar en service?;795 kr, inklusive moms.\r\n", "cp1252")
    result = import_faq(source, tmp_path / "faq.yaml", helpdesk="hej@example.se")
    entry = load_faq(result.out).entries[0]
    assert (entry.question, entry.answer.strip()) == ("Vad kostar en service?", "795 kr, inklusive moms.")
    assert any("not UTF-8; read as Windows-1252" in w for w in result.warnings)


def test_text_that_yaml_would_misread_is_quoted(tmp_path):
    rows = [
        '"Kostar det: 100 kr?","# inte en kommentar"',
        '"Är svaret ja?","yes"',
        '"Vad betyder \\""x\\""?","@ och `"',
    ]
    source = write(tmp_path, "faq.csv", "question,answer\n" + "\n".join(rows) + "\n")
    faq = load_faq(import_faq(source, tmp_path / "faq.yaml", helpdesk="hej@example.se").out)
    assert [(e.question, e.answer) for e in faq.entries] == [
        ("Kostar det: 100 kr?", "# inte en kommentar"),
        ("Är svaret ja?", "yes"),
        ('Vad betyder \\"x\\"?', "@ och `"),
    ]


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("export", "question,answer\nA?,B.\n", "csv"),
        ("export", "fråga\tsvar\nA?\tB.\n", "tsv"),
        ("page", "<!DOCTYPE html><html><body><h2>A?</h2><p>B.</p></body></html>", "html"),
        ("notes", "Intro\n\n## A?\n\nB.\n", "markdown"),
        ("copied", "Vanliga frågor\n\nA?\n\nB.\n", "text"),
    ],
)
def test_the_format_is_guessed_from_the_content_without_an_extension(tmp_path, name, text, expected):
    assert guess_format(tmp_path / name, text) == expected


def test_the_same_file_cannot_be_source_and_output(tmp_path):
    source = repaired("faq.md", tmp_path)
    with pytest.raises(FaqbotError, match="is the source"):
        import_faq(source, source, force=True)


EXAMPLES = sorted((ROOT / "data" / "examples").glob("*/faq*.csv"))


@pytest.mark.parametrize("source", EXAMPLES, ids=[f"{p.parent.name}/{p.name}" for p in EXAMPLES])
def test_the_shipped_example_faqs_import_with_their_own_ids(tmp_path, source):
    with source.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    faq = load_faq(import_faq(source, tmp_path / "faq.yaml", helpdesk="hej@example.se").out)
    assert [e.question for e in faq.entries] == [row["question"] for row in rows]
    if "id" in rows[0]:
        assert [e.id for e in faq.entries] == [row["id"] for row in rows]
    if "section" in rows[0]:
        assert [e.section for e in faq.entries] == [row["section"] for row in rows]


def test_markdown_headings_lose_their_markup_and_a_title_above_all_is_not_a_section(tmp_path):
    text = (
        "# Vanliga frågor\n\n## **Hur [bokar](/boka) jag?**\n\nPå [webben](/boka).\n\n## Vad kostar `det`?\n\n100 kr.\n"
    )
    faq = load_faq(import_faq(write(tmp_path, "faq.md", text), tmp_path / "faq.yaml", helpdesk="hej@example.se").out)
    assert [(e.section, e.question, e.answer.strip()) for e in faq.entries] == [
        ("", "Hur bokar jag?", "På [webben](/boka)."),
        ("", "Vad kostar det?", "100 kr."),
    ]


def test_markdown_without_question_marks_takes_every_heading_with_text_as_a_question(tmp_path):
    text = "# Priser\n\n## Service\n\n795 kr.\n\n## Däckbyte\n\n300 kr.\n\n# Öppettider\n\n## Vardagar\n\n8-17.\n"
    faq = load_faq(import_faq(write(tmp_path, "faq.md", text), tmp_path / "faq.yaml", helpdesk="hej@example.se").out)
    assert [(e.section, e.question) for e in faq.entries] == [
        ("Priser", "Service"),
        ("Priser", "Däckbyte"),
        ("Öppettider", "Vardagar"),
    ]


def test_a_heading_that_is_not_a_question_among_questions_is_skipped_with_a_note(tmp_path):
    text = "## Hur bokar jag?\n\nPå webben.\n\n## Om oss\n\nVi är en cykelverkstad.\n"
    result = import_faq(write(tmp_path, "faq.md", text), tmp_path / "faq.yaml", helpdesk="hej@example.se")
    assert result.entries == 1
    assert result.warnings == [f"{tmp_path / 'faq.md'}:5: heading 'Om oss' is not a question (no '?'); skipped"]


def test_an_accessible_accordion_of_headings_with_buttons_is_read(tmp_path):
    page = (
        '<html><body><div class="menu"><h2>Meny?</h2><p>Hem</p></div><main>'
        '<h3><button aria-expanded="false">Hur bokar jag?</button></h3><div hidden><p>På webben.</p></div>'
        '<h3><button aria-expanded="false">Vad kostar det?</button></h3><div hidden><p>100 kr.</p></div>'
        "</main></body></html>"
    )
    faq = load_faq(import_faq(write(tmp_path, "faq.html", page), tmp_path / "faq.yaml", helpdesk="hej@example.se").out)
    assert [(e.question, e.answer.strip()) for e in faq.entries] == [
        ("Hur bokar jag?", "På webben."),
        ("Vad kostar det?", "100 kr."),
    ]


def test_json_ld_in_a_graph_is_found(tmp_path):
    page = (
        '<html><head><script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, {"@type": "FAQPage",'
        ' "mainEntity": {"@type": "Question", "name": "Hur bokar jag?", "acceptedAnswer": [{"text": "På webben."}]}}]}'
        "</script></head><body><h2>Annat?</h2><p>Inte detta.</p></body></html>"
    )
    faq = load_faq(import_faq(write(tmp_path, "faq.html", page), tmp_path / "faq.yaml", helpdesk="hej@example.se").out)
    assert [(e.question, e.answer.strip()) for e in faq.entries] == [("Hur bokar jag?", "På webben.")]


def test_json_ld_questions_referenced_by_id_as_yoast_writes_them_are_found(tmp_path):
    page = """<html><head><script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": ["WebPage", "FAQPage"], "@id": "https://x.se/faq/",
   "mainEntity": [{"@id": "https://x.se/faq/#q1"}, {"@id": "https://x.se/faq/#q2"}]},
  {"@type": "Question", "@id": "https://x.se/faq/#q1", "name": "Hur bokar jag?",
   "acceptedAnswer": {"@type": "Answer", "text": "På webben."}},
  {"@type": "Question", "@id": "https://x.se/faq/#q2", "name": "Vad kostar det?",
   "acceptedAnswer": {"@type": "Answer", "text": ""}}
]}
</script></head><body></body></html>"""
    source = write(tmp_path, "faq.html", page)
    with pytest.raises(DataError, match=r"faq.html:7: question 'Vad kostar det\?' has no answer"):
        import_faq(source, tmp_path / "faq.yaml", helpdesk="hej@example.se")
    fixed = write(tmp_path, "fixed.html", page.replace('"text": ""', '"text": "100 kr."'))
    faq = load_faq(import_faq(fixed, tmp_path / "faq.yaml", helpdesk="hej@example.se").out)
    assert [(e.question, e.answer.strip()) for e in faq.entries] == [
        ("Hur bokar jag?", "På webben."),
        ("Vad kostar det?", "100 kr."),
    ]


def test_an_aria_accordion_gives_questions_with_their_panels_and_sections(tmp_path):
    page = """<html><body>
<div role="tablist"><button role="tab" aria-controls="t1">Vanliga frågor?</button></div><div id="t1">Flik.</div>
<h2>Bokning</h2>
<h3><button aria-controls="p1" aria-expanded="false">Hur bokar jag?</button></h3>
<div id="p1" hidden><p>På webben.</p><p>Eller i telefon.</p></div>
<h2>Priser</h2>
<div class="faq"><a href="#p2" aria-controls="p2">Vad kostar det?</a><div id="p2" hidden>100 kr.</div></div>
<button aria-controls="menu">Meny</button><div id="menu">Hem Om oss</div>
</body></html>"""
    faq = load_faq(import_faq(write(tmp_path, "faq.html", page), tmp_path / "faq.yaml", helpdesk="hej@example.se").out)
    assert [(e.section, e.question, e.answer.strip()) for e in faq.entries] == [
        ("Bokning", "Hur bokar jag?", "På webben.\n\nEller i telefon."),
        ("Priser", "Vad kostar det?", "100 kr."),
    ]


def test_excel_unicode_text_is_read_as_a_table(tmp_path):
    source = write(tmp_path, "export.txt", "\ufeffFråga\tSvar\r\nVad kostar en service?\t795 kr.\r\n", "utf-16-le")
    result = import_faq(source, tmp_path / "faq.yaml", helpdesk="hej@example.se")
    assert result.format == "tsv"
    assert [(e.question, e.answer.strip()) for e in load_faq(result.out).entries] == [
        ("Vad kostar en service?", "795 kr.")
    ]


def test_invisible_marks_in_a_source_are_dropped_so_the_faq_it_writes_loads(tmp_path):
    """The FAQ's check refuses them on their line; the importer takes them out, noncharacters too."""
    row = "Vad kostar en ser\u200bvice?\t795\ufdd0 kr.\u2060\r\n"
    source = write(tmp_path, "export.txt", "Fråga\tSvar\r\n" + row, "utf-8")
    result = import_faq(source, tmp_path / "faq.yaml", helpdesk="hej@example.se")
    assert [(e.question, e.answer.strip()) for e in load_faq(result.out).entries] == [
        ("Vad kostar en service?", "795 kr.")
    ]


def test_a_saved_page_larger_than_a_faq_file_may_be_is_read(tmp_path):
    script = "<script>var bundle = '" + "x" * 3_000_000 + "';</script>"
    page = f"<html><head>{script}</head><body><h2>Hur bokar jag?</h2><p>På webben.</p></body></html>"
    faq = load_faq(import_faq(write(tmp_path, "faq.html", page), tmp_path / "faq.yaml", helpdesk="hej@example.se").out)
    assert [e.question for e in faq.entries] == ["Hur bokar jag?"]


def test_the_same_short_question_in_two_sections_imports_as_two_entries(tmp_path):
    source = write(
        tmp_path,
        "faq.csv",
        "section,question,answer\n"
        "Stipendier,Vem kan söka?,Alla som bor i kommunen.\n"
        "Bidrag till föreningar,Vem kan söka?,Föreningar med minst tio medlemmar.\n",
    )
    out = tmp_path / "faq.yaml"
    import_faq(source, out, helpdesk="info@example.se")
    faq = load_faq(out)
    assert [(e.section, e.question) for e in faq.entries] == [
        ("Stipendier", "Vem kan söka?"),
        ("Bidrag till föreningar", "Vem kan söka?"),
    ]
    assert len({e.id for e in faq.entries}) == 2


def test_importing_over_the_served_faq_sets_its_measured_threshold_back_to_auto(tmp_path, capsys, monkeypatch):
    """A number measured on Winterkvist's FAQ means nothing for another company's FAQ."""
    faq, settings = tmp_path / "data" / "faq.yaml", tmp_path / "data" / "config.yaml"
    faq.parent.mkdir()
    faq.write_text("the old FAQ\n", encoding="utf-8")
    settings.write_text("# staff's comment\nthreshold: 0.360\nrate_limit_per_minute: 7\n", encoding="utf-8")
    monkeypatch.setenv("FAQBOT_FAQ", str(faq))
    monkeypatch.setenv("FAQBOT_CONFIG", str(settings))
    elsewhere = tmp_path / "draft.yaml"
    assert main(["import", str(repaired("faq.csv", tmp_path)), "--out", str(elsewhere)]) == 0
    assert "threshold: 0.360" in settings.read_text(encoding="utf-8")  # a draft elsewhere serves nothing yet
    assert main(["import", str(repaired("faq.csv", tmp_path)), "--out", str(faq), "--force"]) == 0
    assert f"{settings} had 0.36, measured on the FAQ this import replaced; it is now `auto`" in capsys.readouterr().out
    assert settings.read_text(encoding="utf-8") == "# staff's comment\nthreshold: auto\nrate_limit_per_minute: 7\n"
    # the shipped settings explain their number, measured on Winterkvist's FAQ: that goes with it
    shutil.copy(ROOT / "data" / "config.yaml", settings)
    assert main(["import", str(repaired("faq.csv", tmp_path)), "--out", str(faq), "--force"]) == 0
    text = settings.read_text(encoding="utf-8")
    assert "threshold: auto\n" in text and "Winterkvist's FAQ keeps the number" not in text
    assert "# Replies whose confidence is below this go to the helpdesk instead. `auto`" in text
    assert load_config(settings).rate_limit_per_minute == 20 and "name: Winterkvist" in text  # the rest stays


def test_importing_over_the_served_faq_with_a_name_introduces_the_new_company(tmp_path, capsys, monkeypatch):
    """The shipped settings greet customers as Winterkvist; another company's chat must not."""
    faq, settings = tmp_path / "data" / "faq.yaml", tmp_path / "data" / "config.yaml"
    faq.parent.mkdir()
    faq.write_text("the old FAQ\n", encoding="utf-8")
    old = "name: Winterkvist\ngreeting: >\n  Hej! Jag svarar\n  på frågor om Winterkvist.\nthreshold: auto\n"
    settings.write_text(old, encoding="utf-8")
    monkeypatch.setenv("FAQBOT_FAQ", str(faq))
    monkeypatch.setenv("FAQBOT_CONFIG", str(settings))
    source = repaired("faq.csv", tmp_path)
    # Without --name the command says what customers would still be told.
    assert main(["import", str(source), "--out", str(faq), "--force"]) == 0
    out = capsys.readouterr().out
    assert f"{settings} still introduces the chat as Winterkvist" in out and "--name" in out
    assert settings.read_text(encoding="utf-8") == old
    # With it, the name is the new company's and the old greeting goes.
    assert main(["import", str(source), "--out", str(faq), "--force", "--name", "Storåns bibliotek: Läsa"]) == 0
    assert "name: Storåns bibliotek: Läsa in" in capsys.readouterr().out
    assert settings.read_text(encoding="utf-8") == 'name: "Storåns bibliotek: Läsa"\nthreshold: auto\n'
    assert load_config(settings).name == "Storåns bibliotek: Läsa" and load_config(settings).greeting == ""


def test_a_new_company_without_a_settings_file_gets_one_with_its_name(tmp_path, capsys, monkeypatch, caplog):
    """The import had said "--name is written to the settings of the FAQ they serve (X); for X,
    set name: ... in its settings" about one and the same file, and written nothing. Then it
    warned that the file it was about to write did not exist (a walk-through)."""
    faq, settings = tmp_path / "shop" / "faq.yaml", tmp_path / "shop" / "settings" / "config.yaml"
    monkeypatch.setenv("FAQBOT_FAQ", str(faq))
    monkeypatch.setenv("FAQBOT_CONFIG", str(settings))
    assert main(["import", str(repaired("faq.csv", tmp_path)), "--out", str(faq), "--name", "Ekbacken Tand"]) == 0
    out = capsys.readouterr().out
    assert f"name: Ekbacken Tand in {settings}" in out and "note: --name" not in out
    assert load_config(settings).name == "Ekbacken Tand"
    assert "does not exist" not in caplog.text
    settings.unlink()  # without --name nothing writes it: the defaults serve, and that is said
    assert main(["import", str(repaired("faq.csv", tmp_path)), "--out", str(faq), "--force"]) == 0
    assert f"the settings file {settings} does not exist: the default settings are used" in caplog.text


def test_a_faq_the_chat_does_not_serve_gets_its_name_in_the_settings_beside_it(tmp_path, capsys):
    """A walk-through imported its shop's FAQ into a folder of its own with --name: the import said
    to set the name by hand, though its next step names the settings beside the FAQ."""
    faq = tmp_path / "shop" / "faq.yaml"
    faq.parent.mkdir()
    assert (
        main(["import", str(repaired("faq.csv", tmp_path)), "--out", str(faq), "--name", "Stegvis Skor & Kläder"]) == 0
    )
    out = capsys.readouterr().out
    settings = faq.parent / "config.yaml"
    assert f"name: Stegvis Skor & Kläder in {settings}" in out and "note: --name" not in out
    assert f"--config {settings}" in out  # the next step reads them
    assert load_config(settings).name == "Stegvis Skor & Kläder"


def test_a_faq_too_large_for_a_faq_yaml_is_refused_early_saying_so(tmp_path, capsys):
    """Issue 20 item 19: a 19 MB CSV (the source limit is 20 MB) ran 58 s at 391 MB, then
    called the 2 MB faq.yaml limit "a faqbot bug"."""
    rows = [f"Hur gör jag med sak nummer {i}?,{'Svar ' * 60}{i}" for i in range(9000)]  # 2.8 MB
    source = write(tmp_path, "big.csv", "question,answer\n" + "\n".join(rows) + "\n")
    out = tmp_path / "faq.yaml"
    assert main(["import", str(source), "--out", str(out), "--helpdesk", "help@example.se"]) == 1
    err = capsys.readouterr().err
    assert "9,000 entries" in err and "at most 2,000,000" in err and "bug" not in err
    assert not out.exists()


def test_importing_another_companys_faq_over_the_served_one_sets_aside_its_test_set_and_log(
    tmp_path, capsys, monkeypatch
):
    """Issue 20 item 7: after the import, `faqbot evaluate` printed 184 lines about the old
    company's test set and exited 1, and `faqbot report` mixed in the old company's conversations."""
    data = tmp_path / "data"
    data.mkdir()
    faq, test_set, log = data / "faq.yaml", data / "test_questions.jsonl", tmp_path / "default-log.db"
    shutil.copy(ROOT / "data" / "faq.yaml", faq)
    shutil.copy(ROOT / "data" / "test_questions.jsonl", test_set)
    old_test_set = test_set.read_bytes()
    with ConversationLog(log) as opened:
        opened.record(LogRow("r1", "Kan jag ringa er?", "sv", "answer", True, "telefonsupport", None, 0.8, 0.4, "v1"))
    monkeypatch.setenv("FAQBOT_FAQ", str(faq))
    monkeypatch.setenv("FAQBOT_CONFIG", str(data / "config.yaml"))
    source = repaired("faq.csv", tmp_path)
    assert main(["import", str(source), "--out", str(faq), "--force"]) == 0
    out = capsys.readouterr().out
    [aside_test_set] = data.glob("test_questions.jsonl.old-*")
    [aside_log] = tmp_path.glob("default-log.db.old-*")
    assert not test_set.exists() and aside_test_set.read_bytes() == old_test_set
    assert not log.exists() and aside_log.stat().st_size > 0
    assert f"test set: {test_set} expects" in out and f"set aside as {aside_test_set.name}" in out
    assert f"conversation log: {log} held the old FAQ's conversations" in out and aside_log.name in out
    # The same company's FAQ imported again keeps what was written for it.
    test_set.write_text('{"question": "Hur lång tid tar en service?", "expected": null}\n', encoding="utf-8")
    with ConversationLog(log) as opened:
        opened.record(LogRow("r2", "Kan jag boka?", "sv", "helpdesk", False, None, None, 0.2, 0.4, "v2"))
    assert main(["import", str(source), "--out", str(faq), "--force"]) == 0
    assert "set aside" not in capsys.readouterr().out and test_set.exists() and log.exists()


SHOP = """id,question,answer
kedja,Byter ni kedja på cyklar?,"Ja, vi byter kedja medan du väntar."
service,Hur lång tid tar en service?,Ungefär en vecka.
dack,Lagar ni punkteringar?,"Ja, samma dag."
"""


def test_a_re_import_of_the_same_companys_faq_keeps_what_its_customers_taught(tmp_path, capsys, monkeypatch):
    """Found by a walk-through as a new shop: importing the updated spreadsheet again silently
    dropped every phrasing staff had accepted from customers, and the log still remembered them
    as accepted, so `faqbot learn` never proposed them again; staff's comments went too, with no
    copy kept. Now the phrasings stay with the entries the new FAQ keeps, those of an entry it
    drops are proposed again, and the replaced file is kept whole beside it."""
    from faqbot.faq.edit import add_learned
    from faqbot.staff.signals import ALTERNATIVE, suggestion_id

    data = tmp_path / "data"
    data.mkdir()
    faq, log = data / "faq.yaml", tmp_path / "default-log.db"
    monkeypatch.setenv("FAQBOT_FAQ", str(faq))
    monkeypatch.setenv("FAQBOT_CONFIG", str(data / "config.yaml"))
    source = write(tmp_path, "shop.csv", SHOP)
    assert main(["import", str(source), "--out", str(faq), "--helpdesk", "verkstad@cykel.se"]) == 0
    assert "replaced file" not in capsys.readouterr().out  # nothing was there to replace
    taught = {"kedja": ["Fixar ni en trasig kedja?"], "service": ["När kan jag hämta cykeln efter servicen?"]}
    add_learned(faq, taught)
    faq.write_text("# Staff: ring Lisa innan priser ändras\n" + faq.read_text(encoding="utf-8"), encoding="utf-8")
    before = faq.read_bytes()
    ids = {faq_id: suggestion_id(ALTERNATIVE, faq_id, texts[0]) for faq_id, texts in taught.items()}
    with ConversationLog(log) as opened:
        for faq_id, texts in taught.items():
            opened.record_decision(ids[faq_id], "accepted", faq_id, texts[0])
    # the updated spreadsheet: the service entry is gone, a new one came, the chain answer changed
    updated = SHOP.replace("Ungefär en vecka.", "Två dagar.").replace(
        "service,Hur lång tid tar en service?,Två dagar.\n", ""
    )
    source.write_text(updated.replace("medan du väntar", "samma dag") + "vinter,Förvarar ni cyklar över vintern?,Ja.\n")
    assert main(["import", str(source), "--out", str(faq), "--force"]) == 0
    out = capsys.readouterr().out
    [kept] = data.glob("faq.yaml.old-*")
    assert kept.read_bytes() == before and f"replaced file: kept as {kept}" in out
    assert "helpdesk: verkstad@cykel.se (the replaced FAQ's: the source names none" in out
    now = load_faq(faq)
    assert now.by_id["kedja"].learned == ("Fixar ni en trasig kedja?",) and "samma dag" in now.by_id["kedja"].answer
    assert "service" not in now.by_id and set(now.by_id) == {"kedja", "dack", "vinter"}
    assert "learned: 1 phrasing(s) customers taught" in out and "faqbot learn proposes them again" in out
    with ConversationLog(log) as opened:
        assert opened.decisions("accepted") == {ids["kedja"]}  # the lost one is open to staff again
    # another company's FAQ over it takes nothing over: its own customers teach it
    other = write(tmp_path, "other.csv", "question,answer\nTar ni nya patienter?,Ja.\nHur bokar jag?,På webben.\n")
    assert main(["import", str(other), "--out", str(faq), "--force"]) == 1  # nor the old company's helpdesk
    assert "no e-mail address in" in capsys.readouterr().err and load_faq(faq).by_id["kedja"]
    assert main(["import", str(other), "--out", str(faq), "--force", "--helpdesk", "info@tand.se"]) == 0
    assert "learned:" not in capsys.readouterr().out and not any(e.learned for e in load_faq(faq).entries)


def test_a_re_import_names_the_entries_and_texts_staff_made_that_the_new_faq_lacks(tmp_path, capsys, monkeypatch):
    """Found by a walk-through (an outdoor shop): an entry staff made in the console from a helpdesk
    group, with its English texts, went with a re-import of the website's FAQ; the command said
    only where the old file was kept, and told the same company its settings introduced the chat
    as another's."""
    data = tmp_path / "data"
    data.mkdir()
    faq, settings = data / "faq.yaml", data / "config.yaml"
    monkeypatch.setenv("FAQBOT_FAQ", str(faq))
    monkeypatch.setenv("FAQBOT_CONFIG", str(settings))
    source = write(tmp_path, "shop.csv", SHOP)
    assert (
        main(["import", str(source), "--out", str(faq), "--helpdesk", "verkstad@cykel.se", "--name", "Cykelverkstan"])
        == 0
    )
    text = faq.read_text(encoding="utf-8").replace(
        "    question: Lagar ni punkteringar?\n",
        "    question: Lagar ni punkteringar?\n    question_en: Do you fix punctures?\n"
        "    alternatives:\n      - Fixar ni punka?\n",
    )
    made = "\n  - id: telefonnummer\n    question: Har ni något telefonnummer?\n    answer: Ja, 090-12 34 56.\n"
    faq.write_text(text + made, encoding="utf-8")
    assert load_faq(faq).by_id["dack"].alternatives == ("Fixar ni punka?",)
    capsys.readouterr()
    source.write_text(SHOP.replace("Ungefär en vecka.", "Två dagar."))
    assert main(["import", str(source), "--out", str(faq), "--force"]) == 0
    out = capsys.readouterr().out
    [kept] = data.glob("faq.yaml.old-*")
    assert (
        f"not in the new FAQ: 1 entry of the file it replaced; one staff made (in the console, from a helpdesk group) is in {kept}"
        in out
    )
    assert "  telefonnummer: Har ni något telefonnummer?" in out
    assert f"texts of 1 kept entry the source lacks (in {kept}):\n  dack: 1 alternative(s), question_en" in out
    # an answer changed, by the company's update or undoing a console edit: named too (a walk-through)
    assert "changed: the question or answer of 1 entry differs from the file it replaced" in out
    assert f"which this import undid; the old text is in {kept}):\n  service: answer\n" in out
    assert "still introduces the chat" not in out  # the same company: its name is its own


def test_a_re_import_keeps_the_questions_staff_marked_as_about_something_else(tmp_path, capsys, monkeypatch):
    """Found by a walk-through (a dog groomer): the same company's FAQ imported again dropped its
    `off_topic:` list without a word, so the bot offered an entry under the weather question staff
    had marked again, and the question, rejected in the log, never came back for review."""
    from faqbot.faq.edit import add_off_topic

    data = tmp_path / "data"
    data.mkdir()
    faq = data / "faq.yaml"
    monkeypatch.setenv("FAQBOT_FAQ", str(faq))
    monkeypatch.setenv("FAQBOT_CONFIG", str(data / "config.yaml"))
    source = write(tmp_path, "shop.csv", SHOP)
    assert main(["import", str(source), "--out", str(faq), "--helpdesk", "verkstad@cykel.se"]) == 0
    add_off_topic(faq, ["Hur blir vädret i morgon?", "Säljer ni bilar?"])
    capsys.readouterr()
    # the updated spreadsheet; one marked question is now an entry's own
    source.write_text(SHOP.replace("Ungefär en vecka.", "Två dagar.") + "bilar,Säljer ni bilar?,Nej.\n")
    assert main(["import", str(source), "--out", str(faq), "--force"]) == 0
    out = capsys.readouterr().out
    assert load_faq(faq).off_topic == ("Hur blir vädret i morgon?",)
    assert (
        "off_topic: 1 question(s) staff marked as about something else, written again "
        "(1 not: the new FAQ asks them as an entry's question)" in out
    )
    # another company's FAQ over it takes none of them
    other = write(tmp_path, "other.csv", "question,answer\nTar ni nya patienter?,Ja.\nHur bokar jag?,På webben.\n")
    assert main(["import", str(other), "--out", str(faq), "--force", "--helpdesk", "info@tand.se"]) == 0
    assert load_faq(faq).off_topic == () and "off_topic:" not in capsys.readouterr().out


FEEDBACK_AND_COOKIE_PAGE = """<!DOCTYPE html>
<html lang="sv"><head><title>Vanliga frågor</title></head><body>
<div{toolbar}><a href="/lattlast">Lättläst</a> | <a href="/en">Other languages</a> | <a href="#">Lyssna</a></div>
<div {cookie}>
  <h3>Får vi spara kakor i din webbläsare?</h3>
  <p>Vi använder kakor för att webbplatsen ska fungera.</p>
  <button>Godkänn</button><button>Neka</button>
</div>
<main>
  <h1>Vanliga frågor</h1>
  <h3>Tar ni emot nya patienter?</h3>
  <p>Ja, vi tar emot nya patienter i alla åldrar.</p>
  <h3>Hur avbokar jag min tid?</h3>
  <p>Avboka senast 24 timmar innan via länken i bekräftelsen.</p>
  <div{feedback}><h3>Fick du hjälp?</h3><button>Ja</button> <button>Nej</button></div>
</main></body></html>
"""


@pytest.mark.parametrize(
    "marks",
    [
        {
            "toolbar": ' class="toolbar"',
            "cookie": 'class="cc-window" aria-label="cookieconsent"',
            "feedback": ' class="page-feedback"',
        },
        {"toolbar": "", "cookie": 'role="dialog"', "feedback": ""},  # nothing named: told by what they are
    ],
)
def test_a_feedback_box_a_cookie_banner_and_a_link_toolbar_are_not_imported_as_entries(tmp_path, marks):
    """Issue 20 item 10: an <h3> + <p> page's "Fick du hjälp?" box and a cookie heading worded as a
    question (beside "Lättläst | Other languages | Lyssna") became entries."""
    (tmp_path / "faq.html").write_text(FEEDBACK_AND_COOKIE_PAGE.format(**marks), encoding="utf-8")
    result = import_faq(tmp_path / "faq.html", tmp_path / "faq.yaml", helpdesk="info@example.se")
    faq = load_faq(tmp_path / "faq.yaml")
    assert result.entries == 2
    assert [e.question for e in faq.entries] == ["Tar ni emot nya patienter?", "Hur avbokar jag min tid?"]
    assert not any("Lyssna" in e.answer or "kakor" in e.answer for e in faq.entries)
