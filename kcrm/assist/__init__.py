"""Agent assist: suggested resolutions with calibrated confidence, and their offline evaluation."""

from kcrm.assist.suggest import Evidence, Suggestion, SuggestResult, suggest
from kcrm.assist.train import fit_assist, is_stale

__all__ = ["Evidence", "SuggestResult", "Suggestion", "fit_assist", "is_stale", "suggest"]
