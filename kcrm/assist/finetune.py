"""Adapt the embedding model to this company's resolved cases (`kcrm train suggest`).

Training pairs say "these two texts need the same resolution":
- two resolved cases of the same category;
- a case and a published FAQ or article of its category;
- a query and the item an agent or customer marked helpful (or used).

The loss is sentence-transformers' `MultipleNegativesRankingLoss`: in a batch of
pairs, each anchor must be closer to its own positive than to every other
pair's. Other pairs of the same category would be false negatives, so batches
are built with one pair per category (`distinct_batches`).

A stratified share of the cases is held out. The candidate is trained from the
configured base model on the rest, and both it and the model in use score the
held-out cases with the real resolution model (`CategoryModel` + neighbour
votes, fitted on the rest). The candidate is kept as a new version in any case
and becomes active only when it is right on significantly more held-out cases
than the model in use (McNemar's exact test on the cases they disagree on, at
5 %): a switch re-embeds everything, so a gain of one case in a thousand must
not trigger it.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, select

from kcrm.assist.features import neighbour_evidence
from kcrm.assist.model import CaseSet, CategoryModel, combine, load_cases
from kcrm.assist.progress import Track, no_tracking
from kcrm.assist.train import top_neighbours
from kcrm.core.tables import Chunk, Document, Feedback, QueryLog
from kcrm.knowledge.embedders.base import ModelEmbedder
from kcrm.knowledge.embedders.factory import configured_embedder
from kcrm.knowledge.embedders.registry import ModelRegistry, load_version
from kcrm.knowledge.ingest import embedding_text

log = logging.getLogger(__name__)

MIN_CASES = 50  # fewer labelled cases teach the model nothing it can be checked on
HOLDOUT_SHARE = 0.15
MAX_HOLDOUT = 2000
MAX_PAIRS_PER_EPOCH = 20_000  # a bound on the time an epoch takes on a big case base
ARTICLE_PAIRS = 8  # cases paired with each FAQ/article of their category
MAX_SEQ_LENGTH = 128  # word pieces; cases are short, and training cost grows with length
BUCKET_BATCHES = 8  # batches per window of pairs of similar length (distinct_batches)


@dataclass
class TrainConfig:
    epochs: int = 1
    batch_size: int = 32
    learning_rate: float = 3e-5
    warmup_share: float = 0.1
    max_seconds: float = 600.0  # the whole of `train_embedding`, scoring and switching included
    seed: int = 0


Pair = tuple[str, str, str]  # (anchor, positive, group): one group per batch at most once
Say = Callable[[str], None]
SIGNIFICANCE = 0.05  # a candidate must beat the model in use at this level (McNemar)
FITS_AFTER_TRAINING = 6  # resolution-model fits after training, in units of the first check
RESERVE_MARGIN = 20.0  # seconds: loading, saving, the registry
EMBED_SAMPLE = 128  # case texts embedded before training to time the model
MIN_TRAIN_SECONDS = 60.0  # less than this for training is not worth scoring a candidate


def reserve_seconds(fit_seconds: float, embed_seconds: float, chunks: int) -> float:
    """Time to keep for what follows training, from what this machine has just taken.

    `fit_seconds`: one fit and check of the resolution model on the training cases
    (the model in use's check, timed before training); after training come the
    candidate's check and the refit with its calibration (five folds on about 75 %
    of the cases and the final fit), `FITS_AFTER_TRAINING` such fits in all.
    `embed_seconds`: per text, timed on a sample; the candidate embeds every case
    and a switch the other chunks (the cases' vectors are reused), then the indexes
    are rebuilt. Measured at run time, the reserve follows the load of the machine:
    a fixed 0.03 s per case held on a quiet machine and was a quarter of what the
    refit alone took with three other jobs on the same two cores.
    """
    return RESERVE_MARGIN + FITS_AFTER_TRAINING * fit_seconds + (embed_seconds + 0.002) * chunks


def significant_gain(current_right: np.ndarray, candidate_right: np.ndarray) -> dict[str, Any]:
    """McNemar's exact test on paired held-out outcomes: is the candidate really better?

    Only the cases the two models disagree on count: `gained` (right only with the
    candidate) against `lost`; under "no difference" each disagreement is a fair coin,
    so the one-sided p-value is P(Binomial(gained + lost, 1/2) >= gained).
    """
    from scipy.stats import binomtest

    gained = int(np.sum(candidate_right & ~current_right))
    lost = int(np.sum(~candidate_right & current_right))
    p = 1.0 if gained + lost == 0 else binomtest(gained, gained + lost, 0.5, "greater").pvalue
    return {"gained": gained, "lost": lost, "p_value": round(float(p), 4)}


def holdout_split(labels: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, held-out rows): a share of each category with at least 2 cases."""
    rng = np.random.default_rng(seed)
    held: list[int] = []
    for label in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == label))
        if rows.size >= 2:
            held.extend(rows[: max(1, round(share * rows.size))].tolist())
    held_arr = np.array(sorted(held), dtype=np.int64)
    if held_arr.size > MAX_HOLDOUT:
        held_arr = np.sort(rng.choice(held_arr, MAX_HOLDOUT, replace=False))
    train = np.setdiff1d(np.arange(labels.size), held_arr)
    return train, held_arr


def case_pairs(data: CaseSet, rng: np.random.Generator) -> list[Pair]:
    """Each case with another case of its category (categories of one case give none)."""
    pairs: list[Pair] = []
    for label in np.unique(data.labels):
        rows = rng.permutation(np.flatnonzero(data.labels == label))
        if rows.size < 2:
            continue
        group = data.categories[label]
        for a, b in zip(rows, np.roll(rows, -1), strict=True):
            pairs.append((data.texts[a], data.texts[b], group))
    return pairs


def article_pairs(kb: Any, data: CaseSet, rng: np.random.Generator) -> list[Pair]:
    """Cases with the published FAQs and articles of their category."""
    with kb.db.session() as s:
        docs = s.execute(
            select(Document.title, Document.body, Document.category).where(
                Document.kind.in_(("faq", "article")),
                Document.status == "published",
                Document.category.in_(data.categories),
            )
        ).all()
    index = {c: i for i, c in enumerate(data.categories)}
    pairs: list[Pair] = []
    for doc in docs:
        rows = np.flatnonzero(data.labels == index[doc.category])
        text = embedding_text(doc.title or "", "", doc.body)
        for r in rng.permutation(rows)[:ARTICLE_PAIRS]:
            pairs.append((data.texts[r], text, doc.category))
    return pairs


def feedback_pairs(kb: Any, data: CaseSet, rng: np.random.Generator) -> list[Pair]:
    """Logged queries with what was marked helpful or used: a category's case, or a record."""
    with kb.db.session() as s:
        rows = s.execute(
            select(QueryLog.query, Feedback.item_id)
            .join(QueryLog, Feedback.query_id == QueryLog.id)
            .where((Feedback.helpful.is_(True)) | (Feedback.used.is_(True)))
            .order_by(Feedback.id.desc())
            .limit(MAX_PAIRS_PER_EPOCH)
        ).all()
        ids = {r.item_id for r in rows}
        docs = {
            d.id: embedding_text(d.title or "", "", d.body)
            for d in s.execute(
                select(Document.id, Document.title, Document.body).where(
                    Document.id.in_(ids), Document.status == "published"
                )
            ).all()
        }
    index = {c: i for i, c in enumerate(data.categories)}
    pairs: list[Pair] = []
    for query, item in rows:
        if item in index:
            choices = np.flatnonzero(data.labels == index[item])
            if choices.size:
                pairs.append((query, data.texts[int(rng.choice(choices))], item))
        elif item.startswith("article:") and item[8:] in docs:
            pairs.append((query, docs[item[8:]], item[8:]))
        elif item in docs:
            pairs.append((query, docs[item], item))
    return pairs


def distinct_batches(pairs: list[Pair], size: int, rng: np.random.Generator) -> list[list[Pair]]:
    """Batches in which no group appears twice, of texts of similar length.

    A batch is padded to its longest text, and on Banking77 a random batch of 32
    pads to about three times its real length, which triples the cost of a step.
    So pairs are sorted by their longer text and cut into windows of
    `BUCKET_BATCHES` batches; within a window, each batch draws from the groups
    with the most pairs left (big groups spread over the window, not piled at its
    end), and a window's incomplete batches are carried over to the next one.
    Batches are shuffled, so the epoch does not go from short texts to long ones.
    """
    keys = np.array([max(len(a), len(b)) for a, b, _ in pairs], dtype=np.float64)
    order = np.lexsort((rng.random(len(pairs)), keys))
    window = size * BUCKET_BATCHES
    batches: list[list[Pair]] = []
    carry: list[Pair] = []
    for start in range(0, len(order), window):
        chunk = carry + [pairs[i] for i in order[start : start + window]]
        made = largest_first(chunk, size, rng)
        last = start + window >= len(order)
        carry = [] if last else [p for b in made if len(b) < size for p in b]
        batches.extend(b for b in made if (last or len(b) == size) and len(b) > 1)
    return [batches[i] for i in rng.permutation(len(batches))]


def largest_first(pairs: list[Pair], size: int, rng: np.random.Generator) -> list[list[Pair]]:
    """Batches without a repeated group, each from the groups with the most pairs left.

    The last batches may be short, and a pair left alone is a batch of one
    (`distinct_batches` carries both over or drops lone pairs: no negatives).
    """
    by_group: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        by_group[pair[2]].append(pair)
    queues = {g: [ps[i] for i in rng.permutation(len(ps))] for g, ps in by_group.items()}
    batches: list[list[Pair]] = []
    while queues:
        groups = list(queues)
        left = np.array([len(queues[g]) for g in groups], dtype=np.float64)
        # Largest first, ties broken at random: a random key below 1 per group.
        order = np.lexsort((rng.random(len(groups)), -left))
        batches.append([queues[groups[i]].pop() for i in order[:size]])
        for i in order[:size]:
            if not queues[groups[i]]:
                del queues[groups[i]]
    return batches


def lr_factor(step_share: float, time_share: float, warmup_share: float) -> float:
    """The learning rate's share: linear warm-up, then linear decay to zero at the end.

    The end is the epoch's last step or the time budget, whichever comes first, so a
    run the budget cuts short still ends with a small learning rate (a schedule
    truncated by the clock ends at its peak: Li et al. 2020, "Budgeted training").
    """
    progress = min(max(step_share, time_share), 1.0)
    if progress < warmup_share:
        return progress / warmup_share
    return (1.0 - progress) / (1.0 - warmup_share)


def step_rate(config: TrainConfig, step_share: float, time_share: float) -> float:
    """The learning rate of the next step: `config.learning_rate` at the schedule's peak."""
    return config.learning_rate * lr_factor(step_share, time_share, config.warmup_share)


def finetune(
    base_path: str,
    pairs: list[Pair],
    out_dir: str,
    config: TrainConfig,
    say: Say,
    budget: float,
    track: Track = no_tracking,
) -> dict[str, Any]:
    """Train a copy of `base_path` on `pairs` for at most `budget` seconds; save it to `out_dir`."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    from kcrm.knowledge.embedders.base import resolve_model_path

    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    model = SentenceTransformer(resolve_model_path(base_path), device="cpu")
    model.max_seq_length = min(model.max_seq_length or MAX_SEQ_LENGTH, MAX_SEQ_LENGTH)
    loss_fn = MultipleNegativesRankingLoss(model)
    epochs = [distinct_batches(pairs, config.batch_size, rng) for _ in range(config.epochs)]
    steps = sum(len(e) for e in epochs)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=0.01)
    start = time.perf_counter()
    done, losses, stopped = 0, [], False
    model.train()
    with track("training", steps, "steps") as advance:
        for batches in epochs:
            for batch in batches:
                elapsed = (time.perf_counter() - start) / budget
                for group in optimizer.param_groups:
                    group["lr"] = step_rate(config, done / max(steps, 1), elapsed)
                anchors = model.preprocess([p[0] for p in batch])
                positives = model.preprocess([p[1] for p in batch])
                loss = loss_fn([anchors, positives], torch.empty(0))
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                optimizer.zero_grad()
                losses.append(float(loss.detach()))
                done += 1
                advance(1)
                if time.perf_counter() - start > budget:
                    stopped = True
                    break
            if stopped:
                break
    if stopped:
        say(f"time budget of {budget:.0f}s for training reached at step {done}/{steps}")
    model.eval()
    model.save(out_dir)
    return {
        "pairs": len(pairs),
        "steps": done,
        "planned_steps": steps,
        "epochs": config.epochs,
        "batch_size": config.batch_size,
        "learning_rate": config.learning_rate,
        "train_seconds": round(time.perf_counter() - start, 1),
        "first_loss": round(float(np.mean(losses[:25])), 4) if losses else None,
        "last_loss": round(float(np.mean(losses[-25:])), 4) if losses else None,
        "stopped_by_budget": stopped,
    }


def heldout_scores(
    train: CaseSet, held: CaseSet, train_vecs: np.ndarray, held_vecs: np.ndarray
) -> tuple[dict[str, float], np.ndarray]:
    """Top-1 of the resolution model and of the nearest case on the held-out cases, and
    whether the model was right on each."""
    model = CategoryModel(train.categories).fit(train_vecs, train.texts, train.labels)
    p_emb, p_char = model.predict(held_vecs, held.texts)
    cos, labels = top_neighbours(held_vecs @ train_vecs.T, train.labels)
    votes, _, _, _ = neighbour_evidence(cos, labels, len(train.categories))
    right = combine(p_emb, p_char, votes).argmax(axis=1) == held.labels
    return {
        "top1": round(float(np.mean(right)), 4),
        "nearest_case_top1": round(float(np.mean(labels[:, 0] == held.labels)), 4),
    }, right


def train_embedding(
    kb: Any, config: TrainConfig | None = None, say: Say | None = None, track: Track = no_tracking
) -> dict[str, Any]:
    """Train a candidate model, compare it with the model in use, switch when it is better.

    Training stops early so that scoring, switching and refitting still fit in
    `config.max_seconds`; the candidate replaces the model in use only when its
    gain on the held-out cases is larger than their noise (`significant_gain`),
    since a switch re-embeds the whole knowledge base.
    Returns a summary: the version written, both held-out figures, whether it switched.
    """
    config = config or TrainConfig()
    say = say or (lambda msg: log.info(msg))
    started = time.perf_counter()
    reg = ModelRegistry.load(kb.settings)
    # With a second model for other languages (`RoutedEmbedder`), the main one is trained.
    if not isinstance(getattr(kb.embedder, "main", kb.embedder), ModelEmbedder):
        return {"trained": False, "reason": f"{kb.embedder.name!r} is not a trainable model"}
    cases = load_cases(kb)
    if len(cases) < MIN_CASES or len(cases.categories) < 2:
        return {
            "trained": False,
            "reason": f"{len(cases)} categorised cases in {len(cases.categories)} categories; "
            f"need {MIN_CASES} in 2 or more",
        }
    rng = np.random.default_rng(config.seed)
    train_rows, held_rows = holdout_split(cases.labels, HOLDOUT_SHARE, config.seed)
    if held_rows.size == 0:
        return {"trained": False, "reason": "no category has two cases to hold one out"}
    train, held = cases.subset(train_rows), cases.subset(held_rows)
    pairs = case_pairs(train, rng) + article_pairs(kb, train, rng) + feedback_pairs(kb, train, rng)
    if len(pairs) > MAX_PAIRS_PER_EPOCH:
        pairs = [pairs[i] for i in rng.choice(len(pairs), MAX_PAIRS_PER_EPOCH, replace=False)]
    say(
        f"{len(train):,} cases to learn from, {len(held):,} held out, {len(pairs):,} training "
        f"pairs from {reg.base}; all of it within {config.max_seconds / 60:.0f} min"
    )
    check_start = time.perf_counter()
    with track("scoring the model in use", None, "held-out cases"):
        current, current_right = heldout_scores(train, held, train.vectors, held.vectors)
    fit_seconds = time.perf_counter() - check_start
    sample = cases.texts[:: max(1, len(cases) // EMBED_SAMPLE)][:EMBED_SAMPLE]
    sample_start = time.perf_counter()
    kb.embedder.encode(sample)
    embed_seconds = (time.perf_counter() - sample_start) / max(len(sample), 1)
    with kb.db.session() as s:
        chunks = int(s.scalar(select(func.count()).select_from(Chunk)) or 0)
    reserve = reserve_seconds(fit_seconds, embed_seconds, max(chunks, len(cases)))
    budget = config.max_seconds - reserve - (time.perf_counter() - started)
    timing = f"one check took {fit_seconds:.0f}s, a text {embed_seconds * 1000:.0f}ms"
    if budget < MIN_TRAIN_SECONDS:
        # A few steps change nothing the check could see: scoring such a candidate
        # would only spend the agent's time.
        return {
            "trained": False,
            "reason": f"no time to train within {config.max_seconds / 60:.0f} min on this "
            f"machine now: scoring, switching and refitting alone need about "
            f"{reserve / 60:.1f} min ({timing}); allow more with --max-minutes",
            "reserved_seconds": round(reserve, 1),
            "seconds": round(time.perf_counter() - started, 1),
        }
    say(f"{budget / 60:.1f} min left for training, {reserve / 60:.1f} kept ({timing})")
    version = reg.next_version()
    out_dir = reg.path_of(version)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    stats = finetune(reg.base, pairs, str(out_dir), config, say, budget, track)
    reg.add(version, {})
    candidate = configured_embedder(kb.settings, str(out_dir), name=reg.versions[version]["name"])
    embed_start = time.perf_counter()
    with track(f"embedding the cases with {version}", len(train) + len(held), "texts") as adv:
        train_vecs = candidate.encode(train.texts, progress=adv)
        held_vecs = candidate.encode(held.texts, progress=adv)
    trained, trained_right = heldout_scores(train, held, train_vecs, held_vecs)
    test = significant_gain(current_right, trained_right)
    better = test["gained"] > test["lost"] and test["p_value"] < SIGNIFICANCE
    reg.versions[version].update(
        {
            **stats,
            "cases": len(train),
            "held_out": len(held),
            "held_out_top1": trained["top1"],
            "compared_with": kb.embedder.name,
            "compared_top1": current["top1"],
            **test,
            "accepted": better,
        }
    )
    reg.save()
    summary = {
        "trained": True,
        "version": version,
        "name": candidate.name,
        "switched": better,
        "held_out": len(held),
        "before": {"model": kb.embedder.name, **current},
        "after": {"model": candidate.name, **trained},
        "significance": {**test, "level": SIGNIFICANCE},
        "check_seconds": round(fit_seconds, 1),
        "reserved_seconds": round(reserve, 1),
        "scoring_seconds": round(time.perf_counter() - embed_start, 1),
        **stats,
    }
    verdict = (
        f"{current['top1']} → {trained['top1']}: {test['gained']} held-out cases gained, "
        f"{test['lost']} lost, p = {test['p_value']}"
    )
    if better:
        say(f"{version} is better on held-out cases ({verdict})")
        # The cases were just embedded with the candidate: the switch reuses those vectors.
        known = dict(zip(train.texts + held.texts, np.vstack([train_vecs, held_vecs]), strict=True))
        switch_to(kb, version, candidate, say, track, known)
    else:
        say(f"{version} is not significantly better ({verdict}): keeping the model in use")
    summary["seconds"] = round(time.perf_counter() - started, 1)
    return summary


def switch_to(
    kb: Any,
    version: str,
    embedder: Any | None = None,
    say: Say | None = None,
    track: Track = no_tracking,
    known: dict[str, np.ndarray] | None = None,
) -> int:
    """Make `version` the model in use: re-embed every chunk, rebuild, then record the switch.

    `known`: vectors of texts already embedded with `version` (not embedded again).
    The registry changes last: a running server follows it, and a crash before it
    leaves the old model in use (`kcrm reindex` then re-embeds back).
    """
    reg = ModelRegistry.load(kb.settings)
    reg.check(version)
    embedder = embedder or load_version(kb.settings, version, reg)
    if say is not None:
        say(f"re-embedding the knowledge base with {embedder.name}")
    with track(f"re-embedding with {version}", None, "chunks") as advance:
        done = int(kb.use_embedder(embedder, advance, known))
    reg.activate(version)
    reg.save()
    return done
