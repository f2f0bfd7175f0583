"""Write the basis that maps USE multilingual vectors into a smaller main model's width.

    python -m bench.usem_basis --banking77 ../shared/data/banking77/train.csv

USE vectors (512 dimensions) are projected onto their first principal directions
when a second model has to share the main model's vector index (MiniLM: 384;
`kcrm/knowledge/embedders/routed.py`). The directions are the right singular
vectors of the USE vectors of Banking77's 10,003 English questions (uncentred,
so the map is linear and cosines stay cosines), strongest first: the first 384
keep 99.5 % of their energy, and on BQ pairs Chinese dense MRR@10 is the same
through the projection (0.081) as without it (docs/quality.md). Stored float16.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from bench.search_data import HERE
from kcrm.knowledge.embedders.routed import BASIS_FILE


def basis(vectors: np.ndarray) -> np.ndarray:
    """Rows: the principal directions of `vectors` (uncentred), strongest first."""
    _, _, vt = np.linalg.svd(vectors.astype(np.float64), full_matrices=True)
    return vt


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--banking77",
        type=Path,
        default=HERE.parent.parent / "shared" / "data" / "banking77" / "train.csv",
    )
    args = ap.parse_args(argv)
    from kcrm.knowledge.embedders.usem import UsemEmbedder

    with args.banking77.open(encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    vt = basis(UsemEmbedder().encode(texts))
    np.save(BASIS_FILE, vt.astype(np.float16))
    print(f"{BASIS_FILE}: {vt.shape} from {len(texts)} texts")


if __name__ == "__main__":
    main()
