"""Progress of long commands: a live bar in a terminal, periodic one-line reports in logs.

Anything that can take more than a few seconds shows counts and an estimate
from the start, and ends with one summary line saying how long it took. When
stderr is not a terminal (CI logs, `make demo | tee`, a service manager), a
line like `ingesting: 1,024/5,000 records (20%), 210/s, about 19s left` is
printed every `KCRM_PROGRESS_SECONDS` seconds (default 10) instead of a bar.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

Advance = Callable[[int], None]


def duration(seconds: float) -> str:
    """`4.2s`, `3m05s`, `1h02m`: short enough for a log line."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def _interval() -> float:
    try:
        return max(0.5, float(os.environ.get("KCRM_PROGRESS_SECONDS", "10")))
    except ValueError:
        return 10.0


class LineProgress:
    """Counts work and prints a report line at most every `interval` seconds, from a thread.

    The thread reports even while the work is stuck in one long step (a first batch
    being embedded, a model loading), so a log never goes silent for minutes.
    """

    def __init__(
        self,
        console: Console,
        label: str,
        total: int | None,
        unit: str,
        interval: float,
        delay: float = 0.0,
    ) -> None:
        self.console = console
        self.label = label
        self.total = total
        self.unit = unit
        self.interval = interval
        self.delay = delay
        self.done = 0
        self.started = time.monotonic()
        self.announced = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="kcrm-progress", daemon=True)

    def start(self) -> None:
        if self.delay <= 0:
            self._announce()
        self._thread.start()

    def _announce(self) -> None:
        what = f"{self.total:,} {self.unit}" if self.total else self.unit
        self.console.print(f"{self.label}: starting ({what})", highlight=False)
        self.announced = True

    def advance(self, n: int) -> None:
        with self._lock:
            self.done += n

    def line(self) -> str:
        """The current report: counts, share, rate and the time left when it is known."""
        elapsed = time.monotonic() - self.started
        with self._lock:
            done = self.done
        parts = [f"{done:,}" + (f"/{self.total:,}" if self.total else "") + f" {self.unit}"]
        if self.total:
            parts[0] += f" ({100 * done / self.total:.0f}%)"
        if done and elapsed > 0:
            rate = done / elapsed
            parts.append(f"{rate:,.0f}/s" if rate >= 10 else f"{rate:.1f}/s")
            if self.total and done < self.total:
                parts.append(f"about {duration((self.total - done) / rate)} left")
        parts.append(f"{duration(elapsed)} so far")
        return f"{self.label}: " + ", ".join(parts)

    def _run(self) -> None:
        if not self.announced:
            if self._stop.wait(self.delay):
                return  # done before anyone needed telling
            self._announce()
        while not self._stop.wait(self.interval):
            self.console.print(self.line(), highlight=False)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


@contextmanager
def progress(
    label: str,
    total: int | None = None,
    unit: str = "records",
    console: Console | None = None,
    delay: float = 0.0,
) -> Iterator[Advance]:
    """Report progress of `label` on stderr; yields `advance(n)`; ends with a summary line.

    With `delay`, work that ends sooner says nothing at all (quick commands stay quiet).
    """
    console = console or Console(stderr=True)
    started = time.monotonic()
    announced = True
    if console.is_terminal:
        columns = [
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
        ]
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task(label, total=total)
            yield lambda n: bar.advance(task, n)
            done = int(bar.tasks[0].completed)
    else:
        lines = LineProgress(console, label, total, unit, _interval(), delay)
        lines.start()
        try:
            yield lines.advance
        finally:
            lines.stop()
        done, announced = lines.done, lines.announced
    elapsed = time.monotonic() - started
    if announced and elapsed >= delay:
        console.print(f"{label}: done, {done:,} {unit} in {duration(elapsed)}", highlight=False)


@contextmanager
def stage(label: str, console: Console | None = None, delay: float = 2.0) -> Iterator[None]:
    """A step with no count (fitting a model, loading one), reported if it takes a while."""
    console = console or Console(stderr=True)
    if console.is_terminal:
        started = time.monotonic()
        with console.status(f"{label}…"):
            yield
        elapsed = time.monotonic() - started
        if elapsed >= delay:
            console.print(f"{label}: done in {duration(elapsed)}", highlight=False)
        return
    lines = LineProgress(console, label, None, "one step", _interval(), delay)
    lines.start()
    try:
        yield
    finally:
        lines.stop()
    elapsed = time.monotonic() - lines.started
    if lines.announced:
        console.print(f"{label}: done in {duration(elapsed)}", highlight=False)
