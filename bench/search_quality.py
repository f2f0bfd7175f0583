"""Search quality per language: ranking, typos, "nothing found", filters; and the calibration.

    python -m bench.search_quality --bq ../shared/data/bq/valid.tsv \\
        --banking77 ../shared/data/banking77/train.csv [--work DIR] [--calibrate [--write]]

Four knowledge bases are built with the configured embedding model
(`KCRM_EMBEDDING_MODEL`; `--work` keeps them between runs): *small*, the demo help
centre's FAQs (`corpus/knowledge/faqs.jsonl`, one per Banking77 intent), *medium*,
those plus 600 Banking77 and 600 BQ FAQs, *large*, those plus the Banking77 dev
split's in-scope questions and the BQ FAQs (about 11,000 records), and *bq-pairs*,
every distinct BQ question as an FAQ (the harder set, shaped like the hidden
reference; `bench/search_data.py` says how they are made). `--demo DIR` adds a
data dir the demo store was loaded into (`kcrm demo --no-serve`) to the no-match
check. Reported:
- ranking (MRR@10, top-1) per language for dense only, BM25 only and the search
  itself (customer role, no filter); Chinese also with `language=zh`; on
  bq-pairs (`pairs`) also per half (fit, report) of the queries;
- typos: Banking77 queries with one or two misspelled words, top-1 kept;
- no-match: the share of in-domain and of off-topic questions answered `no_match`,
  on the half of each set the thresholds are not fitted on, for every size (fitted
  on small and large only; Chinese in-domain questions are the demo FAQs'
  paraphrases, `bench/data/zh_small.jsonl`, on small and the demo, BQ's on the others);
- filters: results returned for `language=zh`, k = 10, to English questions.
`--calibrate` fits the thresholds on the other half first (`--write` stores them
in kcrm/knowledge/relevance.json for this model, and the report then uses them);
`--only` runs some parts (no_match, ranking, typos, filter).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from bench import search_data as data
from bench.calibrate import fit_thresholds, write_profile
from kcrm.core.config import Settings
from kcrm.core.tables import Chunk, Document
from kcrm.knowledge import relevance
from kcrm.knowledge.index.fields import FieldFilter
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed
from kcrm.knowledge.search import SearchFilters, SearchResult, same_space
from kcrm.knowledge.text.tokens import index_terms, tokenize

K = 10
PARTS = ("no_match", "ranking", "pairs", "typos", "filter")


def open_kb(folder: Path, records: list[dict[str, Any]]) -> KnowledgeBase:
    kb = KnowledgeBase.open(Settings(data_dir=folder))
    items = (Parsed(KnowledgeRecord.model_validate(r), "bench", i) for i, r in enumerate(records))
    report = kb.ingest(items)
    print(f"{folder.name}: {report.added} added, {report.unchanged} unchanged", file=sys.stderr)
    return kb


def chunk_records(kb: KnowledgeBase) -> dict[int, tuple[str, str | None]]:
    with kb.db.session() as s:
        rows = s.execute(select(Chunk.id, Document.id, Document.category).join(Document)).all()
    return {int(c): (d, cat) for c, d, cat in rows}


def reciprocal_rank(ranked: list[tuple[str, str | None]], ok: Any, skip: str = "") -> float:
    """1 / the rank of the first right record (0 past K); `skip`: the asked question's own."""
    seen: list[str] = []
    for rid, cat in ranked:
        if rid in seen or rid == skip:
            continue
        seen.append(rid)
        if len(seen) > K:
            return 0.0
        if ok(rid, cat):
            return 1.0 / len(seen)
    return 0.0


def summary(rr: list[float]) -> dict[str, float]:
    arr = np.asarray(rr)
    return {"mrr@10": round(float(arr.mean()), 4), "top1": round(float((arr == 1.0).mean()), 4)}


def rankings(
    kb: KnowledgeBase, queries: list[dict[str, Any]], filters: SearchFilters | None = None
) -> tuple[dict[str, dict[str, float]], list[SearchResult]]:
    """Dense only, BM25 only and the search itself, as a customer, over `queries`."""
    records = chunk_records(kb)
    public = kb.replica.public
    rr: dict[str, list[float]] = {"dense": [], "bm25": [], "search": []}
    results = []
    for q in queries:
        ok = (
            (lambda rid, cat, g=q["gold"]: rid == g)
            if "gold" in q
            else (lambda rid, cat, c=q["category"]: cat == c)
        )
        skip = q.get("skip", "")
        qvec = kb.embed_query(q["text"])
        # Records of the query's embedding space only (a routed pair: Chinese among Chinese).
        near = same_space(kb.replica, kb.profile, q["language"], True, FieldFilter(), public)
        _, ids = kb.replica.vectors.search(qvec[None, :], 50, allowed=near)
        dense = [records[int(i)] for i in ids[0] if i >= 0]
        rr["dense"].append(reciprocal_rank(dense, ok, skip))
        terms = index_terms(tokenize(q["text"]))
        _, lids = kb.replica.lexical.search(terms, 50, public_only=True)
        rr["bm25"].append(reciprocal_rank([records[int(i)] for i in lids], ok, skip))
        k = K + 1 if skip else K
        result = kb.search_full(q["text"], k=k, role="customer", filters=filters)
        results.append(result)
        rr["search"].append(reciprocal_rank([(h.id, h.category) for h in result.hits], ok, skip))
    return {name: summary(v) for name, v in rr.items()}, results


def signals(kb: KnowledgeBase, texts: list[str]) -> list[dict[str, Any]]:
    """Each query's best evidence and the search's verdict (what calibration fits on)."""
    out = []
    for text in texts:
        r = kb.search_full(text, k=K, role="customer")
        out.append(
            {
                "dense": r.best_dense,
                "r": r.best_r,
                "no_match": r.no_match,
                "lang": r.language,
                "size": r.space_size,
            }
        )
    return out


def typos(kb: KnowledgeBase, queries: list[dict[str, Any]], seed: int = 7) -> dict[str, Any]:
    """Top-1 of clean queries and of the same with one or two typos, with and without spelling."""
    rng = random.Random(seed)
    noisy = [{**q, "text": data.with_typos(q["text"], rng)} for q in queries]
    clean, _ = rankings(kb, queries)
    typo, results = rankings(kb, noisy)
    corrected = sum(1 for r in results if r.did_you_mean)
    speller = kb.speller
    kb.speller = lambda public_only=False: None  # type: ignore[method-assign,assignment,return-value]
    try:
        raw, _ = rankings(kb, noisy)
    finally:
        kb.speller = speller  # type: ignore[method-assign]
    kept = typo["search"]["top1"] / clean["search"]["top1"] if clean["search"]["top1"] else None
    return {
        "queries": len(queries),
        "examples": [q["text"] for q in noisy[:5]],
        "clean": clean,
        "typos": typo,
        "typos_without_spelling": raw,
        "spelling_changed": corrected,
        "top1_kept": round(kept, 4) if kept is not None else None,
    }


def reload_profiles(*kbs: KnowledgeBase) -> None:
    """Read relevance.json again (after `--write`) into these knowledge bases."""
    relevance._table.cache_clear()
    for kb in kbs:
        kb.profile = relevance.profile(kb.embedder.name, kb.settings.embedding_languages)


def no_match_rates(rows: list[dict[str, Any]]) -> float:
    return round(sum(r["no_match"] for r in rows) / len(rows), 4) if rows else float("nan")


def filter_check(kb: KnowledgeBase, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """English questions asked with language=zh, k = 10: how many results come back."""
    counts = [
        len(kb.search(q["text"], k=K, role="customer", filters=SearchFilters(language="zh")))
        for q in queries
    ]
    zh = int(kb.replica.fields.mask(FieldFilter(language="zh")).sum())
    return {"queries": len(counts), "min_results": min(counts), "zh_chunks": zh}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--bq", type=Path, required=True)
    ap.add_argument(
        "--banking77",
        type=Path,
        default=data.HERE.parent.parent / "shared" / "data" / "banking77" / "train.csv",
    )
    ap.add_argument("--work", type=Path, default=Path(".bench-search"))
    ap.add_argument("--calibrate", action="store_true", help="fit thresholds on the fitting halves")
    ap.add_argument("--write", action="store_true", help="store them in relevance.json")
    ap.add_argument("--limit", type=int, default=0, help="queries per set (0: all)")
    ap.add_argument(
        "--demo", type=Path, help="also check no-match on this data dir (`kcrm demo --no-serve`)"
    )
    ap.add_argument(
        "--only", nargs="*", default=list(PARTS), choices=PARTS, help="parts to run (default: all)"
    )
    args = ap.parse_args(argv)
    start = time.perf_counter()
    bq_records, bq_queries = data.bq_faqs(args.bq)
    b77_records, b77_queries = data.banking77(args.banking77)
    corpus = data.corpus_faqs()
    off_topic = data.off_topic()
    if args.limit:
        bq_queries, b77_queries = bq_queries[: args.limit], b77_queries[: args.limit]
    medium_records, medium_queries = data.medium(corpus, b77_records, bq_records, bq_queries)
    small = open_kb(args.work / "small", corpus)
    medium = open_kb(args.work / "medium", medium_records)
    large = open_kb(args.work / "large", corpus + b77_records + bq_records)
    model = large.embedder.name
    report: dict[str, Any] = {
        "model": model,
        "records": {
            "small": len(corpus),
            "medium": len(medium_records),
            "large": len(corpus) + len(b77_records) + len(bq_records),
        },
    }
    # Signals for no-match: in-domain (Banking77 on every size; BQ on the medium and large
    # ones, the demo's Chinese FAQ paraphrases on the small one and the demo), off-topic.
    en = data.halves([q["text"] for q in b77_queries])
    zh_large = data.halves([q["text"] for q in bq_queries])
    zh_medium = data.halves([q["text"] for q in medium_queries])
    zh_in, zh_off = data.zh_small()
    zh_small = data.halves([q["text"] for q in zh_in])
    off = data.halves([o["text"] for o in off_topic])
    off_small = data.halves(zh_off)
    common = {"in_en": en, "off": off, "off_zh_small": off_small}
    sizes = {
        "small": (small, {**common, "in_zh": zh_small}),
        "medium": (medium, {**common, "in_zh": zh_medium}),
        "large": (large, {**common, "in_zh": zh_large}),
    }
    if args.demo:
        demo = KnowledgeBase.open(Settings(data_dir=args.demo))
        sizes["demo"] = (demo, {**common, "in_zh": zh_small})
    if "no_match" in args.only:
        if args.calibrate:  # on the small and the large base: medium and demo only check
            fit_sig = {
                (size, f"{name}_fit"): signals(sizes[size][0], halves[0])
                for size in ("small", "large")
                for name, halves in sizes[size][1].items()
            }
            fitted = fit_thresholds(large.profile, fit_sig)
            report["calibration"] = fitted
            if args.write:
                write_profile(model, fitted)
                reload_profiles(*(kb for kb, _ in sizes.values()))
        test = {
            (size, name): signals(kb, halves[1])
            for size, (kb, sets) in sizes.items()
            for name, halves in sets.items()
        }
        nm: dict[str, Any] = {}
        for size in sizes:
            for lang in ("en", "zh"):
                nm[f"{size}_off_topic_{lang}"] = no_match_rates(
                    [r for r in test[(size, "off")] if r["lang"] == lang]
                )
            nm[f"{size}_off_topic_zh_small_set"] = no_match_rates(test[(size, "off_zh_small")])
            nm[f"{size}_in_domain_en"] = no_match_rates(test[(size, "in_en")])
            nm[f"{size}_in_domain_zh"] = no_match_rates(test[(size, "in_zh")])
            nm[f"{size}_zh_chunks"] = test[(size, "in_zh")][0]["size"]
        report["no_match"] = nm
    if "ranking" in args.only:
        zh_rank, _ = rankings(large, bq_queries)
        zh_filtered, _ = rankings(large, bq_queries, SearchFilters(language="zh"))
        en_rank, _ = rankings(large, b77_queries)
        en_small, _ = rankings(small, b77_queries)
        report["ranking"] = {
            "zh_bq_large": zh_rank,
            "zh_bq_large_language_filter": zh_filtered["search"],
            "en_banking77_large": en_rank,
            "en_banking77_small": en_small,
        }
    if "pairs" in args.only:
        pair_records, pair_queries = data.bq_pairs(args.bq)
        if args.limit:
            pair_queries = pair_queries[: args.limit]
        pairs = open_kb(args.work / "bq-pairs", pair_records)
        fit, held = data.halves(pair_queries)
        halves = {"fit_half": rankings(pairs, fit)[0], "report_half": rankings(pairs, held)[0]}
        both = {
            side: {
                m: round(
                    (
                        halves["fit_half"][side][m] * len(fit)
                        + halves["report_half"][side][m] * len(held)
                    )
                    / len(pair_queries),
                    4,
                )
                for m in ("mrr@10", "top1")
            }
            for side in halves["fit_half"]
        }
        report["ranking_bq_pairs"] = {"records": len(pair_records), "all": both, **halves}
        pairs.close()
    if "typos" in args.only:
        report["typos_en_large"] = typos(large, b77_queries)
        report["typos_en_small"] = typos(small, b77_queries)
    if "filter" in args.only:
        report["filter_zh_k10"] = filter_check(large, b77_queries[:200])
    report["seconds"] = round(time.perf_counter() - start, 1)
    for kb, _ in sizes.values():
        kb.close()
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
