"""One fresh process: open a knowledge base, time searches part by part, report memory.

Run by bench.search with JSON arguments on stdin; prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

_T0 = time.perf_counter()

import numpy as np  # noqa: E402

from bench.common import peak_rss_mb, percentiles  # noqa: E402
from kcrm.core.config import Settings  # noqa: E402
from kcrm.knowledge.embedders.factory import configured_embedder  # noqa: E402
from kcrm.knowledge.kb import KnowledgeBase  # noqa: E402
from kcrm.knowledge.search import SearchFilters  # noqa: E402
from kcrm.knowledge.text import tokens as nlp  # noqa: E402


def main() -> None:
    args = json.loads(sys.stdin.read())
    settings = Settings(data_dir=Path(args["data_dir"]))
    embedder = configured_embedder(settings)
    embedder.encode_query("warm up")
    nlp.tokenize("warm up the tokenizer")
    loaded_model = time.perf_counter()
    kb = KnowledgeBase.open(settings, embedder=embedder)
    opened = time.perf_counter()
    rss_open = peak_rss_mb()
    queries: list[str] = args["queries"]
    k = int(args.get("k", 10))
    role = args.get("role", "agent")
    # The help page's searches: customer role, the page's language as a filter.
    filters = SearchFilters(language=args["language"]) if args.get("language") else None
    parts: dict[str, list[float]] = {"embed": [], "vector": [], "lexical": [], "total": []}
    for q in queries[:20]:
        kb.search(q, k=k, role=role, filters=filters)  # warm caches and code paths
    depth = max(50, 5 * k)
    for q in queries:
        start = time.perf_counter()
        vec = embedder.encode_query(q)
        t_embed = (time.perf_counter() - start) * 1000
        toks = nlp.tokenize(q)
        start = time.perf_counter()
        kb.replica.vectors.search(vec[None, :], depth)
        t_vec = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        kb.replica.lexical.search(toks, depth)
        t_lex = (time.perf_counter() - start) * 1000
        kb.forget_query_vectors()  # the full path must embed too
        start = time.perf_counter()
        kb.search(q, k=k, role=role, filters=filters)
        t_total = (time.perf_counter() - start) * 1000
        parts["embed"].append(t_embed)
        parts["vector"].append(t_vec)
        parts["lexical"].append(t_lex)
        parts["total"].append(t_total)
    rest = [
        t - e - v - lx
        for t, e, v, lx in zip(
            parts["total"], parts["embed"], parts["vector"], parts["lexical"], strict=True
        )
    ]
    result = {
        "chunks": kb.replica.vectors.count(),
        "index": "ivf" if kb.replica.vectors.is_ivf else "flat",
        "latency": {name: percentiles(v) for name, v in parts.items()},
        "rest": percentiles(rest),
        "process_to_model_seconds": round(loaded_model - _T0, 2),
        "open_seconds": round(opened - loaded_model, 2),
        "rss_after_open_mb": round(rss_open, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    if kb.replica.vectors.is_ivf:  # after the memory figures: this copies every vector
        result["ivf_recall_at_10"] = ivf_recall(
            kb, [embedder.encode_query(q) for q in queries[:100]]
        )
    kb.replica.lexical.close()
    kb.db.dispose()
    print(json.dumps(result))


def ivf_recall(kb: KnowledgeBase, qvecs: list[np.ndarray], k: int = 10) -> float:
    """Share of the exact top-k (brute force over every stored vector) the IVF search finds."""
    ids, vectors = kb.replica.vectors.vectors()
    q = np.stack(qvecs).astype(np.float32)
    exact = ids[np.argpartition(-(q @ vectors.T), k, axis=1)[:, :k]]
    _, found = kb.replica.vectors.search(q, k)
    hits = sum(len(set(e.tolist()) & set(f.tolist())) for e, f in zip(exact, found, strict=True))
    return round(hits / exact.size, 4)


if __name__ == "__main__":
    main()
