"""The console's texts in English, keyed by the Swedish text they translate (faqbot.staff.console.language).

A text missing here is shown in Swedish; a page added in Swedish is translated by adding its texts.
Values in braces ({count}) are filled in when the text is shown; keep the same names.
"""

from __future__ import annotations

ENGLISH: dict[str, str] = {
    # -- every page ----------------------------------------------------------------------
    "faqbot personal": "faqbot staff",
    "faqbot · personal": "faqbot · staff",
    "Hoppa till innehållet": "Skip to content",
    "Konsolen": "Console",
    "Översikt": "Overview",
    "Att granska": "To review",
    "Frågor och svar": "Questions and answers",
    "Prova boten": "Try the bot",
    "Utvärdering": "Evaluation",
    "Logga ut {user}": "Log out {user}",
    "Listan är från {time}. Den tog {seconds} s att räkna fram, så den räknas fram igen först när sidan öppnas efter {again}, eller när FAQ:n ändras eller något godkänns eller avvisas.": (
        "The list is from {time}. It took {seconds} s to work out, so it is worked out again only when the page "
        "is opened after {again}, or when the FAQ changes or something is accepted or rejected."
    ),
    "Du är utloggad.": "You are logged out.",
    "Det gick inte": "That did not work",
    "Tillbaka till sidan": "Back to the page",
    "Till översikten": "To the overview",
    # -- logging in ----------------------------------------------------------------------
    "Logga in": "Log in",
    "Användarnamn": "User name",
    "Lösenord": "Password",
    "Ett konto skapas med": "An account is created with",
    "NAMN": "NAME",
    "Fel användarnamn eller lösenord.": "Wrong user name or password.",
    "Sidan var för gammal. Försök igen.": "The page was too old. Please try again.",
    "Ett annat inloggningsförsök kontrolleras just nu. Vänta en sekund och försök igen.": (
        "Another login try is being checked right now. Wait a second and try again."
    ),
    "För många misslyckade inloggningar. Vänta {seconds} sekund och försök igen.": (
        "Too many failed logins. Wait {seconds} second and try again."
    ),
    "För många misslyckade inloggningar. Vänta {seconds} sekunder och försök igen.": (
        "Too many failed logins. Wait {seconds} seconds and try again."
    ),
    "För många ändringar på kort tid. Inget gjordes; vänta {seconds} sekund, gå tillbaka och skicka igen.": (
        "Too many changes in a short time. Nothing was done; wait {seconds} second, go back and send it again."
    ),
    "För många ändringar på kort tid. Inget gjordes; vänta {seconds} sekunder, gå tillbaka och skicka igen.": (
        "Too many changes in a short time. Nothing was done; wait {seconds} seconds, go back and send it again."
    ),
    # -- forms refused -------------------------------------------------------------------
    "Formuläret skickades i ett format som konsolen inte tar emot.": (
        "The form was sent in a format the console does not accept."
    ),
    "Formuläret har för många fält.": "The form has too many fields.",
    "Det du skrev innan du loggades ut finns inte kvar: konsolen har startats om sedan dess, eller så gick det mer än tio minuter. Inget av det är sparat.": (
        "What you typed before you were logged out is no longer kept: the console has restarted since, or more than "
        "ten minutes passed. None of it is saved."
    ),
    "Här fanns ett osynligt styrtecken som inte kan sparas (det följer ofta med när text klistras in). Det är borttaget: läs igenom fältet.": (
        "This held an invisible control character that cannot be saved (it often comes along when text is pasted). It "
        "has been removed: read the field through."
    ),
    "För långt: högst {limit} tecken. Korta texten.": "Too long: at most {limit} characters. Shorten the text.",
    "Fältet ”{label}” är för långt: högst {limit} tecken. Inget sparades; gå tillbaka och korta texten.": (
        "The field “{label}” is too long: at most {limit} characters. Nothing was saved; go back and shorten the text."
    ),
    "Fältet ”{label}” innehåller ett osynligt styrtecken som inte kan sparas. Inget sparades; gå tillbaka och ta bort det (det följer ofta med när text klistras in).": (
        "The field “{label}” holds an invisible control character that cannot be saved. Nothing was saved; go back and "
        "remove it (it often comes along when text is pasted)."
    ),
    "Formuläret kom från en sida som öppnades före din senaste inloggning, så inget gjordes. Öppna sidan på nytt och gör om det du skickade.": (
        "The form came from a page opened before your latest login, so nothing was done. Open the page anew and do again what you sent."
    ),
    "Formuläret skickades från en annan webbplats.": "The form was sent from another website.",
    "Okänd åtgärd.": "Unknown action.",
    "Posten finns inte.": "There is no such entry.",
    "Posten finns inte (längre) i FAQ-filen.": "The entry is not (or no longer) in the FAQ file.",
    "FAQ-filen kan inte läsas: {err}": "The FAQ file cannot be read: {err}",
    "FAQ-filen behöver rättas": "The FAQ file needs fixing",
    "Du hade loggats ut, så det du skickade gjordes inte: inget sparades. Logga in och gör om det.": (
        "You had been logged out, so what you sent was not done: nothing was saved. Log in and do it again."
    ),
    "Du hade loggats ut, så det du skrev är inte sparat. Logga in, så står det kvar i formuläret.": (
        "You had been logged out, so what you typed is not saved. Log in, and it will still be in the form."
    ),
    "Det här skrev du innan du loggades ut. Det är inte sparat än: läs igenom det och spara det.": (
        "You typed this before you were logged out. It is not saved yet: read it through and save it."
    ),
    "FAQ-filen har ett fel som måste rättas innan den kan ändras här: {err}": (
        "The FAQ file has an error that must be fixed before it can be changed here: {err}"
    ),
    # -- the overview --------------------------------------------------------------------
    "Problem i chatten": "Problems in the chat",
    "Indexet är byggt från FAQ-filen som den ser ut nu: en chatt som körs svarar från det.": (
        "The index is built from the FAQ file as it is now: a running chat answers from it."
    ),
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
    "Erbjöds val (”Menade du …?”)": "Offered choices (“Did you mean …?”)",
    "En fråga kan stå på två rader: den som fick val och där kunden valde ett räknas som besvarad, och val visas också under svar till helpdesk.": (
        "A question can be on two rows: one offered choices where the customer picked one counts as answered, "
        "and choices are also shown under helpdesk replies."
    ),
    "Till helpdesk": "To the helpdesk",
    "Tumme ned": "Thumbs down",
    "Indexet": "The index",
    "Poster": "Entries",
    "Byggt": "Built",
    "Tröskel som gäller": "Threshold in force",
    "Kalibrerad tröskel": "Calibrated threshold",
    "ingen kalibrering": "no calibration",
    "Val (”Menade du …?”) erbjuds": "Choices (“Did you mean …?”) are offered",
    "när tvåan ligger inom {margin} från den bästa": "when the runner-up is within {margin} of the best",
    "i stället för ett svar bara för vaga meddelanden och följdfrågor, inte när två poster får nästan samma poäng; under ett svar till helpdesk när några poster ligger nära": (
        "instead of an answer only for vague messages and follow-ups, not when two entries score nearly alike;"
        " under a reply sent to the helpdesk when some entries are close"
    ),
    # -- the overview: the last days, damaged files and the database, servers (health.py) --
    "De senaste {days} dagarna": "The last {days} days",
    "Diagrammet kan inte visas: konversationsloggen kan inte läsas.": (
        "The chart cannot be shown: the conversation log cannot be read."
    ),
    "Skadade filer och databasen": "Damaged files and the database",
    "Konversationsloggen var skadad och lades undan som {path} ({when}). Chatten skriver i en ny logg; den gamla filen finns kvar för att undersökas eller räddas, och frågorna i den syns inte i siffrorna.": (
        "The conversation log was damaged and was set aside as {path} ({when}). The chat writes to a new log; "
        "the old file is kept to be examined or rescued, and its questions are not in the figures."
    ),
    "… och {count} äldre skadade loggar i {folder}.": "… and {count} older damaged logs in {folder}.",
    "Indexet i {folder}/ är skadat ({problem}). Chatten svarar från det senaste fungerande indexet och bygger om det av sig självt; annars: faqbot index": (
        "The index in {folder}/ is damaged ({problem}). The chat answers from the latest working index "
        "and rebuilds it by itself; otherwise: faqbot index"
    ),
    "Chatten behåller sitt senaste fungerande index: {problem}": "The chat keeps its latest working index: {problem}",
    "Databasen {database} svarar inte ({first}). Chatten svarar från sitt senaste index och sparar frågorna i minnet tills databasen är tillbaka.": (
        "The database {database} does not answer ({first}). The chat answers from its latest index and keeps "
        "the questions in memory until the database is back."
    ),
    "Servrar": "Servers",
    "En server: en chatt som körs svarar från indexet i": ("One server: a running chat answers from the index in"),
    "på den här maskinen (loggen är en SQLite-fil, så det finns inga repliker).": (
        "on this machine (the log is a SQLite file, so there are no replicas)."
    ),
    "Ingen replika har hörts av från databasen": "No replica has been heard from the database",
    "det senaste dygnet.": "in the last day.",
    "Det senast publicerade indexet är nummer {number}.": "The latest published index is number {number}.",
    "Inget index är publicerat: varje replika svarar från sina egna filer.": (
        "No index is published: each replica answers from its own files."
    ),
    "Replikerna och indexet de svarar från": "The replicas and the index they answer from",
    "Replika": "Replica",
    "Svarar från": "Answers from",
    "Hörd av": "Heard from",
    "index {number}": "index {number}",
    "egna filer": "its own files",
    "byggt {when}": "built {when}",
    "det senaste": "the latest",
    "inte det senaste": "not the latest",
    "tyst i {minutes} min": "silent for {minutes} min",
    "för {seconds} s sedan": "{seconds} s ago",
    # -- to review -----------------------------------------------------------------------
    "Tillagt i ”{entry}”: ”{text}”{stop} Chatten svarar med det nu.": (
        "Added to “{entry}”: “{text}”{stop} The chat answers with it now."
    ),
    "Inte tillagt i ”{entry}”: ”{text}” finns redan i ”{other}”.": (
        "Not added to “{entry}”: “{text}” is already in “{other}”."
    ),
    "Inte tillagt i ”{entry}”: formuleringen är tom.": "Not added to “{entry}”: the phrasing is blank.",
    "Förslaget är redan godkänt eller avvisat, eller finns inte längre. Listan nedan är som den är nu.": (
        "The suggestion was already accepted or rejected, or is gone. The list below is as it is now."
    ),
    "Posten du valde finns inte längre i FAQ:n. Välj en post i listan nedan, som är som den är nu.": (
        "The entry you chose is no longer in the FAQ. Choose an entry in the list below, which is as it is now."
    ),
    "Välj posten som svarar på frågan i listan.": "Choose the entry that answers the question from the list.",
    "Frågan finns inte längre i loggen. Listan nedan är som den är nu.": (
        "The question is no longer in the log. The list below is as it is now."
    ),
    "Frågan innehåller maskade personuppgifter och skrivs inte in i FAQ:n så. Lägg till den utan dem i posten, under Frågor och svar.": (
        "The question holds masked personal data and is not written into the FAQ like that. "
        "Add it without them to the entry, under Questions and answers."
    ),
    "Kunden gav den här postens svar tumme ned. Var svaret rätt: tryck Svaret var rätt i stället.": (
        "The customer gave this entry's answer a thumbs down. If the answer was right, press The answer was right instead."
    ),
    "Det var ingen fråga till FAQ:n (en hälsning eller ett tack); den skrivs inte in i FAQ:n.": (
        "That was no question for the FAQ (a greeting or a thank-you); it is not written into the FAQ."
    ),
    "Frågan är en följdfråga och säger inget ensam; den skrivs inte in i FAQ:n.": (
        "The question is a follow-up and says nothing alone; it is not written into the FAQ."
    ),
    "Kunden bekräftade en annan post för den här frågan. Lägg till den i posten för hand om den hör dit.": (
        "The customer confirmed another entry for this question. Add it to the entry by hand if it belongs there."
    ),
    "Avvisat: ”{question}”{stop} Det föreslås inte igen.": "Rejected: “{question}”{stop} It will not be suggested again.",
    "Avvisat: ”{question}” som formulering av ”{entry}”. Den föreslås inte igen för den posten.": (
        "Rejected: “{question}” as a phrasing of “{entry}”. It is not proposed for that entry again."
    ),
    "Kunders formuleringar ({count})": "Customers' phrasings ({count})",
    "Kunder valde posten bland förslagen eller gav svaret tumme upp. Godkänn för att lägga till formuleringen i posten. Handlar frågan om något FAQ:n inte tar upp: tryck Handlar om annat, så skickar boten den och liknande frågor till helpdesk.": (
        "Customers picked the entry among the suggestions or gave the answer a thumbs up. "
        "Accept to add the phrasing to the entry. If the question is about something the FAQ does not cover: "
        "press About something else, and the bot sends it and questions like it to the helpdesk."
    ),
    "till": "for",
    "valt {picked}, tumme upp {liked}, tumme ned {disliked}": (
        "picked {picked}, thumbs up {liked}, thumbs down {disliked}"
    ),
    "från {clients} olika kunder": "from {clients} different customers",
    "från en kund": "from one customer",
    "från minst {clients} olika kunder": "from at least {clients} different customers",
    "från minst en kund": "from at least one customer",
    "Godkänn": "Accept",
    "Godkänn alla {count}": "Accept all {count}",
    "Avvisa alla {count}": "Reject all {count}",
    "Ja, avvisa alla {count}: de föreslås aldrig igen": "Yes, reject all {count}: they are never proposed again",
    "Kryssa i rutan för att avvisa alla som visas; inget avvisades.": (
        "Tick the box to reject all that are shown; nothing was rejected."
    ),
    "Avvisat: {count} formuleringar. De föreslås inte igen för sina poster.": (
        "Rejected: {count} phrasings. They are not proposed for their entries again."
    ),
    "Vilka formuleringar": "Which phrasings",
    "Boten svarar rätt nu": "The bot answers it right now",
    "”{question}” listas inte igen: boten svarar nu med en annan post.": (
        "“{question}” is not listed again: the bot now answers it with another entry."
    ),
    "Ingen post svarar: skriv en ny": "No entry answers it: write a new one",
    "Boten svarar nu med en annan post: ”{entry}”{stop}": "The bot now answers it with another entry: “{entry}”{stop}",
    "Boten svarar nu med ”{entry}”: den blev säkrare efter en ny kalibrering, men ingen har kontrollerat att svaret passar frågan. Passar det, välj posten och koppla frågan dit; annars välj rätt post, eller skapa en ny. Handlar frågan om något FAQ:n inte tar upp: tryck Handlar om annat, så skickar boten den och liknande frågor till helpdesk.": (
        "The bot now answers it with “{entry}”: it became surer after a new calibration, but nobody has checked that"
        " the answer fits the question. If it does, choose that entry and link the question to it; if not, choose"
        " the right entry, or create a new one. If the question is about something the FAQ does not cover: press"
        " About something else, and the bot sends it, and questions like it, to the helpdesk."
    ),
    "Kunden valde posten bland förslagen; boten själv skickar frågan till helpdesk.": (
        "The customer picked this entry among the suggestions; the bot itself sends the question to the helpdesk."
    ),
    "Boten svarar inte längre med den här posten: frågan går nu till helpdesk.": (
        "The bot no longer answers it with this entry: the question now goes to the helpdesk."
    ),
    "Visar de {shown} första av {count}; resten visas när du har godkänt eller avvisat dessa.": (
        "Showing the first {shown} of {count}; the rest are shown once you have accepted or rejected these."
    ),
    "Posten skapades inte: se meddelandena vid fälten.": "The entry was not created: see the messages by the fields.",
    "Posten finns inte längre": "The entry is gone",
    "Någon tog bort posten {faq_id} ur FAQ-filen medan du skrev (till exempel genom att återställa en äldre version). Inget sparades.": "Someone removed the entry {faq_id} from the FAQ file while you were writing (for example by restoring an older version). Nothing was saved.",
    "Ditt utkast står kvar i formuläret nedan: skapa det som en ny post, eller lämna sidan för att slänga det.": "Your draft is still in the form below: create it as a new entry, or leave the page to discard it.",
    "Posterna som erbjuds": "The entries offered",
    "Försprånget är mindre än marginalen och bästa posten ({best}) når golvet för val ({floor}): val erbjuds.": (
        "The lead is less than the margin and the best entry ({best}) reaches the floor for choices ({floor}):"
        " choices are offered."
    ),
    "Försprånget är mindre än marginalen, och bästa posten ({best}) når inte golvet för val ({floor}): till helpdesk.": (
        "The lead is less than the margin, and the best entry ({best}) does not reach the floor for choices"
        " ({floor}): to the helpdesk."
    ),
    "Bästa posten ({best}) når tröskeln och ligger klart före: den besvaras.": (
        "The best entry ({best}) reaches the threshold and is clearly ahead: it is answered."
    ),
    "Bästa posten ({best}) når tröskeln: den besvaras.": "The best entry ({best}) reaches the threshold: it is answered.",
    "Bästa posten ({best}) når inte tröskeln: till helpdesk.": (
        "The best entry ({best}) does not reach the threshold: to the helpdesk."
    ),
    "Obs: ”{text}” finns också i posten ”{entry}” (avsnitt {section}).": "Note: “{text}” is also in the entry “{entry}” (section {section}).",
    "Obs: ”{text}” finns också i posten ”{entry}”{stop}": "Note: “{text}” is also in the entry “{entry}”{stop}",
    "En kund som frågar precis så får den post som rankas först, eller val mellan dem när de ligger nära.": (
        "A customer who asks exactly this gets whichever entry ranks first, or a choice between them when they are close."
    ),
    "Posten finns redan precis så, med id {faq_id}: formuläret skickades igen. Inget nytt skapades.": (
        "The entry already exists exactly as written, with the id {faq_id}: the form was sent again."
        " Nothing new was created."
    ),
    "Tillagt: {count} formuleringar i {entries} poster. Chatten svarar med dem nu.": (
        "Added: {count} phrasings to {entries} entries. The chat answers with them now."
    ),
    "Vad som lades till, och var": "What was added, and where",
    "”{text}” i ”{entry}”": "“{text}” in “{entry}”",
    "Boten kalibrerades om efter ändringen: {moved}.": "The bot was recalibrated after the change: {moved}.",
    "Den svarar nu direkt först när den är säkrare, så färre frågor får ett direkt svar.": (
        "It now answers directly only when it is surer, so fewer questions get a direct answer."
    ),
    "Den svarar nu direkt även när den är lite mindre säker, så fler frågor får ett direkt svar.": (
        "It now answers directly when it is a little less sure too, so more questions get a direct answer."
    ),
    "Den erbjuder nu val (”Menade du …?”) när två poster ligger nära varandra.": (
        "It now offers choices (“Did you mean …?”) when two entries are close."
    ),
    "Den erbjuder inte längre val (”Menade du …?”): en fråga får ett svar eller går till helpdesk.": (
        "It no longer offers choices (“Did you mean …?”): a question gets an answer or goes to the helpdesk."
    ),
    "Den erbjuder val (”Menade du …?”) oftare.": "It offers choices (“Did you mean …?”) more often.",
    "Den erbjuder val (”Menade du …?”) mer sällan.": "It offers choices (“Did you mean …?”) less often.",
    "tröskel {before} → {after}": "threshold {before} → {after}",
    "val {before} → {after}": "choices {before} → {after}",
    "inom {margin}": "within {margin}",
    "inga": "none",
    "Boten kalibrerades om med de nya formuleringarna ({moved}): listan nedan är räknad om, så förslag som boten nu svarar rätt på själv är borta och andra kan ha kommit till.": (
        "The bot recalibrated with the new phrasings ({moved}): the list below is recalculated, so suggestions the"
        " bot now answers right by itself are gone and others may have appeared."
    ),
    "Sidan finns inte.": "There is no such page.",
    "Sidan tar inte emot det som skickades.": "The page does not take what was sent.",
    "Det gick inte att göra det.": "That could not be done.",
    "För många förslag på en gång.": "Too many suggestions at once.",
    "Förslagen är redan godkända eller avvisade, eller finns inte längre. Listan nedan är som den är nu.": (
        "The suggestions are already accepted or rejected, or no longer there. The list below is as it is now."
    ),
    "Avvisa": "Reject",
    "Inget att granska.": "Nothing to review.",
    "Frågor som gick till helpdesk ({count})": "Questions that went to the helpdesk ({count})",
    "Koppla en fråga till posten som svarar på den, så blir den en formulering av posten. Här står också frågor där kunden fick förslag men inte valde något.": (
        "Link a question to the entry that answers it, and it becomes a phrasing of that entry. Questions whose "
        "customer was offered choices and picked none are listed here too."
    ),
    "”{question}” ({count} gånger)": "“{question}” ({count} times)",
    "”{question}” och {others} liknande frågor ({count} gånger i allt)": (
        "“{question}” and {others} similar questions ({count} times in all)"
    ),
    "Avvisat: gruppen ”{question}”. Dess {count} frågor föreslås inte igen; en fråga som ställs senare i samma ämne listas ändå.": (
        "Rejected: the group “{question}”. Its {count} questions are not proposed again; a question asked"
        " later on the same subject is still listed."
    ),
    "”{question}” besvaras av": "“{question}” is answered by",
    "Koppla": "Link",
    "Avvisa gruppen": "Reject the group",
    "Skapa en ny post av gruppen": "Create a new entry from this group",
    "Skapa en ny post av frågan": "Create a new entry from this question",
    "Avvisa frågan": "Reject the question",
    "{count} frågor till i gruppen": "{count} more questions in the group",
    "1 fråga till i gruppen": "1 more question in the group",
    "”{question}” och 1 liknande fråga ({count} gånger i allt)": "“{question}” and 1 similar question ({count} times in all)",
    "Tillagt: {count} formuleringar i en post. Chatten svarar med dem nu.": (
        "Added: {count} phrasings to one entry. The chat answers with them now."
    ),
    "En av de markerade grupperna fanns inte längre på listan (hanterad under tiden, eller besvarad av boten nu) och avvisades inte.": (
        "One of the groups marked was no longer on the list (handled meanwhile, or answered by the bot now) and was "
        "not rejected."
    ),
    "{count} av de markerade grupperna fanns inte längre på listan (hanterade under tiden, eller besvarade av boten nu) och avvisades inte.": (
        "{count} of the groups marked were no longer on the list (handled meanwhile, or answered by the bot now) and "
        "were not rejected."
    ),
    "Avvisat: {count} grupper. Deras frågor föreslås inte igen; en fråga som ställs senare i samma ämne listas ändå.": (
        "Rejected: {count} groups. Their questions are not proposed again; a question asked later on the same "
        "subject is still listed."
    ),
    "Vilka grupper": "Which groups",
    "Avvisa bara den här frågan": "Reject this question only",
    "Frågan finns inte längre på listan. Listan nedan är som den är nu.": (
        "The question is no longer on the list. The list below is as it is now."
    ),
    "Markera": "Mark",
    "Avvisa markerade grupper": "Reject the marked groups",
    "Grupper av frågor om annat än det FAQ:n handlar om (vädret, ett recept): markera dem och avvisa dem på en gång (högst {count} åt gången). De föreslås inte igen; det ändrar inte vad boten svarar.": (
        "Groups of questions about other things than the FAQ's (the weather, a recipe): mark them and reject them at"
        " once (at most {count} at a time). They are not proposed again; that does not change what the bot answers."
    ),
    "Markera minst en grupp att avvisa.": "Mark at least one group to reject.",
    "Högst {count} grupper kan avvisas åt gången; inget avvisades.": "At most {count} groups can be rejected at a time; nothing was rejected.",
    "Grupperna är redan hanterade eller finns inte längre. Listan nedan är som den är nu.": (
        "The groups are already handled or gone. The list below is as it is now."
    ),
    "Ett av de visade förslagen fanns inte längre på listan (hanterat under tiden, eller besvarat av boten nu) och lades inte till.": (
        "One of the suggestions shown was no longer on the list (handled meanwhile, or answered by the bot now)"
        " and was not added."
    ),
    "{count} av de visade förslagen fanns inte längre på listan (hanterade under tiden, eller besvarade av boten nu) och lades inte till.": (
        "{count} of the suggestions shown were no longer on the list (handled meanwhile, or answered by the bot"
        " now) and were not added."
    ),
    "Ett av de visade förslagen fanns inte längre på listan (hanterat under tiden, eller besvarat av boten nu) och avvisades inte.": (
        "One of the suggestions shown was no longer on the list (handled meanwhile, or answered by the bot now)"
        " and was not rejected."
    ),
    "{count} av de visade förslagen fanns inte längre på listan (hanterade under tiden, eller besvarade av boten nu) och avvisades inte.": (
        "{count} of the suggestions shown were no longer on the list (handled meanwhile, or answered by the bot"
        " now) and were not rejected."
    ),
    "Ta bort posten": "Remove the entry",
    "Posten svarar nu också på de här frågorna från kunder, som gick till helpdesk eller fick förslag. De är inte längre med under Att granska; svarar posten fel på någon, ändra den.": (
        "The entry now also answers these questions from customers, which went to the helpdesk or were offered"
        " choices. They are no longer under To review; if the entry answers any of them wrongly, change it."
    ),
    "Versioner": "Versions",
    "Ja, ta bort posten. Chatten svarar inte längre med den; den finns kvar under Versioner och kan återställas där.": (
        "Yes, remove the entry. The chat no longer answers with it; it stays under Versions and can be restored there."
    ),
    "Kryssa i rutan för att ta bort posten; inget togs bort.": "Tick the box to remove the entry; nothing was removed.",
    "Posten har ändrats sedan du öppnade sidan, så den togs inte bort. Här är den som den är nu.": (
        "The entry has changed since you opened the page, so it was not removed. Here it is as it is now."
    ),
    "Posten ”{question}” är borttagen. Chatten svarar inte längre med den. Den finns kvar under {versions}, där den kan återställas.": (
        "The entry “{question}” is removed. The chat no longer answers with it. It stays under {versions}, where it"
        " can be restored."
    ),
    "Formuleringar från kunder ({count})": "Phrasings from customers ({count})",
    "Kunders egna ord, lagda till posten under Att granska: bekräftade av kunder eller kopplade av personal. Ta bort en formulering som inte hör till posten.": (
        "Customers' own words, added to the entry under To review: confirmed by customers or linked by staff."
        " Remove a phrasing that does not belong to the entry."
    ),
    "Ta bort": "Remove",
    "Borttaget ur posten: ”{text}”{stop} Chatten svarar inte längre med den formuleringen, och den föreslås inte igen för den här posten.": (
        "Removed from the entry: “{text}”{stop} The chat no longer answers with that phrasing,"
        " and it is not proposed again for this entry."
    ),
    "Formuleringen finns inte (längre) i posten; inget togs bort.": (
        "The phrasing is not (or no longer) in the entry; nothing was removed."
    ),
    "Inga obesvarade frågor.": "No unanswered questions.",
    "Förslagen förbereds": "The suggestions are being prepared",
    "{read} av {total} frågor ur loggen är lästa.": "{read} of {total} questions of the log read.",
    "Konversationsloggen läses.": "Reading the conversation log.",
    "Många nya frågor sedan sist tar en stund att läsa första gången; det fortsätter medan du gör annat.": (
        "Many new questions since last time take a while to read the first time; it goes on while you do other things."
    ),
    "Listan är från {time}. En ny räknas fram ({read} av {total} frågor ur loggen är lästa).": (
        "The list is from {time}. A new one is being worked out ({read} of {total} questions of the log read)."
    ),
    "Visa sidan igen": "Show the page again",
    "Sidor med frågor till helpdesk": "Pages of helpdesk questions",
    "Sidor med frågor till helpdesk, nederst": "Pages of helpdesk questions, at the bottom",
    "Grupp {first}–{last} av {count} (sida {page} av {pages})": "Groups {first}–{last} of {count} (page {page} of {pages})",
    "Föregående sida": "Previous page",
    "Nästa sida": "Next page",
    "Poster med tumme ned ({count})": "Entries with thumbs down ({count})",
    "Kunder gav de här svaren tumme ned. Gick en fråga till fel post: välj posten som svarar på den och tryck Koppla. Var svaret rätt: tryck Svaret var rätt (Ta bort från listan, där boten inte själv svarar med posten), och läs svaret igen för att göra det tydligare. Handlar frågan om något FAQ:n inte tar upp: tryck Handlar om annat, så räknas inte dess tumme ned mot posten och boten skickar den och liknande frågor till helpdesk.": (
        "Customers gave these answers thumbs down. If a question went to the wrong entry: choose the entry"
        " that answers it and press Link. If the answer was right: press The answer was right (Take off the"
        " list, where the bot does not answer with the entry by itself), and read the"
        " answer again to make it clearer. If the question is about something the FAQ does not cover: press"
        " About something else, and its thumbs down no longer counts against the entry, and the bot sends it,"
        " and questions like it, to the helpdesk."
    ),
    "Handlar om annat": "About something else",
    "Ta bort från listan": "Take off the list",
    "”{question}” är inte längre en fråga om annat.": "“{question}” is no longer a question about something else.",
    "”{question}” listas inte igen: boten skickar den nu till helpdesk.": (
        "“{question}” is not listed again: the bot now sends it to the helpdesk."
    ),
    "”{question}” handlar om något FAQ:n inte tar upp: frågan listas inte igen.": (
        "“{question}” is about something the FAQ does not cover: the question is not listed again."
    ),
    "Frågan finns inte (längre) bland frågorna om annat.": "The question is not (or no longer) among the questions about something else.",
    "Boten svarar nu på den med ”{entry}”.": "The bot now answers it with “{entry}”.",
    "Boten skickar den ändå till helpdesk: ingen post ligger nära nog.": (
        "The bot still sends it to the helpdesk: no entry is near enough."
    ),
    "Boten skickar den ändå till helpdesk: den liknar en annan fråga om annat mer än någon post.": (
        "The bot still sends it to the helpdesk: it is more like another question about something else than like any entry."
    ),
    "Kundernas frågor med den står under Att granska igen, att ta om hand som innan den markerades.": (
        "The customers' questions with it are under To review again, to deal with as before it was marked."
    ),
    "Prova den under Prova boten.": "Try it under Try the bot.",
    "Frågan liknar ”{marked}”, som ni har markerat som en fråga om annat, mer än någon text i bästa posten: till helpdesk, hur högt posten än når.": (
        "The question is more like “{marked}”, which you have marked as about something else, than any text of the best entry: to the helpdesk, however high the entry scores."
    ),
    "Frågan liknar en fråga som ni har markerat som en fråga om annat mer än någon text i bästa posten: till helpdesk, hur högt posten än når.": (
        "The question is more like a question you have marked as about something else than any text of the best entry: to the helpdesk, however high the entry scores."
    ),
    "Frågor om annat": "Questions about something else",
    "Kundfrågor som posten skulle svara på, men som en fråga ni har markerat som en fråga om annat skickar till helpdesk:": (
        "Customers' questions the entry would answer, but which a question you have marked as about something else sends to the helpdesk:"
    ),
    "”{question}”, av ”{marked}”": "“{question}”, by “{marked}”",
    "Av kundernas senaste frågor som boten svarade på eller gav förslag till skickar den nu också de här till helpdesk. Stämmer det inte, ta bort markeringen under Frågor och svar.": (
        "Of the customers' latest questions the bot answered or offered choices for, it now sends these to the"
        " helpdesk too. If that is wrong, take the mark off under Questions and answers."
    ),
    "”{question}”, som fick förslag med ”{entry}” först": "“{question}”, offered choices with “{entry}” first",
    "”{question}”, som besvarades med ”{entry}”": "“{question}”, which was answered with “{entry}”",
    "Boten skickar den till helpdesk eftersom den liknar ”{marked}”, som ni har markerat som en fråga om annat.": (
        "The bot sends it to the helpdesk as it is like “{marked}”, which you have marked as about something else."
    ),
    "”{question}” stod bland frågorna om annat; den är borttagen därifrån, eftersom posten nu svarar på den.": (
        "“{question}” was among the questions about something else; it is taken off that list, as the entry now answers it."
    ),
    "Frågor om annat som posten når ({count})": "Questions about something else this entry reaches ({count})",
    "Ni har markerat de här frågorna som frågor om annat (Handlar om annat). Boten skulle svara på dem med den här posten, eller nästan, men skickar dem, och frågor som liknar dem mer än posten, till helpdesk. Är posten ny, eller svarar den nu på det frågan frågar: ta bort frågan från listan. Svarade boten fel med posten när frågan markerades, gör markeringen sitt jobb: låt den stå.": (
        "You have marked these questions as about something else (About something else). The bot would answer them with this entry, or nearly, but sends them, and questions more like them than like the entry, to the helpdesk. If the entry is new, or now answers what the question asks: take the question off the list. If the bot answered wrongly with the entry when the question was marked, the mark is doing its job: leave it."
    ),
    "Markerade sedan dess som frågor om annat, inte i version {id}: {questions}. Boten kan svara på dem igen, och kundfrågorna som markerades med dem står under Att granska igen.": (
        "Marked as about something else since, not in version {id}: {questions}. The bot may answer them again, and the customers' questions marked with them are under To review again."
    ),
    "Markeras inte längre som en fråga om annat (boten kan svara på den igen): {questions}.": (
        "No longer marked as about something else (the bot may answer it again): {questions}."
    ),
    "Markeras som en fråga om annat igen (boten skickar den, och frågor som liknar den mer än någon post, till helpdesk): {questions}.": (
        "Marked as about something else again (the bot sends it, and questions more like it than like any entry, to the helpdesk): {questions}."
    ),
    "Markerade som frågor om annat i version {id}, och nu igen: {questions}. Boten skickar dem, och frågor som liknar dem mer än någon post, till helpdesk.": (
        "Marked as about something else in version {id}, and now again: {questions}. The bot sends them, and questions more like them than like any entry, to the helpdesk."
    ),
    "Markeras inte längre som frågor om annat (boten kan svara på dem igen): {questions}.": (
        "No longer marked as about something else (the bot may answer them again): {questions}."
    ),
    "Markeras som frågor om annat igen (boten skickar dem, och frågor som liknar dem mer än någon post, till helpdesk): {questions}.": (
        "Marked as about something else again (the bot sends them, and questions more like them than like any entry, to the helpdesk): {questions}."
    ),
    "”{question}” är inte längre en fråga om annat: boten kan svara på den igen.": (
        "“{question}” is no longer a question about something else: the bot may answer it again."
    ),
    "Frågor om annat ({count})": "Questions about something else ({count})",
    "Frågor som ni har sagt handlar om något FAQ:n inte tar upp (Handlar om annat, under Att granska). Boten skickar dem, och frågor som liknar dem mer än någon post, till helpdesk. Ta bort en fråga härifrån om boten ska kunna svara på den igen.": (
        "Questions you said are about something the FAQ does not cover (About something else, under To review)."
        " The bot sends them, and questions more like them than like any entry, to the helpdesk. Remove a question"
        " here if the bot may answer it again."
    ),
    "Boten skickar nu ”{question}” och frågor som liknar den mer än någon post till helpdesk.": (
        "The bot now sends “{question}”, and questions more like it than like any entry, to the helpdesk."
    ),
    "”{question}”": "“{question}”",
    "Boten var nära att svara med ”{entry}”{stop}": "The bot nearly answered with “{entry}”{stop}",
    "Svaret var rätt": "The answer was right",
    "Utan öppna frågor: läs svaret igen": "No open questions: read the answer again",
    "Det här kan inte godkännas som det är: koppla frågan till posten som svarar på den.": (
        "This cannot be accepted as it is: link the question to the entry that answers it."
    ),
    "”{question}” handlar om något FAQ:n inte tar upp: frågan listas inte igen, och dess tumme ned räknas inte mot posten.": (
        "“{question}” is about something the FAQ does not cover: the question is not listed again, and its"
        " thumbs down no longer counts against the entry."
    ),
    "Svaret på ”{question}” var rätt: frågan listas inte igen under ”{entry}”.": (
        "The answer to “{question}” was right: the question is not listed again under “{entry}”."
    ),
    "Välj posten": "Choose the entry",
    "Närmast frågan": "Nearest the question",
    "Alla poster": "All entries",
    "tumme ned {disliked}, tumme upp {liked}": "thumbs down {disliked}, thumbs up {liked}",
    # -- questions and answers -----------------------------------------------------------
    "Sök bland frågor och svar": "Search the questions and answers",
    "Sök": "Search",
    "{count} poster.": "{count} entries.",
    "{count} poster med ”{query}”.": "{count} entries with “{query}”.",
    "1 post med ”{query}”.": "1 entry with “{query}”.",
    "1 post.": "1 entry.",
    "Poster med ”{query}”: {count}. Frågor om annat med ”{query}”: {marked}.": (
        "Entries with “{query}”: {count}. Questions about something else with “{query}”: {marked}."
    ),
    "Redigera {faq_id}": "Edit {faq_id}",
    "Redigera ”{question}”": "Edit “{question}”",
    "Fråga": "Question",
    "Svar": "Answer",
    "Andra sätt att fråga": "Other ways to ask",
    "Avsnitt": "Section",
    "Fråga på engelska": "Question in English",
    "Svar på engelska": "Answer in English",
    "Tomma rader blir stycken.": "Blank lines make paragraphs.",
    "En fråga per rad.": "One question per line.",
    "Spara": "Save",
    "Tillbaka till Att granska": "Back to To review",
    "Ny fråga: skriv en ny post": "New question: write a new entry",
    "FAQ:n har inga avsnitt än; skriv ett om du vill dela in den.": (
        "The FAQ has no sections yet; write one if you want to divide it."
    ),
    "Välj ett avsnitt som finns (listan öppnas när du skriver) eller skriv ett nytt.": (
        "Choose a section that exists (the list opens as you type) or write a new one."
    ),
    "Avsnittet ”{section}” är nytt: ingen annan post har det. Stämmer stavningen? Avsnitten som finns visas i listan vid fältet.": (
        "The section “{section}” is new: no other entry has it. Is it spelt right? The sections that exist are "
        "listed at the field."
    ),
    "Tillbaka till alla frågor": "Back to all questions",
    "Filen har ändrats sedan du öppnade posten": "The file has changed since you opened the entry",
    "Någon har ändrat FAQ-filen under tiden. Ingenting sparades. Så här skiljer sig filen från ditt utkast:": (
        "Someone changed the FAQ file meanwhile. Nothing was saved. This is how the file differs from your draft:"
    ),
    "i filen nu:": "in the file now:",
    "(tomt)": "(empty)",
    "Ändrat i filen och infört i ditt utkast, eftersom du inte hade ändrat det: {fields}.": (
        "Changed in the file and brought into your draft, since you had not changed it: {fields}."
    ),
    "Någon ändrade posten medan du skrev, i fält du inte rörde; deras text står kvar: {fields}.": (
        "Someone changed the entry while you wrote, in fields you did not touch; their text stays: {fields}."
    ),
    "Ditt utkast står kvar i formuläret nedan: spara igen för att skriva det över ändringarna ovan, eller": (
        "Your draft is still in the form below: save again to write it over the changes above, or"
    ),
    "öppna posten på nytt": "open the entry anew",
    "och gör om din ändring.": "and make your change again.",
    "Sparat": "Saved",
    "Indexet är ombyggt; chatten svarar med den nya texten.": "The index is rebuilt; the chat answers with the new text.",
    "Inget var ändrat.": "Nothing was changed.",
    "Posten sparades inte: se meddelandena vid fälten.": "The entry was not saved: see the messages by the fields.",
    # after the language switch, which never saves: what it took out of a field, said without a failed save
    "Inget är sparat: se meddelandena vid fälten.": "Nothing has been saved: see the messages by the fields.",
    "Fältet får inte vara tomt.": "The field must not be empty.",
    "Frågan ”{text}” finns redan i posten ”{where}”. Skriv den bara på ett ställe.": (
        "The question “{text}” is already in the entry “{where}”. Write it in one place only."
    ),
    "Fältet måste vara text.": "The field must be text.",
    "Kontrollen av FAQ-filen säger: {message}": "The check of the FAQ file says: {message}",
    "Versioner: vem ändrade vad och när, och återställ en äldre version": (
        "Versions: who changed what and when, and restore an earlier version"
    ),
    # -- a new entry, and trying a draft (draft_pages.py) -----------------------------------
    "Ny fråga": "New question",
    "Skapa posten": "Create the entry",
    "Posten är skapad": "The entry is created",
    "Den fick id": "Its id is",
    "Indexet är ombyggt; chatten svarar med den nu.": "The index is rebuilt; the chat answers with it now.",
    "Gruppens frågor är ställda på engelska. Skriv frågan på svenska i fältet Fråga.": (
        "The group's questions were asked in English. Write the question in Swedish in the field Question."
    ),
    "Gruppen är redan hanterad eller finns inte längre.": "The group is already handled or no longer exists.",
    "Prova utkastet med en fråga (sparas inte)": "Try the draft with a question (not saved)",
    "Prova utkastet": "Try the draft",
    "Så svarar boten med utkastet": "How the bot answers with the draft",
    "Frågan ”{question}” ger:": "The question “{question}” gets:",
    "Ingenting är sparat.": "Nothing is saved.",
    "De fem närmaste posterna med utkastet": "The five closest entries with the draft",
    "(utkastet)": "(the draft)",
    "Tröskel {threshold}. Utkastet har inga nya texter: boten kände dem redan.": (
        "Threshold {threshold}. The draft has no new texts: the bot knew them already."
    ),
    "Tröskel {threshold}. Boten läste 1 ny text i utkastet; resten kände den redan.": (
        "Threshold {threshold}. The bot read 1 new text of the draft; it knew the rest already."
    ),
    "Tröskel {threshold}. Boten läste {count} nya texter i utkastet; resten kände den redan.": (
        "Threshold {threshold}. The bot read {count} new texts of the draft; it knew the rest already."
    ),
    "Utkastet går inte att prova: rätta det som står vid fälten.": (
        "The draft cannot be tried: fix what is said by the fields."
    ),
    "Skriv en fråga att prova med.": "Write a question to try with.",
    "Du har provat {count} gånger den senaste minuten. Vänta en stund och försök igen.": (
        "You have tried {count} times in the last minute. Wait a while and try again."
    ),
    "Posten finns inte (längre) i FAQ-filen, eller filen klarar inte kontrollerna.": (
        "The entry is not (or no longer) in the FAQ file, or the file does not pass the checks."
    ),
    # -- versions of the FAQ file (history.py, history_pages.py) -----------------------------
    "Versioner av frågor och svar": "Versions of the questions and answers",
    "Varje ändring som sparas i konsolen sparas här med vem och när; en ändring gjord direkt i filen visas som ”ändrad i filen”. De senaste versionerna sparas (äldre tas bort). Att återställa en version sparar den som en ny version, så det går att ångra.": (
        "Every change saved in the console is kept here with who and when; a change made directly in the file "
        "shows as “changed in the file”. The latest versions are kept (older ones are removed). Restoring a "
        "version saves it as a new version, so it can be undone."
    ),
    "Version {id}": "Version {id}",
    "version {id}": "version {id}",
    "(gäller nu)": "(in force now)",
    "Avsnitt på sidan": "Sections of the page",
    "Kunders formuleringar": "Customers' phrasings",
    "Frågor till helpdesk": "Questions to the helpdesk",
    "Körningen startar ({user}, startad {started}): testmängden läses.": "The run is starting ({user}, started {started}): reading the test set.",
    "Diagrammet visar de senaste dagarna; rulla åt vänster för de tidigare och för skalan.": "The chart shows the latest days; scroll left for the earlier ones and the scale.",
    "filen som konsolen först såg den": "the file as the console first saw it",
    "Sluta uppdatera av sig själv": "Stop updating by itself",
    "(sidan uppdateras inte av sig själv).": "(the page does not update by itself).",
    "Uppdatera av sig själv var {seconds}:e sekund": "Update by itself every {seconds} seconds",
    "Diagrammet, kan rullas i sidled": "The chart, scrolls sideways",
    "(samma text som version {id})": "(the same text as version {id})",
    "Jämför och återställ": "Compare and restore",
    "Version {id} klarar inte FAQ-kontrollerna och kan inte återställas: {err}": "Version {id} does not pass the FAQ checks and cannot be restored: {err}",
    "Filen har ändrats sedan du jämförde (någon sparade under tiden), så ingenting återställdes. Skillnaden nedan är mot filen som den ser ut nu: läs den och återställ igen om du fortfarande vill.": "The file has changed since you compared (someone saved meanwhile), so nothing was restored. The difference below is against the file as it is now: read it and restore again if you still want to.",
    "Jämför version {id} med filen nu och återställ den": "Compare version {id} with the file now and restore it",
    "Posterna tas bort ur FAQ:n (de finns inte i version {id}): {ids}.": "These entries are removed from the FAQ (they are not in version {id}): {ids}.",
    "Posten tas bort ur FAQ:n (den finns inte i version {id}): {ids}.": "This entry is removed from the FAQ (it is not in version {id}): {ids}.",
    "Kommer tillbaka: {ids}.": "Coming back: {ids}.",
    "Får tillbaka sina texter från version {id}: {ids}.": "These entries get their texts from version {id} back: {ids}.",
    "Återställ version {id}": "Restore version {id}",
    "Återställd": "Restored",
    "Filen är redan likadan som version {id}; inget ändrades.": "The file already reads as version {id}; nothing was changed.",
    "Version {id} är återställd som en ny version. Indexet är ombyggt; chatten svarar med den texten nu.": (
        "Version {id} is restored as a new version. The index is rebuilt; the chat answers with that text now."
    ),
    "En kundfråga som togs om hand sedan dess (godkänd som formulering eller gjord till en post) finns inte i version {id}; den står under Att granska igen, att ta om hand på nytt eller avvisa.": (
        "A customer question taken care of since then (accepted as a phrasing or made into an entry) is not in version {id}; it is on the To review page again, to take care of anew or reject."
    ),
    "{n} kundfrågor som togs om hand sedan dess (godkända som formuleringar eller gjorda till poster) finns inte i version {id}; de står under Att granska igen, att ta om hand på nytt eller avvisa.": (
        "{n} customer questions taken care of since then (accepted as phrasings or made into entries) are not in version {id}; they are on the To review page again, to take care of anew or reject."
    ),
    "Öppna Att granska": "Open the To review page",
    "Version {id} återställdes inte: den klarar inte FAQ-kontrollerna. {err}": (
        "Version {id} was not restored: it does not pass the FAQ checks. {err}"
    ),
    "Inga versioner ännu.": "No versions yet.",
    "Versionen finns inte.": "There is no such version.",
    "Versionen finns inte (längre); bara de senaste sparas.": (
        "The version does not exist (any longer); only the latest ones are kept."
    ),
    "Versionen är likadan som filen nu.": "The version is the same as the file now.",
    "Skillnad mot filen nu": "Difference from the file now",
    "Rader med − finns i filen nu och försvinner vid en återställning; rader med + kommer tillbaka.": (
        "Lines with − are in the file now and go away with a restore; lines with + come back."
    ),
    "Skillnaden är lång; bara början visas.": "The difference is long; only its beginning is shown.",
    "Återställ filen till version {id}. Det sparas som en ny version.": (
        "Restore the file to version {id}. It is saved as a new version."
    ),
    "Tillbaka till alla versioner": "Back to all versions",
    "filen nu": "the file now",
    # what a version changed (its `what`, kept in Swedish and shown with these)
    "ändrad i filen": "changed in the file",
    "så som konsolen först såg filen": "as the console first saw the file",
    "återställde version {id}": "restored version {id}",
    "filen klarar inte FAQ-kontrollerna (chatten svarar med den senaste fungerande versionen)": (
        "the file does not pass the FAQ checks (the chat answers with the latest working version)"
    ),
    "{count} poster": "{count} entries",
    "filen rättad: {count} poster": "the file fixed: {count} entries",
    "bara kommentarer eller layout": "only comments or layout",
    "ändrade": "changed",
    "nya": "new",
    "borttagna": "removed",
    "frågor om annat": "questions about something else",
    # -- evaluation (evaluation_routes.py, evaluation.html) ----------------------------------
    "Kör testmängden": "Run the test set",
    "Testmängden är": "The test set is",
    "samma fil och samma siffror som": "the same file and the same figures as",
    "En körning åt gången.": "One run at a time.",
    "Körningen pågår ({user}, startad {started}):": "The run is going ({user}, started {started}):",
    "{done} av {total}": "{done} of {total}",
    "frågor.": "questions.",
    "Frågor körda": "Questions run",
    "Uppdatera": "Refresh",
    "(sidan uppdateras av sig själv var {seconds}:e sekund).": "(the page refreshes itself every {seconds} seconds).",
    "Den senaste körningen ({user}) gick inte: {error}": "The latest run ({user}) failed: {error}",
    "Det finns ingen testmängd än. Lägg till frågor som kunder bekräftade (de listas nedan när det finns några), eller skriv filen: en rad per fråga, {line}.": (
        "There is no test set yet. Add questions customers confirmed (listed below when there are some),"
        " or write the file: one line a question, {line}."
    ),
    "Den senaste körningen är klar: {done} av {total} frågor.": "The latest run is done: {done} of {total} questions.",
    "Körningen har startat.": "The run has started.",
    "En körning pågår redan. Vänta tills den är klar.": "A run is already going. Wait until it is done.",
    "Senaste körningen som gick": "The latest run that worked",
    "{count} rader i testmängden kördes inte: posten de väntar sig finns inte i FAQ:n (borttagen, till exempel av en återställd version, eller felskriven). Rätta raden eller ta bort den i filen; de andra frågorna kördes.": "{count} lines of the test set were not run: the entry they expect is not in the FAQ (removed, for example by a restored version, or mistyped). Correct or remove the lines in the file; the other questions were run.",
    "En rad i testmängden kördes inte: posten den väntar sig finns inte i FAQ:n (borttagen, till exempel av en återställd version, eller felskriven). Rätta raden eller ta bort den i filen; de andra frågorna kördes.": "One line of the test set was not run: the entry it expects is not in the FAQ (removed, for example by a restored version, or mistyped). Correct or remove the line in the file; the other questions were run.",
    "Senaste körningen": "The latest run",
    "{finished} av {user}: {questions} frågor ({offtopic} utanför ämnet), tröskel {threshold}, {seconds} s.": (
        "{finished} by {user}: {questions} questions ({offtopic} off-topic), threshold {threshold}, {seconds} s."
    ),
    "De fyra måtten för den senaste körningen": "The four figures of the latest run",
    "Mått": "Figure",
    "Andel": "Share",
    "Missar ({count})": "Misses ({count})",
    "Testfrågor som boten inte svarade rätt på": "Test questions the bot did not answer right",
    "Väntad post": "Expected entry",
    "Boten": "The bot",
    "helpdesk (utanför ämnet)": "helpdesk (off-topic)",
    "svarade med": "answered with",
    "erbjöd val:": "offered choices:",
    "skickade till helpdesk": "sent to the helpdesk",
    "De första {count} visas.": "The first {count} are shown.",
    "Inga missar.": "No misses.",
    "Körningar ({count})": "Runs ({count})",
    "Körningar, kan rullas i sidled": "Runs, can be scrolled sideways",
    "De sparade körningarna, senaste först": "The kept runs, latest first",
    "När": "When",
    "Vem": "Who",
    "Kundfrågor som saknas i testmängden ({count})": "Customer questions the test set lacks ({count})",
    "Kunder valde posten bland förslagen eller gav svaret tumme upp; frågor som du avvisade för att de handlar om annat ska gå till helpdesk. Lägg till dem i testmängden, så mäter nästa körning riktiga kunders ord (högst {count} åt gången).": (
        "Customers picked the entry among the suggestions or gave the answer a thumbs up; questions you rejected "
        "as about something else should go to the helpdesk. Add them to the test set, and the next run measures "
        "real customers' words (at most {count} at a time)."
    ),
    "Frågor att lägga till": "Questions to add",
    "valt {picked}, tumme upp {liked}": "picked {picked}, thumbs up {liked}",
    "helpdesk": "helpdesk",
    "avvisad: handlar om annat": "rejected: about something else",
    "Lägg till i testmängden": "Add to the test set",
    "Inga kundfrågor att lägga till.": "No customer questions to add.",
    "Välj minst en fråga att lägga till.": "Choose at least one question to add.",
    "Högst {count} frågor kan läggas till åt gången; inget lades till.": (
        "At most {count} questions can be added at a time; nothing was added."
    ),
    "Inget lades till: någon av frågorna är inte (längre) en bekräftad kundfråga som saknas i testmängden. Öppna sidan på nytt och välj igen.": (
        "Nothing was added: one of the questions is not (or no longer) a confirmed customer question the test "
        "set lacks. Open the page anew and choose again."
    ),
    "En fråga lades till i testmängden.": "One question was added to the test set.",
    "{count} frågor lades till i testmängden.": "{count} questions were added to the test set.",
    "Testmängden kunde inte skrivas: {err}": "The test set could not be written: {err}",
    # -- try the bot ---------------------------------------------------------------------
    "Fråga som en kund": "Ask as a customer",
    "Fråga boten": "Ask the bot",
    "Svaret": "The reply",
    "Typ av svar:": "Kind of reply:",
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
    "tillagt": "added",
    "borttaget": "removed",
    "samma frågor i en annan ordning": "the same questions in another order",
    "{count} oförändrade": "{count} unchanged",
    "Poster som visas under svaret": "Entries shown under the answer",
    "Poster som visas under helpdesk-adressen": "Entries shown under the helpdesk address",
    "Under svaret visas också högst {count} poster som når tröskeln och ligger högst {spread} under bästa posten, så att kunden kan välja en av dem i stället.": (
        "Under the answer at most {count} entries that reach the threshold and lie at most {spread} below the best one are shown too, so that the customer can pick one of them instead."
    ),
    "Under helpdesk-adressen visas de {count} närmaste posterna som når {floor}, så att kunden kan välja en själv.": (
        "Under the helpdesk address the {count} closest entries that reach {floor} are shown, so that the customer can pick one."
    ),
    "Bästa posten ({best}) når inte tröskeln, och frågan liknar ”{marked}”, som ni har markerat som en fråga om annat, mer än bästa posten: till helpdesk.": (
        "The best entry ({best}) does not reach the threshold, and the question is more like “{marked}”, which you have marked as about something else, than the best entry: to the helpdesk."
    ),
    "Bästa posten ({best}) når inte tröskeln, och frågan liknar en fråga som ni har markerat som en fråga om annat mer än bästa posten: till helpdesk.": (
        "The best entry ({best}) does not reach the threshold, and the question is more like a question you have marked as about something else than the best entry: to the helpdesk."
    ),
    "Frågan är längre än chattens gräns på {count} tecken. Korta den och försök igen.": (
        "The question is longer than the chat's limit of {count} characters. Shorten it and try again."
    ),
    "Marginal för val: inga val på poängen (bara för vaga meddelanden och följdfrågor).": (
        "Margin for choices: no choices on the scores (only for vague messages and follow-ups)."
    ),
    "Meddelandet nämner inget eget ämne, så det besvaras aldrig med en post: de närmaste posterna erbjuds som val, eller helpdesk när ingen är nära.": (
        "The message names no subject of its own, so it is never answered with an entry: the nearest"
        " entries are offered as choices, or the helpdesk when none is near."
    ),
    "Bästa posten låg utanför samtalets ämne: ämnets bästa post erbjuds som val bredvid den.": (
        "The best entry was outside the conversation's subject: the subject's best entry is offered"
        " as a choice next to it."
    ),
    "Föregående fråga i chatten (valfri, för att prova en följdfråga)": (
        "The previous question in the chat (optional, to try a follow-up)"
    ),
    "Läst som följdfråga till ”{previous}”: posterna i samma ämne fick försprång.": (
        "Read as a follow-up to “{previous}”: the entries on the same topic got a head start."
    ),
    "Läst som en ny fråga, utan sammanhang från en tidigare fråga.": (
        "Read as a new question, with no context from an earlier one."
    ),
}
