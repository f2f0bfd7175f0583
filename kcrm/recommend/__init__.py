"""Next-best-offer recommendations from purchase history (see its own issue)."""
