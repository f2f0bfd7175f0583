"""How long assist work reports its progress: `track(label, total, unit)` per counted step.

The domain code stays free of any terminal: the CLI passes a `track` that draws a
bar in a terminal and prints periodic one-line reports in logs (kcrm.cli.progress);
library callers and tests get `no_tracking`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

Advance = Callable[[int], None]
Track = Callable[[str, int | None, str], AbstractContextManager[Advance]]


@contextmanager
def no_tracking(label: str, total: int | None, unit: str) -> Iterator[Advance]:
    """A `Track` that reports nothing."""
    yield lambda n: None
