"""Held-out cases asked the way new questions arrive, so the calibrator sees what it will score.

A stored case is embedded with its title, and the titles of a category's cases
are often the same few words ("Card retained by ATM"): held out, such a case
finds its neighbours at cosine 0.86 (median, demo) and the character model
recognises the title, while a question an agent types (no title, in the
customer's own words) finds them at about 0.68. A calibrator fitted only on the stored
form learns that anything below 0.8 is a new kind of problem, and withholds
right answers that every neighbour agrees on (docs/quality.md, "Confidence on
paraphrases"). So the calibration also scores two variants of each held-out
case, in scope and out of scope alike:
- *as asked*: the description alone, without the title;
- *reworded*: the description with a share of its words dropped, a stand-in
  for a paraphrase in other words (lower cosine, fewer shared n-grams).

Which cases get a variant and which words are dropped come from a hash of the
case id, so a refit after a few new cases sees the same variants as before.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from kcrm.assist.model import CaseSet

DROP = 0.3  # share of words a reworded variant loses
MIN_WORDS = 4  # shorter descriptions are not reworded (too little left to mean anything)
MAX_VARIANTS = 2_000  # per kind: bounds what a refit embeds beyond the stored vectors


def reworded(text: str, seed: int) -> str | None:
    """`text` with about `DROP` of its words dropped (at least three kept), or None if short."""
    words = text.split()
    if len(words) < MIN_WORDS:
        return None
    rng = random.Random(seed)
    kept = [w for w in words if rng.random() >= DROP]
    if len(kept) < 3:
        kept = words[:3]
    out = " ".join(kept)
    return out if out != " ".join(words) else None


def variants(
    embed: Callable[[list[str]], np.ndarray],
    data: CaseSet,
    pick: Callable[[np.ndarray, list[str], int], np.ndarray],
    seed_of: Callable[[str], int],
    limit: int = MAX_VARIANTS,
) -> list[tuple[str, CaseSet, np.ndarray]]:
    """The variants of `data`'s cases: (name, case set aligned with `data`, rows that have one).

    Args:
        embed: texts -> unit vectors (the knowledge base's embedder).
        data: the cases, with their bodies.
        pick: (rows, ids, limit) -> at most `limit` of `rows`, stable under additions.
        seed_of: case id -> the seed of its reworded variant.
        limit: variants of each kind at most.
    """
    if not data.bodies:
        return []
    as_asked = [
        b if b.strip() and b != t else None for b, t in zip(data.bodies, data.texts, strict=True)
    ]
    words = [reworded(b, seed_of(i)) for b, i in zip(data.bodies, data.ids, strict=True)]
    out = []
    for name, texts in (("as_asked", as_asked), ("reworded", words)):
        rows = pick(np.flatnonzero([t is not None for t in texts]), data.ids, limit)
        if rows.size == 0:
            continue
        vectors = data.vectors.copy()
        vectors[rows] = np.asarray(embed([texts[i] for i in rows]), dtype=vectors.dtype)
        new_texts = list(data.texts)
        for i in rows:
            new_texts[i] = texts[i] or new_texts[i]
        mask = np.zeros(len(data), dtype=bool)
        mask[rows] = True
        out.append(
            (name, CaseSet(data.ids, new_texts, vectors, data.labels, data.categories), mask)
        )
    return out
