"""The yardstick HTTP figures are read against: one short query through raw PyTorch.

`SentenceTransformer.encode` of one query on one thread (`torch.set_num_threads(1)`),
the median over many: what embedding a query costs on this machine right now. Run in
a fresh process (no kcrm, no ONNX Runtime loaded), between and after the load runs,
so a busy host shows up here as much as in the latencies it is compared with.

    python -m bench.reference   # prints {"reference_ms": ..., "n": ...}
"""

from __future__ import annotations

import json
import statistics
import time

QUERIES = (
    "How do I reset my card PIN?",
    "my card has not arrived yet",
    "why was I charged a fee for a transfer",
    "can I top up with a cheque",
    "what currencies can I hold",
    "my payment was declined at the shop",
    "how long does a bank transfer take",
    "I lost my phone, how do I freeze my account",
)


def measure(repeats: int = 25) -> dict[str, float]:
    """Median milliseconds of one `encode` of one short query (torch on one thread)."""
    import torch
    from sentence_transformers import SentenceTransformer

    from kcrm.core.config import DEFAULT_EMBEDDING_MODEL
    from kcrm.knowledge.embedders.base import offline_if_local, resolve_model_path

    torch.set_num_threads(1)
    path = resolve_model_path(DEFAULT_EMBEDDING_MODEL)
    offline_if_local(path)
    model = SentenceTransformer(path, device="cpu")
    for q in QUERIES:  # first calls allocate and warm caches
        model.encode(q, show_progress_bar=False)
    times = []
    for _ in range(repeats):
        for q in QUERIES:
            start = time.perf_counter()
            model.encode(q, show_progress_bar=False)
            times.append((time.perf_counter() - start) * 1000)
    return {"reference_ms": round(statistics.median(times), 3), "n": len(times)}


if __name__ == "__main__":
    print(json.dumps(measure()))
