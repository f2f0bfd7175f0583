"""Held-out cases asked the way new questions arrive, so the calibrator sees what it will score.

A stored case is embedded with its title, and the titles of a category's cases
are often the same few words ("Card retained by ATM"): held out, such a case
finds its neighbours at cosine 0.86 (median, demo) and the character model
recognises the title, while a question an agent types (no title, in the
customer's own words) finds them at about 0.68. A calibrator fitted only on the stored
form learns that anything below 0.8 is a new kind of problem, and withholds
right answers that every neighbour agrees on (docs/quality.md, "Confidence on
paraphrases"). So the calibration also scores each titled held-out case *as
asked*, its description alone, in scope and out of scope alike.

Two more forms were measured and left out: the description with 30 % of its
words dropped, and a list of everyday off-topic questions asked in every fold.
They raised the demo's right-and-answered paraphrases further (0.53 -> 0.71) but
let a small knowledge base's threshold fall until nothing out of scope was
withheld (12 Banking77 intents, 2 held out: out-of-scope recall 0.7 -> 0.0).

Which cases get a variant comes from a hash of the case id, so a refit after a
few new cases sees the same variants as before.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kcrm.assist.model import CaseSet

MAX_VARIANTS = 2_000  # bounds what a refit embeds beyond the stored vectors


def variants(
    embed: Callable[[list[str]], np.ndarray],
    data: CaseSet,
    pick: Callable[[np.ndarray, list[str], int], np.ndarray],
    limit: int = MAX_VARIANTS,
) -> list[tuple[str, CaseSet, np.ndarray]]:
    """The variants of `data`'s cases: (name, case set aligned with `data`, rows that have one).

    Args:
        embed: texts -> unit vectors (the knowledge base's embedder).
        data: the cases, with their bodies.
        pick: (rows, ids, limit) -> at most `limit` of `rows`, stable under additions.
        limit: variants at most.
    """
    if not data.bodies:
        return []
    as_asked = [
        b if b.strip() and b != t else None for b, t in zip(data.bodies, data.texts, strict=True)
    ]
    rows = pick(np.flatnonzero([t is not None for t in as_asked]), data.ids, limit)
    if rows.size == 0:
        return []
    vectors = data.vectors.copy()
    vectors[rows] = np.asarray(embed([as_asked[i] or "" for i in rows]), dtype=vectors.dtype)
    new_texts = list(data.texts)
    for i in rows:
        new_texts[i] = as_asked[i] or new_texts[i]
    mask = np.zeros(len(data), dtype=bool)
    mask[rows] = True
    return [("as_asked", CaseSet(data.ids, new_texts, vectors, data.labels, data.categories), mask)]
