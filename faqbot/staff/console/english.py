"""The console's texts in English, keyed by the Swedish text they translate (faqbot.staff.console.language).

A text missing here is shown in Swedish; a page added in Swedish is translated by adding its texts.
Values in braces ({count}) are filled in when the text is shown; keep the same names.
"""

from __future__ import annotations

ENGLISH: dict[str, str] = {
    # -- every page ----------------------------------------------------------------------
    "faqbot personal": "faqbot staff",
    "faqbot · personal": "faqbot · staff",
    "Hoppa till innehållet": "Skip to the content",
    "Konsolen": "Console",
    "Översikt": "Overview",
    "Att granska": "To review",
    "Frågor och svar": "Questions and answers",
    "Prova boten": "Try the bot",
    "Logga ut {user}": "Log out {user}",
    "Det gick inte": "That did not work",
    "Till översikten": "To the overview",
    # -- logging in ----------------------------------------------------------------------
    "Logga in": "Log in",
    "Användarnamn": "User name",
    "Lösenord": "Password",
    "Ett konto skapas med": "An account is created with",
    "NAMN": "NAME",
    "Fel användarnamn eller lösenord.": "Wrong user name or password.",
    "Sidan var för gammal. Försök igen.": "The page was too old. Please try again.",
    "För många misslyckade inloggningar. Vänta {seconds} sekund och försök igen.": (
        "Too many failed logins. Wait {seconds} second and try again."
    ),
    "För många misslyckade inloggningar. Vänta {seconds} sekunder och försök igen.": (
        "Too many failed logins. Wait {seconds} seconds and try again."
    ),
    # -- forms refused -------------------------------------------------------------------
    "Formuläret skickades i ett format som konsolen inte tar emot.": (
        "The form was sent in a format the console does not accept."
    ),
    "Formuläret har för många fält.": "The form has too many fields.",
    "Fältet {name} är för långt.": "The field {name} is too long.",
    "Formuläret saknar en giltig säkerhetskod (CSRF). Ladda om sidan och försök igen.": (
        "The form lacks a valid security code (CSRF). Reload the page and try again."
    ),
    "Formuläret skickades från en annan webbplats.": "The form was sent from another website.",
    "Okänd åtgärd.": "Unknown action.",
    "Posten finns inte.": "There is no such entry.",
    "Posten finns inte (längre) i FAQ-filen.": "The entry is not (or no longer) in the FAQ file.",
    "FAQ-filen kan inte läsas: {err}": "The FAQ file cannot be read: {err}",
    # -- the overview --------------------------------------------------------------------
    "Problem i chatten": "Problems in the chat",
    "Chatten svarar från FAQ-filen som den ser ut nu.": "The chat answers from the FAQ file as it is now.",
    "Chatten vägrar den senaste ändringen av {path} och svarar med den senaste fungerande versionen. Rätta filen: {err}": (
        "The chat refuses the latest change to {path} and answers with the latest working version. Fix the file: {err}"
    ),
    "Indexet är inte byggt från FAQ-filen som den ser ut nu; det byggs om av sig självt.": (
        "The index is not built from the FAQ file as it is now; it is being rebuilt by itself."
    ),
    "Konversationsloggen kan inte läsas: {err}": "The conversation log cannot be read: {err}",
    "Frågor": "Questions",
    "Frågor i dag och senaste sju dagarna": "Questions today and in the last seven days",
    "Vad": "What",
    "I dag": "Today",
    "7 dagar": "7 days",
    "Besvarade": "Answered",
    "Erbjöd val (”Menade du …”)": "Offered choices (“Did you mean …”)",
    "Till helpdesk": "To the helpdesk",
    "Tumme ned (👎)": "Thumbs down (👎)",
    "Indexet": "The index",
    "Poster": "Entries",
    "Byggt": "Built",
    "Tröskel som gäller": "Threshold in force",
    "Kalibrerad tröskel": "Calibrated threshold",
    "ingen kalibrering": "no calibration",
    "Val erbjuds när tvåan ligger inom": "Choices are offered when the runner-up is within",
    "aldrig": "never",
    # -- to review -----------------------------------------------------------------------
    "Tillagt i {faq_id} (rad {line}): ”{text}”. Chatten svarar med det nu.": (
        "Added to {faq_id} (line {line}): “{text}”. The chat answers with it now."
    ),
    "Inte tillagt i {faq_id}: ”{text}” ({reason}).": "Not added to {faq_id}: “{text}” ({reason}).",
    "Avvisat: ”{question}”. Det föreslås inte igen.": "Rejected: “{question}”. It will not be suggested again.",
    "Kunders formuleringar ({count})": "Customers' phrasings ({count})",
    "Kunder valde posten bland förslagen eller gav svaret tumme upp. Godkänn för att lägga till formuleringen i posten.": (
        "Customers picked the entry among the suggestions or gave the answer a thumbs up. "
        "Accept to add the phrasing to the entry."
    ),
    "till": "for",
    "valt {picked}, 👍 {liked}, 👎 {disliked}": "picked {picked}, 👍 {liked}, 👎 {disliked}",
    "Godkänn": "Accept",
    "Avvisa": "Reject",
    "Inget att granska.": "Nothing to review.",
    "Frågor som gick till helpdesk ({count})": "Questions that went to the helpdesk ({count})",
    "Koppla en fråga till posten som svarar på den, så blir den en formulering av posten.": (
        "Link a question to the entry that answers it, and it becomes a phrasing of that entry."
    ),
    "”{question}” ({count} gånger)": "“{question}” ({count} times)",
    "”{question}” besvaras av": "“{question}” is answered by",
    "Koppla": "Link",
    "Avvisa gruppen": "Reject the group",
    "Inga obesvarade frågor.": "No unanswered questions.",
    "Poster med tumme ned": "Entries with thumbs down",
    # -- questions and answers -----------------------------------------------------------
    "Sök bland frågor och svar": "Search the questions and answers",
    "Sök": "Search",
    "{count} poster.": "{count} entries.",
    "{count} poster med ”{query}”.": "{count} entries with “{query}”.",
    "Redigera {faq_id}": "Edit {faq_id}",
    "Fråga": "Question",
    "Svar": "Answer",
    "Andra sätt att fråga": "Other ways to ask",
    "Avsnitt": "Section",
    "Fråga på engelska": "Question in English",
    "Svar på engelska": "Answer in English",
    "Tomma rader blir stycken.": "Blank lines make paragraphs.",
    "En fråga per rad.": "One question per line.",
    "Spara": "Save",
    "Tillbaka till alla frågor": "Back to all questions",
    "Filen har ändrats sedan du öppnade posten": "The file has changed since you opened the entry",
    "Någon har ändrat FAQ-filen under tiden. Ingenting sparades. Så här skiljer sig filen från ditt utkast:": (
        "Someone changed the FAQ file meanwhile. Nothing was saved. This is how the file differs from your draft:"
    ),
    "i filen nu:": "in the file now:",
    "(tomt)": "(empty)",
    "Öppna posten på nytt": "Open the entry again",
    "och gör om din ändring.": "and make your change again.",
    "Sparat": "Saved",
    "Indexet är ombyggt; chatten svarar med den nya texten.": "The index is rebuilt; the chat answers with the new text.",
    "Inget var ändrat.": "Nothing was changed.",
    "Posten sparades inte: se meddelandena vid fälten.": "The entry was not saved: see the messages by the fields.",
    "Fältet får inte vara tomt.": "The field must not be empty.",
    "Frågan ”{text}” finns redan i posten ”{where}”. Skriv den bara på ett ställe.": (
        "The question “{text}” is already in the entry “{where}”. Write it in one place only."
    ),
    "Fältet måste vara text.": "The field must be text.",
    "Kontrollen av FAQ-filen säger: {message}": "The check of the FAQ file says: {message}",
    # -- try the bot ---------------------------------------------------------------------
    "Fråga som en kund": "Ask as a customer",
    "Fråga boten": "Ask the bot",
    "Svaret": "The reply",
    "Sort:": "Kind:",
    "svar": "answer",
    "val (”Menade du …”)": "choices (“Did you mean …”)",
    "till helpdesk": "to the helpdesk",
    "hälsning": "greeting",
    "tack": "thanks",
    "tomt": "empty",
    "fel": "error",
    "De fem närmaste posterna": "The five closest entries",
    "Post": "Entry",
    "Poäng": "Score",
    "Varför": "Why",
    "Tröskel: {value} (bästa posten måste nå hit för att besvaras).": (
        "Threshold: {value} (the best entry must reach it to be answered)."
    ),
    "Försprång för bästa posten: {value}.": "Lead of the best entry: {value}.",
    "Marginal för val: {value} (ligger tvåan närmare än så erbjuds val).": (
        "Margin for choices: {value} (a runner-up closer than that gets choices offered)."
    ),
    "Marginal för val: inga val erbjuds.": "Margin for choices: no choices are offered.",
}
