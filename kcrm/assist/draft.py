"""A reply to the customer, grounded in the knowledge of the case's top resolution.

`draft_reply` finds what to say: the article or FAQ given, or of the category
given, or of the case's top suggestion; its passages closest to the case are
kept in their order in the article, or, for a category without an article, its
canonical resolution (canonical.py). The offline draft, the default, is those
passages between a greeting with the customer's name (from the CRM) and a
closing, in the case's language (English or Chinese): deterministic, and it
says nothing the cited records do not.

With `KCRM_LLM_URL` set, a model rewrites that draft from the same passages;
the rewrite is used only if every sentence passes the grounding check
(grounding.py), else the offline draft is returned with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select

from kcrm.assist.answers import category_sources
from kcrm.assist.canonical import canonical_resolution
from kcrm.assist.grounding import unsupported
from kcrm.assist.llm import ChatClient, LLMError, client_from_settings
from kcrm.core.errors import NotFound
from kcrm.core.tables import Case, Chunk, Customer, Document
from kcrm.knowledge.text.language import detect_language
from kcrm.knowledge.text.pii import redact_batch

MAX_PASSAGES = 2
PASSAGE_SLACK = 0.05  # a second passage is kept when this close to the best one
CANONICAL_CASES = 20  # the category's most recent notes a canonical resolution reads
SNIPPET_CHARS = 200

TEMPLATES = {
    "en": {
        "greeting": "Dear {name},",
        "anonymous": "Hello,",
        "opener": "Thank you for getting in touch.",
        "closing": "If anything is still unclear, just reply to this message and we will be "
        "glad to help.\n\nKind regards,\nCustomer Support",
    },
    "zh": {
        "greeting": "{name}，您好！",
        "anonymous": "您好！",
        "opener": "感谢您联系我们。",
        "closing": "如果还有任何疑问，请直接回复本消息，我们很乐意为您提供帮助。"
        "\n\n此致\n客户服务团队",
    },
}
SYSTEM_PROMPT = (
    "You write replies from a bank's customer support to a customer. Rewrite the draft "
    "below into a clear, friendly reply in {language}. Use only facts stated in the "
    "passages; do not add amounts, times, fees, steps or promises they do not state. "
    "Keep the greeting and the closing. Answer with the reply text only."
)


@dataclass
class Passage:
    """A cited record and the text of it the draft uses."""

    id: str
    kind: str
    text: str  # what the draft says from it ("" for a case cited beside a canonical text)
    snippet: str = ""  # what the citation shows; default: the text


def draft_reply(
    kb: Any,
    text: str | None = None,
    case_id: str | None = None,
    customer_id: str | None = None,
    category: str | None = None,
    article_id: str | None = None,
    client: ChatClient | None = None,
) -> dict[str, Any]:
    """A reply to the customer: `{draft, language, citations, generator, ...}`.

    Args:
        text: the customer's message or the agent's note (default: the case's).
        case_id: the case replied to; its text and customer are used when not given.
        customer_id: who the reply is addressed to (their name from the CRM).
        category, article_id: the resolution to draw on; default: the top suggestion.
        client: the chat model to rewrite with (default: from `KCRM_LLM_URL`, if set).
    Raises:
        NotFound: an unknown case, customer or article.
        ValueError: nothing to reply to, or no knowledge to ground a reply in.
    """
    case = _case(kb, case_id) if case_id else None
    # A customer the caller names must exist; one a (historic) case names may be gone.
    name = _customer_name(kb, customer_id, required=True) if customer_id else None
    if case is not None:
        text = text or "\n".join(p for p in (case.subject, case.description) if p)
        if not customer_id and case.customer_id:
            name = _customer_name(kb, case.customer_id, required=False)
    if not (text and text.strip()) and not category and not article_id:
        raise ValueError("give the text to reply to, a case_id, a category or an article_id")
    language = detect_language(text) if text and text.strip() else "en"
    language = language if language in TEMPLATES else "en"
    passages, resolution = _passages(kb, text or "", language, category, article_id)
    offline = compose(language, name, [p.text for p in passages if p.text])
    result: dict[str, Any] = {
        "draft": offline,
        "language": language,
        "citations": [
            {"id": p.id, "kind": p.kind, "snippet": _snippet(p.snippet or p.text)} for p in passages
        ],
        "generator": "offline",
        **resolution,
    }
    client = client if client is not None else client_from_settings(kb.settings)
    if client is not None:
        result.update(_rewrite(kb, client, language, name, offline, passages))
    return result


def compose(language: str, name: str | None, passages: list[str]) -> str:
    """Greeting, opener, the passages, closing: the offline draft."""
    t = TEMPLATES[language]
    greeting = t["greeting"].format(name=name) if name else t["anonymous"]
    return "\n\n".join([greeting, t["opener"], *passages, t["closing"]])


def _rewrite(
    kb: Any,
    client: ChatClient,
    language: str,
    name: str | None,
    offline: str,
    passages: list[Passage],
) -> dict[str, Any]:
    """The model's draft if it is grounded; otherwise why the offline one stands."""
    said = [p.text for p in passages if p.text]
    numbered = "\n\n".join(f"[{i}] {text}" for i, text in enumerate(said, 1))
    messages = [
        {
            "role": "system",
            "content": SYSTEM_PROMPT.format(language="Chinese" if language == "zh" else "English"),
        },
        {"role": "user", "content": f"Passages:\n{numbered}\n\nDraft:\n{offline}"},
    ]
    try:
        reply = client.complete(messages)
    except LLMError as exc:
        return {"fallback": f"the model could not be reached: {exc}"}
    t = TEMPLATES[language]
    # Greeting and closing may be worded as the model likes; they state no facts.
    frame = [t["greeting"].format(name=name or ""), t["anonymous"], t["opener"], t["closing"]]
    missing = unsupported(kb, reply, [p.text for p in passages if p.text] + frame)
    if missing:
        return {"fallback": f"not grounded in the cited records: {missing[0]!r}"}
    return {"draft": reply, "generator": f"llm:{client.model}"}


def _case(kb: Any, case_id: str) -> Case:
    with kb.db.session() as s:
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(f"no case with id {case_id!r}")
        s.expunge(case)
        return case


def _customer_name(kb: Any, customer_id: str, required: bool) -> str | None:
    with kb.db.session() as s:
        customer = s.get(Customer, customer_id)
        if customer is None and required:
            raise NotFound(f"no customer with id {customer_id!r}")
        return customer.name or None if customer is not None else None


def _passages(
    kb: Any, text: str, language: str, category: str | None, article_id: str | None
) -> tuple[list[Passage], dict[str, Any]]:
    """What the draft may say, and which resolution it comes from."""
    qvec = kb.embed_query(text) if text.strip() else None
    if article_id:
        return _article(kb, article_id, qvec), {"category": category, "article_id": article_id}
    if not category:
        from kcrm.assist.suggest import suggest  # suggest imports this package's answers

        top = next(iter(suggest(kb, text, k=1).suggestions), None)
        if top is None:
            raise ValueError("no resolution to draw a reply from: give a category or article_id")
        category = top.category
        source = top.answer_source or {}
        if source.get("kind") in ("faq", "article"):
            passages = _article(kb, source["id"], qvec)
            return passages, {"category": category, "article_id": source["id"]}
        if not category:
            raise ValueError("the top suggestion has no knowledge to draw a reply from")
    sources = category_sources(kb, [category]).get(category, [])
    if sources:
        doc_id = max(sources, key=lambda s: s[1] == language)[0]
        return _article(kb, doc_id, qvec), {"category": category, "article_id": doc_id}
    return _canonical(kb, category), {"category": category, "article_id": None}


def _article(kb: Any, doc_id: str, qvec: np.ndarray | None) -> list[Passage]:
    """The record's chunks closest to the query (at most `MAX_PASSAGES`), in their order."""
    with kb.db.session() as s:
        doc = s.execute(
            select(Document.kind, Document.status).where(
                Document.id == doc_id, Document.kind.in_(("faq", "article"))
            )
        ).first()
        if doc is None or doc.status != "published":
            raise NotFound(f"no published FAQ or article with id {doc_id!r}")
        chunks = s.execute(
            select(Chunk.ordinal, Chunk.text, Chunk.embedding, Chunk.embedding_model)
            .where(Chunk.document_id == doc_id)
            .order_by(Chunk.ordinal)
        ).all()
    if not chunks:
        raise ValueError(f"{doc_id} has no text to draw a reply from")
    if qvec is None:
        chosen = [chunks[0]]
    else:
        scores = np.array(
            [
                float(np.frombuffer(c.embedding, np.float32) @ qvec)
                if c.embedding and c.embedding_model == kb.embedder.name
                else -1.0
                for c in chunks
            ]
        )
        order = np.argsort(-scores, kind="stable")[:MAX_PASSAGES]
        keep = [i for i in order if scores[i] >= scores[order[0]] - PASSAGE_SLACK]
        chosen = [chunks[i] for i in sorted(keep)]
    return [Passage(doc_id, doc.kind, plain(c.text)) for c in chosen]


def _canonical(kb: Any, category: str) -> list[Passage]:
    """The category's canonical resolution, citing the cases it was built from."""
    with kb.db.session() as s:
        rows = s.execute(
            select(Document.id, Document.resolution)
            .where(
                Document.kind == "case",
                Document.status == "published",
                Document.category == category,
                Document.resolution.is_not(None),
            )
            .order_by(Document.updated_at.desc(), Document.id)
            .limit(CANONICAL_CASES)
        ).all()
    canon = canonical_resolution([r.resolution for r in rows])
    if canon is None:
        raise ValueError(f"category {category!r} has no article and no resolved case")
    # The three most recent cases stand for the category; their citations show the
    # agent their own (redacted) notes, the draft only says the canonical text.
    notes = redact_batch([r.resolution for r in rows[:3]])
    return [Passage(rows[0].id, "case", canon.text, notes[0])] + [
        Passage(r.id, "case", "", note) for r, note in zip(rows[1:3], notes[1:], strict=True)
    ]


def plain(text: str) -> str:
    """Markdown reduced to what reads well in a message: no headings marks, tables or bold."""
    lines = []
    for line in text.splitlines():
        if line.lstrip().startswith("|"):
            continue  # tables do not survive a chat window or an email client
        line = re.sub(r"^\s*#{1,6}\s*", "", line)
        line = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), line)
        lines.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _snippet(text: str) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1] + "…"
