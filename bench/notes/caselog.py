#!/usr/bin/env python3
"""Write contact-centre case notes and case logs, in 14 agent styles, with the customer's
question inside, often in the third person (part 1 turns a first-person Banking77-style query
into reported speech; part 2 wraps it in a note style). Python 3.11, standard library only.
Written for kcrm's quality checks without reference to kcrm's note reader.
Usage: python caselog.py --in IN.jsonl --out OUT.jsonl --seed 3 [--with-style]
"""

# Each output row = input row + "plain" (the original text), with "text" replaced by the note;
# --with-style also writes the drawn style name in field "note_style".

import argparse
import json
import random
import re
from typing import ClassVar

# ----------------------------------------------------------------- lexicon
WH = {"how", "why", "what", "where", "when", "which", "who", "whom", "whose"}
BE = {
    "is",
    "are",
    "am",
    "was",
    "were",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "isnt",
    "arent",
    "wasnt",
    "werent",
}
DO = {"do", "does", "did", "don't", "doesn't", "didn't", "dont", "doesnt", "didnt"}
HAVE = {"have", "has", "had", "haven't", "hasn't", "hadn't", "havent", "hasnt"}
MODAL = {
    "can",
    "could",
    "will",
    "would",
    "should",
    "shall",
    "may",
    "might",
    "must",
    "can't",
    "cannot",
    "couldn't",
    "won't",
    "wouldn't",
    "shouldn't",
    "cant",
    "couldnt",
    "wont",
    "wouldnt",
    "shouldnt",
}
AUX = BE | DO | HAVE | MODAL
Q_START = WH | AUX
ADVERBS = {
    "just",
    "still",
    "really",
    "also",
    "already",
    "never",
    "recently",
    "actually",
    "only",
    "accidentally",
    "now",
    "always",
    "currently",
    "even",
    "definitely",
    "simply",
    "usually",
    "mistakenly",
    "then",
    "originally",
    "previously",
    "literally",
    "certainly",
    "sometimes",
    "ever",
    "initially",
    "desperately",
    "somehow",
    "probably",
    "again",
    "no",
    "longer",
    "kindly",
    "urgently",
    "genuinely",
    "honestly",
    "apparently",
    "normally",
    "typically",
    "not",
    "clearly",
    "obviously",
    "both",
    "all",
    "often",
    "rarely",
    "personally",
}
SUBORD = {
    "if",
    "when",
    "after",
    "before",
    "since",
    "once",
    "while",
    "because",
    "as",
    "although",
    "though",
    "whenever",
    "until",
}
PREPS = {
    "to",
    "for",
    "from",
    "in",
    "on",
    "at",
    "with",
    "by",
    "into",
    "onto",
    "after",
    "before",
    "since",
    "until",
    "during",
    "via",
    "about",
    "through",
    "without",
    "within",
    "over",
    "under",
    "than",
    "like",
    "because",
    "so",
    "but",
    "if",
    "when",
    "while",
    "off",
    "out",
    "across",
    "abroad",
    "overseas",
    "per",
}
ADJ = {
    "free",
    "available",
    "possible",
    "necessary",
    "correct",
    "wrong",
    "right",
    "different",
    "valid",
    "safe",
    "secure",
    "okay",
    "ok",
    "fine",
    "able",
    "unable",
    "supposed",
    "eligible",
    "late",
    "slow",
    "due",
    "ready",
    "active",
    "inactive",
    "normal",
    "usual",
    "legit",
    "legitimate",
    "real",
    "worth",
    "enough",
    "higher",
    "lower",
    "high",
    "low",
    "expensive",
    "cheap",
    "extra",
    "gone",
    "done",
    "taken",
    "sent",
    "seen",
    "shown",
    "made",
    "paid",
    "lost",
    "stolen",
    "stuck",
    "broken",
    "frozen",
    "locked",
    "back",
    "there",
    "here",
    "yet",
    "being",
    "been",
    "be",
    "going",
    "limited",
    "accepted",
    "required",
    "needed",
    "allowed",
    "charged",
    "sure",
    "aware",
    "certain",
    "new",
    "old",
    "same",
    "ok?",
    "compatible",
    "reversed",
    "refunded",
    "included",
    "applicable",
    "instant",
    "immediate",
    "complete",
    "incomplete",
    "pending",
    "missing",
    "visible",
    "invalid",
    "expired",
    "blocked",
    "declined",
    "rejected",
    "possible?",
    "upset",
    "unhappy",
    "worried",
    "concerned",
    "charging",
    "still",
    "not",
    "never",
    "always",
    "really",
    "too",
    "very",
    "so",
    "any",
}
DETS = {
    "my",
    "the",
    "a",
    "an",
    "your",
    "this",
    "that",
    "these",
    "those",
    "our",
    "his",
    "her",
    "their",
    "any",
    "some",
    "all",
    "each",
    "every",
    "no",
    "its",
    "one",
    "another",
    "other",
    "what",
    "which",
}
SUBJ_PRON = {
    "i",
    "you",
    "we",
    "they",
    "it",
    "he",
    "she",
    "there",
    "someone",
    "anyone",
    "somebody",
    "anybody",
    "everything",
    "something",
    "anything",
    "everyone",
    "nobody",
    "nothing",
    "u",
    "people",
    "one",
}
BASE_VERBS = {
    "need",
    "want",
    "have",
    "do",
    "get",
    "use",
    "think",
    "go",
    "see",
    "know",
    "find",
    "add",
    "order",
    "change",
    "exchange",
    "transfer",
    "top",
    "receive",
    "verify",
    "activate",
    "link",
    "withdraw",
    "deposit",
    "send",
    "pay",
    "buy",
    "make",
    "take",
    "try",
    "keep",
    "cancel",
    "reset",
    "block",
    "unblock",
    "freeze",
    "unfreeze",
    "apply",
    "accept",
    "support",
    "charge",
    "check",
    "contact",
    "wait",
    "expect",
    "believe",
    "wish",
    "live",
    "prefer",
    "choose",
    "hold",
    "track",
    "dispute",
    "open",
    "close",
    "fix",
    "edit",
    "modify",
    "update",
    "replace",
    "reactivate",
    "convert",
    "notice",
    "look",
    "seem",
    "realize",
    "realise",
    "understand",
    "remember",
    "forget",
    "lose",
    "travel",
    "move",
    "request",
    "ask",
    "tell",
    "give",
    "call",
    "work",
    "show",
    "happen",
    "come",
    "arrive",
    "appear",
    "cost",
    "mean",
    "stop",
    "start",
    "allow",
    "help",
    "like",
    "love",
    "hate",
    "plan",
    "own",
    "spend",
    "load",
    "access",
    "enter",
    "type",
    "register",
    "sign",
    "log",
    "cover",
    "sort",
    "speak",
    "talk",
    "reverse",
    "refund",
    "return",
    "unlock",
    "enable",
    "disable",
    "recognise",
    "recognize",
    "complete",
    "confirm",
    "submit",
    "upload",
    "provide",
    "prove",
    "lift",
    "increase",
    "raise",
    "reduce",
    "save",
    "be",
    "let",
    "leave",
    "delete",
    "remove",
    "cash",
    "retrieve",
    "recover",
    "obtain",
    "acquire",
    "create",
    "set",
    "put",
    "run",
    "process",
    "reach",
    "fill",
    "input",
    "exist",
    "function",
    "count",
    "owe",
    "deal",
    "handle",
    "locate",
    "identify",
    "view",
    "pull",
}
NOT_PRESENT = {"set", "put", "cut", "hit", "read", "let", "spread", "quit"}
IRREG_PAST = {
    "get": "got",
    "make": "made",
    "send": "sent",
    "pay": "paid",
    "buy": "bought",
    "take": "took",
    "go": "went",
    "see": "saw",
    "find": "found",
    "forget": "forgot",
    "lose": "lost",
    "give": "gave",
    "put": "put",
    "set": "set",
    "keep": "kept",
    "hold": "held",
    "come": "came",
    "leave": "left",
    "know": "knew",
    "think": "thought",
    "tell": "told",
    "say": "said",
    "spend": "spent",
    "withdraw": "withdrew",
    "begin": "began",
    "become": "became",
    "run": "ran",
    "write": "wrote",
    "read": "read",
    "speak": "spoke",
    "choose": "chose",
    "mean": "meant",
    "understand": "understood",
    "do": "did",
    "have": "had",
    "be": "was",
    "top": "topped",
    "stop": "stopped",
    "plan": "planned",
    "let": "let",
    "deal": "dealt",
    "pull": "pulled",
    "feel": "felt",
    "lend": "lent",
    "bring": "brought",
    "hear": "heard",
    "cut": "cut",
    "ship": "shipped",
    "drop": "dropped",
    "log": "logged",
}
PAST_FORMS = set(IRREG_PAST.values())
PERSON_NOUNS = {
    "wife",
    "husband",
    "partner",
    "friend",
    "son",
    "daughter",
    "mom",
    "mum",
    "dad",
    "family",
    "boyfriend",
    "girlfriend",
    "kids",
    "brother",
    "sister",
    "colleague",
    "he",
    "she",
    "they",
    "mother",
    "father",
    "children",
    "child",
    "spouse",
    "fiance",
    "fiancee",
    "roommate",
    "flatmate",
    "parents",
    "me",
}
PROPER = {
    "apple",
    "google",
    "visa",
    "mastercard",
    "amex",
    "american",
    "paypal",
    "sepa",
    "europe",
    "european",
    "china",
    "america",
    "britain",
    "england",
    "spain",
    "france",
    "germany",
    "italy",
    "india",
    "canada",
    "australia",
    "japan",
    "mexico",
    "thailand",
    "turkey",
    "russia",
    "swift",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "euro",
    "euros",
    "android",
    "iphone",
    "ios",
    "samsung",
    "amazon",
    "ebay",
    "uber",
    "bitcoin",
    "london",
    "paris",
    "portugal",
    "greece",
    "brazil",
    "netherlands",
    "switzerland",
    "ireland",
}


# ----------------------------------------------------------------- tokens
class T:
    __slots__ = ("done", "sp", "w")

    def __init__(self, w, sp=True, done=False):
        self.w, self.sp, self.done = w, sp, done

    def __repr__(self):
        return self.w


TOK_RE = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)*|[^\sA-Za-z0-9]")


def tokenize(s):
    out = []
    pos = 0
    for m in TOK_RE.finditer(s):
        w = m.group(0).replace("\u2019", "'")
        out.append(T(w, m.start() > pos or not out))
        pos = m.end()
    if out:
        out[0].sp = False
    return out


def detok(toks):
    s = []
    for i, t in enumerate(toks):
        if i and t.sp:
            s.append(" ")
        s.append(t.w)
    return "".join(s).strip()


def low(t):
    return t.w.lower()


def is_word(t):
    return bool(re.match(r"[A-Za-z]", t.w))


# ----------------------------------------------------------------- morphology
def s3(v):
    lv = v.lower()
    if lv == "have":
        r = "has"
    elif lv == "do":
        r = "does"
    elif lv == "go":
        r = "goes"
    elif lv == "be":
        r = "is"
    elif re.search(r"(s|sh|ch|x|z|o)$", lv):
        r = lv + "es"
    elif re.search(r"[^aeiou]y$", lv):
        r = lv[:-1] + "ies"
    else:
        r = lv + "s"
    return r


def past(v):
    lv = v.lower()
    if lv in IRREG_PAST:
        return IRREG_PAST[lv]
    if lv.endswith("e"):
        return lv + "d"
    if re.search(r"[^aeiou]y$", lv):
        return lv[:-1] + "ied"
    return lv + "ed"


class Person:
    """Pronoun set for the customer."""

    SETS: ClassVar[dict[str, dict]] = {
        "she": dict(subj="she", obj="her", poss="her", pposs="hers", refl="herself", plural=False),
        "he": dict(subj="he", obj="him", poss="his", pposs="his", refl="himself", plural=False),
        "they": dict(
            subj="they", obj="them", poss="their", pposs="theirs", refl="themselves", plural=True
        ),
    }

    def __init__(self, g):
        self.g = g
        for k, v in self.SETS[g].items():
            setattr(self, k, v)


AGREE_SG = {
    "am": "is",
    "'m": "'s",
    "do": "does",
    "don't": "doesn't",
    "dont": "doesnt",
    "have": "has",
    "haven't": "hasn't",
    "havent": "hasnt",
    "was": "was",
    "wasn't": "wasn't",
    "wasnt": "wasnt",
}
AGREE_PL = {
    "am": "are",
    "'m": "'re",
    "do": "do",
    "don't": "don't",
    "dont": "dont",
    "have": "have",
    "haven't": "haven't",
    "havent": "havent",
    "was": "were",
    "wasn't": "weren't",
    "wasnt": "werent",
}


def agree_aux(w, plural):
    lw = w.lower()
    tab = AGREE_PL if plural else AGREE_SG
    return tab.get(lw, w)


def agree_verb(tok, plural):
    """Agree a token that follows a first-person subject."""
    lw = low(tok)
    if lw in AGREE_SG:
        tok.w = agree_aux(lw, plural)
        return
    if plural:
        return
    if lw in BASE_VERBS and lw not in NOT_PRESENT:
        tok.w = s3(lw)


def agree_coordinated(toks, start):
    """'I didn't enjoy it and want a refund' -> '... and wants a refund'."""
    seen_to = False
    k = start
    n = len(toks)
    while k < n:
        w = low(toks[k])
        if (
            w in {".", "!", "?", ";", ","}
            or w in SUBJ_PRON - {"it", "one", "there"}
            or w in SUBORD
            or w in {"that", "which", "who", "what"}
        ):
            return
        if w == "to":
            seen_to = True
        if w in {"and", "but"}:
            m = k + 1
            while m < n and low(toks[m]) in ADVERBS and low(toks[m]) != "not":
                m += 1
            if m < n and not seen_to:
                v = low(toks[m])
                if v in AGREE_SG and v not in {"was", "wasn't", "wasnt"}:
                    toks[m].w = agree_aux(v, False)
                    toks[m].done = True
                elif v in BASE_VERBS and v not in NOT_PRESENT | {"top", "transfer", "cash"}:
                    toks[m].w = s3(v)
                    toks[m].done = True
            return
        k += 1


# ----------------------------------------------------------------- pronoun swap
def you_is_subject(toks, i):
    prev = low(toks[i - 1]) if i > 0 else ""
    if prev in AUX:
        return True
    if prev in PREPS or prev in BASE_VERBS or prev.endswith("ed") or prev in {"ask", "thank"}:
        return False
    j = i + 1
    while j < len(toks) and low(toks[j]) in ADVERBS | {"guys"}:
        j += 1
    if j < len(toks):
        nw = low(toks[j])
        if (
            nw in AUX
            or nw in BASE_VERBS
            or nw.endswith("ed")
            or nw in {"charge", "guys"}
            or nw in PAST_FORMS
        ):
            return True
        if nw in {"s", "charges", "offer", "offers", "support", "supports", "guys"}:
            return True
    return i == 0


def swap(toks, P, subj_label=None):
    """Change first/second person to reported third person, in place.

    P: Person for the customer.  subj_label: if given, the *first*
    subject "I" becomes this (singular) noun, e.g. "cx".
    """
    n = len(toks)
    used_label = False
    for i in range(n):
        t = toks[i]
        if t.done or not is_word(t):
            continue
        lw = low(t)
        orig = t.w
        if lw in {"i", "i'm", "im", "i've", "ive", "i'd", "i'll"}:
            if lw == "i" and orig == "i" and i + 1 < n and toks[i + 1].w == ".":
                continue  # "i.e."-like, ignore
            label = subj_label if (subj_label and not used_label) else None
            used_label = used_label or bool(label)
            subj = label or P.subj
            plural = False if label else P.plural
            if lw == "i":
                t.w = subj
                prev = low(toks[i - 1]) if i > 0 else ""
                if prev in AGREE_SG and prev not in {"'m"} and not toks[i - 1].done:
                    toks[i - 1].w = agree_aux(toks[i - 1].w, plural)
                    if i == 1:
                        toks[i - 1].w = toks[i - 1].w
                elif prev not in AUX and not (
                    prev in {"and", "or", "&"} and i > 1 and low(toks[i - 2]) in PERSON_NOUNS
                ):
                    j = i + 1
                    while j < n and low(toks[j]) in ADVERBS and low(toks[j]) != "not":
                        j += 1
                    if j < n:
                        agree_verb(toks[j], plural)
                        toks[j].done = True
                        if not plural:
                            agree_coordinated(toks, j + 1)
            elif lw in {"i'm", "im"}:
                t.w = (
                    (subj + " is")
                    if label
                    else ({"she": "she's", "he": "he's", "they": "they're"}[P.g])
                )
            elif lw in {"i've", "ive"}:
                t.w = (
                    (subj + " has")
                    if label
                    else ({"she": "she's", "he": "he's", "they": "they've"}[P.g])
                )
            elif lw == "i'd":
                t.w = (subj + " would") if label else subj + "'d"
            elif lw == "i'll":
                t.w = (subj + " will") if label else subj + "'ll"
            t.done = True
        elif lw == "me":
            t.w = P.obj
        elif lw == "my":
            t.w = P.poss
        elif lw == "mine":
            t.w = P.pposs
        elif lw == "myself":
            t.w = P.refl
        elif lw in {"you", "u"}:
            if lw == "u" and not (i + 1 < n and is_word(toks[i + 1])):
                continue
            if you_is_subject(toks, i):
                t.w = "we"
                prev = low(toks[i - 1]) if i > 0 else ""
                if prev in {"are", "were", "have", "do", "don't", "aren't", "weren't", "haven't"}:
                    pass
            else:
                t.w = "us"
            if i + 1 < n and low(toks[i + 1]) == "guys":
                toks[i + 1].w = ""
        elif lw in {"your", "ur"}:
            t.w = "our"
        elif lw == "yours":
            t.w = "ours"
        elif lw in {"you're", "youre"}:
            t.w = "we're"
        elif lw == "you've":
            t.w = "we've"
        elif lw == "you'll":
            t.w = "we'll"
        elif lw == "you'd":
            t.w = "we'd"
        elif lw == "yourself":
            t.w = "ourselves"
        elif lw == "we":
            t.w = "they"
        elif lw == "us" and orig != "US":
            t.w = "them"
        elif lw == "our":
            t.w = "their"
        elif lw == "ours":
            t.w = "theirs"
        elif lw == "we're":
            t.w = "they're"
        elif lw == "we've":
            t.w = "they've"
        elif lw == "we'll":
            t.w = "they'll"
        elif lw == "ourselves":
            t.w = "themselves"
        else:
            continue
        t.done = True
    # drop emptied tokens
    toks[:] = [t for t in toks if t.w != ""]
    for t in toks:
        t.done = False
    return toks


# ----------------------------------------------------------------- clauses
LEAD_FILLERS = re.compile(
    r"^(?:(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|excuse me|so|ok|okay|"
    r"um+|uh+|well|yes|yeah|dear \w+|greetings|help|urgent|question)\b[\s,!.:-]*)+",
    re.I,
)
TRAIL_FILLERS = re.compile(
    r"(?:[\s,]*(?:please|pls|thanks|thank you|thx|thanks in advance|cheers)?[\s,]*[?!.]*\s*)$", re.I
)
EMBED_PREFIX = [
    (
        re.compile(
            r"^(?:can|could|would|will) you (?:please |kindly )?(?:tell|show|explain to|"
            r"let|inform|advise) me(?: know)?\s+",
            re.I,
        ),
        "embed",
    ),
    (
        re.compile(
            r"^(?:please |kindly )?(?:tell|show|explain to|let|inform|advise|remind) "
            r"me(?: know)?\s+",
            re.I,
        ),
        "embed",
    ),
    (
        re.compile(
            r"^(?:please |kindly |can you |could you )?explain\s+(?=(?:how|why|what|"
            r"where|when|which|if|whether)\b)",
            re.I,
        ),
        "embed",
    ),
    (
        re.compile(r"^i(?:'d| would) (?:like|love) to (?:know|find out|ask|understand)\s+", re.I),
        "embed",
    ),
    (
        re.compile(
            r"^i (?:want|need|wanna|wish|have|would like) to (?:know|find out|ask|"
            r"understand)\s+",
            re.I,
        ),
        "embed",
    ),
    (
        re.compile(
            r"^i(?:'m| am|m| was) (?:just )?(?:wondering|curious|asking|not sure|"
            r"unsure)(?: (?:about|as to|regarding))?\s+(?=(?:how|why|what|where|when|"
            r"which|if|whether|about)\b)",
            re.I,
        ),
        "embed",
    ),
    (
        re.compile(
            r"^i (?:was |am )?wonder(?:ing)?\s+(?=(?:how|why|what|where|when|which|"
            r"if|whether)\b)",
            re.I,
        ),
        "embed",
    ),
    (
        re.compile(
            r"^(?:do|does) (?:you|anyone) know\s+(?=(?:how|why|what|where|when|"
            r"which|if|whether)\b)",
            re.I,
        ),
        "embed",
    ),
    (
        re.compile(
            r"^i have (?:a|one) (?:question|query)(?: (?:about|regarding|on|re))?"
            r"[\s:,-]*",
            re.I,
        ),
        "about",
    ),
]
COURTESY = {
    "thanks",
    "thank you",
    "please",
    "now",
    "thx",
    "ty",
    "thank you so much",
    "thanks a lot",
    "cheers",
    "help",
    "help me",
    "please help",
    "hello",
    "hi",
    "asap",
    "urgent",
    "pls",
    "thanks in advance",
    "many thanks",
    "again",
    "ok",
}
IMPERATIVES = {
    "cancel",
    "help",
    "block",
    "freeze",
    "send",
    "show",
    "give",
    "check",
    "verify",
    "stop",
    "change",
    "update",
    "refund",
    "reverse",
    "remove",
    "fix",
    "unblock",
    "unfreeze",
    "close",
    "delete",
    "find",
    "activate",
    "reset",
    "order",
    "assist",
    "advise",
    "explain",
    "put",
    "get",
    "return",
    "look",
    "terminate",
    "disable",
    "lock",
    "unlock",
    "replace",
    "recommend",
    "sort",
    "tell",
    "let",
    "provide",
    "transfer",
    "investigate",
    "list",
    "do",
    "make",
    "add",
    "link",
    "track",
    "figure",
    "undo",
    "waive",
    "expedite",
    "hurry",
    "speed",
    "resend",
    "email",
    "ship",
    "issue",
    "kill",
    "shut",
    "deactivate",
    "reimburse",
    "credit",
    "rectify",
    "correct",
    "restore",
    "reinstate",
}


class Clause:
    """kind: q (question), s (statement), r (request), f (fragment).

    For q: self.ind is the indirect complement ("whether she can ...") or None,
    self.direct is the third-person direct question ("can she ...?").
    For s/r/f: self.text.
    """

    def __init__(self, kind, **kw):
        self.kind = kind
        self.ind = kw.get("ind")
        self.direct = kw.get("direct")
        self.text = kw.get("text")
        self.label_text = kw.get("label_text")
        self.howto = kw.get("howto")
        self.about = kw.get("about", False)
        self.cont = kw.get("cont", False)
        self.np = kw.get("np", True)


def fix_first(toks):
    """Lower-case the first token unless it is a proper noun / acronym / I."""
    if not toks:
        return toks
    t = toks[0]
    w = t.w
    if w in {"I", "I'm", "I've", "I'd", "I'll"}:
        return toks
    if len(w) > 1 and w.isupper():
        return toks
    if w.lower() in PROPER:
        return toks
    t.w = w[0].lower() + w[1:]
    return toks


def find_np_end(words, k, kind):
    """Return index one past the subject NP starting at k, or None."""
    n = len(words)
    if k >= n:
        return None
    w = words[k]
    if w in {"this", "that", "these", "those"}:
        nxt = words[k + 1] if k + 1 < n else ""
        if (
            not nxt
            or nxt in AUX
            or nxt in ADJ
            or nxt in PREPS
            or nxt.endswith("ing")
            or nxt.endswith("ed")
            or nxt in BASE_VERBS
            or not nxt.isalpha()
        ):
            return k + 1
    elif w in SUBJ_PRON:
        return k + 1
    if not w.isalpha() and w not in {"'s"}:
        return None
    if (
        w in AUX
        or w in ADJ
        or w in PREPS
        or w in BASE_VERBS
        or w in ADVERBS
        or w.endswith("ed")
        or (w.endswith("ing") and not w.endswith("thing"))
    ):
        return None  # subject question / odd
    m = k
    content = 0
    while m < n and m - k < 7:
        w = words[m]
        if not re.match(r"[a-z0-9'€£$]", w) and w != "-":
            break
        if w in AUX:
            if kind in ("do", "modal") or content == 0:
                return None
            break
        if w in {"and", "or"} and m + 1 < n and (words[m + 1] in WH or words[m + 1] in AUX):
            break
        if content >= 1 and w in {"i", "you", "we", "they", "he", "she", "u"}:
            if kind in ("do", "modal"):
                m += 1
                continue
            return ("rel", n)
        if content >= 1:
            if kind in ("do", "modal") or (
                kind == "have"
                and w in BASE_VERBS
                and w
                not in {
                    "top",
                    "transfer",
                    "exchange",
                    "order",
                    "change",
                    "charge",
                    "cost",
                    "refund",
                    "deposit",
                    "cash",
                    "return",
                    "access",
                }
            ):
                if w in BASE_VERBS or w == "be":
                    nxt = words[m + 1] if m + 1 < n else ""
                    verb_follows = (nxt in BASE_VERBS and nxt != "be") or nxt == "be"
                    if w == "be" or not verb_follows:
                        break
                if w in ADVERBS:
                    break
            else:
                nxt = words[m + 1] if m + 1 < n else ""
                if (
                    w.endswith("ly")
                    and len(w) > 4
                    and (nxt.endswith("ed") or nxt in ADJ or not nxt)
                ):
                    break
                if (
                    w in PREPS
                    or w in ADJ
                    or w in ADVERBS
                    or (w.endswith("ing") and not w.endswith("thing") and len(w) > 4)
                    or (w.endswith("ed") and w not in {"need", "speed", "feed"})
                    or (w in DETS and w not in {"one"})
                ):
                    break
        if w not in DETS:
            content += 1
        m += 1
    if content == 0 or m == k:
        return None
    if m - k >= 7:
        return None
    if kind in ("do", "modal") and m >= n:
        return None
    return m


def aux_kind(w):
    if w in BE:
        return "be"
    if w in DO:
        return "do"
    if w in HAVE:
        return "have"
    return "modal"


def clone(toks):
    return [T(t.w, t.sp, t.done) for t in toks]


def deinvert(toks, P):
    """Indirect-question complement for an inverted question, or None.

    Returns (mode, tokens) where mode in {"ind", "plain"}; "plain" means the
    question was not inverted (subject questions, 'how come', embedded) and
    can be used as-is after swapping.
    """
    words = [low(t) for t in toks]
    n = len(words)
    if n < 2:
        return None
    j = 0
    if words[0] in WH:
        if words[0] == "how" and words[1] == "come":
            return ("plain", toks)
        j = None
        for x in range(1, min(n, 6)):
            if words[x] in AUX:
                j = x
                break
            if (
                words[x] in SUBJ_PRON
                or words[x] in SUBORD
                or not words[x].isalpha()
                or (words[x] in DETS and words[x] not in {"one", "other"})
                or words[x] in {"my", "your", "our", "her", "his", "their"}
            ):
                break
            if x == 1 and (
                words[x].endswith("s") and words[x] in {"happens", "goes", "means", "costs"}
            ):
                break
            if x == 1 and (words[x].endswith("ed") or words[x] in {"happens", "went", "got"}):
                break
        if j is None:
            return ("plain", toks)
    elif words[0] not in AUX:
        return None
    aux = words[j]
    kind = aux_kind(aux)
    k = j + 1
    end = find_np_end(words, k, kind)
    if isinstance(end, tuple):
        if j > 0 and words[0] in {"where", "when", "why", "how", "what", "which"}:
            end = end[1]
        else:
            end = None
    if end is None:
        return ("plain", toks) if j > 0 else None
    whp = toks[:j]
    subj = toks[k:end]
    rest = toks[end:]
    if (kind == "be" and rest and low(rest[0]) == "of") or low(subj[-1]) in {
        "of",
        "for",
        "to",
        "with",
        "and",
        "or",
    } | DETS - {"one"}:
        return ("plain", toks) if j > 0 else None
    # long "what is <NP ...>" -> keep inverted order, it reads fine
    if (
        kind == "be"
        and j > 0
        and not rest
        and (end - k) > 5
        and words[0] in {"what", "which", "who"}
    ):
        return ("plain", toks)
    auxt = T(toks[j].w.lower(), True)
    subj_words = [low(t) for t in subj]
    is_i = subj_words == ["i"]
    is_you = subj_words in (["you"], ["u"])
    out_subj = clone(subj)
    if is_i:
        out_subj = [T(P.subj, True, True)]
        plural = P.plural
        auxt.w = agree_aux(auxt.w, plural)
    elif is_you:
        out_subj = [T("we", True, True)]
        plural = True
        if aux in {"does"}:
            auxt.w = "do"
    elif subj_words == ["we"]:
        out_subj = [T("they", True, True)]
        plural = True
    else:
        plural = aux in {"are", "were", "do", "have", "aren't", "weren't", "don't", "haven't"}
    rest = clone(rest)
    if rest:
        rest[0].sp = True
    if out_subj:
        out_subj[0].sp = True
    out = clone(whp) + out_subj
    if (
        aux in {"do", "does"}
        and is_i
        and words[0] in {"how", "where"}
        and rest
        and low(rest[0]) not in {"have", "need", "want"}
    ):
        auxt.w = "can"
        out += [auxt, *rest]
    elif aux in {"do", "does", "did"}:
        # merge do-support into the verb
        x = 0
        while x < len(rest) and low(rest[x]) in ADVERBS and low(rest[x]) != "not":
            x += 1
        if x < len(rest) and low(rest[x]) in BASE_VERBS:
            v = low(rest[x])
            if aux == "did":
                rest[x].w = past(v)
            elif not plural and not (is_i and P.plural):
                rest[x].w = s3(v)
            rest[x].done = True
            out += rest
        else:
            return ("plain", toks) if j > 0 else None
    else:
        out += [auxt, *rest]
    if out:
        out[0].sp = False
    return ("ind", out)


def split_sentences(text):
    parts = re.split(r"(?<=[.!?])\s+|\s*\n+\s*", text.strip())
    out = []
    for p in parts:
        p = p.strip()
        if not p or not re.search(r"[A-Za-z]", p):
            continue
        # split "I lost my card, what do I do now?"
        m = re.match(
            r"^(.{8,}?)\s*[,;:-]+\s*((?:what|how|why|where|when|which|can|could|"
            r"will|would|is|are|do|does|should)\b.{6,})$",
            p,
            re.I,
        )
        if m and m.group(1).split()[0].lower() not in SUBORD | WH | AUX | PREPS | {"please"}:
            out.append(m.group(1).strip())
            out.append(m.group(2).strip())
        else:
            out.append(p)
    return out


def expand_contractions(s):
    s = re.sub(r"\b(what|how|where|who|when|why)['\u2019]s\b", r"\1 is", s, flags=re.I)
    s = re.sub(r"\b(what|how|where|who|when|why)['\u2019]re\b", r"\1 are", s, flags=re.I)
    s = re.sub(r"\bwhats\b", "what is", s, flags=re.I)
    s = re.sub(r"\bwheres\b", "where is", s, flags=re.I)
    s = re.sub(r"\bhows\b", "how is", s, flags=re.I)
    s = re.sub(r"\bwanna\b", "want to", s, flags=re.I)
    s = re.sub(r"\bgonna\b", "going to", s, flags=re.I)
    return s


def strip_fillers(s):
    s = LEAD_FILLERS.sub("", s.strip())
    s = re.sub(r"^(?:and|but|also|plus|so|then)\s+", "", s, flags=re.I)
    s = re.sub(r"^please[,\s]+", "", s, flags=re.I)
    core = TRAIL_FILLERS.sub("", s)
    s2 = core if len(core.split()) >= 2 else s.rstrip("?!. ")
    return s2.strip(" ,"), s.rstrip().endswith("?")


REQ_VERBS = {
    "cancel",
    "help",
    "block",
    "freeze",
    "unfreeze",
    "unblock",
    "send",
    "disable",
    "close",
    "delete",
    "remove",
    "refund",
    "reverse",
    "check",
    "fix",
    "look",
    "assist",
    "reset",
    "change",
    "update",
    "activate",
    "terminate",
    "stop",
    "explain",
    "show",
    "give",
    "tell",
    "recommend",
    "replace",
    "investigate",
    "sort",
    "advise",
    "find",
    "return",
    "lock",
    "unlock",
    "verify",
    "confirm",
}


def build_question(qs, P):
    """qs: question string without trailing ?  -> Clause(q) or Clause(r)."""
    toks = fix_first(tokenize(qs))
    toks = [t for i, t in enumerate(toks) if not (i > 0 and low(t) in {"please", "kindly", "pls"})]
    if not toks:
        return None
    words = [low(t) for t in toks]
    if (
        len(words) > 2
        and words[0] in {"can", "could", "would", "will"}
        and words[1] in {"you", "u"}
        and words[2] in REQ_VERBS
        and not (words[2] == "tell" and len(words) > 3 and words[3] == "me")
    ):
        rt = clone(toks[2:])
        rt[0].sp = False
        return Clause("r", text=detok(swap(rt, P)))
    dtoks = swap(clone(toks), P)
    direct = detok(dtoks)
    res = deinvert(clone(toks), P)
    ind = None
    howto = None
    if res:
        mode, rt = res
        if mode == "ind":
            ind = detok(swap(rt, P))
            # how/where + I + do|can|could|should + base verb -> "how to ..."
            words = [low(t) for t in toks]
            if (
                len(words) > 3
                and words[0] in {"how", "where"}
                and words[2] == "i"
                and words[1] in {"do", "can", "could", "should"}
                and words[3] in BASE_VERBS - {"need", "have", "want"}
            ):
                howto = words[0] + " to " + detok(swap(clone(toks[3:]), P))
        else:
            ind = detok(swap(clone(rt), P))
    words = [low(t) for t in toks]
    if ind is not None and words[0] in AUX:
        ind = "\x00" + ind  # marker: needs "whether/if"
    return Clause("q", ind=ind, direct=direct, howto=howto)


def convert_sentence(sent, P, label=None):
    s, qmark = strip_fillers(expand_contractions(sent))
    if re.match(r"(?i)^am\s+(?!i\b)", s):
        s = "I " + s
    if not s or not re.search(r"[A-Za-z]", s):
        return None
    # embedded question prefixes
    for rx, how in EMBED_PREFIX:
        m = rx.match(s)
        if m and len(s) > m.end() + 2:
            rem = s[m.end() :]
            rem = re.sub(r"^(?:please|pls)\s+", "", rem, flags=re.I)
            first = rem.split()[0].lower()
            if how == "about" or first == "about":
                rem2 = re.sub(r"^about\s+", "", rem, flags=re.I)
                txt = detok(swap(fix_first(tokenize(rem2)), P))
                return Clause("q", ind="about " + txt, direct=None, about=True)
            if first in WH or first in {"if", "whether"}:
                cl = build_question(rem, P)
                if cl and cl.ind and cl.ind.startswith("\x00"):
                    cl.ind = cl.ind[1:]
                if (
                    cl
                    and cl.kind == "q"
                    and cl.ind
                    and cl.direct
                    and cl.ind.replace(" ", "") == cl.direct.replace(" ", "")
                ):
                    cl.direct = None
                if cl and first in {"if", "whether"}:
                    cl.ind = detok(swap(fix_first(tokenize(rem)), P))
                    cl.direct = None
                if cl:
                    return cl
            if first in AUX:
                return build_question(rem, P)
            # "tell me the fee for X" -> about
            txt = detok(swap(fix_first(tokenize(rem)), P))
            return Clause("q", ind="about " + txt, direct=None, about=True)
    words = s.split()
    first = re.sub(r"[^a-z']", "", words[0].lower())
    if (
        len(words) > 2
        and first
        in {
            "approximately",
            "roughly",
            "exactly",
            "just",
            "basically",
            "honestly",
            "seriously",
            "generally",
            "and",
            "but",
            "so",
            "also",
            "ok",
            "okay",
            "then",
        }
        and re.sub(r"[^a-z']", "", words[1].lower()) in Q_START
    ):
        s = s.split(None, 1)[1]
        words = s.split()
        first = re.sub(r"[^a-z']", "", words[0].lower())
    if first in SUBORD or first in PREPS:
        m = re.match(
            r"^(.+?),\s*((?:how|why|what|where|when|which|can|could|will|would|is|"
            r"are|am|do|does|did|should|shall|may|has|have|was|were)\b.+)$",
            s,
            re.I,
        )
        if m:
            cl = build_question(m.group(2), P)
            sub = detok(swap(fix_first(tokenize(m.group(1))), P))
            if cl and len(m.group(1).split()) > 8:
                return [Clause("s", text=sub, label_text=None), cl]
            if cl:
                if cl.ind:
                    cl.ind = cl.ind + " " + sub
                cl.direct = sub + ", " + (cl.direct or "")
                cl.howto = None
                return cl
        if qmark:
            toks = fix_first(tokenize(s))
            return Clause("q", ind=None, direct=detok(swap(toks, P)))
    if first in Q_START:
        cl = build_question(s, P)
        if cl:
            return cl
    if first in IMPERATIVES and first not in {"i"}:
        toks = fix_first(tokenize(s))
        txt = detok(swap(toks, P))
        return Clause("r", text=txt)
    toks = fix_first(tokenize(s))
    nwords = len([t for t in toks if is_word(t)])
    has_verbish = any(
        low(t) in AUX
        or low(t) in BASE_VERBS
        or low(t).endswith("ed")
        or low(t)
        in {
            "i",
            "i'm",
            "im",
            "i've",
            "my",
            "me",
            "there's",
            "it's",
            "isn't",
            "won't",
            "can't",
            "doesn't",
        }
        or (
            low(t).endswith("s")
            and low(t) in {"needs", "wants", "takes", "seems", "says", "shows", "keeps"}
        )
        for t in toks
    )
    if nwords <= 5 and not has_verbish:
        words_l = [low(t) for t in toks if is_word(t)]
        if not words_l or " ".join(words_l) in COURTESY:
            return None
        if words_l[0] in PREPS:
            return Clause("f", text=detok(toks), cont=True)
        np = not (
            set(words_l)
            & {
                "not",
                "totally",
                "that's",
                "now",
                "what",
                "so",
                "really",
                "very",
                "error",
                "unacceptable",
                "ridiculous",
                "apparently",
                "instead",
            }
        ) and not re.search(r"\d", s)
        return Clause("f", text=detok(toks), np=np)
    txt = detok(swap(clone(toks), P))
    lab = detok(swap(clone(toks), P, subj_label=label)) if label else None
    if lab is not None and low(toks[0]) not in {"i", "i'm", "im", "i've", "ive"}:
        lab = None
    return Clause("s", text=txt, label_text=lab, about=qmark)


def convert(text, P, label=None):
    clauses = []
    sents = []
    for sent in split_sentences(text):
        m = re.match(
            r"^(.{6,}?)[,;]?\s+(?:so |and )?(?:please|pls|kindly)\s+(\w.{4,})$", sent, re.I
        )
        if (
            m
            and m.group(2).split()[0].lower() in IMPERATIVES
            and len(m.group(1).split()) >= 3
            and m.group(1).split()[0].lower() not in Q_START
        ):
            sents += [m.group(1), m.group(2)]
        else:
            sents.append(sent)
    for sent in sents:
        try:
            c = convert_sentence(sent, P, label)
        except Exception:  # never fail a row: fall back to a quote
            c = None
        if c is None:
            continue
        if isinstance(c, list):
            clauses.extend(c)
            continue
        if c.kind == "f" and c.cont and clauses:
            p = clauses[-1]
            if p.kind == "q":
                if p.ind:
                    p.ind += " " + c.text
                if p.direct:
                    p.direct += " " + c.text
                if p.howto:
                    p.howto += " " + c.text
            else:
                p.text += " " + c.text
                if p.label_text:
                    p.label_text += " " + c.text
            continue
        clauses.append(c)
    return clauses


# ===================================================================== notes
# ------------------------------------------------------------ reason codes
REASON = {
    "activate_my_card": ("Card", "Activation"),
    "card_arrival": ("Card", "Delivery"),
    "card_delivery_estimate": ("Card", "Delivery"),
    "card_about_to_expire": ("Card", "Renewal"),
    "card_acceptance": ("Card", "Acceptance"),
    "card_linking": ("Card", "Link card"),
    "card_not_working": ("Card", "Not working"),
    "contactless_not_working": ("Card", "Contactless"),
    "get_disposable_virtual_card": ("Card", "Virtual"),
    "getting_virtual_card": ("Card", "Virtual"),
    "virtual_card_not_working": ("Card", "Virtual"),
    "disposable_card_limits": ("Card", "Virtual"),
    "order_physical_card": ("Card", "New card"),
    "get_physical_card": ("Card", "New card"),
    "getting_spare_card": ("Card", "Additional card"),
    "lost_or_stolen_card": ("Card", "Lost/Stolen"),
    "compromised_card": ("Card", "Compromised"),
    "card_swallowed": ("Card", "Retained by ATM"),
    "change_pin": ("Card", "PIN"),
    "pin_blocked": ("Card", "PIN"),
    "visa_or_mastercard": ("Card", "Scheme"),
    "declined_card_payment": ("Payments", "Declined"),
    "pending_card_payment": ("Payments", "Pending"),
    "card_payment_not_recognised": ("Payments", "Unrecognised"),
    "direct_debit_payment_not_recognised": ("Payments", "Direct Debit"),
    "card_payment_fee_charged": ("Payments", "Fees"),
    "card_payment_wrong_exchange_rate": ("Payments", "FX rate"),
    "reverted_card_payment?": ("Payments", "Reversal"),
    "transaction_charged_twice": ("Payments", "Duplicate"),
    "Refund_not_showing_up": ("Payments", "Refunds"),
    "request_refund": ("Payments", "Refunds"),
    "extra_charge_on_statement": ("Payments", "Statement query"),
    "atm_support": ("Cash", "ATM"),
    "cash_withdrawal_charge": ("Cash", "Fees"),
    "declined_cash_withdrawal": ("Cash", "Declined"),
    "pending_cash_withdrawal": ("Cash", "Pending"),
    "cash_withdrawal_not_recognised": ("Cash", "Unrecognised"),
    "wrong_amount_of_cash_received": ("Cash", "Wrong amount"),
    "wrong_exchange_rate_for_cash_withdrawal": ("Cash", "FX rate"),
    "cancel_transfer": ("Transfers", "Cancel"),
    "declined_transfer": ("Transfers", "Declined"),
    "failed_transfer": ("Transfers", "Failed"),
    "transfer_fee_charged": ("Transfers", "Fees"),
    "pending_transfer": ("Transfers", "Pending"),
    "transfer_not_received_by_recipient": ("Transfers", "Not received"),
    "transfer_timing": ("Transfers", "Timescales"),
    "beneficiary_not_allowed": ("Transfers", "Beneficiary"),
    "receiving_money": ("Transfers", "Incoming"),
    "transfer_into_account": ("Transfers", "Incoming"),
    "balance_not_updated_after_bank_transfer": ("Transfers", "Incoming"),
    "automatic_top_up": ("Top-up", "Auto top-up"),
    "pending_top_up": ("Top-up", "Pending"),
    "top_up_by_bank_transfer_charge": ("Top-up", "Fees"),
    "top_up_by_card_charge": ("Top-up", "Fees"),
    "top_up_by_cash_or_cheque": ("Top-up", "Cash/Cheque"),
    "balance_not_updated_after_cheque_or_cash_deposit": ("Top-up", "Cash/Cheque"),
    "top_up_failed": ("Top-up", "Failed"),
    "top_up_limits": ("Top-up", "Limits"),
    "top_up_reverted": ("Top-up", "Reversal"),
    "topping_up_by_card": ("Top-up", "By card"),
    "verify_top_up": ("Top-up", "Verification"),
    "exchange_charge": ("FX", "Fees"),
    "exchange_rate": ("FX", "Rates"),
    "exchange_via_app": ("FX", "Exchange"),
    "fiat_currency_support": ("FX", "Currencies"),
    "supported_cards_and_currencies": ("FX", "Currencies"),
    "age_limit": ("Account", "Eligibility"),
    "country_support": ("Account", "Eligibility"),
    "edit_personal_details": ("Account", "Personal details"),
    "terminate_account": ("Account", "Closure"),
    "passcode_forgotten": ("Security", "Passcode"),
    "lost_or_stolen_phone": ("Security", "Device"),
    "apple_pay_or_google_pay": ("Card", "Mobile wallet"),
    "unable_to_verify_identity": ("Onboarding", "ID verification"),
    "verify_my_identity": ("Onboarding", "ID verification"),
    "why_verify_identity": ("Onboarding", "ID verification"),
    "verify_source_of_funds": ("Onboarding", "Source of funds"),
}
GENERIC_REASONS = [
    "General enquiry",
    "General Enquiry",
    "Other",
    "Misc",
    "Account servicing",
    "Servicing > General",
    "Query",
    "Info request",
    "N/A",
]


def reason(rng, cat, sep=None):
    top, sub = REASON.get(cat, ("General", "Other"))
    r = rng.random()
    sep = sep or rng.choice([" > ", " > ", "/", " - ", ": "])
    if r < 0.38:
        return top + sep + sub
    if r < 0.80:
        return top + rng.choice(["", "", sep + "General", sep + "Enquiry", " query"])
    return rng.choice(GENERIC_REASONS)


# ------------------------------------------------------------ vocabulary
FIRST = [
    "James",
    "Priya",
    "Tom",
    "Aisha",
    "Liam",
    "Sofia",
    "Marek",
    "Chloe",
    "Daniel",
    "Fatima",
    "Owen",
    "Grace",
    "Ravi",
    "Hannah",
    "Kwame",
    "Zoe",
    "Luca",
    "Emma",
    "Tariq",
    "Ella",
    "Ben",
    "Niamh",
    "Sam",
    "Jade",
    "Connor",
    "Mei",
    "Josh",
    "Amira",
    "Kieran",
    "Beth",
    "Ollie",
    "Leah",
    "Ade",
    "Katie",
    "Ryan",
    "Nadia",
    "Jack",
    "Sara",
    "Dev",
    "Holly",
]
LAST = [
    "Patel",
    "Smith",
    "Osei",
    "Nowak",
    "Jones",
    "Khan",
    "Murphy",
    "Garcia",
    "Brown",
    "Okafor",
    "Evans",
    "Rossi",
    "Walsh",
    "Ahmed",
    "Taylor",
    "Kowalski",
    "Hughes",
    "Singh",
    "Doyle",
    "Nguyen",
    "Wilson",
    "Mensah",
    "Clarke",
    "Silva",
    "Reid",
    "Fischer",
    "Hall",
    "Begum",
    "Moore",
    "Lewis",
    "Chen",
    "Kaur",
    "Ward",
    "Byrne",
]
CUST_LAST = [
    "Jensen",
    "Okoro",
    "Hart",
    "Lindqvist",
    "Baker",
    "Dubois",
    "Ferreira",
    "Mahmood",
    "Novak",
    "Price",
    "Quinn",
    "Sharma",
    "Turner",
    "Webb",
    "Young",
    "Adeyemi",
    "Bell",
    "Costa",
    "Ellis",
    "Grant",
    "Haddad",
    "Ivanova",
    "Kerr",
    "Lopez",
    "Marsh",
    "Nolan",
    "Owusu",
    "Perez",
    "Rahman",
    "Stone",
]

IDV = [
    "ID&V passed",
    "ID&V ok",
    "ID&V complete",
    "ID&V passed (DOB + postcode)",
    "ID&V ok - DOB/addr",
    "DPA passed",
    "DPA ok",
    "verified via OTP",
    "2FA ok",
    "security Qs answered",
    "ID&V failed x1 then passed",
    "KBA passed",
    "DOB + postcode confirmed",
    "verified w/ DOB & last 4",
    "ID&V done",
    "passed security",
    "full ID&V",
    "ID&V - pass",
    "verified cx",
    "cx verified",
]
IDV_FORMAL = [
    "Identity verified with DOB and postcode",
    "Passed security",
    "Caller verified via one-time passcode",
    "ID&V completed successfully",
    "Verified customer with DOB and first line of address",
    "Security questions answered correctly",
    "DPA completed",
]
MOOD = [
    "cx irate",
    "cx v. frustrated",
    "cx calm",
    "cx polite",
    "cx upset",
    "cx annoyed",
    "cx happy w/ outcome",
    "cx stressed",
    "cx friendly",
    "cx impatient",
    "cx abusive at start, calmed down",
    "cx confused",
    "cx grateful",
    "cx tired",
    "cx short-tempered",
    "cx v. pleasant",
]
CHATTER = [
    "dog barking in bg",
    "bad line, had to repeat twice",
    "cx on speaker in car",
    "cx at work so kept it brief",
    "cx chatty, talked abt the weather",
    "cx thanked me for patience",
    "cx annoyed abt queue time",
    "cx said she'd tried ringing earlier",
    "kids in bg",
    "cx apologised for the noise",
    "cx asked for my name for ref",
    "gave cx my name + case no.",
    "cx in a rush",
    "cx hard of hearing, spoke slowly",
    "call dropped once, cx rang back",
    "cx prefers email contact",
    "cx eating during call lol",
    "cx mentioned the football last night",
    "cx said it's been a long week",
    "long silence while cx found glasses",
    "cx wanted to complain abt hold music",
    "cx said the IVR was confusing",
    "cx asked if call is recorded - confirmed yes",
    "cx on lunch break",
    "echo on line",
    "cx asked how my day was",
    "cx had to put me on hold briefly",
    "cx's partner also on the line, cx gave consent",
    "cx mentioned it's raining there",
    "cx laughed abt the hold music",
]
PRE_ACT = [
    "checked acct",
    "reviewed acct notes",
    "checked previous contacts - none",
    "checked acct, no holds",
    "checked notes on file",
    "reviewed case history",
    "pulled up acct",
    "checked acct status - active",
    "no prior contacts on this",
    "checked KB",
    "looked at acct",
    "checked for open cases - none",
    "acct status ok",
    "checked CRM history",
]
OUTCOME_ACT = {
    "resolved": [
        "advised cx",
        "explained process to cx",
        "sent KB link",
        "sent help centre article",
        "walked cx through the steps",
        "cx happy w/ info",
        "provided info, cx satisfied",
        "confirmed next steps w/ cx",
        "no further action req'd",
        "resolved on call",
        "advised accordingly",
        "gave cx the info",
        "sent FAQ link via email",
        "explained T&Cs",
    ],
    "escalated": [
        "escalated to tier 2",
        "raised ticket w/ back office",
        "passed to specialist team",
        "referred to T2 - ticket raised",
        "esc to ops, SLA 48h",
        "consulted TL, escalated",
        "raised to 2nd line",
        "ticket raised for investigation",
    ],
    "pending": [
        "awaiting cx response",
        "emailed cx for more info",
        "sent secure msg, awaiting reply",
        "asked cx to reply w/ more details",
        "waiting on cx to confirm details",
        "pending cx reply",
    ],
    "callback": [
        "callback booked for tmrw am",
        "will call cx back once reviewed",
        "CB scheduled",
        "offered callback, cx accepted",
        "cx to be called back by EOD",
    ],
    "closed": [
        "closed - no response",
        "no reply from cx after 2 attempts, closing",
        "auto-closed after 7d no response",
        "closing case - cx did not respond",
        "no response, case closed",
    ],
}
WRAP = {
    "resolved": [
        "Resolved - FCR",
        "RES-FCR",
        "Info provided",
        "ADV",
        "Advice given",
        "Resolved",
        "RESOLVED",
        "Query answered",
        "FCR",
    ],
    "escalated": ["Escalated T2", "ESC-T2", "Referred", "Escalated", "ESCALATED"],
    "pending": ["Pending cx", "Awaiting cx", "PEND", "Pending", "On hold - cx"],
    "callback": ["Callback scheduled", "CB", "Callback", "Follow-up req'd"],
    "closed": ["Closed - no response", "CNR", "Closed", "Closed NR"],
}
OUTCOMES = (
    ["resolved"] * 9 + ["escalated"] * 3 + ["pending"] * 3 + ["callback"] * 2 + ["closed"] * 3
)
NEXT = {
    "resolved": [
        "nfa",
        "NFA",
        "no further action",
        "cx to call back if needed",
        "case closed",
        "closing case",
        "none",
    ],
    "escalated": [
        "T2 to review",
        "await T2 update",
        "chase in 48h",
        "f/u once T2 replies",
        "monitor ticket",
    ],
    "pending": ["chase in 48h if no reply", "f/u tmrw", "await cx reply", "set reminder"],
    "callback": ["CB tmrw", "call cx back pm", "f/u call in 24h", "callback booked"],
    "closed": ["case closed", "closed", "nfa"],
}


def dur(rng):
    m, s = rng.randint(1, 24), rng.randint(0, 59)
    return rng.choice(
        [f"{m}m{s:02d}s", f"00:{m:02d}:{s:02d}", f"{m}:{s:02d}", f"{m} mins", f"{m}m", f"~{m} min"]
    )


def agent_name(rng, form=None):
    f, last = rng.choice(FIRST), rng.choice(LAST)
    form = form or rng.choice(["init", "initdot", "full", "first", "F.Last", "flast"])
    return {
        "init": f[0] + last[0],
        "initdot": f"{f[0]}. {last}",
        "full": f"{f} {last}",
        "first": f,
        "F.Last": f"{f[0]}.{last}",
        "flast": (f[0] + last).lower(),
    }[form]


def date_fmt(rng):
    return rng.choice(["%d/%m", "%d/%m/%y", "%Y-%m-%d", "%d %b", "%d-%b-%y", "%m/%d"])


def fmt_date(fmt, day, month, year):
    mons = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return (
        fmt.replace("%d", f"{day:02d}")
        .replace("%m", f"{month:02d}")
        .replace("%Y", str(year))
        .replace("%y", str(year)[2:])
        .replace("%b", mons[month - 1])
    )


class Clock:
    def __init__(self, rng):
        self.rng = rng
        self.day = rng.randint(1, 27)
        self.month = rng.randint(1, 12)
        self.year = rng.choice([2022, 2023, 2024, 2025])
        self.h = rng.randint(8, 19)
        self.m = rng.randint(0, 59)
        self.fmt = date_fmt(rng)

    def tick(self, small=True):
        if small or self.rng.random() < 0.6:
            self.m += self.rng.randint(1, 25)
        else:
            self.day = min(self.day + self.rng.randint(1, 3), 28)
            self.h = self.rng.randint(8, 18)
            self.m = self.rng.randint(0, 59)
        while self.m >= 60:
            self.m -= 60
            self.h += 1
        if self.h > 21:
            self.h = 21

    def date(self):
        return fmt_date(self.fmt, self.day, self.month, self.year)

    def time(self, secs=False):
        t = f"{self.h:02d}:{self.m:02d}"
        return t + (f":{self.rng.randint(0, 59):02d}" if secs else "")


# ------------------------------------------------------------ shorthand / typos
ABBR = [
    (r"\baccounts\b", ["accts"]),
    (r"\baccount\b", ["acct", "acct", "a/c", "acc"]),
    (r"\bpayments\b", ["pmts"]),
    (r"\bpayment\b", ["pmt", "pymt", "pmt"]),
    (r"\btransactions\b", ["txns", "trans"]),
    (r"\btransaction\b", ["txn", "trans", "txn"]),
    (r"\bbalance\b", ["bal"]),
    (r"\btransfers\b", ["trfs", "xfers", "transfers"]),
    (r"\btransfer\b", ["trf", "xfer", "tfr", "transfer"]),
    (r"\bbecause\b", ["b/c", "bc", "cos"]),
    (r"\bwithout\b", ["w/o"]),
    (r"\bwith\b", ["w/", "w/"]),
    (r"\bplease\b", ["pls"]),
    (r"\binformation\b", ["info"]),
    (r"\bnumber\b", ["no.", "#", "num"]),
    (r"\bregarding\b", ["re:", "re"]),
    (r"\babout\b", ["abt", "re", "about"]),
    (r"\bapproximately\b", ["approx"]),
    (r"\binternational\b", ["intl"]),
    (r"\breceived\b", ["rec'd", "recvd", "rcvd"]),
    (r"\bapplication\b", ["app"]),
    (r"\bverification\b", ["verif", "verification"]),
    (r"\bidentity\b", ["ID"]),
    (r"\bstatement\b", ["stmt"]),
    (r"\bwithdrawal\b", ["w/d", "withdrawal"]),
    (r"\bdirect debit\b", ["DD"]),
    (r"\bexchange rate\b", ["FX rate", "exch rate"]),
    (r"\bcustomer\b", ["cx", "cust"]),
    (r"\bthrough\b", ["thru"]),
    (r"\btomorrow\b", ["tmrw"]),
    (r"\bmessage\b", ["msg"]),
    (r"\bbefore\b", ["b4", "before"]),
    (r"\brequested\b", ["req'd"]),
    (r"\brequest\b", ["req"]),
    (r"\badvised\b", ["adv'd", "adv"]),
    (r"\band\b", ["&", "+", "and", "and"]),
    (r"\bsomething\b", ["smth", "sth"]),
    (r"\bdocuments\b", ["docs"]),
    (r"\bbusiness\b", ["biz"]),
    (r"\bthanks\b", ["thx"]),
    (r"\bwhether\b", ["if"]),
    (r"\bcannot\b", ["can't", "cant"]),
    (r"\bdoesn't\b", ["doesnt"]),
    (r"\bdon't\b", ["dont"]),
    (r"\bcan't\b", ["cant"]),
    (r"\bisn't\b", ["isnt"]),
    (r"\bwants to know\b", ["wants to know", "wtk"]),
    (r"\bcurrency\b", ["ccy", "currency"]),
    (r"\bminutes\b", ["mins"]),
]
ABBR_RX = [(re.compile(a, re.I), b) for a, b in ABBR]


def shorthand(s, rng, p=0.6, drop_articles=0.3):
    for rx, alts in ABBR_RX:

        def rep(m, alts=alts):
            if rng.random() < p:
                r = rng.choice(alts)
                return r
            return m.group(0)

        s = rx.sub(rep, s)
    if drop_articles:
        s = re.sub(
            r"\b(?:the|a|an) (?=\w)",
            lambda m: "" if rng.random() < drop_articles else m.group(0),
            s,
        )
    return s


COMMON_TYPO = {
    "receive": "recieve",
    "received": "recieved",
    "account": "acount",
    "definitely": "definately",
    "transfer": "tranfer",
    "payment": "paymnet",
    "because": "becuase",
    "the": "teh",
    "and": "adn",
    "with": "wiht",
    "advised": "advsied",
    "customer": "custoemr",
    "wants": "wnats",
    "asked": "aksed",
    "called": "caled",
    "checked": "chekced",
    "their": "thier",
    "which": "whcih",
    "would": "woudl",
    "separately": "seperately",
    "immediately": "immediatly",
    "again": "agian",
    "response": "reponse",
    "through": "thru",
    "until": "untill",
    "know": "konw",
    "whether": "wether",
}


def typo_word(w, rng):
    lw = w.lower()
    if lw in COMMON_TYPO and rng.random() < 0.5:
        return COMMON_TYPO[lw]
    if len(w) < 4 or not w.isalpha():
        return w
    i = rng.randint(1, len(w) - 2)
    k = rng.random()
    if k < 0.4:
        return w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    if k < 0.7:
        return w[:i] + w[i + 1 :]
    return w[:i] + w[i] + w[i:]


PROTECT = set()  # content words of the current query; set per row in make_note


def add_typos(s, rng, n):
    """n typos on words outside double quotes; at most one on a query word."""
    if n <= 0:
        return s
    parts = re.split(r'("[^"]*")', s)
    free, prot = [], []
    for pi, part in enumerate(parts):
        if part.startswith('"'):
            continue
        for m in re.finditer(r"[A-Za-z]{3,}", part):
            (prot if m.group(0).lower() in PROTECT else free).append((pi, m.start(), m.end()))
    picks = rng.sample(free, min(n, len(free)))
    if prot and len(picks) < n and rng.random() < 0.5:
        picks.append(rng.choice(prot))
    elif prot and picks and rng.random() < 0.15:
        picks[-1] = rng.choice(prot)
    if not picks:
        return s
    picks = sorted(set(picks), key=lambda x: (x[0], -x[1]))
    for pi, a, b in picks:
        part = parts[pi]
        parts[pi] = part[:a] + typo_word(part[a:b], rng) + part[b:]
    return "".join(parts)


def n_typos(rng, rate=1.0):
    r = rng.random()
    if r < 0.55 / rate:
        return 0
    if r < 0.9:
        return 1
    return 2


def cap(s):
    return s[:1].upper() + s[1:] if s else s


def runon(s):
    s = re.sub(r'["()\[\]|;:,.!?]+(?=\s|$)', "", s)
    s = re.sub(r'["()\[\]|]', "", s)
    s = re.sub(r"\s+-\s+", " ", s)
    s = re.sub(r"\s+", " ", s)
    return s.lower().strip()


# ------------------------------------------------------------ clause rendering
Q_VERBS = {
    "past": ["asked", "asked", "wanted to know", "enquired", "queried", "asked us"],
    "pres": [
        "asks",
        "wants to know",
        "is asking",
        "is enquiring",
        "would like to know",
        "is querying",
        "asks",
    ],
    "prog": ["asking", "asking", "enquiring", "wanting to know", "querying", "asking us"],
    "abbr": ["asked", "asking", "wants to know", "q'd", "asking", "enq"],
}
S_VERBS = {
    "past": ["stated", "said", "advised", "reported", "mentioned", "explained", "advised"],
    "pres": ["states", "says", "advises", "reports", "is saying", "explains"],
    "prog": ["stating", "saying", "advising", "reporting", "explaining"],
    "abbr": ["adv", "adv'd", "states", "says", "c/o", "reports", "advised"],
}
R_VERBS = {
    "past": ["asked us to", "wanted us to", "requested we", "asked if we could"],
    "pres": ["wants us to", "is asking us to", "would like us to", "requests we"],
    "prog": ["asking us to", "requesting we", "wanting us to"],
    "abbr": ["wants us to", "req'd we", "asking us to", "wants us to"],
}
F_VERBS = {
    "past": ["asked about", "enquired re:", "called re:", "asked re"],
    "pres": ["is asking about", "is enquiring about", "has a query re:"],
    "prog": ["enquiring re:", "asking about", "querying"],
    "abbr": ["re:", "enq re", "asking abt", "query re:"],
}
WHETHER = ["whether", "if", "if", "whether"]


def q_comp(c, rng, allow_direct=True):
    """Complement for a question clause + whether it is a direct question."""
    if c.howto and rng.random() < 0.5:
        return c.howto, False
    if c.ind and not (allow_direct and c.direct and rng.random() < 0.15):
        ind = c.ind
        if ind.startswith("\x00"):
            ind = rng.choice(WHETHER) + " " + ind[1:]
        return ind, False
    if c.direct:
        return c.direct, True
    if c.ind:
        return c.ind.lstrip("\x00"), False
    return "", False


def render_clause(c, rng, tense, lead=True):
    """Render one clause as a predicate (without the subject label)."""
    if c.kind == "q":
        comp, direct = q_comp(c, rng)
        if c.about:
            v = rng.choice(
                {
                    "past": ["asked", "enquired", "wanted info"],
                    "pres": ["is asking", "is enquiring", "wants info"],
                    "prog": ["asking", "enquiring", "wanting info"],
                    "abbr": ["asking", "enq", "wants info"],
                }[tense]
            )
            return f"{v} {comp}"
        v = rng.choice(Q_VERBS[tense])
        if direct:
            v = v.replace(" us", "")
            sep = rng.choice([" ", ": ", " - ", " "])
            return f"{v}{sep}{comp}?"
        return f"{v} {comp}"
    if c.kind == "s":
        v = rng.choice(S_VERBS[tense])
        return f"{v} {c.text}"
    if c.kind == "r":
        return f"{rng.choice(R_VERBS[tense])} {c.text}"
    if not c.np:
        return f'{rng.choice(["said", "added", "commented", "says", "wrote"])} "{c.text}"'
    return f"{rng.choice(F_VERBS[tense])} {c.text}"


def render_report(clauses, rng, label, tense, P, fuse=0.5, pronoun_label=False):
    """Join clauses into reported speech: 'cx asked whether ... and said ...'."""
    out = []
    for i, c in enumerate(clauses):
        if i == 0:
            if c.kind == "s" and pronoun_label and c.text.split()[0] == P.subj:
                out.append(c.text)
            elif c.kind == "s" and c.label_text and rng.random() < fuse:
                out.append(c.label_text)
            else:
                out.append(f"{label} {render_clause(c, rng, tense)}")
            continue
        conn = rng.choice([" and ", "; ", ", ", ". ", " - ", ". Also "])
        if c.kind == "s":
            if conn in (". ", ". Also ") and rng.random() < 0.5:
                piece = (
                    cap(c.text)
                    if c.text.split()[0] == P.subj
                    else cap(P.subj) + " " + render_clause(c, rng, tense)
                )
                conn = ". "
            elif rng.random() < 0.4:
                piece = c.text
                conn = rng.choice([", ", "; ", " - ", " and "])
            else:
                piece = render_clause(c, rng, tense)
                if conn.startswith(". "):
                    piece = cap(piece)
        else:
            piece = render_clause(c, rng, tense)
            if conn == ". ":
                piece = cap(piece)
            elif conn == ". Also ":
                pass
        out.append(conn + piece)
    s = "".join(out)
    s = re.sub(r"\?(?=[;,] )", "?", s)
    return s


# ------------------------------------------------------------ styles
def pick_person(rng):
    return Person(rng.choice(["she", "she", "he", "he", "they"]))


def honorific(rng, P):
    t = {"she": ["Ms", "Mrs", "Miss", "Ms."], "he": ["Mr", "Mr."], "they": ["Mx"]}[P.g]
    return f"{rng.choice(t)} {rng.choice(CUST_LAST)}"


class Ctx:
    def __init__(self, row, rng):
        self.row = row
        self.rng = rng
        self.text = row["text"]
        self.cat = row.get("category", "")
        self.P = pick_person(rng)
        self.outcome = rng.choice(OUTCOMES)

    def clauses(self, label):
        cl = convert(self.text, self.P, label=label)
        if not cl:
            cl = [Clause("s", text='"' + self.text.strip() + '"')]
        return cl

    def report(self, label, tense, fuse=0.5, pronoun_label=False):
        lab_for_conv = None if pronoun_label else label
        return render_report(
            self.clauses(lab_for_conv),
            self.rng,
            label,
            tense,
            self.P,
            fuse=fuse,
            pronoun_label=pronoun_label,
        )

    def act(self, n=1):
        return self.rng.sample(OUTCOME_ACT[self.outcome], min(n, len(OUTCOME_ACT[self.outcome])))

    def pre(self):
        return self.rng.choice(PRE_ACT)

    def wrap(self):
        return self.rng.choice(WRAP[self.outcome])

    def nxt(self):
        return self.rng.choice(NEXT[self.outcome])


def quote_text(t):
    return t.strip().replace('"', "'")


def st_shorthand(x):
    """1. cx adv ... one/two-liner in agent shorthand."""
    rng = x.rng
    label = rng.choice(["cx", "cx", "CX", "cust", "Cx", "cst"])
    body = x.report(label, rng.choice(["past", "abbr", "prog", "pres"]), fuse=0.6)
    body = shorthand(body, rng, p=0.55)
    bits = [body]
    if rng.random() < 0.6:
        bits.insert(rng.choice([0, 1]), rng.choice(IDV))
    if rng.random() < 0.5:
        bits.append(x.pre())
    bits += x.act(rng.choice([1, 1, 2]))
    if rng.random() < 0.25:
        bits.append(rng.choice(MOOD))
    if rng.random() < 0.35:
        bits.append(x.nxt())
    sep = rng.choice([". ", ". ", ", ", " - ", " / ", ". "])
    s = sep.join(bits)
    if rng.random() < 0.55:
        s = s.lower()
    if rng.random() < 0.3:
        s = rng.choice(["IB call: ", "inbound - ", "chat: ", "call: ", ""]) + s
    return add_typos(s, rng, n_typos(rng))


def st_member(x):
    """2. credit-union style: Member called in / Member reports ..."""
    rng = x.rng
    label = rng.choice(["Member", "Member", "Mbr", "The member", "Member"])
    opening = rng.choice(
        [
            "Member called in.",
            "Member called in today.",
            "Mbr called.",
            "Member came into branch.",
            "Member called the contact center.",
            "Received call from member.",
            "Member called in on the main line.",
        ]
    )
    idv = rng.choice(
        [
            "Verified member with DOB and last 4 of SSN.",
            "Verified member w/ security word.",
            "Member verified via OTP.",
            "Verified member using DOB and address.",
            "Member passed verification.",
            "Verified mbr identity.",
        ]
    )
    body = cap(x.report(label, rng.choice(["pres", "past", "pres"]), fuse=0.5)) + "."
    acts = {
        "resolved": [
            "Advised member of the process.",
            "Provided member with the information.",
            "Explained to member and sent link to help article.",
            "Member was satisfied with the information provided.",
            "Answered member's questions.",
        ],
        "escalated": [
            "Escalated to back office for review.",
            "Sent to Tier 2 for review.",
            "Referred to supervisor; ticket opened.",
        ],
        "pending": [
            "Asked member to send more details via secure message.",
            "Waiting on member to reply to secure message.",
        ],
        "callback": ["Will call member back once reviewed.", "Set up a callback for tomorrow."],
        "closed": [
            "No response from member after follow-up, closing.",
            "Closed - member did not respond.",
        ],
    }[x.outcome]
    parts = [opening, idv, body] if rng.random() < 0.7 else [opening, body, idv]
    if rng.random() < 0.4:
        parts.append(cap(x.pre()) + ".")
    parts.append(rng.choice(acts))
    if rng.random() < 0.3:
        parts.append(
            rng.choice(
                [
                    "Member thanked me for the help.",
                    "Member was upset.",
                    "Member was very polite.",
                    "Member in a hurry.",
                    "Member asked about my weekend, chatted briefly.",
                ]
            )
        )
    if rng.random() < 0.3:
        parts.append(
            rng.choice(
                [
                    "Nothing further.",
                    "No further action needed.",
                    "Call ended.",
                    "Member had no other questions.",
                ]
            )
        )
    return add_typos(" ".join(parts), rng, n_typos(rng, 0.8))


def st_client_re(x):
    """3. Client called re: ...; uses pronouns for the rest."""
    rng = x.rng
    who = rng.choice(["Client", "Customer", "Caller", honorific(rng, x.P), "Cust", "Cardholder"])
    top = REASON.get(x.cat, ("account", ""))[0]
    topic = rng.choice(
        [
            f"{top.lower()} query",
            f"{top} enquiry",
            "query on acct",
            "general query",
            "an enquiry",
            "acct query",
            f"{top.lower()} question",
            "query",
        ]
    )
    verb = rng.choice(
        ["called re:", "called re", "rang re:", "called in re:", "contacted us re:", "phoned re:"]
    )
    first = f"{who} {verb} {topic}."
    plabel = cap(x.P.subj)
    tense = "past" if x.P.plural else rng.choice(["past", "pres", "past"])
    body = x.report(plabel, tense, pronoun_label=True)
    body = cap(body) + "."
    idv = rng.choice(IDV_FORMAL + IDV) + "."
    parts = [first, idv, body] if rng.random() < 0.5 else [first, body, idv]
    parts.append(cap(rng.choice(x.act(2))) + ".")
    if rng.random() < 0.5:
        parts.append(rng.choice(["Next steps: ", "Next: ", "NS: ", "Action: "]) + x.nxt() + ".")
    if rng.random() < 0.3:
        parts.append(f"Call duration {dur(rng)}.")
    s = " ".join(parts)
    return add_typos(s, rng, n_typos(rng, 0.8))


def st_soap(x):
    """4. Clinical-style abbreviated note: Cx. states / C/O / S-O-A-P."""
    rng = x.rng
    label = rng.choice(["Cx.", "Cust.", "C/H", "Cx", "Pt."]) if rng.random() < 0.9 else "Cx."
    if label == "Pt.":
        label = "Cx."
    cl = x.clauses(label)
    lines = []
    for c in cl:
        if c.kind == "s":
            lines.append(
                rng.choice(
                    [
                        f"C/O: {c.text}",
                        f"{label} states {c.text}",
                        f"{label} c/o {c.text}",
                        f"Hx: {c.text}",
                        f"{label} reports {c.text}",
                    ]
                )
            )
        elif c.kind == "q":
            comp, direct = q_comp(c, rng)
            if direct:
                comp += "?"
            lines.append(
                rng.choice(
                    [
                        f"{label} asks {comp}",
                        f"Q: {comp}",
                        f"{label} enquiring {comp}",
                        f"{label} queries {comp}",
                    ]
                )
            )
        elif c.kind == "r":
            lines.append(rng.choice([f"Req: {c.text}", f"{label} requests we {c.text}"]))
        else:
            lines.append(f"Re: {c.text}")
    obj = rng.choice(["ID&V \u2713", "ID&V +", "ID&V ok", "DPA \u2713", "ID&V \u2714"])
    if rng.random() < 0.5:
        obj += ", " + rng.choice(PRE_ACT)
    assess = rng.choice(
        ["within T1 remit", "std query", "needs T2 review", "info req", "no red flags", "routine"]
    )
    if x.outcome == "escalated":
        assess = rng.choice(["needs T2 review", "outside T1 remit", "for 2nd line"])
    plan = ", ".join(x.act(rng.choice([1, 2])))
    if rng.random() < 0.5:
        s = "S: " + "; ".join(lines) + "\nO: " + obj + "\nA: " + assess + "\nP: " + plan
    else:
        s = (
            ". ".join(lines)
            + ". "
            + obj
            + ". "
            + rng.choice(["Plan: ", "Px: ", "Rx: ", "Action: "])
            + plan
            + "."
        )
    if rng.random() < 0.25:
        s += rng.choice(["\n", " "]) + rng.choice(MOOD) + "."
    return add_typos(s, rng, n_typos(rng))


def log_entries(x, q_entry, n_pre, n_post):
    """Entries (texts) for a case log around the question entry."""
    rng = x.rng
    pre_pool = [
        "case created via IVR",
        "chat started",
        "inbound call",
        "case opened",
        "call recv'd",
        "email recv'd - case auto-created",
        "cx called, " + rng.choice(IDV),
        rng.choice(IDV),
        "IB call - " + rng.choice(IDV),
    ]
    pre = rng.sample(pre_pool, n_pre)
    post = []
    if rng.random() < 0.6:
        post.append(x.pre())
    post += OUTCOME_ACT[x.outcome][:0] + x.act(max(1, n_post - len(post)))
    if x.outcome == "escalated" and rng.random() < 0.5:
        post.append(rng.choice(["T2 picked up", "T2 reviewing", "ack'd by T2"]))
    if x.outcome in ("pending",) and rng.random() < 0.5:
        post.append(rng.choice(["no reply yet, chased", "chased cx - awaiting response"]))
        if rng.random() < 0.5:
            post.append(rng.choice(OUTCOME_ACT["closed"]))
    if rng.random() < 0.2:
        post.insert(0, rng.choice(CHATTER))
    return [*pre, q_entry, *post]


def st_dated_log(x):
    """5. Multi-entry dated log: '03/03 14:02 JD - ...'."""
    rng = x.rng
    clk = Clock(rng)
    label = rng.choice(["cx", "cx", "caller", "cust", "CX"])
    q = x.report(label, rng.choice(["past", "abbr", "prog"]), fuse=0.5)
    if rng.random() < 0.6:
        q = shorthand(q, rng, p=0.45, drop_articles=0.2)
    if rng.random() < 0.3:
        q = rng.choice(IDV) + ". " + q
    ents = log_entries(x, q, rng.choice([0, 0, 1]), rng.choice([1, 2, 3]))
    agents = [agent_name(rng, "init").upper() for _ in range(3)]
    form = rng.choice(
        [
            "{d} {t} {a} - {e}",
            "{d} {t} {a}: {e}",
            "{d} {t} - {a} - {e}",
            "{d} {t} ({a}) {e}",
            "{t} {d} {a} {e}",
            "{d} {a} {t} {e}",
        ]
    )
    lines = []
    ag = rng.choice(agents)
    for i, e in enumerate(ents):
        if i:
            clk.tick(small=rng.random() < 0.6)
            if rng.random() < 0.4:
                ag = rng.choice(agents)
        lines.append(form.format(d=clk.date(), t=clk.time(), a=ag, e=e))
    s = rng.choice(["\n", "\n", " | ", " // "]).join(lines)
    if rng.random() < 0.4:
        s = s.lower()
    return add_typos(s, rng, n_typos(rng))


def st_bracket_log(x):
    """6. [Agent: M. Patel] entries."""
    rng = x.rng
    clk = Clock(rng)
    label = rng.choice(["Customer", "Cx", "Caller", "Client", "cx"])
    q = x.report(label, rng.choice(["past", "pres"]), fuse=0.5)
    q = cap(q)
    ents = log_entries(x, q, rng.choice([0, 1]), rng.choice([1, 2, 2, 3]))
    names = [agent_name(rng, rng.choice(["initdot", "full", "F.Last"])) for _ in range(3)]
    form = rng.choice(
        [
            "[Agent: {n}] {e}",
            "[{n}] {e}",
            "[{t}][{n}] {e}",
            "[Agent: {n} | {d} {t}] {e}",
            "{d} {t} [{n}] {e}",
            "[{d} {t} - {n}]: {e}",
        ]
    )
    lines = []
    nm = names[0]
    for i, e in enumerate(ents):
        if i:
            clk.tick(small=rng.random() < 0.6)
            if rng.random() < 0.5:
                nm = rng.choice(names)
        e = cap(e)
        if not e.endswith(("?", ".")) and rng.random() < 0.6:
            e += "."
        lines.append(form.format(n=nm, e=e, t=clk.time(), d=clk.date()))
    if rng.random() < 0.3:
        clk.tick()
        lines.append(
            form.format(
                n="System",
                e=rng.choice(
                    [
                        "Case status changed to " + x.wrap(),
                        "SLA timer started",
                        "Auto-note: survey sent",
                        "Case reassigned",
                    ]
                ),
                t=clk.time(),
                d=clk.date(),
            )
        )
    return add_typos("\n".join(lines), rng, n_typos(rng, 0.8))


def st_template(x):
    """7. Structured CRM template with fields."""
    rng = x.rng
    label = rng.choice(["Cx", "Customer", "Cust", "Caller"])
    summ = cap(x.report(label, rng.choice(["past", "pres", "prog"]), fuse=0.4))
    if rng.random() < 0.3:
        summ = shorthand(summ, rng, p=0.4, drop_articles=0.1)
    fields = []
    fields.append(
        (
            rng.choice(["Channel", "Contact type", "Source", "Medium"]),
            rng.choice(
                [
                    "Voice",
                    "Inbound call",
                    "Chat",
                    "Email",
                    "Web chat",
                    "IB Voice",
                    "Secure msg",
                    "Call",
                ]
            ),
        )
    )
    fields.append(
        (
            rng.choice(["Reason", "Contact Reason", "Call reason", "Category", "Reason code"]),
            reason(rng, x.cat),
        )
    )
    fields.append(
        (
            rng.choice(["ID&V", "DPA", "Verification", "ID&V status"]),
            rng.choice(["Passed", "Pass", "Y", "Complete", "OK", "Passed (2/3)", "Passed - OTP"]),
        )
    )
    fields.append(
        (rng.choice(["Summary", "Notes", "Details", "Issue", "Description", "Cx query"]), summ)
    )
    fields.append(
        (
            rng.choice(["Action", "Action taken", "Actions", "Resolution"]),
            cap(", ".join(([x.pre()] if rng.random() < 0.5 else []) + x.act(rng.choice([1, 2])))),
        )
    )
    fields.append((rng.choice(["Wrap", "Wrap code", "Disposition", "Outcome", "Disp"]), x.wrap()))
    if rng.random() < 0.6:
        fields.append((rng.choice(["AHT", "Duration", "Call duration", "Talk time"]), dur(rng)))
    if rng.random() < 0.35:
        fields.append(
            (
                rng.choice(["Sentiment", "Mood", "Cx mood"]),
                rng.choice(
                    ["Neutral", "Negative", "Positive", "Irate", "Calm", "Frustrated", "Happy"]
                ),
            )
        )
    if rng.random() < 0.3:
        fields.append(("FCR", "Y" if x.outcome == "resolved" else "N"))
    if rng.random() < 0.3:
        fields.append(
            (
                rng.choice(["Ref", "Case ref", "Ticket"]),
                rng.choice(["CS", "INC", "CAS-", "#"]) + str(rng.randint(100000, 9999999)),
            )
        )
    if rng.random() < 0.3:
        fields.append((rng.choice(["Next steps", "Follow-up", "F/U"]), x.nxt()))
    # keep Summary not always first; shuffle a little
    if rng.random() < 0.3:
        rng.shuffle(fields)
    sep = rng.choice(["\n", "\n", " | ", "; "])
    kv = rng.choice(["{k}: {v}", "{k}: {v}", "{k} - {v}", "{k}={v}"])
    s = sep.join(kv.format(k=k, v=v) for k, v in fields)
    if rng.random() < 0.3:
        s = s.upper() if rng.random() < 0.2 else s
    return add_typos(s, rng, n_typos(rng, 0.7))


def st_verbatim(x):
    """8. Verbatim quote of the customer + agent notes."""
    rng = x.rng
    q = quote_text(x.text)
    intro = rng.choice(
        [
            'Cust on chat: "{q}"',
            'cx said "{q}"',
            'Per cx: "{q}"',
            'Cx query (verbatim): "{q}"',
            'Caller: "{q}"',
            'cx wrote in: "{q}"',
            'Cust msg: "{q}"',
            'cx asked - "{q}"',
            '"{q}" - cx',
            'Chat - cx: "{q}"',
            'Cx states: "{q}"',
            "cx: '{q}'",
        ]
    ).format(q=q)
    bits = [intro]
    if rng.random() < 0.5:
        bits.insert(0 if rng.random() < 0.5 else 1, rng.choice(IDV))
    if rng.random() < 0.4:
        bits.append(x.pre())
    bits += x.act(rng.choice([1, 2]))
    if rng.random() < 0.3:
        bits.append(rng.choice(MOOD + CHATTER))
    if rng.random() < 0.3:
        bits.append(x.nxt())
    s = rng.choice([". ", " - ", ". ", "\n"]).join(bits)
    return add_typos(s, rng, n_typos(rng))


def st_runon(x):
    """9. lower-case run-on note with no punctuation."""
    rng = x.rng
    label = rng.choice(["cx", "cx", "caller", "cust", "customer"])
    opener = rng.choice(
        [
            "{l} called in wanting to know",
            "{l} called in",
            "{l} rang",
            "{l} on chat",
            "{l} phoned",
            "call from {l}",
            "{l} called",
        ]
    )
    cl = x.clauses(label)
    head = opener.format(l=label)
    if head.endswith("wanting to know") and cl[0].kind == "q" and not cl[0].about:
        comp, _direct = q_comp(cl[0], rng, allow_direct=False)
        first = head + " " + comp
        rest = render_report(cl[1:], rng, label, "past", x.P) if len(cl) > 1 else ""
        body = first + (" and " + rest if rest else "")
    else:
        head = head.replace(" wanting to know", "")
        body = head + " " + render_report(cl, rng, label, "prog", x.P, fuse=0.0)
        body = body.replace(f"{head} {label} ", f"{head} ")
    bits = [body]
    if rng.random() < 0.6:
        bits.insert(
            rng.choice([0, 1]),
            rng.choice(
                [
                    "verified dob and postcode",
                    "idv ok",
                    "passed security",
                    "id&v done",
                    "verified",
                    "dpa passed",
                ]
            ),
        )
    if rng.random() < 0.5:
        bits.append(x.pre())
    bits += x.act(rng.choice([1, 2]))
    if rng.random() < 0.3:
        bits.append(rng.choice(CHATTER + MOOD))
    if rng.random() < 0.4:
        bits.append(x.nxt())
    s = runon(" ".join(bits))
    s = shorthand(s, rng, p=0.3, drop_articles=0.2).lower()
    return add_typos(s, rng, n_typos(rng, 1.3))


def st_email(x):
    """10. Email / secure message ticket."""
    rng = x.rng
    subj = rng.choice(
        [
            "Query",
            "Help",
            "Question about my account",
            "URGENT",
            "(no subject)",
            "Re: your recent enquiry",
            "help pls",
            "Account",
            "Problem",
            "Complaint",
            "Quick question",
            " ".join(x.text.split()[: rng.randint(3, 6)]).rstrip(",.?!") + "...",
        ]
    )
    label = rng.choice(["Cx", "Customer", "Cust", "Sender"])
    if rng.random() < 0.45:
        summ = (
            rng.choice(["Cx writes: ", "Email body: ", "Msg: ", "Cx wrote: "])
            + '"'
            + quote_text(x.text)
            + '"'
        )
    else:
        summ = cap(x.report(label, rng.choice(["pres", "prog", "past"]), fuse=0.4))
        summ = rng.choice(["Summary: ", "Summary - ", "", "Cx query: "]) + summ
    hdr = rng.choice(
        [
            "Inbound email",
            "Secure message recv'd",
            "Email in",
            "Web form",
            "Inbound email - verified sender",
            "Contact form submission",
        ]
    )
    resp = {
        "resolved": [
            "Replied w/ info + KB link",
            "Responded w/ standard template",
            "Replied, explained process",
            "Sent macro reply",
        ],
        "escalated": [
            "Fwd to T2 queue",
            "Raised to back office, holding reply sent",
            "Assigned to specialist team",
        ],
        "pending": [
            "Replied asking for more details",
            "Asked cx to confirm details",
            "Holding reply sent",
        ],
        "callback": ["Replied offering callback", "Requested cx contact no. for callback"],
        "closed": ["Replied, no response from cx", "Sent reply; closed after 7d no reply"],
    }[x.outcome]
    status = rng.choice(["Status", "State", "Ticket status"]) + ": " + x.wrap()
    sep = rng.choice(["\n", " | ", "\n"])
    parts = [
        hdr,
        "Subj: " + subj if rng.random() < 0.5 else "Subject: " + subj,
        summ,
        rng.choice(["Response: ", "Action: ", "Reply: "]) + rng.choice(resp),
        status,
    ]
    if rng.random() < 0.3:
        parts.insert(
            1, rng.choice(["Sender matched to acct", "From: registered email", "Verified sender"])
        )
    return add_typos(sep.join(parts), rng, n_typos(rng, 0.8))


def st_escalation(x):
    """11. Escalation note to tier 2."""
    rng = x.rng
    label = rng.choice(["Cx", "Customer", "Cust", "Caller"])
    issue = cap(x.report(label, rng.choice(["past", "pres", "prog"]), fuse=0.5))
    hdr = rng.choice(
        [
            "ESCALATION - T2",
            "ESC T1>T2",
            "** ESCALATION **",
            "Escalation to 2nd line",
            "T2 REFERRAL",
            "ESC:",
        ]
    )
    steps = ", ".join([*rng.sample(PRE_ACT, 2), rng.choice(IDV)])
    why = rng.choice(
        [
            "unable to resolve at T1",
            "outside T1 permissions",
            "needs back office",
            "cx requested escalation",
            "no KB article covers this",
            "TL advised to escalate",
            "repeat contact",
        ]
    )
    exp = rng.choice(
        [
            "cx expects update within 48h",
            "cx wants call back",
            "cx wants email update",
            "cx expects resolution asap",
            "advised cx of 3-5 working day SLA",
        ]
    )
    if rng.random() < 0.5:
        sep = "\n"
        parts = [
            hdr,
            f"Issue: {issue}",
            f"Steps taken: {steps}",
            f"Reason for esc: {why}",
            f"Cx expectation: {exp}",
        ]
        if rng.random() < 0.5:
            parts.append(
                rng.choice(
                    [
                        "Pls review.",
                        "Pls advise.",
                        "Thanks.",
                        "TIA",
                        f"- {agent_name(rng, 'first')}",
                    ]
                )
            )
    else:
        sep = " "
        parts = [hdr, issue + ".", cap(steps) + ".", cap(why) + ",", "escalating.", cap(exp) + "."]
        if rng.random() < 0.5:
            parts.append(rng.choice(["Pls review.", "Pls advise.", "Thx"]))
    if rng.random() < 0.25:
        parts.insert(2, rng.choice(MOOD))
    return add_typos(sep.join(parts), rng, n_typos(rng, 0.8))


def st_handover(x):
    """12. Callback / handover note."""
    rng = x.rng
    label = rng.choice(["caller", "cx", "Caller", "customer", "the cx"])
    body = x.report(label, rng.choice(["prog", "past", "pres"]), fuse=0.4)
    hdr = rng.choice(
        [
            "Callback req'd.",
            "CB request:",
            "Handover to next shift:",
            "Handover -",
            "Missed call f/u:",
            "Callback -",
            "Shift handover:",
            "For next agent:",
        ]
    )
    tries = rng.choice(
        [
            "Tried cx x2 no answer, left VM.",
            "Called back, no answer - left VM.",
            "Rang cx, went to VM.",
            "Spoke to cx briefly, line dropped.",
            "Called cx back, " + rng.choice(IDV) + ".",
            "1st attempt - no answer.",
            "Sent SMS asking cx to call in.",
        ]
    )
    nxt = rng.choice(
        [
            "Will retry tmrw.",
            "Pls try again pm.",
            "Retry after 2pm per cx.",
            "If no answer close case.",
            "Next attempt tmrw am.",
            "Cx available after 5pm.",
            "Try once more then close.",
            "Pls pick up if cx calls in.",
        ]
    )
    order = rng.random()
    if order < 0.5:
        parts = [hdr, cap(body) + ".", tries, nxt]
    else:
        parts = [hdr, tries, cap(body) + ".", nxt]
    if rng.random() < 0.3:
        parts.insert(2, cap(x.pre()) + ".")
    if rng.random() < 0.25:
        parts.append(rng.choice(CHATTER) + ".")
    s = " ".join(parts)
    if rng.random() < 0.3:
        s = shorthand(s, rng, p=0.4, drop_articles=0.0)
    return add_typos(s, rng, n_typos(rng))


def st_percust(x):
    """13. 'per cust' telegraphic note with heavy shorthand and typos."""
    rng = x.rng
    label = rng.choice(["cust", "cx", "cust", "c/h"])
    cl = x.clauses(label)
    body = render_report(cl, rng, label, rng.choice(["abbr", "past"]), x.P, fuse=0.8)
    if cl[0].kind == "q" and cl[0].direct and rng.random() < 0.4:
        rest = render_report(cl[1:], rng, label, "abbr", x.P, fuse=0.8) if len(cl) > 1 else ""
        s = (
            rng.choice([f"per {label}: ", f"per {label} - ", f"{label} q: "])
            + cl[0].direct
            + "?"
            + (" " + rest if rest else "")
        )
    elif body.startswith(label + " "):
        body = body[len(label) + 1 :]
        if cl[0].kind == "s":
            lead = rng.choice([f"per {label} ", f"per {label}, ", f"{label} ", f"per {label} - "])
        else:
            lead = f"{label} "
        s = lead + body
    else:
        s = rng.choice([f"per {label} ", f"per {label}, ", f"per {label}: "]) + body
    s = shorthand(s, rng, p=0.75, drop_articles=0.45)
    bits = [s]
    if rng.random() < 0.6:
        bits.append(rng.choice(["id&v ok", "idv ✓", "dpa ok", "id ok", "v'd dob"]))
    bits += [a.replace("advised", "adv'd") for a in x.act(rng.choice([1, 2]))]
    if rng.random() < 0.4:
        bits.append(rng.choice(["nfa", "n/a", "fyi", "tbc", "nfa req'd", "pls f/u"]))
    if rng.random() < 0.2:
        bits.append(rng.choice(MOOD))
    s = rng.choice([". ", " - ", ", ", ". ", " / "]).join(bits)
    s = s.lower()
    return add_typos(s, rng, n_typos(rng, 1.6))


def st_transcript(x):
    """14. Timestamped chat/system timeline with the customer's message verbatim."""
    rng = x.rng
    clk = Clock(rng)
    date = f"{clk.year}-{clk.month:02d}-{clk.day:02d}"
    agent = agent_name(rng, rng.choice(["initdot", "first", "full"]))
    cust_tag = rng.choice(["CUSTOMER", "Customer", "Visitor", "CX", "Client"])
    ag_tag = rng.choice([f"AGENT {agent}", agent, f"Agent ({agent})"])
    greet = rng.choice(
        [
            "Hi, thanks for getting in touch. How can I help?",
            "Hello, you're through to {a}, how can I help today?",
            "Hi there, what can I help with?",
            "Good afternoon, how can I help?",
        ]
    ).format(a=agent.split()[0])
    lines = [
        (
            "SYSTEM",
            rng.choice(
                [
                    "Chat session started",
                    "Chat started via website",
                    "Conversation started",
                    "Session opened - web chat",
                    "Customer joined queue",
                ]
            ),
        )
    ]
    if rng.random() < 0.5:
        lines.append((ag_tag, greet))
    lines.append((cust_tag, x.text.strip()))
    if rng.random() < 0.5:
        lines.append(
            (
                ag_tag,
                rng.choice(
                    [
                        "Sure, can you confirm your DOB and postcode pls?",
                        "Happy to help. Can I take your DOB first?",
                        "Let me check that for you, one moment.",
                        "Thanks, just need to verify you first.",
                    ]
                ),
            )
        )
        lines.append((cust_tag, rng.choice(["ok", "sure", "done", "ok one sec", "yes", "fine"])))
    if rng.random() < 0.5:
        lines.append(("SYSTEM", rng.choice(["Customer verified", "ID&V passed", "OTP verified"])))
    reply = {
        "resolved": [
            "I've sent you a link with the steps, hope that helps!",
            "I've explained the steps above - anything else?",
            "All sorted, anything else I can help with?",
        ],
        "escalated": [
            "I've passed this to our specialist team, they'll be in touch.",
            "I've raised this with the team for review.",
        ],
        "pending": [
            "Could you send us a bit more detail so we can look into it?",
            "Can you reply with a few more details pls?",
        ],
        "callback": ["We'll give you a call back once we've looked into it."],
        "closed": ["Are you still there?", "I'll close this chat for now as I haven't heard back."],
    }[x.outcome]
    lines.append((ag_tag, rng.choice(reply)))
    if rng.random() < 0.4 and x.outcome != "closed":
        lines.append(
            (cust_tag, rng.choice(["thanks", "ok thank you", "great thx", "ok", "cheers"]))
        )
    lines.append(
        (
            "SYSTEM",
            rng.choice(
                [
                    "Chat ended",
                    "Session closed",
                    "Wrap: " + x.wrap(),
                    "Conversation closed by agent",
                    "Chat ended - survey sent",
                ]
            ),
        )
    )
    out = []
    form = rng.choice(["{d} {t} [{w}] {m}", "{t} [{w}] {m}", "[{t}] {w}: {m}", "{t} {w}: {m}"])
    secs = clk.h * 3600 + clk.m * 60 + rng.randint(0, 59)
    for i, (w, m) in enumerate(lines):
        if i:
            secs += rng.randint(4, 150) if w != cust_tag else rng.randint(10, 90)
        h, r = divmod(secs, 3600)
        t = f"{h % 24:02d}:{r // 60:02d}:{r % 60:02d}"
        out.append(form.format(d=date, t=t, w=w, m=m))
    return "\n".join(out)
    for i, (w, m) in enumerate(lines):
        if i:
            clk.tick(small=True)
        out.append(form.format(d=date, t=clk.time(secs=True), w=w, m=m))
    return "\n".join(out)


STYLES = [
    ("shorthand_oneliner", st_shorthand, 1.0),
    ("member_reports", st_member, 1.0),
    ("client_called_re", st_client_re, 1.0),
    ("soap_abbrev", st_soap, 1.0),
    ("dated_log", st_dated_log, 1.0),
    ("bracket_agent_log", st_bracket_log, 1.0),
    ("structured_template", st_template, 1.0),
    ("verbatim_quote", st_verbatim, 0.8),
    ("runon_lowercase", st_runon, 1.0),
    ("email_ticket", st_email, 0.9),
    ("escalation", st_escalation, 0.8),
    ("callback_handover", st_handover, 0.9),
    ("per_cust_telegraphic", st_percust, 1.0),
    ("chat_transcript", st_transcript, 0.7),
]


def make_note(row, seed, idx, style=None):
    rng = random.Random(f"{seed}:{idx}:{row.get('text', '')}")
    names = [s[0] for s in STYLES]
    weights = [s[2] for s in STYLES]
    name = style or rng.choices(names, weights)[0]
    fn = dict((s[0], s[1]) for s in STYLES)[name]
    PROTECT.clear()
    PROTECT.update(
        w
        for w in re.findall(r"[a-z]{4,}", row.get("text", "").lower())
        if w
        not in {
            "what",
            "have",
            "this",
            "that",
            "with",
            "when",
            "where",
            "would",
            "there",
            "could",
            "your",
            "from",
            "been",
            "want",
            "need",
            "know",
            "like",
            "please",
            "help",
        }
    )
    x = Ctx(row, rng)
    if name == "escalation":
        x.outcome = "escalated"
    if name == "callback_handover":
        x.outcome = rng.choice(["callback", "callback", "pending", "closed"])
    try:
        note = fn(x)
    except Exception:
        note = (
            f'cx query: "{quote_text(row.get("text", ""))}". '
            + rng.choice(IDV)
            + ". "
            + rng.choice(OUTCOME_ACT["resolved"])
        )
        name = name + "(fallback)"
    note = re.sub(r"[ \t]+", " ", note).strip()
    note = note.replace("..", ".").replace("?.", "?").replace("?;", "?;")
    return note, name


def main():
    ap = argparse.ArgumentParser(description="Wrap banking queries in CRM case notes.")
    ap.add_argument("--in", dest="inp", required=True)
    ap.add_argument("--out", dest="out", required=True)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument(
        "--with-style",
        action="store_true",
        help="also write the drawn style name in field 'note_style'",
    )
    a = ap.parse_args()
    n = 0
    with open(a.inp, encoding="utf-8") as fi, open(a.out, "w", encoding="utf-8") as fo:
        for idx, line in enumerate(fi):
            if not line.strip():
                continue
            row = json.loads(line)
            note, style = make_note(row, a.seed, idx)
            out = dict(row)
            out["plain"] = row["text"]
            out["text"] = note
            if a.with_style:
                out["note_style"] = style
            fo.write(json.dumps(out, ensure_ascii=False) + "\n")
            n += 1
    print(f"wrote {n} rows to {a.out}")


if __name__ == "__main__":
    main()
