"""Rendering the page shells: one HTML file each, with a JSON configuration blob in it."""

from __future__ import annotations

import json
import logging
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from kcrm import __version__
from kcrm.core.db import Database
from kcrm.core.keys import KeyStore
from kcrm.core.roles import visible_where
from kcrm.core.tables import Document
from kcrm.knowledge.categories import labels

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

# The pages load only their own files and talk only to this server: a strict policy
# turns any injected markup or stray third-party URL into a blocked request (and a
# console error the browser tests fail on) instead of a silent leak.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # The help page carries an API key; the others may be reached with one in the session.
    "Cache-Control": "no-store",
}

KeyStatus = Literal["ok", "missing", "invalid", "wrong_role"]


@lru_cache(maxsize=8)
def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def script_json(data: Any) -> str:
    """JSON safe to place inside a <script> element: no `</script>`, no HTML comment openers."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(name: str, config: dict[str, Any]) -> HTMLResponse:
    """The page `name` with its configuration, and headers that forbid anything foreign."""
    html = _template(name).replace("{{config}}", script_json(config))
    html = html.replace("{{version}}", __version__)
    return HTMLResponse(html, headers=HEADERS)


def public_key_status(app: FastAPI, key: str) -> tuple[str, KeyStatus]:
    """The key the help page may embed, and why not when it may not.

    A staff key in a public page would hand every visitor internal records, so
    anything but a valid customer key is withheld.
    """
    if not key:
        return "", "missing"
    keys: KeyStore | None = getattr(app.state, "keys", None)
    if keys is None:  # still starting: let the page find out from its first search
        return key, "ok"
    principal, _ = keys.verify(key)
    if principal is None:
        log.warning("KCRM_PUBLIC_KEY is unknown or revoked; /help cannot search")
        return "", "invalid"
    if principal.role != "customer":
        log.error("KCRM_PUBLIC_KEY is a %s key; /help only embeds customer keys", principal.role)
        return "", "wrong_role"
    return key, "ok"


Topic = dict[str, str]  # {"value": category id, "label": its name in the language}
_categories: dict[str, tuple[float, dict[str, list[Topic]]]] = {}
_categories_lock = threading.Lock()
CATEGORIES_TTL_SECONDS = 60.0


def public_categories(db: Database) -> dict[str, list[Topic]]:
    """Categories of public, published FAQs and articles per language, with their labels.

    Cached for a minute; a category without a label in the language shows its English
    label, else its id made readable.
    """
    key = db.settings.db_url
    with _categories_lock:
        hit = _categories.get(key)
        if hit is not None and time.monotonic() - hit[0] < CATEGORIES_TTL_SECONDS:
            return hit[1]
    with db.session() as s:
        rows = s.execute(
            select(Document.language, Document.category)
            .where(
                *visible_where("customer"),  # the page's visitors search as customers
                Document.kind.in_(("faq", "article")),
                Document.category.is_not(None),
            )
            .distinct()
        ).all()
    ids: dict[str, list[str]] = {}
    for language, category in rows:
        if category:
            ids.setdefault(language or "en", []).append(category)
    out: dict[str, list[Topic]] = {}
    for language, cats in ids.items():
        names = labels(db, cats, language)
        out[language] = sorted(
            ({"value": c, "label": names[c]} for c in cats), key=lambda t: t["label"].lower()
        )
    with _categories_lock:
        _categories[key] = (time.monotonic(), out)
    return out
