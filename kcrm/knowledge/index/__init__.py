"""The indexes a process searches: vectors (FAISS), terms (tantivy), and the replica over both."""
