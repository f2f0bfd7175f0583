"""Versions of the embedding model trained on this knowledge base, and which one is in use.

`kcrm train suggest` writes each adapted model into `<data dir>/models/embedding/vN/`
and records it in `registry.json` beside them. The active version, when there is
one and it was trained from the configured `KCRM_EMBEDDING_MODEL`, replaces that
model everywhere (ingest, search, suggestions); otherwise the configured model is
used as is. Every switch is pushed on a history stack, so `kcrm model rollback`
returns to whatever was in use before the last switch.

A version's embedder name is `<base>+kcrm-vN`: chunks and logged queries record
the name they were embedded with, so a switch re-embeds exactly what is stale.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kcrm.core.config import Settings
from kcrm.knowledge.embedders.base import Embedder
from kcrm.knowledge.embedders.factory import configured_embedder

REGISTRY_FILE = "registry.json"
BASE = "base"  # the name `kcrm model use` gives the configured, untrained model
_VERSION = re.compile(r"v(\d+)")


@dataclass
class ModelRegistry:
    """The registry file of one data dir: versions, the active one and the switch history."""

    folder: Path
    base: str  # the configured KCRM_EMBEDDING_MODEL
    versions: dict[str, dict[str, Any]] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)  # switches, oldest first; last is active

    @classmethod
    def load(cls, settings: Settings) -> ModelRegistry:
        folder = settings.data_dir / "models" / "embedding"
        reg = cls(folder, settings.embedding_model)
        path = folder / REGISTRY_FILE
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            reg.versions = dict(data.get("versions", {}))
            reg.history = list(data.get("history", []))
        return reg

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / (REGISTRY_FILE + ".tmp")
        payload = {"versions": self.versions, "history": self.history}
        tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.folder / REGISTRY_FILE)

    # ---- reading -------------------------------------------------------------------------
    @property
    def active(self) -> str:
        """The version in use, or `base`; a version trained from another base does not count."""
        if self.history and self.history[-1] != BASE:
            meta = self.versions.get(self.history[-1])
            if meta is not None and meta.get("base") == self.base:
                return self.history[-1]
        return BASE

    def name_of(self, version: str) -> str:
        """The embedder name chunks record for `version`."""
        if version == BASE:
            return self.base
        return str(self.versions[version]["name"])

    def path_of(self, version: str) -> Path:
        return self.folder / version

    def next_version(self) -> str:
        numbers = [int(m.group(1)) for v in self.versions if (m := _VERSION.fullmatch(v))]
        return f"v{max(numbers, default=0) + 1}"

    def check(self, version: str) -> None:
        """Raise ValueError unless `version` can be used with the configured model."""
        if version == BASE:
            return
        meta = self.versions.get(version)
        if meta is None:
            known = ", ".join([BASE, *self.versions]) or BASE
            raise ValueError(f"no model version {version!r}; known: {known}")
        if meta.get("base") != self.base:
            raise ValueError(
                f"{version} was trained from {meta.get('base')!r}, "
                f"but KCRM_EMBEDDING_MODEL is {self.base!r}"
            )
        if not self.path_of(version).is_dir():
            raise ValueError(f"{version}: its files are missing from {self.path_of(version)}")

    def rows(self) -> list[dict[str, Any]]:
        """Every usable version (base first), for `kcrm model list`."""
        active = self.active
        out = [{"version": BASE, "name": self.base, "active": active == BASE}]
        for version, meta in sorted(self.versions.items(), key=lambda kv: _order(kv[0])):
            out.append({"version": version, **meta, "active": active == version})
        return out

    # ---- writing -------------------------------------------------------------------------
    def add(self, version: str, meta: dict[str, Any]) -> None:
        self.versions[version] = {
            "name": f"{self.base}+kcrm-{version}",
            "base": self.base,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            **meta,
        }

    def activate(self, version: str) -> None:
        self.check(version)
        if version != self.active:
            self.history.append(version)

    def previous(self) -> str:
        """What `rollback` returns to: the version in use before the last switch."""
        current = self.active
        for version in reversed(self.history[:-1]):
            if version != current and (version == BASE or self._usable(version)):
                return version
        if current == BASE:
            raise ValueError("nothing to roll back: the base model is in use and always was")
        return BASE

    def _usable(self, version: str) -> bool:
        try:
            self.check(version)
        except ValueError:
            return False
        return True


def _order(version: str) -> int:
    m = _VERSION.fullmatch(version)
    return int(m.group(1)) if m else 0


def active_name(settings: Settings) -> str:
    """The embedder name in use for `settings` (cheap: reads one small file)."""
    reg = ModelRegistry.load(settings)
    return reg.name_of(reg.active)


def load_version(settings: Settings, version: str, reg: ModelRegistry | None = None) -> Embedder:
    """The embedder of `version` (`base` is the configured model)."""
    reg = reg or ModelRegistry.load(settings)
    reg.check(version)
    if version == BASE:
        return configured_embedder(settings)
    return configured_embedder(settings, str(reg.path_of(version)), name=reg.name_of(version))


def active_embedder(settings: Settings) -> Embedder:
    """The embedder every process of this data dir uses: the active version or the base."""
    reg = ModelRegistry.load(settings)
    return load_version(settings, reg.active, reg)
