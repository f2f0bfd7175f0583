"""Progress of long commands when stderr is a log, not a terminal."""

from __future__ import annotations

import io
import time

import pytest
from rich.console import Console

from kcrm.cli.progress import duration, progress, stage


def log_console() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, force_terminal=False, width=200), buf


def test_a_log_gets_periodic_lines_with_counts_rate_and_estimate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KCRM_PROGRESS_SECONDS", "0.5")
    console, buf = log_console()
    with progress("ingesting", 100, "records", console) as advance:
        advance(40)
        time.sleep(1.2)
        advance(10)
    lines = buf.getvalue().splitlines()
    assert lines[0] == "ingesting: starting (100 records)"
    middle = [line for line in lines[1:-1] if "so far" in line]
    assert middle and middle[0].startswith("ingesting: 40/100 records (40%)")
    assert "left" in middle[0]
    assert lines[-1].startswith("ingesting: done, 50 records in ")


def test_quick_steps_stay_quiet_and_slow_ones_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KCRM_PROGRESS_SECONDS", "0.5")
    console, buf = log_console()
    with stage("opening", console, delay=1.0):
        pass
    assert buf.getvalue() == ""
    with stage("fitting", console, delay=0.2):
        time.sleep(0.5)
    lines = buf.getvalue().splitlines()
    assert lines[0] == "fitting: starting (one step)"
    assert lines[-1].startswith("fitting: done in ")


def test_durations_read_well() -> None:
    assert duration(4.25) == "4.2s"
    assert duration(185) == "3m05s"
    assert duration(3720) == "1h02m"
