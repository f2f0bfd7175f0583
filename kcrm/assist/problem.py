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
"Me:", 客服; or "Sam:" speaking in turn with "Customer:", `agent_names`) are
dropped first when the customer has turns of their own
(`customer_side`): the agent talks about banking too ("For security, what are
the last four digits of your card?", "Have you tried logging out of the app?"),
and those turns are as close to some records as the question is to its own.
What is left is held to the rule of a long note (`MANY_SLACK`), however few
turns the customer had.
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
MAX_SEGMENTS = 24  # a pasted transcript beyond this is cut at its first 24 segments
_LINES = re.compile(r"\n+")
# A sentence ends at . ! ? (closing quotes and brackets after it included), at a closing
# quote before a capital ('Customer's words: "card not here" Checked the account.'), and
# after the Chinese stops.
_SENTENCES = re.compile(
    r"(?<=[.!?])\s+(?=\S)|(?<=[.!?][\"'”’)\]])\s+(?=\S)|(?<=[\"”])\s+(?=[A-Z])|(?<=[。！？!?])"
)
# Shorthand separators between the parts of one line: "passed ID - card stuck | angry".
_SEPARATORS = re.compile(r"\s*;\s+|\s*；\s*|\s*\|\s*|\s+[-–—]+\s+")
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
# "Customer:", "Agent:", "Reason for call:", "客户：" at the start of a segment, after the
# time a chat log stamps it with ("[14:02] Visitor:", "14:02:10 - Customer:").
_LABEL = re.compile(
    r"^\s*(?:\[?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?\]?\s*-?\s*)?"
    r"(?P<who>[A-Za-z][\w&/' -]{0,24}(?:\([\w ]{1,16}\))?|[\u4e00-\u9fff]{1,6})\s*(?::\s+|：\s*)"
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
    rf"^(?:{_ROLE}(?:\s+[A-Z][\w'-]*)?|[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?\s*\({_ROLE}\)|"
    r"(?i:me)|客服|坐席|人工客服)$"
)
# A label naming the customer's side: a role ("Customer", "Caller", "Visitor"...), with
# or without a name.
_CUSTOMER = re.compile(
    r"^(?i:customer|cust|caller|visitor|client|member|user|cardholder|guest)(?:\s+[A-Z][\w'-]*)?$"
    r"|^[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?\s*\((?i:customer|caller|client|member)\)$|^(?:客户|用户|顾客)$"
)
AGENT, CUSTOMER = "agent", "customer"
# A bare name as a label ("Sam:"): who it is follows from the conversation (`agent_names`).
_NAME = re.compile(r"^[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?$")


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


def turns(
    text: str, clauses: bool = False, agents: frozenset[str] = frozenset()
) -> list[tuple[str, str | None]]:
    """`segments` with who said each (`speaker`; a label in `agents` is the agent's): a
    label holds until the end of its line or the next label."""
    out: list[tuple[str, str | None]] = []
    for line in _LINES.split(text):
        who: str | None = None
        for sentence in _SENTENCES.split(_BULLET.sub("", line)):
            for piece in _SEPARATORS.split(sentence):
                for part in _CLAUSES.split(piece) if clauses else (piece,):
                    part = part.strip()
                    if label := _LABEL.match(part):
                        name = label.group("who").strip()
                        who = AGENT if name in agents else speaker(name)
                        part = part[label.end() :]
                    part = part.strip(' ,，、"“”')
                    if re.search(r"\w", part):
                        out.append((part, who))
    return out[:MAX_SEGMENTS]


def agent_names(text: str) -> frozenset[str]:
    """The bare name that speaks in turn with a labelled customer ("Sam:" beside
    "Customer:" or "Caller:") when no label names the agent: the agent, by elimination.
    Only one such name, and only when it speaks twice or more (a field such as
    "Subject:" comes once)."""
    labels = [
        found.group("who").strip()
        for line in _LINES.split(text)
        if (found := _LABEL.match(_BULLET.sub("", line).strip()))
    ]
    roles = [speaker(label) for label in labels]
    if CUSTOMER not in roles or AGENT in roles:
        return frozenset()
    counts: dict[str, int] = {}
    for label, role in zip(labels, roles, strict=True):
        if role is None and _NAME.match(label):
            counts[label] = counts.get(label, 0) + 1
    named = [label for label, n in counts.items() if n >= 2]
    return frozenset(named) if len(named) == 1 else frozenset()


def segments(text: str, clauses: bool = False) -> list[str]:
    """Lines, sentences, then the pieces between separators of a note (and its clauses,
    cut at commas, with `clauses`); bullets and labels stripped, empty pieces dropped."""
    return [part for part, _ in turns(text, clauses)]


def customer_lines(text: str) -> list[list[str]] | None:
    """The segments of each line said by anyone but the agent, when the agent has turns
    and the customer has turns of their own or the rest says something in the
    customer's voice; None otherwise (no agent label, or the agent relaying the problem
    beside system lines)."""
    agents = agent_names(text)
    lines, left = [], MAX_SEGMENTS
    for line in _LINES.split(text):
        said = turns(line, agents=agents)[:left]
        left -= len(said)
        lines.append(said)
    flat = [turn for line in lines for turn in line]
    if any(who == AGENT for _, who in flat) and any(
        who == CUSTOMER or (who is None and _VOICE.search(part)) for part, who in flat
    ):
        return [[part for part, who in line if who != AGENT] for line in lines]
    return None


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


def voiced(parts: list[str], kept: np.ndarray) -> np.ndarray:
    """The kept segments in the customer's voice, when some are and some are not."""
    spoken = np.array([bool(_VOICE.search(parts[i])) for i in kept], dtype=bool)
    return kept[spoken] if 0 < spoken.sum() < kept.size else kept


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
    """The part of `text` to rank resolutions by (all of it when it is one segment)."""
    lines = customer_lines(text)
    # A transcript is never one question, however few turns the customer had: its
    # whole must be as relevant as its best segment, as a long note's (`MANY`).
    transcript = lines is not None
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
    found = found or Problem(said, whole, len(parts), len(parts))
    if transcript:  # the agent's turns count among the segments set aside
        found = replace(found, segments=found.segments + len(segments(text)) - len(parts))
    return found


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
