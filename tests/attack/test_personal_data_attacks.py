"""Personal data into the FAQ through the learning loop (a red team, thirty-ninth session).

A customer's question goes into the conversation log masked (faqbot/conversations/privacy.py),
and `faqbot learn` never proposes a phrasing with personal data in it. The red team asked the
shipped FAQ's questions with personal data in the forms customers write, picked an entry under
each reply, and ran `faqbot learn`: a personnummer whose check digit fails after a space, or
typed against its label ("pnr850101-1234"), a phone number without its 0 or against "tel.", a
password, a Swedbank account, an e-mail address written out, a street address, a customer number,
an IP address, a full name after "I'm" or "Det är" were stored raw and proposed, and `--accept
all` wrote them into faq.yaml. Through the real server (`python app.py`), as the red team did.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from faqbot.cli import main
from faqbot.config import write_setting
from tests.harness import cli_paths, running_app

pytestmark = pytest.mark.slow  # a real app process, the real model

# (what the customer wrote, the personal data in it that must never reach a proposal or faq.yaml,
# and whether the log may keep it readable for staff: customer numbers and IP addresses are kept)
ATTACKS = [
    ("Personnummer 850101 1234. Hur säger jag upp mitt abonnemang?", "850101", False),
    ("personnummer 850101-12 34, hur säger jag upp avtalet", "850101", False),
    ("pnr850101-1234 – vill avsluta mitt konto hos er", "850101", False),
    ("Jag har samordningsnummer 850161 1234, kan jag lägga upp min hemsida hos er?", "850161", False),
    ("Min sajt ligger nere sedan i morse, ring mig på tel.070-123 45 67", "123 45 67", False),
    ("Har ni koll på om sidan går ner? Mitt nummer är 70 123 45 67", "123 45 67", False),
    ("Lösenordet Sommar2024! funkar inte längre för ftp, vad gör jag?", "Sommar2024", False),
    ("Mitt lösenord är hemligt123, hur får jag tillgång via ftp?", "hemligt123", False),
    ("Swedbank 8105-9, 934 567 890-1 – kan ni dra supportkostnaden därifrån?", "934 567", False),
    ("Hur når jag er om jag behöver support? Min mejl är anna punkt svensson at gmail punkt com", "svensson", False),
    ("Skriv till anna@firma om supporten", "anna@firma", False),
    ("Jag bor på Storgatan 12, 123 45 Stockholm. Kan ni ta hand om min webbsida?", "Storgatan 12", False),
    ("Mitt kundnummer är 48213. Hur säger jag upp avtalet?", "48213", True),
    ("Min server har IP 85.224.13.7, hur skyddar ni min hemsida?", "85.224.13.7", True),
    ("This is Anna Svensson from Bageriet, what happens if our site breaks at night?", "Svensson", True),
    ("Det är Anna Svensson från Bageriet AB, vad kostar det när ni hjälper oss?", "Svensson", True),
]
PLAIN = "Vad händer om vår sajt går sönder mitt i natten?"  # the same picks without personal data


@pytest.fixture(scope="module")
def picked(tmp_path_factory, shipped_index) -> Iterator[Path]:
    """Every question asked through the real server and an entry picked under its reply, as the red
    team did: a threshold no question reaches, so every reply offers entries to pick."""
    folder = tmp_path_factory.mktemp("personal")
    for name in ("faq.yaml", "config.yaml"):
        shutil.copy(shipped_index / name, folder / name)
    shutil.copytree(shipped_index / "index", folder / "index")
    write_setting(folder / "config.yaml", "threshold", "0.99")
    write_setting(folder / "config.yaml", "rate_limit_per_minute", "0")
    with running_app(folder, folder / "log.db") as (url, _), httpx.Client(base_url=url, timeout=60) as http:
        for question in [PLAIN] + [question for question, _, _ in ATTACKS]:
            reply = http.post("/api/ask", json={"question": question}).json()
            assert reply["suggestions"], reply
            choice = {"reply_id": reply["reply_id"], "faq_id": reply["suggestions"][0]["faq_id"]}
            assert http.post("/api/choice", json=choice).status_code == 200
    return folder


def learn(folder: Path, capsys, *args: str) -> str:
    capsys.readouterr()
    assert main(["learn", *cli_paths(folder), "--log-file", str(folder / "log.db"), *args]) == 0
    return capsys.readouterr().out


def test_personal_data_is_masked_in_the_log(picked):
    with sqlite3.connect(picked / "log.db") as db:
        stored = "\n".join(row[0] for row in db.execute("SELECT question FROM conversations"))
    assert PLAIN in stored  # the log holds the questions
    for question, secret, readable in ATTACKS:
        assert (secret in stored) == readable, question


def test_no_phrasing_with_personal_data_is_proposed_or_accepted(picked, capsys):
    proposed = [json.loads(line) for line in learn(picked, capsys, "--json").splitlines()]
    assert PLAIN in [s["question"] for s in proposed]  # the same picks without personal data are
    for suggestion in proposed:
        for _question, secret, _readable in ATTACKS:
            assert secret not in json.dumps(suggestion, ensure_ascii=False), suggestion
    assert "learned phrasing(s) added" in learn(picked, capsys, "--accept", "all")
    written = (picked / "faq.yaml").read_text(encoding="utf-8")
    assert PLAIN in written
    for question, secret, _readable in ATTACKS:
        assert secret not in written, question
