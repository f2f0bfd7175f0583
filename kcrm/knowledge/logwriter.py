"""The query log written behind the requests: one thread, redaction and inserts in batches.

Logging a search on its request path cost a fifth of the request's CPU: the PII
redaction (Presidio over spaCy's NER) and a transaction per query. A server
therefore queues entries here and answers at once; a thread redacts whatever
has queued (spaCy's NER batched, one redaction per distinct text) and inserts
it in one transaction.

Guarantees:
- Order: entries are written in the order they were submitted.
- Bounded: at most `max_pending` entries wait; a request that finds the queue full
  waits for room (the database is slower than the requests), nothing is dropped.
- A clean stop (`stop`, which the server's shutdown calls) writes everything queued.
- A crash (kill -9, power cut) loses what was queued and not yet written: the
  searches of the last moments (the writer looks every `POLL_SECONDS`, 50 ms, and
  writes what it found in one transaction), never more than `max_pending` entries.
  Nothing else depends on them: feedback on a lost query id is refused as for any
  unknown id.
Until `start` is called (the CLI, tests, a bench), entries are written at once.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert

from kcrm.core.db import ROW_ERRORS, Database, write_or_bisect
from kcrm.core.tables import QueryLog

log = logging.getLogger(__name__)

Redactor = Callable[[list[dict[str, Any]], Database], list[dict[str, Any]]]
_WRITERS: weakref.WeakSet[QueryLogWriter] = weakref.WeakSet()
RETRY_SECONDS = (0.05, 0.2, 1.0, 2.0)  # a locked or unreachable database: back off, retry
POLL_SECONDS = 0.05  # how often an idle writer looks for rows (how late a row may be)


class QueryLogWriter:
    """Query-log rows queued by requests, redacted and inserted by one thread in batches.

    Args:
        db: where the rows go.
        redact: turns submitted rows (raw text) into the rows to store (no PII).
        max_pending: the most rows waiting at once.
        batch: the most rows per transaction.
        observe: told (stage, seconds) after each batch: "querylog_redact", "querylog_insert".
    """

    def __init__(
        self,
        db: Database,
        redact: Redactor,
        max_pending: int = 10_000,
        batch: int = 256,
        observe: Callable[[str, float], None] | None = None,
    ) -> None:
        self.db = db
        self.redact = redact
        self.max_pending = max_pending
        self.batch = batch
        self.observe = observe
        self._queue: deque[dict[str, Any]] = deque()
        self._cond = threading.Condition()
        self._submitted = 0
        self._written = 0  # rows taken out of the queue and stored (or given up on)
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._waiters = 0  # submitters (queue full) and flushes waiting on the writer
        _WRITERS.add(self)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        """Write behind from now on (a server's start-up)."""
        with self._cond:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._loop, name="kcrm-querylog", daemon=True)
            self._thread.start()

    def submit(self, row: dict[str, Any]) -> None:
        """Queue one row (written at once when not started); waits while the queue is full."""
        with self._cond:
            while self._accepting() and len(self._queue) >= self.max_pending:
                self._waiters += 1
                self._cond.wait(0.5)
                self._waiters -= 1
            if self._accepting():
                self._queue.append(row)
                self._submitted += 1
                # Nobody is woken: the writer looks every POLL_SECONDS. Waking it per
                # request cost a fifth of the request path's time under load (the woken
                # thread takes the core while the request's thread holds the GIL).
                return
        self._write([row])  # not started, or stopping: nobody would write it later

    def _accepting(self) -> bool:
        return self._thread is not None and not self._stopping

    def pending(self) -> int:
        """Rows queued and not yet written."""
        with self._cond:
            return self._submitted - self._written

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every row submitted before this call is written; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            target = self._submitted
            self._cond.notify_all()  # the writer, to write now rather than at its next look
            while self._written < target and self._thread is not None:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._waiters += 1
                self._cond.wait(left if left is not None else 0.5)
                self._waiters -= 1
        return True

    def stop(self) -> None:
        """Write everything queued, then write at once again (a clean shutdown)."""
        with self._cond:
            thread = self._thread
            if thread is None:
                return
            self._stopping = True
            self._cond.notify_all()
        thread.join()
        with self._cond:
            self._thread = None
            self._cond.notify_all()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait(POLL_SECONDS)
                if not self._queue:
                    return  # stopping, and everything is written
                rows = [self._queue.popleft() for _ in range(min(self.batch, len(self._queue)))]
                if self._waiters:
                    self._cond.notify_all()  # room for submitters waiting on a full queue
            try:
                self._write(rows)
            except Exception:
                log.exception("%d query-log rows could not be written", len(rows))
            with self._cond:
                self._written += len(rows)
                if self._waiters:
                    self._cond.notify_all()  # flushes waiting for these rows

    def _write(self, rows: list[dict[str, Any]]) -> None:
        start = time.perf_counter()
        clean = self.redact(rows, self.db)
        redacted = time.perf_counter()
        for pause in (*RETRY_SECONDS, None):
            try:
                write_or_bisect(clean, self._insert, _refused)
                break
            except ROW_ERRORS:
                raise
            except Exception:
                if pause is None:
                    raise
                time.sleep(pause)  # the database is locked or away: try again shortly
        if self.observe is not None:
            self.observe("querylog_redact", redacted - start)
            self.observe("querylog_insert", time.perf_counter() - redacted)

    def _insert(self, rows: Any) -> None:
        with self.db.session() as s:
            s.execute(insert(QueryLog), list(rows))


def _refused(row: dict[str, Any], reason: str) -> None:
    log.error("query-log row %s refused: %s", row.get("id"), reason)


def flush_pending(db: Database, timeout: float = 10.0) -> None:
    """Write what this process queued for `db` (a reader about to look for it)."""
    url = db.settings.db_url
    for writer in list(_WRITERS):
        if writer.db.settings.db_url == url and writer.pending():
            writer.flush(timeout)
