"""What the API and CLI call for a suggestion: suggest, log it with who asked, add the 360."""

from __future__ import annotations

import time
from typing import Any

from kcrm.assist.suggest import suggest
from kcrm.assist.triage import triage
from kcrm.core.keys import Principal
from kcrm.crm.cases import NewCase, check_case_refs, open_case
from kcrm.crm.customers import customer_view
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.querylog import LoggedQuery, log_query
from kcrm.knowledge.text.language import detect_language


def logged_suggest(
    kb: KnowledgeBase,
    principal: Principal | None,
    text: str,
    customer_id: str | None = None,
    product_id: str | None = None,
    k: int = 5,
) -> dict[str, Any]:
    """Suggested resolutions for a case, the customer's context, logged for feedback."""
    start = time.perf_counter()
    result = suggest(kb, text, k=k, product_id=product_id, customer_id=customer_id)
    assert result.problem is not None  # `suggest` always reads the problem statement
    latency = (time.perf_counter() - start) * 1000
    data = result.as_dict()
    items = [s.get("article_id") or s.get("category") for s in data["suggestions"]]
    evidence = [e["id"] for s in data["suggestions"] for e in s["evidence"]]
    similar = [c["id"] for c in data["similar_cases"]]
    query_id = log_query(
        kb.db,
        principal,
        LoggedQuery(
            kind="suggest",
            query=text,
            result_ids=list(dict.fromkeys(i for i in items + evidence + similar if i)),
            top_score=data["suggestions"][0]["confidence"] if data["suggestions"] else None,
            answerable=data["answerable"],
            # The problem statement's vector, the one later suggestions look feedback up
            # by (feedback.py): a note's whole text is far from the same problem in
            # another note, its problem statement is not.
            embedding=result.problem.vector,
            embedding_model=kb.embedder.name,
            customer_id=customer_id,
            language=detect_language(text),
            latency_ms=latency,
        ),
    )
    customer = customer_view(kb.db, customer_id) if customer_id else None
    return {"query_id": query_id, **data, "customer": customer}


def open_case_with_triage(kb: KnowledgeBase, new: NewCase, actor: str = "") -> dict[str, Any]:
    """Open a case with its triage (category, language, urgency, proposed priority).

    The agent's own priority, when given, wins; a different one is recorded as an override.
    """
    check_case_refs(kb.db, new)  # unknown ids are refused before triage embeds the text
    text = "\n".join(part for part in (new.subject, new.description) if part.strip())
    assessment = triage(kb, text)
    case = open_case(kb, new, actor, assessment)
    case["triage"] = assessment.as_dict()
    return case
