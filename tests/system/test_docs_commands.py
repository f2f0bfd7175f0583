"""Every shell command in README.md and docs/*.md runs as written, in order, on a fresh data dir.

The commands are taken from the fenced ```sh blocks and run by bash, one logical line
at a time, as a reader would type them, with the exact fake embedder (the model adds
nothing to whether a command works). What this test changes, and why, is listed here:

- `make demo` installs into .venv and serves: the test runs what it runs after the
  install (`kcrm demo`), waits until it serves, fetches every page and URL the docs
  name, then stops it. `kcrm serve` is run the same way. Servers get a free port
  instead of 8000 (another process may hold it), and `localhost:8000` in a command
  becomes that port.
- Values a reader copies from an earlier command's output: `KEY=...` is the customer
  key `make demo` printed, `CUSTOMER_ID` a treatment member `kcrm campaign members`
  listed.
- SKIPPED lists the commands that are not run, each with its reason.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# Command (as written) -> why it is not run.
SKIPPED = {"make test": "it is the suite this test is part of"}
# Blocks that reproduce measurements on public data sets kept outside the repository
# (Banking77, CLINC150, bq, groceries), in a data dir of their own, with the real model:
# (file, the block's first command) -> why the block is not run.
DEV_DATA = (
    "reproduces figures on the Banking77/CLINC150 dev split, made from data sets beside the repo"
)
SKIPPED_BLOCKS = {
    ("docs/quality.md", "python -m kcrm.assist.devsplit"): DEV_DATA,
    (
        "docs/quality.md",
        "python -m bench.search_quality",
    ): "benchmarks on data sets beside the repo",
    (
        "docs/quality.md",
        "python -m bench.zh_pairs_offline",
    ): "benchmarks on data sets beside the repo",
    ("docs/quality.md", "kcrm evaluate suggest --cases /tmp/dev/"): DEV_DATA,
    ("docs/quality.md", "python -m bench.context"): DEV_DATA,
    ("docs/quality.md", "KCRM_DATA_DIR=/tmp/testdata python -m bench.learning_curve"): DEV_DATA,
    ("docs/quality.md", "kcrm train suggest"): DEV_DATA,
    (
        "docs/recommend.md",
        "export KCRM_DATA_DIR=/tmp/g",
    ): "the groceries data set lives beside the repo",
}
SERVERS = ("make demo", "kcrm serve")
PAGES = ["/help", "/help?lang=zh", "/agent", "/marketing", "/docs", "/redoc", "/openapi.json"]
PAGES += ["/healthz", "/readyz"]


@dataclass
class Block:
    """One fenced shell block: where it is and its logical lines."""

    path: Path
    line: int
    commands: list[str] = field(default_factory=list)


def shell_blocks(path: Path) -> list[Block]:
    """The ```sh (or bash) blocks of a Markdown file, continuation lines joined."""
    blocks: list[Block] = []
    current: Block | None = None
    pending = ""
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if raw.startswith("```"):
            if current is not None:
                blocks.append(current)
                current = None
            elif raw.strip("`").strip() in ("sh", "bash", "shell", "console"):
                current = Block(path, n)
            continue
        if current is None:
            continue
        line = pending + raw.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if line and not line.startswith("#"):
            current.commands.append(line)
    return blocks


def named_urls() -> list[str]:
    """The pages and GET routes the docs name, placeholders left in."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in DOCS)
    urls = set(PAGES)
    # A URL given to curl under /v1/ is POSTed by its command; the others are pages.
    pages = re.findall(r"(?:127\.0\.0\.1|localhost):8000(/[\w/.-]*)", text)
    urls |= {u for u in pages if not u.startswith("/v1/")}
    urls |= set(re.findall(r"\bGET `?(/[\w{}/.?=&-]*)", text))
    return sorted(u for u in urls if u)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Session:
    """The reader's shell: its environment and working folder, and what it learnt."""

    env: dict[str, str]
    cwd: Path
    keys: dict[str, str] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    probed: list[str] = field(default_factory=list)
    server: Server | None = None

    def stop_server(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def run(self, command: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        """Run one line in bash; exported variables carry over to the next line."""
        env_file = self.cwd / ".env-after"
        script = f"{command}\n__rc=$?\nenv -0 > {env_file}\nexit $__rc\n"
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", script],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if env_file.exists():
            pairs = env_file.read_text().split("\0")
            self.env = dict(p.split("=", 1) for p in pairs if "=" in p)
            env_file.unlink()
        return done


@pytest.fixture
def session(tmp_path: Path) -> Session:
    work = tmp_path / "clone"
    work.mkdir()
    (work / "corpus").symlink_to(ROOT / "corpus")
    (work / "bench").symlink_to(ROOT / "bench")  # the docs evaluate on bench/data/ files
    env = {k: v for k, v in os.environ.items() if not k.startswith("KCRM_")}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        KCRM_DATA_DIR=str(tmp_path / "data"),
        KCRM_EMBEDDING_MODEL="hash-64",
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        KCRM_MODEL_CACHE_DIR=os.environ.get("KCRM_MODEL_CACHE_DIR", str(tmp_path / "onnx")),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    if os.environ.get("KCRM_DATABASE_URL"):  # the PostgreSQL run: this test's own database
        env["KCRM_DATABASE_URL"] = os.environ["KCRM_DATABASE_URL"]
    return Session(env, work)


class Server:
    """`make demo` or `kcrm serve` started in the background on a free port."""

    def __init__(self, session: Session, command: str) -> None:
        self.port = free_port()
        argv = ["kcrm", "demo"] if command.startswith("make demo") else ["kcrm", "serve"]
        self.log = session.cwd / f"server-{self.port}.log"
        self.proc = subprocess.Popen(
            [*argv, "--port", str(self.port)],
            cwd=session.cwd,
            env=session.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait(self, timeout: float = 600) -> None:
        """Until /readyz answers 200 (the demo loads the corpus first)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            assert self.proc.poll() is None, f"server exited:\n{self.log.read_text()}"
            try:
                if httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"server not ready in {timeout}s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def demo_keys(log: str) -> dict[str, str]:
    """The keys `kcrm demo` printed, by role."""
    return dict(re.findall(r"^\s+(admin|agent|customer|marketing)\s+(kcrm_\S+)", log, re.M))


def probe(session: Session, server: Server, check_api: bool) -> None:
    """GET every page and URL the docs name: none may be missing or fail."""
    headers = {"Authorization": f"Bearer {session.keys['admin']}"} if session.keys else {}
    ids: dict[str, str] = {}
    if check_api:
        listed = {
            "customers": "/v1/customers?limit=1",
            "cases": "/v1/cases?limit=1",
            "products": "/v1/products",
            "campaigns": "/v1/campaigns",
        }
        for name, url in listed.items():
            body = httpx.get(server.url + url, headers=headers, timeout=60).json()
            rows = (
                body
                if isinstance(body, list)
                else next(v for v in body.values() if isinstance(v, list))
            )
            assert rows, f"{url} lists nothing on the demo data"
            ids[name] = str(rows[0]["id"])
        ids["documents"] = "faq-card-linking"
    for url in named_urls():
        if url.startswith("/v1/") and not check_api:
            continue
        path, _, query = url.partition("?")
        kept = [p for p in query.split("&") if re.fullmatch(r"\w+=[\w.-]*[a-z0-9][\w.-]*", p)]
        for name, value in ids.items():
            path = re.sub(rf"(/{name}/)\{{\w+\}}", rf"\g<1>{value}", path)
        assert "{" not in path, f"no demo id for {url}"
        target = path + ("?" + "&".join(kept) if kept else "")
        r = httpx.get(server.url + target, headers=headers, timeout=120)
        assert r.status_code < 400, f"GET {target} (docs: {url}): {r.status_code} {r.text[:300]}"
        session.probed.append(target)


def serve_and_probe(session: Session, command: str) -> None:
    """Start the documented server (stopping the one before: one data dir) and probe it."""
    session.stop_server()
    server = Server(session, command)
    session.server = server
    server.wait()
    if command.startswith("make demo"):
        session.keys = demo_keys(server.log.read_text())
        assert set(session.keys) == {"admin", "agent", "customer", "marketing"}
    # The API's ids come from the demo data as the README leaves it, once the whole walk
    # (campaigns too) is done: the last server, `kcrm serve`, is probed for them.
    probe(session, server, check_api=command.startswith("kcrm serve"))


def substitute(session: Session, command: str) -> str:
    """The values a reader copies from an earlier command's output."""
    if command.startswith("KEY=..."):
        return f"KEY={session.keys['customer']}"
    if "CUSTOMER_ID" in command and "campaign outcome" in command:
        members = session.run("kcrm campaign members 1 --group treatment --json")
        assert members.returncode == 0, members.stderr
        first = json.loads(members.stdout)["customers"][0]["customer_id"]
        command = command.replace("CUSTOMER_ID", first)
    if session.server is not None:
        command = command.replace("localhost:8000", f"localhost:{session.server.port}")
    return command


def block_skip(block: Block) -> str | None:
    """Why a whole block is not run (None: it is)."""
    where = str(block.path.relative_to(ROOT))
    for (doc, first), reason in SKIPPED_BLOCKS.items():
        if doc == where and block.commands[0].startswith(first):
            return reason
    return None


def run_block(session: Session, block: Block) -> None:
    """Run a block's commands in order; a server stays up for a next block that calls it."""
    where = f"{block.path.relative_to(ROOT)}:{block.line}"
    if not any("localhost:" in c for c in block.commands):
        session.stop_server()
    whole = block_skip(block)
    for command in block.commands:
        reason = whole or SKIPPED.get(command.split("#")[0].strip())
        if reason:
            session.skipped.append((command, reason))
            continue
        if command.startswith(SERVERS):
            serve_and_probe(session, command)
            session.ran.append(command)
            continue
        done = session.run(substitute(session, command))
        assert done.returncode == 0, (
            f"{where}: `{command}` exited {done.returncode}\n"
            f"stdout: {done.stdout[-2000:]}\nstderr: {done.stderr[-3000:]}"
        )
        session.ran.append(command)


def test_every_documented_command_runs(session: Session) -> None:
    blocks = [b for path in DOCS for b in shell_blocks(path)]
    assert blocks and blocks[0].commands[0].startswith("make demo")
    try:
        for block in blocks:
            run_block(session, block)
    finally:
        session.stop_server()
    print(f"\nran {len(session.ran)} documented commands, skipped {len(session.skipped)}:")
    for command, reason in session.skipped:
        print(f"  skipped `{command}`: {reason}")
    print(f"fetched {len(session.probed)} documented URLs")
    assert len(session.ran) >= 30 and len(session.probed) >= 20


def test_skip_lists_name_only_documented_commands() -> None:
    """A skip whose command left the docs is dead: the lists must shrink with them."""
    blocks = [b for path in DOCS for b in shell_blocks(path)]
    commands = [c.split("#")[0].strip() for b in blocks for c in b.commands]
    assert all(c in commands for c in SKIPPED)
    for doc, first in SKIPPED_BLOCKS:
        assert any(
            str(b.path.relative_to(ROOT)) == doc and b.commands[0].startswith(first) for b in blocks
        ), (doc, first)
