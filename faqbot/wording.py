"""The bot's wording: everything it says itself to a customer, in Swedish and English.

FAQ answers are in Swedish (English customers get an entry's `answer_en` when staff wrote
one, else "swedish_note" before the Swedish answer); these are the bot's own words around them.
`{helpdesk}` is filled in from data/faq.yaml.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "sv": {
        "footer": "Hjälpte inte svaret? Skriv till {helpdesk} så hjälper vi dig.",
        "helpdesk": (
            "Det kan jag tyvärr inte svara på här. Skriv till {helpdesk} och beskriv ditt ärende "
            "så utförligt som möjligt, så får du hjälp snabbare."
        ),
        # A helpdesk reply with the closest questions offered under it ("Menade du kanske:").
        "helpdesk_close": (
            "Det kan jag inte svara säkert på. Kanske finns svaret bland frågorna nedan; annars kan du "
            "skriva till {helpdesk} och beskriva ditt ärende så utförligt som möjligt, så får du hjälp snabbare."
        ),
        "empty": "Skriv din fråga så försöker jag hjälpa dig. Du kan också skriva till {helpdesk}.",
        "greeting": "Hej! Jag svarar på vanliga frågor. Vad undrar du över?",
        "greeting_named": "Hej! Jag svarar på vanliga frågor om {name}. Vad undrar du över?",
        "greeting_helpdesk": "Du kan också skriva till {helpdesk}.",
        "thanks": "Varsågod! Hör av dig om du undrar något mer, eller skriv till {helpdesk}.",
        "goodbye": "Hej då! Välkommen tillbaka om du undrar något mer, eller skriv till {helpdesk}.",
        "noted": "Hör av dig om du undrar något mer, eller skriv till {helpdesk}.",
        "suggestions": "Menade du kanske:",
        "choices": (
            "Jag är inte säker på vilken fråga du menar. Välj den som passar bäst nedan, "
            "eller skriv till {helpdesk} så hjälper vi dig."
        ),
        "error": "Något gick fel hos oss. Skriv till {helpdesk} så hjälper vi dig.",
        "truncated": (
            "(Ditt meddelande var längre än {limit} tecken, så jag läste bara slutet av det. "
            "Skriv gärna din fråga kort för sig, så blir svaret säkrare.)"
        ),
        "rate_limited": (
            "Du har skickat många frågor på kort tid. Vänta en minut och försök igen, "
            "eller skriv till {helpdesk} så hjälper vi dig."
        ),
        # The chat widget's own wording (faqbot.web.widget).
        "ui_title": "Vanliga frågor",  # when the settings give no `name`
        "ui_subtitle": "Svar direkt på vanliga frågor",
        "ui_examples": "Välj en vanlig fråga nedan eller skriv en egen.",
        "ui_english": "You can also write in English.",
        "ui_placeholder": "Skriv din fråga här …",
        "ui_send": "Skicka",
        "ui_source": "Källa (vanliga frågor):",
        "ui_mail_link": "Mejla din fråga till {helpdesk}",
        "ui_mail_subject": "Fråga från chatten",
        "ui_mail_body": "Hej! Jag ställde den här frågan i chatten på er webbplats:",
        # Before the answer, when the server that held the chat is gone (or it was idle too long).
        "restarted": (
            "Chatten har startats om, så jag minns inte längre vad vi skrev tidigare. Dina tidigare "
            "meddelanden finns kvar ovanför, men ditt senaste meddelande läser jag som en ny fråga. "
            "Syftar det på något tidigare, skriv gärna hela frågan igen."
        ),
    },
    "en": {
        "footer": "Did this not help? Write to {helpdesk} and we will help you.",
        "helpdesk": (
            "I'm sorry, I can't answer that here. Please write to {helpdesk} and describe your "
            "issue in as much detail as you can; that way you get help faster."
        ),
        "helpdesk_close": (
            "I can't answer that with certainty. The answer may be among the questions below; if not, please "
            "write to {helpdesk} and describe your issue in as much detail as you can; that way you get help faster."
        ),
        "empty": "Type your question and I'll try to help. You can also write to {helpdesk}.",
        "greeting": "Hello! I answer common questions. What would you like to know?",
        "greeting_named": "Hello! I answer common questions about {name}. What would you like to know?",
        "greeting_helpdesk": "You can also write to {helpdesk}.",
        "thanks": "You're welcome! Ask again any time, or write to {helpdesk}.",
        "goodbye": "Goodbye! Come back any time you wonder about something, or write to {helpdesk}.",
        "noted": "Ask again any time, or write to {helpdesk}.",
        "suggestions": "Did you mean:",
        "choices": (
            "I'm not sure which question you mean. Pick the one that fits best below, "
            "or write to {helpdesk} and we will help you."
        ),
        "error": "Something went wrong on our side. Please write to {helpdesk} and we will help you.",
        "truncated": (
            "(Your message was longer than {limit} characters, so I only read its end. "
            "Ask your question on its own and the answer will be surer.)"
        ),
        "rate_limited": (
            "You have sent a lot of questions in a short time. Please wait a minute and try again, "
            "or write to {helpdesk} and we will help you."
        ),
        "swedish_note": "Our FAQ is in Swedish, so here is the answer in Swedish:",
        "ui_title": "Common questions",
        "ui_subtitle": "Instant answers to common questions",
        "ui_examples": "Pick a common question below or type your own.",
        "ui_english": "You can also write in English.",
        "ui_placeholder": "Type your question here …",
        "ui_send": "Send",
        "ui_source": "Source (our FAQ):",
        "ui_mail_link": "Email your question to {helpdesk}",
        "ui_mail_subject": "Question from the chat",
        "ui_mail_body": "Hello! I asked this question in the chat on your website:",
        "restarted": (
            "The chat has restarted, so I no longer remember what we wrote earlier. Your earlier "
            "messages are still shown above, but I am reading your latest message as a new question. "
            "If it refers to something earlier, please write the whole question again."
        ),
    },
}


def message(key: str, language: str, helpdesk: str, **fields: str) -> str:
    """The bot's text `key` in the customer's language (Swedish unless it is English), with
    `{helpdesk}` and any other `fields` (e.g. "truncated"'s `limit`) filled in."""
    table = MESSAGES["en" if language == "en" else "sv"]
    return table[key].format(helpdesk=helpdesk, **fields)


def greeting_text(language: str, helpdesk: str, name: str = "", own: str = "") -> str:
    """The bot's first words: staff's `own` (the settings' `greeting`/`greeting_en`) or what it
    answers questions about (`name`, the company), then always the helpdesk address."""
    table = MESSAGES["en" if language == "en" else "sv"]
    opening = own or (table["greeting_named"].format(name=name) if name else table["greeting"])
    return f"{opening} {table['greeting_helpdesk'].format(helpdesk=helpdesk)}"
