"""Realistic agent notes around a customer's question, and off-topic questions, for evaluation.

A question typed into the console is rarely the clean sentence a dataset holds:
agents paste call notes and chat transcripts with call times, identity checks,
greetings, the customer's mood and small talk around the problem. `wrap` puts
one question into such a note (English), in one of several shapes (call note,
chat transcript, email, terse ticket), with the question somewhere in the
middle, so an evaluation can check that the same question gets the same
resolution with and without the noise.

`off_topic` writes general questions no bank's knowledge answers (weather,
jokes, travel, cooking, sport, ...), the bulk of CLINC150's out-of-scope set,
to mix with known intents for the CLINC150-shaped evaluation.

`wrap_shorthand` writes the notes of an agent in a hurry, in forms `wrap`
never does and with words of its own: one line joined by dashes, pipes or
commas, clauses joined by semicolons with the question inside a longer
sentence, a bullet list; lower case and no full stops. A problem-statement
finder tuned on `wrap` alone is checked against it.

`wrap_desk` writes what a help-desk tool stores, in words neither of the others
uses: a web chat log with timestamps and system lines, an email turned into a
case (subject, reply above a quoted auto-acknowledgement, phone signature), a
call-summary form of labelled fields, and a handover note between agents. It
was written after the finder's segment rules were tuned on the other two, to
check them on notes they were not tuned on.

`wrap_transcript` writes a two-sided conversation, as a chat or call
transcript is pasted into a case: the agent's turns are about banking too (the
identity check asked for, "I can see your account", a troubleshooting question)
and sit beside the customer's question, under speaker labels of several forms
("Agent:", "Rep:", "Advisor Sam:", "Sam (agent):", "Me:" in the agent's own
notes). It checks that the agent's words are not taken for the problem.

`wrap_export` writes what a help-desk tool exports, in forms neither of the
others does: speakers named rather than labelled by role ("Sam:", "Jo Smith:"),
each turn stamped with a clock or an elapsed time in the forms chat tools use
("(10:02:13 AM) Sam:", "Sam [10:02]:", "2026-03-03 10:02:13 Sam:", "( 20s )
Sam:"), under a chat header, and the customer's email reply above the agent's
quoted answer ("On Tue, 3 Mar 2026 at 10:03, Sam <support@...> wrote:", "> ...").
It was written before the finder learnt these forms, with agent lines of its own.

`wrap_reported` tells the question in the third person, as agents write a
call note ("Customer says her card hasn't arrived", "Caller wanted to know
how long a transfer takes"): the knowledge base's cases are in the customer's
own words.
"""

from __future__ import annotations

import random
import re
import time

NAMES = ["Sarah", "Tom", "Priya", "Mr Okafor", "Mrs Lindqvist", "Jamie", "Ahmed", "Chloe"]
TIMES = ["08:52", "09:14", "10:03", "11:47", "12:30", "14:32", "15:05", "16:48", "18:20"]
CALL_OPENERS = [
    "Inbound call at {time}, {minutes} min.",
    "Call taken {time}.",
    "Customer rang at {time} (waited {minutes} min in the queue).",
    "{time} phone call from {name}.",
    "Callback at {time} as requested.",
]
ID_CHECKS = [
    "ID&V passed (DOB and postcode).",
    "Security questions answered correctly.",
    "Verified identity with the last four digits and date of birth.",
    "Passed ID checks after one wrong answer on the address.",
    "Customer verified via in-app push.",
]
MOODS = [
    "Customer was polite but clearly stressed.",
    "Very frustrated, said this is the second time she has called.",
    "Calm and friendly throughout.",
    "He sounded upset and kept apologising.",
    "Quite annoyed about the wait on hold.",
    "Customer was in a hurry.",
]
CHATTER = [
    "We chatted briefly about the football last night.",
    "She mentioned she is moving house next month.",
    "He said the weather in Leeds has been awful all week.",
    "Customer said her dog was barking in the background, apologised for the noise.",
    "Mentioned he has just started a new job.",
    "She was on the bus so the line kept dropping.",
    "Talked for a minute about his daughter's graduation.",
    "Customer complimented the new app design.",
]
CHAT_CHATTER = [
    "Sorry, the signal on the train is terrible.",
    "By the way the new app looks great.",
    "I'm off to a wedding this weekend so I'm a bit all over the place.",
    "My kids are shouting in the background, sorry!",
    "I've been on hold for ages on the phone so trying chat instead.",
]
CLOSERS = [
    "Customer thanked me and ended the call.",
    "Will follow up if needed.",
    "Customer happy to wait for an update.",
    "Call ended politely.",
    "No other issues raised.",
]
LEADS = ["Customer said: ", "Reason for call: ", "Issue: ", "Cust says ", "", "", ""]
CHAT_GREETINGS = ["Hi there!", "Hello.", "Good morning.", "Hey, hope you're well.", "Hi."]
CHAT_THANKS = ["Thanks so much.", "Thank you, appreciate it.", "Cheers.", "OK thanks."]
EMAIL_OPENERS = ["Hello,", "Dear Kestrel team,", "Hi,", "Good afternoon,"]
EMAIL_SMALLTALK = [
    "I hope you are all well.",
    "Sorry to bother you again.",
    "I have been a customer for years and usually have no problems.",
    "I'm writing from my phone so excuse any typos.",
]


def wrap(question: str, rng: random.Random) -> str:
    """The question inside a call note, chat transcript, email or ticket, with noise around it."""
    shape = rng.choice((_call_note, _chat, _email, _ticket))
    question = question.strip()
    # Agents usually end the customer's words with a full stop, but not always.
    if question[-1:] not in ".?!" and rng.random() < 0.8:
        question += "."
    return shape(question, rng)


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        time=rng.choice(TIMES), minutes=rng.randint(2, 25), name=rng.choice(NAMES)
    )


def _call_note(question: str, rng: random.Random) -> str:
    before = [_fill(rng.choice(CALL_OPENERS), rng), rng.choice(ID_CHECKS)]
    if rng.random() < 0.5:
        before.append(rng.choice(MOODS))
    after = rng.sample(CHATTER, 1) + ([rng.choice(MOODS)] if rng.random() < 0.3 else [])
    after.append(rng.choice(CLOSERS))
    return " ".join([*before, rng.choice(LEADS) + question, *after])


def _chat(question: str, rng: random.Random) -> str:
    name = rng.choice(NAMES)
    lines = [
        f"Customer: {rng.choice(CHAT_GREETINGS)}",
        f"Agent: Hi {name}, thanks for waiting. How can I help today?",
        f"Customer: {question}",
    ]
    if rng.random() < 0.6:
        lines.append(f"Customer: {rng.choice(CHAT_CHATTER)}")
    lines.append(f"Customer: {rng.choice(CHAT_THANKS)}")
    return "\n".join(lines)


def _email(question: str, rng: random.Random) -> str:
    body = [rng.choice(EMAIL_SMALLTALK), question]
    if rng.random() < 0.5:
        body.append(rng.choice(CHATTER))
    return "\n\n".join(
        [rng.choice(EMAIL_OPENERS), " ".join(body), f"Kind regards,\n{rng.choice(NAMES)}"]
    )


def _ticket(question: str, rng: random.Random) -> str:
    parts = [rng.choice(ID_CHECKS), rng.choice(LEADS) + question, rng.choice(MOODS)]
    if rng.random() < 0.5:
        parts.insert(0, _fill(rng.choice(CALL_OPENERS), rng))
    return " ".join(parts)


SH_OPENERS = [
    "cust rang in at 3.15pm",
    "inbound call 11:02, caller on mobile",
    "call from customer (approx 6 min)",
    "phoned at lunchtime",
    "callback requested yesterday, returned call today",
]
SH_CHECKS = [
    "IDV done via DOB and postcode",
    "passed security",
    "verified w/ last 4 digits of card",
    "security qs ok",
    "ID confirmed",
]
SH_MOODS = [
    "customer quite upset",
    "was very polite throughout",
    "sounded stressed",
    "caller impatient, in a rush",
    "a bit confused at first",
]
SH_CHATTER = [
    "talked about the rain for a bit",
    "mentioned they are moving house next month",
    "kids shouting in the background",
    "asked if we are open on bank holidays",
    "complained about the hold music",
    "told me about their holiday in Spain",
]
SH_CLOSERS = [
    "advised will follow up",
    "nothing else needed",
    "call ended",
    "cust happy to wait for email",
    "ticket raised",
]


def wrap_shorthand(question: str, rng: random.Random) -> str:
    """The question inside a hurried agent's one-line or bulleted note (see the module)."""
    q = question.strip().rstrip(".")
    lower = q[:1].lower() + q[1:]
    shape = rng.randrange(5)
    if shape == 0:
        parts = [rng.choice(SH_OPENERS), rng.choice(SH_CHECKS), "says " + lower]
        return " - ".join([*parts, rng.choice(SH_CHATTER), rng.choice(SH_CLOSERS)])
    if shape == 1:
        parts = [rng.choice(SH_OPENERS), rng.choice(SH_CHECKS), rng.choice(SH_MOODS)]
        return " | ".join([*parts, "q: " + q, rng.choice(SH_CLOSERS)])
    if shape == 2:
        parts = [rng.choice(SH_OPENERS), rng.choice(SH_CHECKS).lower(), rng.choice(SH_MOODS)]
        return ", ".join([*parts, "basically " + q.lower(), rng.choice(SH_CHATTER)])
    if shape == 3:
        middle = f"{rng.choice(SH_MOODS)} because {lower}"
        parts = [rng.choice(SH_CHECKS), middle, rng.choice(SH_CHATTER), rng.choice(SH_CLOSERS)]
        return "; ".join(parts) + "."
    lines = [rng.choice(SH_OPENERS), rng.choice(SH_CHECKS), "issue: " + q]
    return "\n".join("- " + x for x in [*lines, rng.choice(SH_CHATTER), rng.choice(SH_CLOSERS)])


DESK_CHAT_SYSTEM = [
    "Chat started from the mobile app.",
    "Visitor joined from the help centre page.",
    "Chat transferred from the bot.",
    "Visitor is waiting (queue position 3).",
]
DESK_CHAT_OPENERS = ["hello?", "hi is anyone there", "good evening", "hiya", "hello, quick one"]
DESK_CHAT_OPERATOR = [
    "{name} joined the chat.",
    "Operator {name}: Thanks for contacting us, you're chatting with {name}.",
    "Operator {name}: Hello, how may I assist?",
]
DESK_CHAT_AFTER = [
    "ok thank you",
    "brilliant, sorted",
    "is that it?",
    "thanks for the quick reply",
    "great stuff",
]
DESK_CHAT_END = ["Visitor left the chat.", "Chat closed by operator.", "Rating: 5 stars."]
DESK_SUBJECTS = ["Question", "Help please", "URGENT", "Re: your message", "Account query", "(none)"]
DESK_SIGNATURES = ["Sent from my iPhone", "Sent from Outlook for Android", "Get Outlook for iOS"]
DESK_FORM_FIELDS = [
    "Channel: telephone",
    "Wrap code: GEN-ENQ",
    "KBA passed on second attempt.",
    "Vulnerability flag: none.",
    "Outcome: advised, no complaint logged.",
    "Call duration {minutes}m {seconds}s.",
    "Consent to record: yes.",
]
DESK_HANDOVER = [
    "Picked up from the overnight queue.",
    "Previous agent's note was blank.",
    "Left a voicemail first, customer called back.",
    "Escalated from tier 1, no action taken yet.",
]
DESK_HANDOVER_AFTER = [
    "Checked the account history, nothing flagged.",
    "Sent the usual help link by SMS.",
    "Set a reminder to check back on Friday.",
    "Customer prefers contact after 5pm.",
]


def wrap_desk(question: str, rng: random.Random) -> str:
    """The question as a help-desk tool stores it: chat log, email case, form or handover."""
    q = question.strip()
    name = rng.choice(NAMES).split()[-1]
    shape = rng.randrange(4)
    if shape == 0:
        clock = rng.randint(8, 20) * 60 + rng.randint(0, 50)

        def stamp() -> str:
            nonlocal clock
            clock += rng.randint(0, 2)
            return f"[{clock // 60:02d}:{clock % 60:02d}]"

        lines = [rng.choice(DESK_CHAT_SYSTEM)]
        lines.append(f"{stamp()} Visitor: {rng.choice(DESK_CHAT_OPENERS)}")
        lines.append(f"{stamp()} " + rng.choice(DESK_CHAT_OPERATOR).format(name=name))
        lines.append(f"{stamp()} Visitor: {q}")
        lines.append(f"{stamp()} Visitor: {rng.choice(DESK_CHAT_AFTER)}")
        lines.append(rng.choice(DESK_CHAT_END))
        return "\n".join(lines)
    if shape == 1:
        ref = rng.randint(10000, 99999)
        return "\n".join(
            [
                f"Subject: {rng.choice(DESK_SUBJECTS)} [ref {ref}]",
                "Case created from email.",
                "",
                q,
                "",
                rng.choice(DESK_SIGNATURES),
                "",
                f"> Thank you for getting in touch. Your reference is {ref}.",
                "> We aim to reply within two working days.",
            ]
        )
    if shape == 2:
        fields = rng.sample(DESK_FORM_FIELDS, 3)
        minutes, seconds = rng.randint(2, 19), rng.randint(0, 59)
        fields = [f.format(minutes=minutes, seconds=seconds) for f in fields]
        return "\n".join([*fields[:2], f"Caller states: {q}", fields[2]])
    before = rng.sample(DESK_HANDOVER, 2)
    after = rng.choice(DESK_HANDOVER_AFTER)
    return " ".join([*before, f'Customer\'s words: "{q}"', after])


TRANSCRIPT_SPEAKERS = [  # (agent label, customer label); {name} is the agent's name
    ("Agent", "Customer"),
    ("Rep", "Cust"),
    ("Advisor {name}", "Caller"),
    ("{name} (agent)", "Customer"),
    ("Support", "Client"),
    ("Me", "Customer"),
    ("Operator", "Member"),
]
TRANSCRIPT_AGENT_OPEN = [  # the agent's identity question and the customer's answers to it
    (
        "Thanks for contacting us. Before we start, can you confirm your full name and date "
        "of birth?",
        ["Sure, Jo Smith, 14 March 1986.", "jo smith 14/03/86"],
    ),
    (
        "Welcome to card services. For security, what are the last four digits of your card?",
        ["It ends 4471.", "ok one sec... 0932"],
    ),
    (
        "Hello, you're through to the accounts team. Can I take the email address on your account?",
        ["yes it's jo.smith@example.com", "Jo.Smith@example.com"],
    ),
    ("Good morning, thanks for holding. Could you confirm your postcode for me?", ["LS6 2AB"]),
]
TRANSCRIPT_AGENT_ASK = [
    "Thank you, you're verified. How can I help you today?",
    "Thanks, I can see your account here now. What can I do for you?",
    "Perfect, that matches. What seems to be the problem?",
    "Great, thanks. What is your question about your account?",
]
TRANSCRIPT_AGENT_CHECK = [
    "Could you tell me when this happened?",
    "Are you using the latest version of the app?",
    "Let me check that on your account, one moment please.",
    "I understand how frustrating that must be. I'm looking into it now.",
    "Have you tried logging out of the app and back in?",
    "I can see your recent card payments and transfers here.",
]
TRANSCRIPT_CUSTOMER_REPLY = [
    "It was yesterday evening.",
    "yes, updated it last week",
    "ok thanks, I'll wait",
    "I haven't tried that no",
    "thank you",
    "A few days ago I think.",
]
TRANSCRIPT_AGENT_CLOSE = [
    "Is there anything else I can help you with today?",
    "I've added a note to your account. Anything else?",
    "Thanks for your patience, have a lovely day.",
]
TRANSCRIPT_CUSTOMER_CLOSE = ["No that's all, thanks.", "that's everything, bye", "Thanks, bye."]


def wrap_transcript(question: str, rng: random.Random) -> str:
    """The question inside a two-sided transcript whose agent talks about banking too."""
    agent, customer = rng.choice(TRANSCRIPT_SPEAKERS)
    agent = agent.format(name=rng.choice(["Sam", "Alex", "Maria", "Dev", "Nina"]))
    identity, answers = rng.choice(TRANSCRIPT_AGENT_OPEN)
    turns = [
        (agent, identity),
        (customer, rng.choice(answers)),
        (agent, rng.choice(TRANSCRIPT_AGENT_ASK)),
        (customer, question.strip()),
        (agent, rng.choice(TRANSCRIPT_AGENT_CHECK)),
    ]
    if rng.random() < 0.5:
        turns.append((customer, rng.choice(TRANSCRIPT_CUSTOMER_REPLY)))
        turns.append((agent, rng.choice(TRANSCRIPT_AGENT_CLOSE)))
        turns.append((customer, rng.choice(TRANSCRIPT_CUSTOMER_CLOSE)))
    return "\n".join(f"{who}: {said}" for who, said in turns)


# Exports of help-desk tools: who spoke is a name, not a role, and a clock or an
# elapsed time stamps each turn. Agent lines in words the transcripts above do not use.
EXPORT_AGENTS = ["Sam", "Alex Moreno", "Maria", "Dev Patel", "Nina"]
EXPORT_CUSTOMERS = ["Jo Smith", "Daniel", "Aisha Khan", "Mark", "Li Wei"]
EXPORT_AGENT_OPEN = [
    "Hi {customer}, you're chatting with {agent} from the card team. What can I do for you?",
    "Good afternoon, {agent} here. How may I help?",
    "Hello and welcome! I'm {agent}, how can I assist you today?",
    "Hi there, thanks for reaching out. What's going on?",
]
EXPORT_AGENT_VERIFY = [  # the identity question and the customer's answers to it
    ("No problem. Could I just grab your date of birth to pull up the account?", ["12/04/1979"]),
    (
        "Sure, before I look, can you verify the first line of your address?",
        ["it's 14 Park Road", "sure, 3 Mill Lane"],
    ),
    (
        "Happy to help. To verify it's you, what's the mobile number on the account?",
        ["07700 900123"],
    ),
]
EXPORT_AGENT_FOLLOW = [
    "Thanks {customer}. Bear with me while I take a look at the account.",
    "Got it. I'm checking the card and payment history now.",
    "Thank you. Did you get any error message in the app?",
    "Okay, I've found the account. Which card is this about, debit or credit?",
]
EXPORT_CUSTOMER_FOLLOW = ["the debit one", "no error, nothing", "ok", "sure, no rush"]
EXPORT_AGENT_END = [
    "Is there anything else I can do for you today?",
    "I've put a note on the account. Anything else I can help with?",
    "You're welcome, take care!",
]
EXPORT_CUSTOMER_END = ["no that's it thanks", "That's all, cheers.", "thanks, bye"]
EXPORT_HEADERS = [
    "Chat started: {date} {clock} (+0000)\nChat origin: Web\nAgent {agent}",
    "Conversation with {customer}\nStarted on {date} at {clock}",
    "Transcript of chat #{ref}",
]


def wrap_export(question: str, rng: random.Random) -> str:
    """The question in a conversation exported from a help-desk tool: a chat whose
    speakers are names ("(10:02:13 AM) Sam:", "Sam [10:02]:", "2026-03-03 10:02:13 Sam:",
    "( 20s ) Jo Smith:", bare "Sam:"), or an email reply above the agent's quoted answer."""
    agent, customer = rng.choice(EXPORT_AGENTS), rng.choice(EXPORT_CUSTOMERS)
    first = customer.split()[0]
    q = question.strip()

    def said(line: str) -> str:
        return line.format(agent=agent.split()[0], customer=first)

    if rng.random() < 0.2:  # the customer's reply, the agent's earlier answer quoted below
        date = f"{rng.choice(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])}, {rng.randint(1, 28)} Mar 2026"
        quoted = [said(rng.choice(EXPORT_AGENT_OPEN)), rng.choice(EXPORT_AGENT_VERIFY)[0]]
        return "\n".join(
            [
                rng.choice(["Hi,", "Hello,", "Hi again,"]),
                "",
                q,
                "",
                rng.choice(["Thanks,", "Regards,", "Cheers,"]),
                first,
                "",
                f"On {date} at {rng.choice(TIMES)}, {agent} <support@kestrel.example> wrote:",
                *(f"> {line}" for line in quoted),
            ]
        )
    verify, answers = rng.choice(EXPORT_AGENT_VERIFY)
    exchange = [
        (agent, said(rng.choice(EXPORT_AGENT_OPEN))),
        (customer, q),
        (agent, verify),
        (customer, rng.choice(answers)),
        (agent, said(rng.choice(EXPORT_AGENT_FOLLOW))),
    ]
    if rng.random() < 0.5:
        exchange.append((customer, rng.choice(EXPORT_CUSTOMER_FOLLOW)))
    exchange += [
        (agent, said(rng.choice(EXPORT_AGENT_END))),
        (customer, rng.choice(EXPORT_CUSTOMER_END)),
    ]
    start = rng.randint(8 * 3600, 19 * 3600)
    clocks = [start + 25 * i + rng.randint(0, 20) for i in range(len(exchange))]
    form = rng.randrange(5)

    def clock(seconds: int, pattern: str = "%H:%M:%S") -> str:
        return time.strftime(pattern, time.gmtime(seconds))

    def stamp(i: int, who: str) -> str:
        t = clocks[i]
        if form == 0:  # Zendesk-like
            h = t // 3600 % 12 or 12
            return f"({h}:{clock(t, '%M:%S')} {'AM' if t < 12 * 3600 else 'PM'}) {who}:"
        if form == 1:
            return f"{who} [{clock(t, '%H:%M')}]:"
        if form == 2:
            return f"2026-03-0{rng.randint(1, 9)} {clock(t)} {who}:"
        if form == 3:  # seconds since the chat started
            return f"( {t - start}s ) {who}:"
        return f"{who.split()[0]}:"

    header = rng.choice(EXPORT_HEADERS).format(
        date="2026-03-03",
        clock=clock(start),
        agent=agent,
        customer=customer,
        ref=rng.randint(100000, 999999),
    )
    lines = [f"{stamp(i, who)} {text}" for i, (who, text) in enumerate(exchange)]
    return "\n".join([header, *lines] if rng.random() < 0.5 else lines)


# The customer's words told in the third person, as agents write a call note:
# "Customer says her card hasn't arrived", "Caller wanted to know how long a transfer takes".
REPORTED_PERSONS = {  # first person -> third person, per pronoun the agent uses
    "she": {
        "i": "she",
        "my": "her",
        "me": "her",
        "mine": "hers",
        "myself": "herself",
        "i'm": "she's",
        "i've": "she's",
        "i'd": "she'd",
        "i'll": "she'll",
    },
    "he": {
        "i": "he",
        "my": "his",
        "me": "him",
        "mine": "his",
        "myself": "himself",
        "i'm": "he's",
        "i've": "he's",
        "i'd": "he'd",
        "i'll": "he'll",
    },
    "they": {
        "i": "they",
        "my": "their",
        "me": "them",
        "mine": "theirs",
        "myself": "themselves",
        "i'm": "they're",
        "i've": "they've",
        "i'd": "they'd",
        "i'll": "they'll",
    },
}
# The verb beside the subject, for she and he ("I have" -> "she has", "am I" -> "is she");
# for they, only "am" and "was" change.
SINGULAR = {
    "am": "is",
    "have": "has",
    "haven't": "hasn't",
    "do": "does",
    "don't": "doesn't",
    "want": "wants",
    "need": "needs",
    "see": "sees",
    "get": "gets",
    "use": "uses",
    "know": "knows",
    "live": "lives",
    "think": "thinks",
    "keep": "keeps",
    "try": "tries",
    "go": "goes",
    "wish": "wishes",
    "like": "likes",
}
PLURAL = {"am": "are", "was": "were", "wasn't": "weren't"}
AUXILIARIES = {
    "am",
    "was",
    "wasn't",
    "do",
    "don't",
    "did",
    "didn't",
    "have",
    "haven't",
    "can",
    "can't",
    "could",
    "couldn't",
    "will",
    "won't",
    "would",
    "should",
    "shall",
    "may",
    "might",
    "must",
}
ADVERBS = {"still", "just", "already", "really", "also", "never", "recently", "now", "not"}
REPORTED_STATEMENT = [
    "Customer says ",
    "Cust says ",
    "Caller reports that ",
    "Customer advised ",
    "Cx states ",
    "Customer called because ",
    "Member mentioned that ",
]
REPORTED_QUESTION = [
    "Customer asked: ",
    "Cust asking ",
    "Caller wanted to know ",
    "Customer would like to know ",
]


def third_person(text: str, pronoun: str) -> str:
    """`text` with its first person turned into `pronoun`'s ("I am" -> "she is",
    "do I" -> "does she")."""
    table = REPORTED_PERSONS[pronoun]
    verbs = PLURAL if pronoun == "they" else SINGULAR
    tokens = re.split(r"([^\w']+)", text)
    words = [i for i, t in enumerate(tokens) if t.strip() and re.search(r"\w", t)]
    out = list(tokens)
    for n, i in enumerate(words):
        low = tokens[i].lower()
        if low not in table:
            continue
        start = n == 0 or bool(re.search(r"[.!?]\s*$", tokens[i - 1]))
        word = table[low]
        out[i] = word.capitalize() if start else word
        if low != "i":
            continue
        before = tokens[words[n - 1]].lower() if n > 0 else ""
        if before in AUXILIARIES:  # a question: "do I need" -> "does she need"
            changed = verbs.get(before, tokens[words[n - 1]])
            upper = tokens[words[n - 1]][:1].isupper()
            out[words[n - 1]] = changed.capitalize() if upper else changed
            continue
        for m in words[n + 1 :]:  # the verb after the subject, past its adverbs
            verb = tokens[m].lower()
            if verb not in ADVERBS:
                out[m] = verbs.get(verb, tokens[m])
                break
    return "".join(out)


def wrap_reported(question: str, rng: random.Random) -> str:
    """The question told in the third person inside a call note ("Customer says her card
    hasn't arrived"), between the call's time, the identity check and small talk."""
    told = third_person(question.strip(), rng.choice(list(REPORTED_PERSONS)))
    lead = rng.choice(REPORTED_QUESTION if told.endswith("?") else REPORTED_STATEMENT)
    body = lead + (told if lead.endswith(": ") else told[:1].lower() + told[1:])
    if body[-1] not in ".?!":
        body += "."
    before = [_fill(rng.choice(CALL_OPENERS), rng), rng.choice(ID_CHECKS)]
    if rng.random() < 0.4:
        before.append(rng.choice(MOODS))
    after = [*rng.sample(CHATTER, 1), rng.choice(CLOSERS)]
    return " ".join([*before, body, *after])


# Slots and templates of general questions; the mix follows CLINC150's out-of-scope
# set, which is mostly everyday requests to a voice assistant.
PLACES = ["Paris", "Tokyo", "Denver", "Cape Town", "Glasgow", "Lima", "Oslo", "Bangkok", "Rome"]
DISHES = ["lasagne", "pad thai", "banana bread", "risotto", "pancakes", "chilli", "a curry"]
TEAMS = ["Arsenal", "the Lakers", "the Yankees", "Celtic", "the All Blacks", "Real Madrid"]
THINGS = ["the moon", "a blue whale", "Mount Everest", "the Eiffel Tower", "the sun"]
OFF_TOPIC_TEMPLATES = [
    "what's the weather like in {place} tomorrow",
    "will it rain in {place} this weekend",
    "tell me a joke",
    "do you know any good jokes about cats",
    "how do I make {dish}",
    "what temperature should I bake {dish} at",
    "how long do I boil an egg for",
    "what's a good substitute for butter in {dish}",
    "what time is it in {place} right now",
    "book me a table for two in {place} tonight",
    "how long is the flight from London to {place}",
    "what are the best things to see in {place}",
    "do I need a visa to visit {place}",
    "did {team} win last night",
    "when is the next {team} game",
    "how far away is {thing}",
    "how tall is {thing}",
    "set a timer for {n} minutes",
    "remind me to call my mum at {n} o'clock",
    "play some relaxing music",
    "what's {n} times {m}",
    "how many calories are in {dish}",
    "translate good morning into Spanish",
    "what's the capital of Australia",
    "who wrote Pride and Prejudice",
    "recommend a good film to watch tonight",
    "how do I get rid of hiccups",
    "what's the meaning of the word serendipity",
    "add milk and eggs to my shopping list",
    "how do I change a flat tyre on my bike",
    "what should I get my sister for her birthday",
    "how many hours of sleep do adults need",
    "turn the living room lights off",
    "what's the best way to learn the guitar",
    "how often should I water a cactus",
    "is it going to be sunny in {place} on Friday",
]


def off_topic(n: int, seed: int = 0) -> list[str]:
    """`n` distinct general questions (fewer if the templates run out), in random order."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    for _ in range(n * 50):
        if len(out) >= n:
            break
        text = rng.choice(OFF_TOPIC_TEMPLATES).format(
            place=rng.choice(PLACES),
            dish=rng.choice(DISHES),
            team=rng.choice(TEAMS),
            thing=rng.choice(THINGS),
            n=rng.randint(2, 12),
            m=rng.randint(2, 12),
        )
        if rng.random() < 0.3:
            text = text[:1].upper() + text[1:] + "?"
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out
