"""The problem statement inside an agent's note: the sentences the knowledge base can speak to.

Case notes carry call times, identity checks, greetings, moods and small talk
around the customer's problem. Embedded whole, the noise pulls the vector away
from every past case, so the same question gets a lower and more erratic
confidence, or another resolution. The note is cut into segments (lines, then
sentences, then the pieces between separators agents type in shorthand: "; ",
" | ", " - ", " — "; bullets, speaker labels such as "Customer:" or a chat
log's "[14:02] Visitor:", and the quotes around a quoted question removed; a
quote closed without a full stop ends its sentence before a capital);
each segment's relevance is the mean cosine of its `TOP` nearest indexed
records. Chatter is far from every record, the problem is close to some. When
the whole text is about as relevant as its best segment (within `FULL_SLACK`),
it is used as it is: a clean question of two sentences loses context when cut.
A text of `MANY` segments or more is rarely one question (41 of the 3,016
questions of the test-shaped split, 2,698 of the same in notes): its whole is
kept only when at least as relevant as its best segment (`MANY_SLACK`), since a
question inside chatter lifts the whole note's relevance to within `FULL_SLACK`
of its own (0.06 below it at the median).
Of the segments kept, those in the customer's voice win over narration when
both are there (`voiced`): an identity check ("Verified identity with the last
four digits and date of birth.") is as close to the identity questions a
knowledge base holds as the problem is to its own, but it asks nothing, says
no "I", "you" or "can" and is told in the agent's voice.
Otherwise the segments within `MARGIN` of the most relevant one are kept, in
their order, and the rest dropped; a neighbour of a kept segment joins it when
it is in the customer's voice, within `EXTEND` of the most relevant one and
the most relevant of the segments left out (`extend`): the second sentence of
a question scores lower than the first ("I want to cancel my card. I think
someone else is using it.") but carries its meaning. A text of one segment is
used as it is.
In a transcript, the agent's turns ("Agent:", "Advisor Sam:", "Sam (agent):",
"Me:", 客服; a bare "Sam:" speaking in turn with "Customer:", or the one of two
bare names that speaks for the service, `named`; a clock or elapsed time
before or after the name, as chat tools export it: "(10:02:13 AM) Sam:",
"Sam [10:02]:", "( 20s ) Sam:"; the service's message an email reply quotes,
`_WROTE`) are dropped first when the customer has turns of their own
(`customer_side`): the agent talks about banking too ("For security, what are
the last four digits of your card?", "Have you tried logging out of the app?"),
and those turns are as close to some records as the question is to its own.
What is left is held to the rule of a long note (`MANY_SLACK`), however few
turns the customer had.
Conversations come in more shapes than "Name: text": the speaker and time alone on
a line above what they said (meeting tools, messengers, inboxes: `relabelled`), a
WebVTT cue's "<v Name>", speech-to-text labels ("SPEAKER_00", "Speaker 1", "spk_0")
after a segment's time range, a phone number or a handle as the customer's name, a
bot ("Kestrel Bot:", or a name that calls itself a virtual assistant) before the
human it hands over to. A sentence the customer cut over two turns ("how long" /
the agent's "Okay." / "is the wait for my card?") is read as one (`customer_lines`).
A case log's entry headers ("[07 Mar 15:28 - Hannah Brown]:", "12/14 17:43 [D.
Rossi]") are not what the entry says; a form's problem field ("Issue - ...",
"Summary: ...", "Message:") is read instead of its codes ("Reason - Card > PIN",
`described`); an email's signature and disclaimers below its sign-off are dropped
(`unsigned`). A note of one run-on clause with nothing to cut it at is read through
windows of its words (`window`).
These were written after helpers who never saw this module wrote three generators
of their own (case-log notes, inbound emails and messages, exported conversations;
docs/quality.md "Notes written by another hand").
What is kept is put back into the customer's own words when the note tells it
in the third person ("Customer says her card hasn't arrived": `reported.py`).
When nothing was cut that way and the note is one or two run-on sentences of
four clauses or more ("cust rang 3pm, passed security, basically my card
hasn't arrived, talked about the weather"), the same rule runs once more on its
clauses (cut at commas too); cutting at commas from the start, or in any note,
splits questions of two clauses.

Both were measured on the Banking77 dev split (seed 7) with its queries
wrapped in generated notes (notes.py; docs/quality.md): top-1 on the notes
0.80 whole, 0.92 with MARGIN 0.12 (0.05: 0.916, 0.2: 0.910); FULL_SLACK 0.1
leaves 8 of 1,998 clean questions changed (top-1 0.9432 vs 0.9443 untouched),
where cutting every multi-sentence question cost a point.
Separators and clauses were measured on notes in styles notes.py does not
write (`notes.wrap_shorthand`: dashes, pipes, semicolons, bullets, run-on
lines; docs/quality.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from kcrm.assist.reported import first_person

TOP = 3
MARGIN = 0.12
FULL_SLACK = 0.1
MANY = 4  # segments from which the whole must be at least as relevant as its best segment
MANY_SLACK = 0.0
EXTEND = 0.25  # a voiced neighbour of a kept segment within this of the best joins it
# Clauses are tried in a run-on note of at most `RUN_ON` sentences and at least
# `MIN_CLAUSES` clauses ("rang 3pm, passed security, basically my card is stuck, talked
# about the rain"): not in a question of two or three clauses ("the product is not
# working, can I get a refund?"), nor in a note of sentences whose whole text was kept.
RUN_ON = 2
MIN_CLAUSES = 4
# A note of `RUN_WORDS` words or more with nothing to cut it at (no full stop, separator
# or comma: "verified dob caller called in wanting to know how to req the pin resolved on
# call") is read through windows of `WINDOW` words, `STRIDE` apart.
RUN_WORDS = 16
WINDOW = 8
STRIDE = 2
WINDOW_SLACK = 0.03
MAX_SEGMENTS = 24  # a pasted transcript beyond this is cut at its first 24 segments
_LINES = re.compile(r"\n+")
# A sentence ends at . ! ? (closing quotes and brackets after it included), at a closing
# quote before a capital ('Customer's words: "card not here" Checked the account.'), and
# after the Chinese stops.
_SENTENCES = re.compile(
    r"(?<=[.!?])\s+(?=\S)|(?<=[.!?][\"'”’)\]])\s+(?=\S)|(?<=[\"”])\s+(?=[A-Z])|(?<=[。！？!?])"
)
# Shorthand separators between the parts of one line: "passed ID - card stuck | angry",
# "dpa passed / card stuck // cx angry".
_SEPARATORS = re.compile(r"\s*;\s+|\s*；\s*|\s*\|\s*|\s+[-–—]+\s+|\s+/{1,2}\s+")
_CLAUSES = re.compile(r"(?<=[,，、])\s*")
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)])\s+")
# The customer's voice: a question, the first or second person, a modal or auxiliary
# verb, a request; narration ("Passed ID checks.", "Call ended politely.") has none.
_VOICE = re.compile(
    r"[?？]|[我你吗呢么请]|\b(?:i|i'm|i've|i'd|i'll|my|me|mine|we|our|us|you|your|can|"
    r"could|how|why|what|when|where|which|who|is|are|do|does|did|will|would|should|"
    r"need|want|please|help)\b|\w+n['’]t\b",
    re.IGNORECASE,
)
# The clock or elapsed time a chat tool stamps a turn with: "[14:02]", "(10:02:13 AM)",
# "2026-03-03 10:02:13", "2025-02-01T11:37:33Z", "03/03/2026, 14:02", "04.06.25 12:57",
# "( 20s )", "(1m 5s)", a speech-to-text segment "[00:00:14.518 --> 00:00:17.116]".
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,3})?)?(?:\s*[AaPp]\.?[Mm]\.?|Z)?"
_DATE = r"(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}),?[ T]"
_ELAPSED = r"[\[(]\s*(?:\d+h\s*)?(?:\d+m\s*)?\d+s\s*[\])]"
_BRACKETED = rf"[\[(]\s*(?:{_DATE})?{_CLOCK}(?:\s*-->\s*{_CLOCK})?\s*[\])]"
_STAMP = rf"(?:{_BRACKETED}|(?:{_DATE})?{_CLOCK}|{_ELAPSED})"
# Who says a turn: a role or a name ("Sam", "Jo Smith", "Freya A.", "Liam (Harbor)"), a
# speech-to-text speaker ("SPEAKER_00", "spk_1"), a phone number, 客服.
_WHO = (
    r"[A-Za-z][\w&/' -]{0,24}(?:\s[A-Z]\.)?(?:\s*\([\w ]{1,16}\))?"
    r"|\+?\d[\d ()-]{6,18}\d|[\u4e00-\u9fff]{1,6}"
)
# "Customer:", "Agent:", "Reason for call:", "客户：" at the start of a segment, after the
# stamp of a chat log ("[14:02] Visitor:", "14:02:10 - Customer:", "( 20s ) Sam:") or with
# a bracketed one after the name ("Sam [10:02]:").
_LABEL = re.compile(
    rf"^\s*(?:{_STAMP}\s*-?\s*)?(?P<who>{_WHO})"
    rf"(?:\s*(?:{_BRACKETED}|{_ELAPSED}))?\s*(?::\s+|：\s*)"
)
# A speaker's name and stamp alone on a line above what they said, as meeting tools,
# messengers and inboxes export a conversation: "Fatima   0:01", "Jo, [04.06.25 12:57]",
# "Orbi · Mar 24, 2026 12:01 PM", "Orbit Money  1:19 PM".
_MONTH_DATE = (
    r"(?:[A-Z][a-z]{2,8}\.?\s\d{1,2},?\s\d{4},?\s|\d{1,2}\s[A-Z][a-z]{2,8}\.?,?\s\d{4},?\s)"
)
_HEADER = re.compile(
    rf"^\s*(?P<who>(?:{_WHO})(?:\s\|\s[A-Z][\w' ]{{1,20}})?)(?:,|\s+·)?\s+"
    rf"(?:{_BRACKETED}|(?:{_DATE}|{_MONTH_DATE})?{_CLOCK})\s*$"
)
# A WebVTT cue's voice: "<v Pavel Reid>Hello? Oh, hi.</v>".
_VOICE_TAG = re.compile(r"^\s*<v(?:\.[\w.-]+)?\s+([^>]{1,40})>(.*?)(?:</v>)?\s*$")
# The writer and time of a case log's entry, before what it says: "[07 Mar 15:28 - Hannah
# Brown]:", "[Agent: Tom Khan]", "12/14 17:43 [D. Rossi]", "06-Apr-23 16:53 [N.Khan]",
# "13/12 11:45 (jc)".
_ENTRY = re.compile(
    rf"^\s*(?:(?:{_DATE}|\d{{1,2}}[/-](?:\d{{1,2}}|[A-Z][a-z]{{2}})(?:-\d{{2,4}})?\s+)?"
    rf"(?:[a-z]{{2,3}}\s+)?{_CLOCK}\s*)?"
    r"(?:(?:\[[^\[\]\n]{1,60}\]\s*){1,2}|\((?:[A-Za-z]{1,3}|[A-Z]\.\s?[A-Z][a-z]+)\)\s*):?\s+(?=\S)"
)
# A form's fields ("Issue - ...", "Summary: ...", "Cx query=...") and the ones that hold
# the problem in the customer's or the agent's words.
_FIELD_PIECES = re.compile(r"\n|\s+\|\s+|;\s+|\s+//\s+")
_FIELD = re.compile(
    r"^\s*(?P<key>[A-Za-z][A-Za-z&/'#.?()]*(?:[ _][A-Za-z&/'#.?()]+){0,3})\s*(?:=|:|\s[-–]\s)\s*"
    r"(?P<value>.*)$"
)
_PROBLEM_FIELD = re.compile(
    r"(?:(?:cx|cust|customer|client|caller|member|your|the)\s+)?(?:issue|notes?|description|"
    r"desc|summary|details?|message|msg|query|question|comments?|problem|enquiry|inquiry|"
    r"request|says|said)",
    re.IGNORECASE,
)
# An email's sign-off, below which come the sender's name, titles, numbers and the
# company's disclaimers ("Warm regards," / "Kevin Bennett" / "Data Analyst, ..."), or
# the mail client's own line; and where a forwarded or quoted message begins.
_SIGN_OFF = re.compile(
    r"^\s*(?:(?:kind|warm|best|many|with)\s+)?(?:regards|thanks|thank you|thx|cheers|best|"
    r"best wishes|sincerely|yours(?: sincerely| faithfully| truly)?|br|kr|ta)\b[\s,.!]*$",
    re.IGNORECASE,
)
_CLIENT_LINE = re.compile(
    r"^\s*(?:--\s*|sent from my [\w ]{2,30}|get outlook for \w+|sent from (?:mail|outlook) "
    r"for \w+)\s*$",
    re.IGNORECASE,
)
_FORWARDED = re.compile(
    r"^\s*(?:-{3,}\s*forwarded message\s*-{3,}|begin forwarded message:)", re.IGNORECASE
)
# A label naming the agent's side of a transcript: a role with or without a name
# ("Agent", "Advisor Sam", "Operator Tom"), a name and the role ("Sam (agent)"), "Me" in
# the agent's own notes, 客服. Not a field that merely starts with such a word
# ("Support request:", "Agent notes:").
_ROLE = (
    r"(?i:agent|operator|advis[eo]r|rep|representative|support|staff|associate|csr|bot|"
    r"customer\s+(?:service|care|support)|"
    r"assistant|specialist|consultant)"
)
_AGENT = re.compile(
    rf"^(?:{_ROLE}(?:\s+[A-Z][\w'-]*|\s+\d+)?|[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?\s*\({_ROLE}\)|"
    r"(?:[A-Z][\w'-]*\s+)+(?i:bot|support|team|help|helpdesk)|(?i:me)|客服|坐席|人工客服)$"
)
# A label naming the customer's side: a role ("Customer", "Caller", "Visitor"...), with
# or without a name.
_CUSTOMER = re.compile(
    r"^(?i:customer|cust|caller|visitor|client|member|user|cardholder|guest)(?:\s+[A-Z][\w'-]*)?$"
    r"|^[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?\s*\((?i:customer|caller|client|member)\)$|^(?:客户|用户|顾客)$"
)
AGENT, CUSTOMER = "agent", "customer"
# A bare name as a label ("Sam:", "Jo Smith:", "Freya A.", "Liam (Harbor)"), a speech-to-
# text speaker ("Speaker 1", "SPEAKER_00", "spk_1"), a phone number or a handle
# ("zara862"): who it is follows from the conversation (`named`).
_NAME = re.compile(
    r"^[A-Z][a-z'-]*\.?(?:\s+[A-Z][a-z'-]*\.?)?(?:\s*\([A-Z][\w ]{1,16}\))?$"
    r"|^(?i:speaker|spk)[ _]?[A-Z0-9]{1,2}$|^\+?\d[\d ()-]{6,18}\d$|^[a-z][a-z._]*\d+$"
)
# What only the service side of a conversation says: offering help, naming the team,
# asking to verify, looking at the account, closing. A customer's question ("how can I
# top up?", "what can I do?") says none of it.
_SERVICE = re.compile(
    r"\b(?:how (?:can|may|could) i (?:help|assist)|what can i (?:do|help you with) for you|"
    r"what can i help you with|"
    r"thanks? (?:you )?for (?:contacting|calling|reaching out|getting in touch|chatting|"
    r"holding|waiting|your patience|choosing)|"
    r"you(?:'re| are) (?:through to|speaking (?:to|with)|chatting (?:to|with))|my name is|"
    r"(?:i'm|i am|this is) \w+ from (?:the|our)|(?:^|[,.!]\s*)\w+ here[.,!]|welcome to|"
    r"and welcome|anything else (?:i|we) can|is there anything else|"
    r"(?:can|could|may) i (?:just )?(?:take|have|grab|get|ask for|confirm) your|"
    r"(?:can|could|would) you (?:please )?(?:confirm|verify) (?:your|the)|"
    r"to verify (?:it'?s|that it'?s|you\b)|for (?:security|verification)(?: purposes)?,|"
    r"(?:pull|bring) up (?:your|the) account|bear with me|"
    r"let me (?:check|look|see|have a look)|your (?:virtual|digital) assistant|"
    r"(?:i'm|i am) connecting you|did that answer your question|"
    r"i(?:'m| am) (?:checking|looking into)|"
    r"i can see (?:your|the|that)|i(?:'ve| have) (?:found (?:the|your)|put a|added a|"
    r"raised a|escalated|ordered (?:you|a replacement)|updated (?:the|your)))",
    re.IGNORECASE,
)
# An email reply pasted with the message it answers: "On Tue, 3 Mar 2026 at 10:03, Sam
# <support@bank.example> wrote:" then "> " lines, or Outlook's "From: ..." / "Sent: ..."
# block then the message as it was. When the sender is the service side (a support or
# team address, or a name that speaks as the agent), the quoted message is the agent's.
_WROTE = re.compile(r"^\s*On\b.{4,160}\bwrote:\s*$", re.IGNORECASE)
_FROM = re.compile(r"^\s*\**From:\**\s+\S", re.IGNORECASE)
_RULE = re.compile(r"^\s*(?:-{2,}\s*Original Message\s*-{2,}|_{8,})\s*$", re.IGNORECASE)
_SENT = re.compile(r"^\s*\**(?:Sent|Date):\**\s+\S", re.IGNORECASE)
_SUPPORT_SENDER = re.compile(
    r"(?i:support|help|service|care|team|no-?reply|contact|enquir|info|news|hello)[\w.+-]*@"
    r"|\b(?i:support|help ?desk|customer service|team)\b"
)
_QUOTE = re.compile(r"^\s*>+\s?")
# The shorthand agents write that the customers' own words spell out.
_SHORTHAND = {
    "acct": "account",
    "a/c": "account",
    "pmt": "payment",
    "pymt": "payment",
    "tfr": "transfer",
    "trf": "transfer",
    "xfer": "transfer",
    "txn": "transaction",
    "stmt": "statement",
    "bal": "balance",
    "exch": "exchange",
    "w/d": "withdrawal",
    "recd": "received",
    "rec'd": "received",
    "pls": "please",
    "plz": "please",
    "b/c": "because",
    "w/": "with",
    "w/o": "without",
    "thru": "through",
}
_ABBREVIATION = re.compile(
    r"(?<![\w/])(?:"
    + "|".join(re.escape(k) for k in sorted(_SHORTHAND, key=len, reverse=True))
    + r")(?![\w/])",
    re.IGNORECASE,
)
# A turn that ends its sentence, and one that starts in the middle of one.
_ENDED = re.compile(r"[.!?。！？…][\"'”’)\]]*\s*$")
_GOES_ON = re.compile(r"^[a-z]")
# A turn cut before its sentence ends ("how can", "I had to pay more than").
_OPEN = re.compile(
    r"\b(?:a|an|the|my|your|our|their|his|her|its|to|for|of|from|with|by|about|into|than|"
    r"and|or|but|because|if|can|could|do|does|did|is|are|was|were|will|would|should|have|"
    r"has|had|how|what|why|where|which|who|i)$",
    re.IGNORECASE,
)


@dataclass
class Problem:
    """What the ranking reads of a note: the kept text, its vector, and what was dropped."""

    text: str
    vector: np.ndarray
    segments: int
    kept: int


def speaker(label: str) -> str | None:
    """`AGENT`, `CUSTOMER` or None (a field such as "Subject:", or a bare name)."""
    label = label.strip()
    return AGENT if _AGENT.match(label) else CUSTOMER if _CUSTOMER.match(label) else None


def turns(text: str, clauses: bool = False) -> list[tuple[str, str | None]]:
    """`segments` with who said each (`speaker`, `named`): a label holds until the end of
    its line or the next label; an email reply above the service's quoted message
    ("On ..., Support <...> wrote:" then "> " lines) is the customer's."""
    return [turn for line in line_turns(text, clauses) for turn in line]


def line_turns(text: str, clauses: bool = False) -> list[list[tuple[str, str | None]]]:
    """`turns` line by line (an empty list for a line with nothing said), at most
    `MAX_SEGMENTS` in all."""
    text = relabelled(text)
    names = named(text)
    lines = _LINES.split(text)
    start, end, below, quoted = quoted_message(lines, names)
    out: list[list[tuple[str, str | None]]] = []
    left = MAX_SEGMENTS

    def said_by(label: re.Match[str], inside: bool) -> str | None:
        name = label.group("who").strip()
        return quoted if inside else names.get(name) or speaker(name)

    for i, line in enumerate(lines):
        said: list[tuple[str, str | None]] = []
        # The reply above the service's quoted message is the customer's.
        who: str | None = CUSTOMER if quoted and i < start else None
        # The quoted message is its sender's, whatever labels it holds ("Sent:", "To:").
        inside = start <= i < end or (below and i > start)
        if i >= end and not below and (quote := _QUOTE.match(line)):
            line, inside = line[quote.end() :], True
        if inside:
            who = quoted
        line = _BULLET.sub("", line)
        # A label at the head of the line, before a separator can cut its stamp off it
        # ("05/10/2025, 21:01 - Jo: ...").
        if (label := _LABEL.match(line)) and _SEPARATORS.search(line[: label.end()]):
            who, line = said_by(label, inside), line[label.end() :]
        for sentence in _SENTENCES.split(line):
            for piece in _SEPARATORS.split(sentence):
                for part in _CLAUSES.split(piece) if clauses else (piece,):
                    part = part.strip()
                    if label := _LABEL.match(part):
                        who, part = said_by(label, inside), part[label.end() :]
                    part = part.strip(' ,，、"“”')
                    if re.search(r"[^\W\d_]", part):  # a stamp or a number alone says nothing
                        said.append((part, who))
        out.append(said[:left])
        left -= len(out[-1])
    return out


def relabelled(text: str) -> str:
    """`text` with each turn of a conversation exported with its speaker above it
    ("Fatima   0:01" then what Fatima said, `_HEADER`; a WebVTT cue's "<v Fatima>")
    given a label of its own on each line it says ("Fatima: ..."), as a chat log has."""
    lines = [_ENTRY.sub("", line, count=1) for line in _LINES.split(text)]
    text = "\n".join(lines)
    headers = [_HEADER.match(line) for line in lines]
    voices = [_VOICE_TAG.match(line) for line in lines]
    if sum(map(bool, headers)) < 2 and not any(voices):
        return text
    out, who = [], None
    for line, header, voice in zip(lines, headers, voices, strict=True):
        if voice:
            out.append(f"{voice.group(1).strip()}: {voice.group(2)}")
        elif header:
            # "Ravi | Northstar" as the label "Ravi (Northstar)"
            who = re.sub(r"\s\|\s(.+)$", r" (\1)", header.group("who").strip())
        elif who and line.strip():
            out.append(f"{who}: {line.strip()}")
        else:
            out.append(line)
    return "\n".join(out)


def described(text: str) -> str:
    """The values of a form's problem fields ("Issue - ...", "Summary: ...", "Message:"
    and the lines below it), when `text` is a form (three fields or more, most of its
    lines or pieces) with such a field; `text` otherwise. The other fields are the
    desk's codes ("Reason - Card > PIN"), as close to a category as the problem is."""
    pieces = [p.strip() for p in _FIELD_PIECES.split(text) if p.strip()]
    fields = [_FIELD.match(piece) for piece in pieces]
    if sum(bool(f) for f in fields) < max(3, 0.6 * len(pieces)):
        return text
    found: list[str] = []
    below = False  # inside the lines under a problem field with nothing after its name
    for piece, field in zip(pieces, fields, strict=True):
        if field:
            below = bool(_PROBLEM_FIELD.fullmatch(field.group("key")))
            if below and (value := field.group("value").strip()):
                found.append(value)
        elif below:  # the lines under it, or what follows its value after a "; "
            found.append(piece)
    return "\n".join(found) if found else text


def unsigned(text: str) -> str:
    """An email without its signature: from the sign-off ("Regards," then a short name
    line, or "Sent from my iPhone", "--") to the message it quotes or forwards, if any.
    A conversation's "thanks" is a turn, not a sign-off: a text with speakers' turns
    stays as it is."""
    lines = _LINES.split(text)
    if len(named(text)) + sum(bool(speaker_of(line)) for line in lines) >= 2:
        return text
    said = False
    for i, line in enumerate(lines):
        signs = bool(_SIGN_OFF.match(line))
        if said and (_CLIENT_LINE.match(line) or signs):
            rest = [n for n in lines[i + 1 :] if n.strip()]
            if signs and rest and len(rest[0].split()) > 4:
                continue  # "Thanks!" and the message goes on
            end = next(
                (
                    j
                    for j in range(i + 1, len(lines))
                    if _WROTE.match(lines[j])
                    or _QUOTE.match(lines[j])
                    or _FORWARDED.match(lines[j])
                    or _RULE.match(lines[j])
                    or (_FROM.match(lines[j]) and j > i + 1)
                ),
                len(lines),
            )
            return "\n".join(lines[:i] + lines[end:])
        said = said or bool(re.search(r"[^\W\d_]{2}", line))
    return text


def speaker_of(line: str) -> str | None:
    """`AGENT` or `CUSTOMER` when `line` starts with a role's label ("Agent:")."""
    found = _LABEL.match(line)
    return speaker(found.group("who")) if found else None


def quoted_message(lines: list[str], names: dict[str, str]) -> tuple[int, int, bool, str | None]:
    """Where the message an email reply quotes starts (`len(lines)` without one) and the
    line after its header, whether it is every line below its header (Outlook's
    "From:"/"Sent:") or only the "> " lines (after "On ... wrote:"), and `AGENT` when its
    sender is the service side."""
    for i, (line, nxt) in enumerate(zip(lines, [*lines[1:], ""], strict=True)):
        outlook = bool(_FROM.match(line)) and any(_SENT.match(n) for n in lines[i + 1 : i + 3])
        end = i + 1
        if not outlook and not _WROTE.match(line) and _WROTE.match(f"{line} {nxt}"[:200]):
            # the header wrapped over two lines, as mail clients do: "On Mon, 2 Mar 2026
            # at 09:14, Kestrel Support <help@...>" / "wrote:"
            line, end = f"{line} {nxt}", i + 2
        if outlook or _WROTE.match(line):
            service = _SUPPORT_SENDER.search(line) or any(
                re.search(rf"\b{re.escape(name)}\b", line)
                for name, role in names.items()
                if role == AGENT
            )
            # Outlook's "-----Original Message-----" or rule above the block belongs to it.
            i -= bool(outlook and i and _RULE.match(lines[i - 1]))
            return i, end, outlook, AGENT if service else None
    return len(lines), len(lines), False, None


def named(text: str) -> dict[str, str]:
    """Who the bare names of a conversation are (`AGENT` or `CUSTOMER`); a name that
    speaks once is a field ("Subject:", "Issue:"), not a speaker:
    - beside a labelled customer ("Sam:" beside "Customer:" or "Caller:"), the one bare
      name that speaks twice or more is the agent, by elimination, and so is any that
      speaks as the service side does (`_SERVICE`);
    - beside a labelled agent ("Kestrel Bot:"), the names that speak as the service
      side are agents too (the human the bot hands over to) when another does not;
    - between bare names only ("Sam:" and "Jo Smith:", as chat tools export them), each
      speaking twice or more, the names some of whose turns say what the service side
      says ("How can I help?", "Can you confirm your date of birth?", "Is there
      anything else?") are agents (a bot and the human after it) and the others the
      customer; when every name says some, the one that says most is the agent;
    - beside unlabelled lines, a bare name that speaks twice or more, once at least
      as the service side speaks."""
    labelled = []  # (label, what the line says after it)
    for raw in _LINES.split(text):
        line = _QUOTE.sub("", _BULLET.sub("", raw)).strip()
        if found := _LABEL.match(line):
            labelled.append((found.group("who").strip(), line[found.end() :]))
    roles = [speaker(label) for label, _ in labelled]
    counts: dict[str, int] = {}
    service: dict[str, int] = {}
    for (label, said), role in zip(labelled, roles, strict=True):
        if role is None and _NAME.match(label):
            counts[label] = counts.get(label, 0) + 1
            service[label] = service.get(label, 0) + bool(_SERVICE.search(said))
    speakers = [label for label, n in counts.items() if n >= 2]
    serving = [name for name in speakers if service[name]]
    if CUSTOMER in roles and len(speakers) == 1:
        return {speakers[0]: AGENT}
    if CUSTOMER in roles or AGENT in roles:
        quiet = len(serving) < len(speakers) or CUSTOMER in roles
        return {name: AGENT for name in serving} if quiet else {}
    if len(speakers) == 1:  # beside unlabelled lines: the agent if it speaks as one
        return {speakers[0]: AGENT} if serving else {}
    if not serving:
        return {}
    if len(serving) == len(speakers):  # everyone says some: the one who says most
        most = max(service[name] for name in speakers)
        serving = [name for name in speakers if service[name] == most]
        if len(serving) > 1:
            return {}
    return {name: AGENT if name in serving else CUSTOMER for name in speakers}


def segments(text: str, clauses: bool = False) -> list[str]:
    """Lines, sentences, then the pieces between separators of a note (and its clauses,
    cut at commas, with `clauses`); bullets and labels stripped, empty pieces dropped."""
    return [part for part, _ in turns(text, clauses)]


def customer_lines(text: str) -> list[list[str]] | None:
    """The segments of each line said by anyone but the agent, when the agent has turns
    and the customer has turns of their own or the rest says something in the
    customer's voice; None otherwise (no agent label, or the agent relaying the problem
    beside system lines)."""
    lines = line_turns(text)
    flat = [turn for line in lines for turn in line]
    if not any(who == AGENT for _, who in flat) or not any(
        who == CUSTOMER or (who is None and _VOICE.search(part)) for part, who in flat
    ):
        return None
    out: list[list[str]] = []
    last: list[str] | None = None  # the customer's line the next one may go on from
    waited = False  # whether the agent said "Okay." or "Mm-hmm" since
    for line in lines:
        said = [part for part, who in line if who != AGENT]
        agent = [part for part, who in line if who == AGENT]
        if said and last and _GOES_ON.match(said[0]) and (waited or _OPEN.search(last[-1])):
            # A sentence cut over two turns: "how long" (agent: "Okay.") "is the wait for
            # my card?"
            last[-1] = f"{last[-1]} {said[0]}"
            last.extend(said[1:])
            out.append([])
        else:
            out.append(said)
            last = said or last
        waited = bool(agent) or (waited and not said)
        if any(len(part.split()) > 3 or "?" in part for part in agent):
            last = None  # more than an "Okay." or "Mm-hmm" from the agent
        if last and _ENDED.search(last[-1]):
            last = None
    return out


def customer_side(text: str) -> str:
    """The text without the agent's turns (`customer_lines`), or as it is: in a
    transcript the agent talks about banking too ("Can you confirm the last four digits
    of your card?"), as close to the knowledge base as the customer's question is to
    its own."""
    return joined(customer_lines(text), text)


def joined(lines: list[list[str]] | None, text: str) -> str:
    """The customer's side of `customer_lines`, a turn a line; `text` when it is None."""
    return text if lines is None else "\n".join(" ".join(line) for line in lines if line)


def keep(relevance: np.ndarray, margin: float = MARGIN) -> np.ndarray:
    """Indices of the segments within `margin` of the most relevant one, in order."""
    if relevance.size == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(relevance >= relevance.max() - margin)


def spoken(text: str) -> bool:
    """Whether `text` is in the customer's voice (`_VOICE`), or tells it in the third
    person ("Cust says their card was declined": `first_person` turns it)."""
    return bool(_VOICE.search(text)) or first_person(text) != text


def voiced(parts: list[str], kept: np.ndarray) -> np.ndarray:
    """The kept segments in the customer's voice (`spoken`), when some are and some are
    not."""
    said = np.array([spoken(parts[i]) for i in kept], dtype=bool)
    return kept[said] if 0 < said.sum() < kept.size else kept


def extend(parts: list[str], relevance: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """The kept segments with their neighbours in the customer's voice within `EXTEND`
    that are at least as relevant as every other segment left out."""
    floor = relevance.max() - EXTEND
    chosen = set(kept.tolist())
    while left := [m for m in range(len(parts)) if m not in chosen]:
        top = max(relevance[m] for m in left)
        joins = [
            j
            for j in left
            if relevance[j] == top >= floor
            and (j - 1 in chosen or j + 1 in chosen)
            and _VOICE.search(parts[j])
        ]
        if not joins:
            break
        chosen.add(joins[0])
    return np.array(sorted(chosen), dtype=np.int64)


def relevance(kb: Any, vectors: np.ndarray) -> np.ndarray:
    """Mean cosine of each vector's `TOP` nearest indexed records (0 for an empty index)."""
    with kb.lock:
        if kb.replica.vectors.count() == 0:
            return np.zeros(len(vectors))
        scores, ids = kb.replica.vectors.search(np.ascontiguousarray(vectors, np.float32), TOP)
    valid = ids >= 0
    return np.where(valid, scores, 0).sum(axis=1) / np.maximum(valid.sum(axis=1), 1)


def problem_statement(kb: Any, text: str) -> Problem:
    """The part of `text` to rank resolutions by (all of it when it is one segment), in
    the customer's own words (`reported.first_person`); of a form, its problem fields
    (`described`); of an email, the message above its signature (`unsigned`)."""
    note, text = text, relabelled(unsigned(described(text)))
    lines = customer_lines(text)
    # A transcript is never one question, however few turns the customer had, nor is a
    # form, a signed email or a case log however little is left of it: its whole must be
    # as relevant as its best segment, as a long note's (`MANY`).
    transcript = lines is not None or text != note
    said = joined(lines, text)  # what the agent reads as the problem when nothing is cut
    # The customer's side a segment a line, cut again as it was cut from the transcript.
    source = "\n".join(p for line in lines for p in line) if lines is not None else text
    parts = segments(source)
    whole = kb.embed_query(said)
    found = cut(kb, said, whole, parts, transcript)
    if found is None and len(parts) <= RUN_ON:  # a run-on note left whole: try its clauses
        fine = segments(source, clauses=True)
        if len(fine) >= MIN_CLAUSES:
            found = cut(kb, said, whole, fine, transcript)
        elif len(fine) == 1 and len(words := source.split()) >= RUN_WORDS:  # nothing to cut at
            found = window(kb, said, whole, words)
    found = found or Problem(said, whole, len(parts), len(parts))
    if transcript:  # the agent's turns, fields and signature count among those set aside
        found = replace(found, segments=found.segments + len(segments(note)) - len(parts))
    # Told in the third person ("Customer says her card hasn't arrived"): the cases are
    # in the customer's own words. Only what was kept, so chatter stays narration.
    # Written in an agent's shorthand ("the tfr", "card pmt", "acct"): the cases spell it.
    if (told := spelled_out(first_person(found.text))) != found.text:
        found = replace(found, text=told, vector=kb.embed_query(told))
    return found


def spelled_out(text: str) -> str:
    """`text` with the contact-centre shorthand of `_SHORTHAND` spelled out."""
    return _ABBREVIATION.sub(lambda m: _SHORTHAND[m.group(0).lower()], text)


def cut(
    kb: Any, text: str, whole: np.ndarray, parts: list[str], transcript: bool = False
) -> Problem | None:
    """The parts of `text` to keep, or None when the whole is as good (or one part)."""
    if len(parts) <= 1:
        return None
    vectors = kb.embedder.encode(parts)
    scores = relevance(kb, np.vstack([vectors, whole[None, :]]))
    kept = keep(scores[:-1])
    slack = MANY_SLACK if transcript or len(parts) >= MANY else FULL_SLACK
    if kept.size == len(parts) or scores[-1] >= scores[:-1].max() - slack:
        return None
    kept = extend(parts, scores[:-1], voiced(parts, kept))
    if kept.size == len(parts):  # the question is all of it
        return Problem(text, whole, len(parts), len(parts))
    chosen = " ".join(parts[i] for i in kept)
    vector = vectors[kept[0]] if kept.size == 1 else kb.embed_query(chosen)
    return Problem(chosen, vector, len(parts), int(kept.size))


def window(kb: Any, text: str, whole: np.ndarray, words: list[str]) -> Problem | None:
    """The run of words of a note with nothing to cut it at that the knowledge base speaks
    to best: the most relevant window of `WINDOW` words in the customer's voice, joined by
    its overlapping neighbours within `WINDOW_SLACK` of it; None when the whole is as
    relevant."""
    starts = list(range(0, len(words) - WINDOW + 1, STRIDE))
    if starts[-1] != len(words) - WINDOW:
        starts.append(len(words) - WINDOW)
    spans = [" ".join(words[i : i + WINDOW]) for i in starts]
    vectors = kb.embedder.encode(spans)
    scores = relevance(kb, np.vstack([vectors, whole[None, :]]))
    own, full = scores[:-1], scores[-1]
    said = np.array([spoken(span) for span in spans], dtype=bool)
    best = int(np.argmax(np.where(said, own, -np.inf))) if said.any() else int(np.argmax(own))
    if full >= own[best] - FULL_SLACK:  # a long clean question is about as relevant whole
        return None
    lo = hi = best
    while (
        lo > 0
        and starts[lo - 1] + WINDOW > starts[best]
        and own[lo - 1] >= own[best] - WINDOW_SLACK
    ):
        lo -= 1
    while (
        hi + 1 < len(starts)
        and starts[hi + 1] < starts[best] + WINDOW
        and own[hi + 1] >= own[best] - WINDOW_SLACK
    ):
        hi += 1
    chosen = " ".join(words[starts[lo] : starts[hi] + WINDOW])
    return Problem(chosen, kb.embed_query(chosen), len(spans), hi - lo + 1)
