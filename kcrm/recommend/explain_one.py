"""Reasons for one customer's offers: the steps of `Explainer.reasons` on plain lists.

One customer's ten offers are a few dozen numbers, and each numpy call costs a
microsecond or more whatever its size: the block path's twenty-odd calls per model
took more time than the reasons' work. Here the neighbour tables are read in one
pass (`Neighbours.best_owned_one`) and the rest is plain Python, with the same
thresholds, order and texts as the block path (a test checks a block against each
customer alone); models without neighbour tables (ALS) still answer through
`Explainer.said`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from kcrm.recommend.explain import (
    MAX_REASONS,
    MIN_SIMILARITY,
    STRONG,
    STRONG_LIFT,
    STRONG_SIMILARITY,
    Explainer,
)
from kcrm.recommend.models import (
    ContentRecommender,
    CoPurchaseRecommender,
    ItemKNNRecommender,
    PopularityRecommender,
)

# What one model can say for each offer s: (has a reason, strong enough to be said
# whatever the blend, the text of offer s). Texts are made only for the reasons shown
# and not remembered as the block path does: one customer's ten offers seldom repeat
# a text, and a look-up in a large memo (a cache miss) costs about what formatting does.
Says = tuple[list[bool], list[bool], Callable[[int], str]]


def reasons_one(
    ex: Explainer,
    owned: sp.csr_matrix,
    picked: np.ndarray,
    contrib: Mapping[str, list[float]],
) -> list[list[str]]:
    """Reasons for each of one customer's offers (`picked`: 1 × k, -1 for none).

    Args:
        ex: the engine's explainer (its models, cached tables and texts).
        owned: the customer's row, binary.
        picked: the offered items.
        contrib: model → its weighted contribution to each offer (k floats).
    """
    models = ex.models
    speaking = [n for n, c in contrib.items() if n in models and max(c, default=0) > 0]
    extra = [n for n in STRONG if n in models]
    wanted = list(dict.fromkeys([*speaking, *extra]))
    items = picked[0].tolist()
    k = len(items)
    tabled, table = ex.stacked(wanted)
    found = {}
    if table is not None:
        found = dict(zip(tabled, table.best_owned_one(owned.indices, picked[0]), strict=True))
    said: dict[str, Says] = {}
    for n in wanted:
        if n in found:
            said[n] = _tabled(ex, n, items, *found[n])
        elif isinstance(models[n], PopularityRecommender):
            texts = ex.popular(n)
            said[n] = ([j >= 0 for j in items], [False] * k, [texts[j] for j in items].__getitem__)
        else:  # a model without tables answers for a block of one (p = s)
            general = ex.said(n, owned, picked, {})
            said[n] = (general.has[0].tolist(), general.strong[0].tolist(), general.text)
    # Per offer, the speaking models largest contribution first (equal ones in model
    # order, as the block path's stable argsort), each asked only where it has something
    # to say; then the strong evidence of the extra models that did not speak for it.
    asks: list[list[Callable[[int], str]]] = [[] for _ in items]
    cols = [contrib[n] for n in speaking]
    has = [said[n][0] for n in speaking]
    getters = [said[n][2] for n in speaking]
    for s, ask in enumerate(asks):
        if len(cols) == 2:  # the usual blend of two: one comparison
            order: Sequence[int] = (0, 1) if cols[0][s] >= cols[1][s] else (1, 0)
        else:
            order = sorted(range(len(cols)), key=[-c[s] for c in cols].__getitem__)
        ask.extend(getters[m] for m in order if cols[m][s] > 0 and has[m][s])
    for n in extra:
        spoke = contrib[n] if n in speaking else [0.0] * k
        text = said[n][2]
        for ask, sure, c in zip(asks, said[n][1], spoke, strict=True):
            if sure and not c > 0:
                ask.append(text)
    out: list[list[str]] = []
    for s, (j, ask) in enumerate(zip(items, asks, strict=True)):
        if j < 0:
            out.append([])
            continue
        got: list[str] = []
        for say in ask:
            reason = say(s)
            if reason not in got:
                got.append(reason)
                if len(got) == MAX_REASONS:
                    break
        if not got:  # the popularity floor, as the block path
            floor = ex.floor()
            got = [floor[j] if floor else "popular"]
        out.append(got)
    return out


def _tabled(
    ex: Explainer,
    name: str,
    items: list[int],
    best: list[int],
    value: list[float],
    where: list[int],
) -> Says:
    """What a model with neighbour tables says for each offer, from the best owned item
    behind it (`best`, `value`, its table entry `where`), as `Explainer.said` does."""
    model = ex.models[name]
    names = ex.names
    k = len(items)
    if isinstance(model, CoPurchaseRecommender):
        support = model.tables()[1].ravel()
        units, n = model.item_units, model.units
        who = "customers" if model.unit == "customer" else "orders"
        # `.item`: a Python float straight away, not a numpy scalar converted after.
        both = [support.item(w) if i >= 0 else 0.0 for i, w in zip(best, where, strict=True)]
        lift = [
            b * n / max(units.item(i) * units.item(j), 1.0) if i >= 0 else 0.0
            for b, i, j in zip(both, best, items, strict=True)
        ]
        # A rule no more often true than chance (lift shown as 1.0) is no reason.
        has = [i >= 0 and x >= 1.05 for i, x in zip(best, lift, strict=True)]
        return (
            has,
            [h and x >= STRONG_LIFT for h, x in zip(has, lift, strict=True)],
            lambda s: f"bought with {names[best[s]]} by {int(both[s])} {who} (lift {lift[s]:.1f})",
        )
    if isinstance(model, ContentRecommender):
        has = [i >= 0 and v >= MIN_SIMILARITY for i, v in zip(best, value, strict=True)]
        return (
            has,
            [h and v >= STRONG_SIMILARITY for h, v in zip(has, value, strict=True)],
            lambda s: f"similar to {names[best[s]]} you bought",
        )
    assert isinstance(model, ItemKNNRecommender)
    return (
        [i >= 0 for i in best],
        [False] * k,
        lambda s: f"customers who bought {names[best[s]]} buy it too (similarity {value[s]:.2f})",
    )
