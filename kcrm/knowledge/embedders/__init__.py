"""Embedding backends behind one interface (`base.Embedder`), picked by `factory`."""
