"""Any sentence-transformers model run by PyTorch: the fallback, the training and GPU route."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kcrm.knowledge.embedders.base import ModelEmbedder, offline_if_local, resolve_model_path


class SentenceTransformerEmbedder(ModelEmbedder):
    """Any sentence-transformers model, by name or local path, run by PyTorch."""

    batches_queries = True

    def __init__(
        self, model: str, batch_size: int = 64, device: str = "cpu", name: str | None = None
    ) -> None:
        self.source = resolve_model_path(model)
        offline_if_local(self.source)
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(self.source, device=device)
        self.name = name or model  # a trained version names itself after its base
        dim = self.model.get_embedding_dimension()
        if dim is None:
            dim = int(self.model.encode(["x"]).shape[1])
        self.dim = int(dim)
        self.batch_size = batch_size

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
