"""A sentence-transformers model run by ONNX Runtime: the same vectors, a third of the time.

One short query takes about 11 ms through `SentenceTransformer.encode` on these
2-core machines and 3.5 ms through ONNX Runtime: PyTorch's per-operator dispatch
dominates a forward pass over a dozen tokens, and ONNX Runtime fuses the graph.
Batches gain less (about 7 %), because there the matrix products dominate.

The model is exported once, on first use, from the sentence-transformers
pipeline itself (transformer, pooling, normalisation and any dense layers, all
in the graph) into a cache folder keyed by the model's files; the export is
checked against `SentenceTransformer.encode` on probe texts (padding,
truncation, Chinese) and refused when any coordinate differs by more than
`TOLERANCE`, in which case the caller falls back to PyTorch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kcrm.knowledge.embedders.base import ModelEmbedder, offline_if_local, resolve_model_path

log = logging.getLogger(__name__)

# Bump when the export changes, so caches written by older code are not reused.
EXPORT_VERSION = 1
TOLERANCE = 1e-4
META = "kcrm-onnx.json"
QUANTIZED = "model-int8.onnx"
INT8_SUFFIX = "+int8"
PROBES = [
    "How do I reset my card PIN?",
    "  leading and trailing spaces  ",
    "我的银行卡被冻结了怎么办",
    "x",
    "refund " * 400,  # longer than any model's window: checks truncation
]


class OnnxUnavailable(RuntimeError):
    """The model cannot run under ONNX Runtime; the reason says why.

    `lasting` is False when the cause is this installation (a missing package), not
    the model: such a refusal is not remembered in the cache.
    """

    def __init__(self, reason: str, lasting: bool = True) -> None:
        super().__init__(reason)
        self.lasting = lasting


def default_cache_dir() -> Path:
    """Where exported models live unless `KCRM_MODEL_CACHE_DIR` says otherwise."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "kcrm" / "onnx"


def cache_key(path: str) -> str:
    """A key that changes whenever the model's files do (a retrained version, say)."""
    digest = hashlib.sha256(f"kcrm-onnx-{EXPORT_VERSION}\n{Path(path).resolve()}\n".encode())
    root = Path(path)
    if root.is_dir():
        for file in sorted(p for p in root.rglob("*") if p.is_file()):
            stat = file.stat()
            digest.update(
                f"{file.relative_to(root)}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode()
            )
    return digest.hexdigest()[:24]


def exported(path: str, cache_dir: Path) -> Path:
    """The folder holding `path` exported to ONNX, exporting it first if needed.

    Raises:
        OnnxUnavailable: the export failed or does not reproduce the model's vectors
            (remembered in the cache, so later starts do not try again).
    """
    key = cache_key(path)
    folder = cache_dir / key
    refused = cache_dir / f"{key}.refused"
    if (folder / META).exists():
        return folder
    if refused.exists():
        raise OnnxUnavailable(refused.read_text(encoding="utf-8"))
    cache_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{key}.", dir=cache_dir))
    work.chmod(0o755)  # mkdtemp makes it private; the cache may serve other users' processes
    try:
        try:
            _export(path, work)
        except OnnxUnavailable as exc:
            if exc.lasting:
                refused.write_text(str(exc), encoding="utf-8")
            raise
        try:
            work.rename(folder)
        except OSError:
            if not (folder / META).exists():  # not merely another process finishing first
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return folder


def _export(path: str, out: Path) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    log.info("exporting %s to ONNX (once; cached in %s)", path, out.parent)
    model = SentenceTransformer(path, device="cpu").eval()
    features = model.preprocess(PROBES[:2])
    if features.get("modality", "text") != "text":
        raise OnnxUnavailable(f"{path}: not a text model")
    names = [k for k, v in features.items() if isinstance(v, torch.Tensor)]
    if not set(names) <= {"input_ids", "attention_mask", "token_type_ids"}:
        raise OnnxUnavailable(f"{path}: takes inputs {names}, not plain token ids")
    extra = {k: v for k, v in features.items() if k not in names}

    class Pipeline(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            out = self.model({**dict(zip(names, tensors, strict=True)), **extra})
            vectors: torch.Tensor = out["sentence_embedding"]
            return vectors

    axes: dict[str, dict[int, str]] = {name: {0: "batch", 1: "tokens"} for name in names}
    axes["sentence_embedding"] = {0: "batch"}
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # tracer warnings about constants the check covers
            torch.onnx.export(
                Pipeline(),
                tuple(features[name] for name in names),
                str(out / "model.onnx"),
                input_names=names,
                output_names=["sentence_embedding"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
    except Exception as exc:  # any failure means "use PyTorch"
        missing = isinstance(exc, ImportError) or "not installed" in str(exc)
        raise OnnxUnavailable(f"{path}: ONNX export failed: {exc}", lasting=not missing) from exc
    tokenizer = model.tokenizer
    if not getattr(tokenizer, "is_fast", False) or tokenizer.pad_token_id is None:
        raise OnnxUnavailable(f"{path}: needs a fast tokenizer with a padding token")
    limit = model.max_seq_length or getattr(tokenizer, "model_max_length", None)
    meta = {
        "source": str(path),
        "export_version": EXPORT_VERSION,
        "inputs": names,
        "max_length": int(limit) if limit and limit < 1_000_000 else None,
        "lower_case": bool(getattr(model[0], "do_lower_case", False)),
        "pad_id": int(tokenizer.pad_token_id),
        "pad_token": str(tokenizer.pad_token),
        "dim": 0,
    }
    tokenizer.backend_tokenizer.save(str(out / "tokenizer.json"))
    runner = _Runner(out, meta, threads=None)
    want = model.encode(
        PROBES, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    got = np.vstack([runner.run(PROBES), runner.run(PROBES[:1])])
    diff = float(np.abs(got - np.vstack([want, want[:1]])).max())
    if not diff <= TOLERANCE:
        raise OnnxUnavailable(f"{path}: ONNX vectors differ from PyTorch by {diff:.2g}")
    meta["checked_max_abs_diff"] = diff
    meta["dim"] = int(want.shape[1])
    (out / META).write_text(json.dumps(meta, indent=2), encoding="utf-8")


class _Runner:
    """Tokenizer plus inference session over one exported folder.

    The Rust `tokenizers` library is used directly: `transformers.AutoTokenizer`
    would import PyTorch (1.2 s and 300 MB) for nothing.
    """

    def __init__(
        self,
        folder: Path,
        meta: dict[str, Any],
        threads: int | None,
        model_file: str = "model.onnx",
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.meta = meta
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        # As sentence-transformers does: pad to the longest, cut at the model's window.
        if meta["max_length"]:
            self.tokenizer.enable_truncation(meta["max_length"])
        else:
            self.tokenizer.no_truncation()
        self.tokenizer.enable_padding(pad_id=meta["pad_id"], pad_token=meta["pad_token"])
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            options.intra_op_num_threads = threads
        # Idle worker threads sleep instead of spinning: a spinning pool takes the cores
        # the search's own threads need (measured at 1M chunks: search p50 9.7 -> 8.9 ms;
        # HTTP with 8 clients at 100k: 102 -> 116 requests/s).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(
            str(folder / model_file), options, providers=["CPUExecutionProvider"]
        )

    def run(self, texts: Sequence[str]) -> np.ndarray:
        items = [t.strip() for t in texts]
        if self.meta["lower_case"]:
            items = [t.lower() for t in items]
        encodings = self.tokenizer.encode_batch(items)
        columns = {
            "input_ids": [e.ids for e in encodings],
            "attention_mask": [e.attention_mask for e in encodings],
            "token_type_ids": [e.type_ids for e in encodings],
        }
        feed = {name: np.asarray(columns[name], dtype=np.int64) for name in self.meta["inputs"]}
        (vectors,) = self.session.run(["sentence_embedding"], feed)
        vectors = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


def quantized(folder: Path) -> str:
    """The int8 copy of the exported model in `folder` (made on first use); its file name.

    Dynamic quantization (weights int8, activations quantized per batch) halves a
    query's time but changes the vectors (cosine to the float model down to 0.91 on
    Banking77 queries), so they are stored under their own model name.
    """
    target = folder / QUANTIZED
    if not target.exists():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = folder / f"{QUANTIZED}.{os.getpid()}.tmp"
        quantize_dynamic(str(folder / "model.onnx"), str(tmp), weight_type=QuantType.QInt8)
        os.replace(tmp, target)
    return QUANTIZED


class OnnxEmbedder(ModelEmbedder):
    """Any sentence-transformers model, by name or local path, run by ONNX Runtime.

    With `int8`, the model's dynamically quantized copy runs instead, and the vectors
    are named `<model>+int8` (they differ from the float model's, and a text's vector
    varies slightly with the batch it is embedded in).
    """

    # Concurrent queries embed together, grouped by length (`QueryBatcher`).
    batches_queries = True

    def __init__(
        self,
        model: str,
        batch_size: int = 64,
        name: str | None = None,
        cache_dir: Path | None = None,
        threads: int | None = None,
        int8: bool = False,
    ) -> None:
        self.source = resolve_model_path(model)
        offline_if_local(self.source)
        folder = exported(self.source, cache_dir or default_cache_dir())
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        model_file = quantized(folder) if int8 else "model.onnx"
        self.runner = _Runner(folder, meta, threads, model_file)
        # One thread per run: as many queries at once as cores. Splitting a dozen tokens'
        # forward pass over two cores gains little on a quiet host and loses on a busy
        # one (one query: 4.2 ms on one thread, 7.8 on two at the first quartile, with
        # other work on the machine), so `kcrm serve` runs one thread per query.
        self.query_slots = max(1, min(4, os.cpu_count() or 1)) if threads == 1 else 1
        self.name = name or model  # a trained version names itself after its base
        if int8:
            self.name += INT8_SUFFIX
            self.batch_invariant = False
        self.dim = int(meta["dim"])
        self.batch_size = batch_size

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        return self.runner.run(texts)
