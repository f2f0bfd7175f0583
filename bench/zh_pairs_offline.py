"""Chinese ranking options measured offline on the BQ pairs set (docs/quality.md, Languages).

    python -m bench.zh_pairs_offline --bq ../shared/data/bq/valid.tsv [--adapter]

The set and its halves are those of `python -m bench.search_quality --only pairs`
(`search_data.bq_pairs`, `search_data.halves`): every distinct question is an FAQ,
each label-1 pair asks its first question and only its second is right. Every
question is embedded once by USE (projected as the product stores it) and scored
against all the others in numpy: BM25 as tantivy computes it (k1 1.2, b 0.75, the
query's distinct terms), ties broken by FAQ order. It reproduces the product's
figures (BM25 words 0.066, USE dense 0.081, the fusion 0.088) and measures what
might raise them: other lexical terms, a symmetric TF-IDF cosine, fusion weights,
whitening USE's vectors, hubness correction (CSLS), pseudo-relevance feedback and
(`--adapter`, needs PyTorch) a linear map trained on the pairs of half the
paraphrase groups and scored on the other half. Weights are picked on the fit half.
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from bench import search_data as data
from kcrm.knowledge.embedders.routed import basis
from kcrm.knowledge.embedders.usem import UsemEmbedder
from kcrm.knowledge.text.tokens import index_terms, tokenize


class Pairs:
    """The set, its vectors and the reciprocal rank of any full score matrix."""

    def __init__(self, path: Path) -> None:
        records, queries = data.bq_pairs(path)
        self.texts = [r["body"] for r in records]
        pos = {r["id"]: i for i, r in enumerate(records)}
        self.q = np.array([pos[q["skip"]] for q in queries])
        self.gold = np.array([pos[q["gold"]] for q in queries])
        fit, held = data.halves(list(range(len(queries))))
        self.parts = {"fit": np.array(fit), "report": np.array(held)}
        self.raw = UsemEmbedder().encode(self.texts).astype(np.float64)
        self.raw /= np.linalg.norm(self.raw, axis=1, keepdims=True)
        stored = self.raw @ basis(self.raw.shape[1], 384)
        self.vec = stored / np.linalg.norm(stored, axis=1, keepdims=True)
        self.words = [tokenize(t, "zh") for t in self.texts]

    def rr(self, scores: np.ndarray) -> np.ndarray:
        s = scores.copy()
        rows = np.arange(len(self.q))
        s[rows, self.q] = -np.inf  # the asked question's own FAQ is skipped
        right = s[rows, self.gold][:, None]
        before = np.arange(s.shape[1])[None, :] < self.gold[:, None]
        rank = (s > right).sum(1) + ((s == right) & before).sum(1) + 1
        return np.where(rank <= 10, 1.0 / rank, 0.0)

    def mrr(self, scores: np.ndarray) -> dict[str, float]:
        rr = self.rr(scores)
        out = {name: round(float(rr[idx].mean()), 4) for name, idx in self.parts.items()}
        return {**out, "all": round(float(rr.mean()), 4)}


def bm25(p: Pairs, terms: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> np.ndarray:
    """BM25 of every query against every FAQ (tantivy's formula), normalised by the query's best."""
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for d, ts in enumerate(terms):
        for t in set(ts):
            rows.append(d)
            cols.append(vocab.setdefault(t, len(vocab)))
            vals.append(ts.count(t))
    tf = sp.coo_matrix((vals, (rows, cols)), shape=(len(terms), len(vocab)), dtype=np.float64)
    length = np.array([len(ts) for ts in terms], dtype=np.float64)
    df = np.bincount(tf.col, minlength=len(vocab))
    idf = np.log(1 + (len(terms) - df + 0.5) / (df + 0.5))
    norm = k1 * (1 - b + b * length[tf.row] / length.mean())
    w = sp.csr_matrix((idf[tf.col] * tf.data * (k1 + 1) / (tf.data + norm), (tf.row, tf.col)))
    query = (w[p.q] > 0).astype(np.float64)  # the query's distinct terms, as tantivy asks
    s = np.asarray((query @ w.T).todense())
    s[np.arange(len(p.q)), p.q] = 0
    best = s.max(1, keepdims=True)
    return s / np.where(best > 0, best, 1)


def ngrams(text: str, sizes: Sequence[int]) -> list[str]:
    chars = [c for c in unicodedata.normalize("NFKC", text).lower() if c.isalnum()]
    return ["".join(chars[i : i + n]) for n in sizes for i in range(len(chars) - n + 1)]


def tfidf_cosine(p: Pairs, terms: Sequence[Sequence[str]]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(analyzer=lambda t: t, sublinear_tf=True).fit_transform(terms)
    return np.asarray((x[p.q] @ x.T).todense())


def whiten(p: Pairs, dims: int = 128, power: float = 0.25) -> np.ndarray:
    """USE's 512-d vectors whitened on the fit half's questions (PCA, eigenvalues^-power)."""
    src = np.unique(np.concatenate([p.q[p.parts["fit"]], p.gold[p.parts["fit"]]]))
    mean = p.raw[src].mean(0)
    values, vectors = np.linalg.eigh(np.cov((p.raw[src] - mean).T))
    top = np.argsort(-values)[:dims]
    y = (p.raw - mean) @ (vectors[:, top] / values[top] ** power)
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    return y[p.q] @ y.T


def best_weight(
    p: Pairs, dense: np.ndarray, lexical: np.ndarray, form: Callable[[np.ndarray], np.ndarray]
) -> tuple[float, dict[str, float]]:
    """The lexical weight best on the fit half, and the figures it gives."""
    tried = [(w, p.mrr(dense + w * form(lexical))) for w in (0.1, 0.2, 0.3, 0.5)]
    return max(tried, key=lambda t: t[1]["fit"])


def adapter(p: Pairs, lexical: np.ndarray, epochs: int = 6, tau: float = 0.1) -> dict[str, float]:
    """A linear map of USE's vectors trained on half the paraphrase groups, scored on the rest."""
    import torch

    torch.manual_seed(0)
    parent = list(range(len(p.texts)))

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in zip(p.q.tolist(), p.gold.tolist(), strict=True):
        parent[root(a)] = root(b)
    group = np.array([root(i) for i in range(len(p.texts))])
    groups = np.unique(group[p.q])
    np.random.RandomState(7).shuffle(groups)
    trained = np.isin(group[p.q], groups[: len(groups) // 2])
    x = torch.tensor(p.raw, dtype=torch.float32)
    w = torch.nn.Parameter(torch.tensor(basis(p.raw.shape[1], 384)))
    opt = torch.optim.Adam([w], lr=1e-3)
    a_ids, b_ids = torch.tensor(p.q[trained]), torch.tensor(p.gold[trained])
    for _ in range(epochs):
        order = torch.randperm(len(a_ids))
        for s in range(0, len(order), 256):
            batch = order[s : s + 256]
            qa = torch.nn.functional.normalize(x[a_ids[batch]] @ w, dim=1)
            qb = torch.nn.functional.normalize(x[b_ids[batch]] @ w, dim=1)
            logits, labels = qa @ qb.T / tau, torch.arange(len(batch))
            loss = torch.nn.functional.cross_entropy(logits, labels)
            loss = loss + torch.nn.functional.cross_entropy(logits.T, labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
    y = (x @ w).detach().numpy().astype(np.float64)
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    held = ~trained
    before = p.rr(p.vec[p.q] @ p.vec.T + 0.3 * lexical**2)[held].mean()
    after_dense = p.rr(y[p.q] @ y.T)
    after = p.rr(y[p.q] @ y.T + 0.3 * lexical**2)[held].mean()
    return {
        "held_out_queries": int(held.sum()),
        "dense_before": round(float(p.rr(p.vec[p.q] @ p.vec.T)[held].mean()), 4),
        "dense_after": round(float(after_dense[held].mean()), 4),
        "fused_before": round(float(before), 4),
        "fused_after": round(float(after), 4),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--bq", type=Path, required=True)
    ap.add_argument("--adapter", action="store_true", help="also train the linear map (PyTorch)")
    args = ap.parse_args(argv)
    p = Pairs(args.bq)
    cos = p.vec[p.q] @ p.vec.T
    square: Callable[[np.ndarray], np.ndarray] = np.square
    lexical = {
        "words": p.words,
        "words+chars (the index)": [index_terms(w) for w in p.words],
        "chars": [ngrams(t, (1,)) for t in p.texts],
        "char bigrams": [ngrams(t, (2,)) for t in p.texts],
        "chars+bigrams": [ngrams(t, (1, 2)) for t in p.texts],
    }
    report: dict[str, object] = {"queries": len(p.q), "USE dense": p.mrr(cos)}
    norm = {name: bm25(p, terms) for name, terms in lexical.items()}
    for name, lex in norm.items():
        report[f"BM25 {name}"] = p.mrr(lex)
        report[f"USE + BM25 {name}, cos + w·(bm25/best)²"] = best_weight(p, cos, lex, square)
    index = norm["words+chars (the index)"]
    report["USE + BM25 words+chars, cos + w·bm25/best"] = best_weight(p, cos, index, lambda x: x)
    tfidf = tfidf_cosine(p, lexical["chars+bigrams"])
    report["TF-IDF cosine, chars+bigrams"] = p.mrr(tfidf)
    report["USE + TF-IDF cosine"] = best_weight(p, cos, tfidf, lambda x: x)
    white = whiten(p)
    report["USE whitened (fit half)"] = p.mrr(white)
    report["USE whitened + BM25 chars"] = best_weight(p, white, norm["chars"], square)
    others = p.vec @ p.vec.T
    np.fill_diagonal(others, -1.0)
    hub = np.sort(others, axis=1)[:, -20:].mean(1)  # CSLS: each FAQ's crowding
    report["USE − 0.25·crowding (CSLS, k 20) + BM25"] = p.mrr(cos - 0.25 * hub + 0.3 * index**2)
    fused = cos + 0.3 * index**2
    fused[np.arange(len(p.q)), p.q] = -np.inf
    first = np.argmax(fused, axis=1)  # pseudo-relevance feedback from the first answer
    moved = p.vec[p.q] + 0.5 * p.vec[first]
    moved /= np.linalg.norm(moved, axis=1, keepdims=True)
    report["query + 0.5·first answer (PRF) + BM25"] = p.mrr(moved @ p.vec.T + 0.3 * index**2)
    if args.adapter:
        report["linear map on half the groups"] = adapter(p, index)
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
