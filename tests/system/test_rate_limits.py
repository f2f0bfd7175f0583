"""`kcrm serve --workers 2`: a key's limit is its limit, whichever worker answers."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

from bench.load import kcrm, kcrm_env, serve
from tests.conftest import faq, write_jsonl

LIMIT = 20  # requests per minute


def test_two_workers_share_one_limit(tmp_path: Path, test_database: str | None) -> None:
    env = kcrm_env(tmp_path / "data", database_url=test_database or "")
    kcrm(env, "init")
    kcrm(env, "ingest", str(write_jsonl(tmp_path / "k.jsonl", [faq("a", "Card", "Cards.")])))
    made = kcrm(env, "keys", "create", "--role", "agent", "--rate-limit", str(LIMIT), "--json")
    key = json.loads(made.stdout)["key"]
    with serve(env, workers=2) as server:
        start = time.monotonic()
        codes = []
        for _ in range(3 * LIMIT):
            # A new connection each time: the kernel spreads them over both workers.
            r = httpx.post(
                f"{server.url}/v1/search",
                json={"query": "card"},
                headers={"Authorization": f"Bearer {key}"},
                timeout=30,
            )
            codes.append(r.status_code)
        elapsed = time.monotonic() - start
    assert set(codes) == {200, 429}
    # The burst of one minute's worth, plus what refilled while the requests ran.
    assert LIMIT <= codes.count(200) <= LIMIT + int(elapsed * LIMIT / 60) + 1, codes
