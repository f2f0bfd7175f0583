"""The resolution model: which resolution category a new case belongs to, and how surely.

Three kinds of evidence, each a distribution over resolution categories:
- `p_emb`: multinomial logistic regression on the sentence embedding;
- `p_char`: logistic regression (SGD) on character 2-5-gram TF-IDF of the text,
  which catches the words and spellings ("top-up", "PIN", "Apple Pay") an
  embedding blurs, in any script;
- `votes`: similarity-weighted votes of the nearest resolved cases and articles.

They are added with fixed weights (`W_CHAR`, `W_VOTE`) chosen on the Banking77
dev splits, where the sum is 2 points above its best part and 2.5 above
nearest-neighbour (docs/quality.md). The calibrator (calibration.py) turns the
ranking's features into a probability of being right.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from kcrm.core.tables import Chunk, Document
from kcrm.knowledge.ingest import embedding_text

log = logging.getLogger(__name__)

W_CHAR = 0.5
W_VOTE = 0.5
VOTE_K = 20  # neighbours that vote
# exp((cos - best cos) / T): a neighbour 0.03 below the best counts 1/e as much;
# sharper tracks 1-NN (and its label noise), flatter drifts to the class prior.
VOTE_TEMPERATURE = 0.03
SHRINK = 0.1  # covariance shrinkage towards a scaled identity (Ledoit-Wolf style)
MAX_TRAIN_CASES = 100_000  # beyond this a stratified sample trains the classifiers


@dataclass
class CaseSet:
    """Resolved cases with a category: the training data of the model and the calibrator."""

    ids: list[str]
    texts: list[str]
    vectors: np.ndarray  # (n, dim), unit rows
    labels: np.ndarray  # (n,) index into categories
    categories: list[str]
    product_ids: list[list[str]] = field(default_factory=list)
    # The description alone, as an agent would type it (texts add the case's title).
    bodies: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, rows: np.ndarray) -> CaseSet:
        return CaseSet(
            [self.ids[i] for i in rows],
            [self.texts[i] for i in rows],
            self.vectors[rows],
            self.labels[rows],
            self.categories,
            [self.product_ids[i] for i in rows] if self.product_ids else [],
            [self.bodies[i] for i in rows] if self.bodies else [],
        )


def load_cases(kb: Any) -> CaseSet:
    """Every published case with a category, with the stored vector of its first chunk."""
    with kb.db.session() as s:
        rows = s.execute(
            select(
                Document.id,
                Document.title,
                Document.body,
                Document.category,
                Document.product_ids,
                Chunk.embedding,
            )
            .join(Chunk, Chunk.document_id == Document.id)
            .where(
                Document.kind == "case",
                Document.status == "published",
                Document.category.is_not(None),
                Chunk.ordinal == 0,
                Chunk.embedding_model == kb.embedder.name,
            )
            .order_by(Document.id)
        ).all()
    categories = sorted({r.category for r in rows})
    index = {c: i for i, c in enumerate(categories)}
    dim = kb.embedder.dim
    vectors = (
        np.frombuffer(b"".join(r.embedding for r in rows), dtype=np.float32).reshape(-1, dim)
        if rows
        else np.zeros((0, dim), np.float32)
    )
    return CaseSet(
        [r.id for r in rows],
        [case_text(r.title, r.body) for r in rows],
        vectors,
        np.array([index[r.category] for r in rows], dtype=np.int64),
        categories,
        [list(r.product_ids or []) for r in rows],
        [r.body for r in rows],
    )


def case_text(title: str | None, body: str) -> str:
    """What the character model reads of a case: the same text its chunk was embedded as."""
    return embedding_text(title or "", "", body)


def stratified_sample(labels: np.ndarray, limit: int, seed: int = 0) -> np.ndarray:
    """At most `limit` row numbers, each category keeping its share (and at least one row)."""
    if len(labels) <= limit:
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    share = limit / len(labels)
    picked = []
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        picked.append(rng.choice(rows, max(1, round(share * rows.size)), replace=False))
    return np.sort(np.concatenate(picked))


class CategoryModel:
    """Two linear classifiers over resolution categories: on embeddings and on character n-grams."""

    def __init__(self, categories: list[str]) -> None:
        self.categories = list(categories)
        self.emb: Any = None
        self.vectorizer: Any = None
        self.char: Any = None
        # The geometry of the known categories, for telling a new kind of problem from
        # a known one (features.py): unit centroids and a shared (tied) precision matrix.
        self.centroids: np.ndarray | None = None
        self.means: np.ndarray | None = None
        self.precision: np.ndarray | None = None
        self._mean_terms: np.ndarray | None = None  # each mean's μᵀΣ⁻¹μ, computed once
        self.product_lift: dict[str, list[float]] = {}  # context.py

    def fit(self, vectors: np.ndarray, texts: list[str], labels: np.ndarray) -> CategoryModel:
        """Fit both classifiers; `labels` index `self.categories`."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression, SGDClassifier

        if np.unique(labels).size < 2:
            raise ValueError("the resolution model needs cases of at least two categories")
        # C=10: weak regularisation, as 384 dense features on thousands of cases do not overfit.
        self.emb = LogisticRegression(C=10.0, max_iter=2000).fit(vectors, labels)
        # min_df=2 drops n-grams seen once (typos, ids), a third of the vocabulary.
        self.vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, lowercase=True
        )
        features = self.vectorizer.fit_transform(texts)
        self.char = SGDClassifier(
            loss="log_loss", alpha=1e-5, max_iter=30, tol=None, random_state=0, n_jobs=2
        ).fit(features, labels)
        column_major(self.char)
        self.fit_geometry(vectors, labels)
        return self

    def fit_geometry(self, vectors: np.ndarray, labels: np.ndarray) -> None:
        """Class means and a shrunk tied covariance (Lee et al. 2018's Mahalanobis detector)."""
        dim = vectors.shape[1]
        means = np.zeros((len(self.categories), dim))
        for label in np.unique(labels):
            means[label] = vectors[labels == label].mean(axis=0)
        centred = vectors - means[labels]
        cov = centred.T @ centred / max(len(vectors) - 1, 1)
        # Shrink towards the average variance: 384 dimensions from a few hundred cases
        # give a singular estimate otherwise.
        cov = (1 - SHRINK) * cov + SHRINK * np.trace(cov) / dim * np.eye(dim)
        self.means = means
        self.precision = np.linalg.inv(cov)
        self._mean_terms = None
        norms = np.linalg.norm(means, axis=1, keepdims=True)
        self.centroids = np.divide(means, norms, out=np.zeros_like(means), where=norms > 0)

    def geometry(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(centroid cosine (n, m), Mahalanobis distance (n, m), energy (n,)) of each vector.

        Energy is the log-sum-exp of the embedding classifier's logits (Liu et al. 2020):
        high for vectors like the training cases, low for unfamiliar ones.
        """
        n, m = len(vectors), len(self.categories)
        if self.emb is None or self.precision is None or n == 0:
            return np.zeros((n, m)), np.zeros((n, m)), np.zeros(n)
        assert self.means is not None and self.centroids is not None
        x = vectors.astype(np.float64)
        xp = x @ self.precision
        if self._mean_terms is None:  # 67 x 384 x 384 multiply-adds: once, not per query
            self._mean_terms = ((self.means @ self.precision) * self.means).sum(axis=1)
        sq = (xp * x).sum(axis=1)[:, None] - 2 * xp @ self.means.T + self._mean_terms[None, :]
        maha = np.sqrt(np.maximum(sq, 0.0))
        logits = np.full((n, m), -np.inf)
        decision = self.emb.decision_function(vectors)
        if decision.ndim == 1:  # two classes: one logit, of the second against the first
            decision = np.column_stack([np.zeros(n), decision])
        logits[:, self.emb.classes_] = decision
        top = logits.max(axis=1, keepdims=True)
        energy = (top + np.log(np.exp(logits - top).sum(axis=1, keepdims=True)))[:, 0]
        return x @ self.centroids.T, maha, energy

    def predict(self, vectors: np.ndarray, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(p_emb, p_char), each (n, len(categories)); a category unseen in training gets 0."""
        n, m = len(texts), len(self.categories)
        p_emb, p_char = np.zeros((n, m)), np.zeros((n, m))
        if self.emb is None or n == 0:
            return p_emb, p_char
        p_emb[:, self.emb.classes_] = self.emb.predict_proba(vectors)
        p_char[:, self.char.classes_] = self.char.predict_proba(self.vectorizer.transform(texts))
        return p_emb, p_char

    def save(self, path: Path) -> None:
        import joblib
        import sklearn

        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        payload = {
            "sklearn": sklearn.__version__,
            "categories": self.categories,
            "emb": self.emb,
            "vectorizer": self.vectorizer,
            "char": self.char,
            "means": self.means,
            "precision": self.precision,
            "product_lift": self.product_lift,
        }
        joblib.dump(payload, tmp)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> CategoryModel | None:
        """The saved model, or None when missing or written by another scikit-learn."""
        import joblib
        import sklearn

        if not path.exists():
            return None
        payload = joblib.load(path)
        if payload.get("sklearn") != sklearn.__version__:
            log.warning("%s was fitted with another scikit-learn: run `kcrm train suggest`", path)
            return None
        model = cls(payload["categories"])
        model.emb, model.vectorizer, model.char = (
            payload["emb"],
            payload["vectorizer"],
            payload["char"],
        )
        column_major(model.char)
        if payload.get("means") is None:
            log.warning("%s predates out-of-scope features: run `kcrm train suggest`", path)
            return None
        model.means, model.precision = payload["means"], payload["precision"]
        model.product_lift = payload.get("product_lift") or {}
        norms = np.linalg.norm(model.means, axis=1, keepdims=True)
        model.centroids = np.divide(
            model.means, norms, out=np.zeros_like(model.means), where=norms > 0
        )
        return model


def column_major(classifier: Any) -> None:
    """Store a linear classifier's weights column-major, so that `features @ coef_.T` on
    sparse features reads them in place: scipy copied the C-ordered 67 x 12,461 character
    weights on every call, 3.0 ms of a suggestion's ranking (0.19 ms without the copy,
    the same probabilities bit for bit)."""
    if classifier is not None and hasattr(classifier, "coef_"):
        classifier.coef_ = np.asfortranarray(classifier.coef_)


def combine(p_emb: np.ndarray, p_char: np.ndarray, votes: np.ndarray) -> np.ndarray:
    """The ranking score of each category (0 to 2)."""
    return p_emb + W_CHAR * p_char + W_VOTE * votes
