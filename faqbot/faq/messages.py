"""What the FAQ checks say about a slip in `data/faq.yaml`, in English and in Swedish, side by side.

`faqbot index` and /healthz speak English; the staff console speaks Swedish. Each message is one
row of `WORDING`, so the two never drift apart:

    message = say("duplicate_key", key="answer", first=5)   # "duplicate key 'answer' (first on line 5); ..."
    in_swedish(message)                                     # "nyckeln 'answer' står två gånger ..."

`in_swedish` reads a message back by its English wording; a message not written here gives None.
"""

from __future__ import annotations

import re

SYNTAX = "invalid YAML: "
SYNTAX_SV = "ogiltig YAML: "
QUOTE_ALL = "put the whole text in quotes: {example}"
QUOTE_ALL_SV = "sätt citattecken runt hela texten: {example}"

# kind -> (English, Swedish); fields in braces are filled in the same in both.
WORDING: dict[str, tuple[str, str]] = {
    "colon_in_text": (
        "the text after {where} has ': ' in it, which YAML reads as the start of a new key; " + QUOTE_ALL,
        "texten efter {where} innehåller ': ' (kolon och mellanslag), som YAML läser som början på en ny "
        "nyckel; " + QUOTE_ALL_SV,
    ),
    "special_start": (
        "the text after {where} starts with {char}, which has a special meaning at the start of unquoted "
        "YAML text; " + QUOTE_ALL,
        "texten efter {where} börjar med {char}, som betyder något särskilt i början av en YAML-text utan "
        "citattecken; " + QUOTE_ALL_SV,
    ),
    "quote_then_text": (
        "the text after {where} starts with {char} but goes on after the closing {char}; put the whole text "
        "in quotes of the other kind: {example}",
        "texten efter {where} börjar med {char} men fortsätter efter det avslutande {char}; sätt hela texten "
        "inom citattecken av det andra slaget: {example}",
    ),
    "indent": (
        "{name} has {have} spaces before it, but {other} on line {other_line} has {want}; lines that belong "
        "together must line up: indent it {want} spaces",
        "{name} har {have} mellanslag före sig, men {other} på rad {other_line} har {want}; rader som hör "
        "ihop måste stå rakt under varandra: dra in raden {want} mellanslag",
    ),
    "missing_dash": (
        "'id: {id}' starts a new entry but has no '- ' in front of it; write '- id: {id}', lined up with "
        "the '- ' of the other entries",
        "'id: {id}' börjar en ny post men saknar '- ' framför; skriv '- id: {id}' rakt under de andra posternas '- '",
    ),
    "tab": (
        "the line has a tab character where YAML allows only spaces; replace the tab with spaces",
        "raden har ett tabbtecken där YAML bara tillåter mellanslag; byt tabben mot mellanslag",
    ),
    "unclosed_quote": (
        "the quote {quote} that opens here is never closed; close it or remove it",
        "citattecknet {quote} som börjar här avslutas aldrig; avsluta det eller ta bort det",
    ),
    "no_space": (
        "there is no space after the '{mark}' in {snippet}; write {fixed}",
        "det saknas ett mellanslag efter '{mark}' i {snippet}; skriv {fixed}",
    ),
    "key_without_colon": (
        "'{key}' begins the line as a key does, but no ':' follows it in {snippet}; write {fixed}",
        "'{key}' börjar raden som en nyckel, men inget ':' följer i {snippet}; skriv {fixed}",
    ),
    "text_too_far_left": (
        "the line has {have} spaces before it, too few for the text under {where}, so YAML takes it for a "
        "new key; indent it {want} spaces like the rest of that text",
        "raden har {have} mellanslag före sig, för få för texten under {where}, så YAML tar den för en ny "
        "nyckel; dra in den {want} mellanslag som resten av texten",
    ),
    "unknown": (
        "{problem}; look at this line and the one above it: the indentation, a ':' without a space after "
        "it, or text that needs quotes",
        "YAML-tolken säger ”{problem}”; titta på den här raden och raden ovanför: indraget, ett ':' utan "
        "mellanslag efter, eller text som behöver citattecken",
    ),
    "anchor": (
        "YAML anchors and aliases (& and *) are not allowed; if the text after {where} really starts with "
        "{char}, " + QUOTE_ALL,
        "YAML-ankare och alias (& och *) är inte tillåtna; om texten efter {where} verkligen börjar med "
        "{char}, " + QUOTE_ALL_SV,
    ),
    "anchor_bare": (
        "YAML anchors and aliases (& and *) are not allowed",
        "YAML-ankare och alias (& och *) är inte tillåtna",
    ),
    "duplicate_key": (
        "duplicate key '{key}' (first on line {first}); keep only one of them",
        "nyckeln '{key}' står två gånger (första gången på rad {first}); behåll bara en av dem",
    ),
    "text_not_list": (
        "{what} must be text, not a list; remove the '- ' before the text (or the [ ] around it)",
        "{what} måste vara text, inte en lista; ta bort '- ' före texten (eller [ ] runt den)",
    ),
    "text_not_pair": (
        "{what} must be text, but the ': ' in it makes YAML read it as 'key: value'; " + QUOTE_ALL,
        "{what} måste vara text, men ': ' i den gör att YAML läser den som 'nyckel: värde'; " + QUOTE_ALL_SV,
    ),
    "text_not_mapping": (
        "{what} must be text, not a list or mapping",
        "{what} måste vara text, inte en lista eller mappning",
    ),
    "entry_not_mapping": (
        "each entry needs 'id:', 'question:' and 'answer:' on lines of their own under its '- ', not one text",
        "varje post behöver 'id:', 'question:' och 'answer:' på egna rader under sitt '- ', inte en enda text",
    ),
    "text_not_tag": (
        "{what} must be text, but it starts with '!', which YAML reads as a type; " + QUOTE_ALL,
        "{what} måste vara text, men den börjar med '!', som YAML läser som en typ; " + QUOTE_ALL_SV,
    ),
    # the checks of the FAQ's content (faqbot.faq.model): a walk-through saw them in English on the
    # console's Swedish pages after a hand edit
    "plain_keys": ("keys must be plain words", "nycklar måste vara vanliga ord"),
    "not_text_value": (
        "{what} must be text; put quotes around {value}",
        "{what} måste vara text; sätt citattecken runt {value}",
    ),
    "empty": ("{what} is empty", "{what} saknar text"),
    "no_words": ("{what} has no words, only signs", "{what} har inga ord, bara tecken"),
    "last_entry": (
        "entry '{id}' is the FAQ's only entry, and the FAQ needs one: write another first",
        "posten '{id}' är FAQ:ns enda post, och FAQ:n behöver en: skriv en till först",
    ),
    "file_top": (
        "the file must have 'helpdesk:' and 'entries:' at the top",
        "filen måste ha 'helpdesk:' och 'entries:' överst",
    ),
    "unknown_key": (
        "unknown key '{key}' (expected one of: {known})",
        "okänd nyckel '{key}' (de som går att använda: {known})",
    ),
    "missing_helpdesk": (
        "missing 'helpdesk:' (the e-mail address unanswered questions go to)",
        "'helpdesk:' saknas (e-postadressen som obesvarade frågor går till)",
    ),
    "not_email": (
        "helpdesk '{helpdesk}' is not an e-mail address",
        "helpdesk-adressen '{helpdesk}' är ingen e-postadress",
    ),
    "missing_entries": (
        "missing 'entries:' (the list of questions and answers)",
        "'entries:' saknas (listan med frågor och svar)",
    ),
    "entries_not_list": (
        "'entries' must be a list of entries, each starting with '- id:'",
        "'entries' måste vara en lista med poster, var och en med '- id:' först",
    ),
    "entries_empty": (
        "'entries' is empty; the FAQ needs at least one entry",
        "'entries' är tom; FAQ:n behöver minst en post",
    ),
    "entry_has_no": ("entry '{id}' has no {key}", "posten '{id}' saknar '{key}:'"),
    "an_entry_has_no": ("entry has no {key}", "en post saknar '{key}:'"),
    "bad_id": ("id '{id}' may only use a-z, 0-9 and '-'", "id '{id}' får bara innehålla a-z, 0-9 och '-'"),
    "not_question_list": ("'{key}' must be a list of questions", "'{key}' måste vara en lista med frågor"),
    "duplicate_id": (
        "duplicate id '{id}' (first used on line {first})",
        "id '{id}' står två gånger (första gången på rad {first})",
    ),
    "off_topic_in_entry": (
        "'{text}' is both a question of entry '{entry}' (line {line}) and in off_topic: (questions staff marked as "
        "about something else; in the staff console, the list under Frågor och svar); remove it from one of them",
        "'{text}' är både en fråga i posten '{entry}' (rad {line}) och en fråga om annat (off_topic:, listan under "
        "Frågor och svar); ta bort den från den ena",
    ),
    "line_separator": (
        "an invisible line separator ({char}, which comes with text pasted from Word or a web page); YAML "
        "tools read it differently: replace it with a line break or a space",
        "ett osynligt radslutstecken ({char}, som följer med text som klistras in från Word eller en webbsida); "
        "YAML-verktyg läser det olika: byt det mot en radbrytning eller ett mellanslag",
    ),
    "control_character": (
        "an invisible control character ({char}) that YAML does not allow; delete it (it comes with pasted text)",
        "ett osynligt styrtecken ({char}) som YAML inte tillåter; ta bort det (det följer med inklistrad text)",
    ),
    "invisible_mark": (
        "an invisible mark ({char}, at character {column}) that hides a word from search; it comes with "
        "pasted text: delete it (in an editor that shows it, or retype the word)",
        "ett osynligt tecken ({char}, vid tecken {column}) som döljer ett ord för sökningen; det följer med "
        "inklistrad text: ta bort det (i en editor som visar det, eller skriv om ordet)",
    ),
    "more_invisible": (
        "and {more} more lines from here on with invisible marks like those above",
        "och {more} rader till härifrån med osynliga tecken som de ovan",
    ),
    "duplicate_question": (
        "entry '{entry}': question '{text}' is already in entry '{other}' (line {line})",
        "posten '{entry}': frågan '{text}' finns redan i posten '{other}' (rad {line})",
    ),
}

# What a check says it is about ("question of entry 'backup'", "an alternative") in Swedish.
FIELD_NAMES_SV = {
    "id": "id",
    "question": "frågan",
    "answer": "svaret",
    "section": "avsnittet",
    "question_en": "den engelska frågan",
    "answer_en": "det engelska svaret",
    "helpdesk": "helpdesk-adressen",
    "an alternative": "ett annat sätt att fråga",
    "a learned phrasing": "en inlärd formulering",
    "an off-topic question": "en fråga om annat",
}
EXAMPLE_LIMIT = 60


def say(kind: str, syntax: bool = False, **fields: object) -> str:
    """The English message of a slip (`syntax`: a YAML syntax error, prefixed 'invalid YAML: ')."""
    return (SYNTAX if syntax else "") + WORDING[kind][0].format(**fields)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    seen: set[str] = set()
    regex = ""
    for i, part in enumerate(parts):
        if i % 2 == 0:
            regex += re.escape(part)
        elif part in seen:
            regex += f"(?P={part})"
        else:
            seen.add(part)
            regex += f"(?P<{part}>.+?)"
    return re.compile(regex + "$", re.DOTALL)


PATTERNS = [(_pattern(english), swedish) for english, swedish in WORDING.values()]


def in_swedish(message: str) -> str | None:
    """The Swedish of a message written by `say` (None for any other message)."""
    prefix = SYNTAX_SV if message.startswith(SYNTAX) else ""
    body = message.removeprefix(SYNTAX)
    for pattern, swedish in PATTERNS:
        found = pattern.match(body)
        if found:
            fields = found.groupdict()
            if "what" in fields:
                fields["what"] = what_in_swedish(fields["what"])
            return prefix + swedish.format(**fields)
    return None


def what_in_swedish(what: str) -> str:
    """ "question of entry 'backup'" -> "frågan i posten 'backup'"; "an alternative" -> "ett annat sätt att fråga"."""
    found = re.fullmatch(r"(\w+) of entry '(.*)'", what)
    if found:
        return f"{FIELD_NAMES_SV.get(found.group(1), found.group(1))} i posten '{found.group(2)}'"
    return FIELD_NAMES_SV.get(what, what)


def quoted_example(text: str) -> str:
    """`text` in YAML quotes as staff would type it: double quotes, single where the text has '"' or '\\'."""
    text = text.strip()
    if len(text) > EXAMPLE_LIMIT:
        text = text[: EXAMPLE_LIMIT - 10].rstrip() + " …"
    if '"' in text or "\\" in text:
        return "'" + text.replace("'", "''") + "'"
    return f'"{text}"'
