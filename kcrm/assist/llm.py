"""A client for an OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp server).

Only `POST {KCRM_LLM_URL}/chat/completions` is used, with a timeout: a slow or
broken model must never hold an agent's reply up, so every failure is an
`LLMError` the caller answers by falling back to the offline draft.
"""

from __future__ import annotations

from typing import Any

import httpx

DEFAULT_TIMEOUT = 30.0


class LLMError(RuntimeError):
    """The endpoint could not be reached or gave no usable answer."""


class ChatClient:
    """`complete(messages) -> text` against one model of one endpoint."""

    def __init__(
        self,
        url: str,
        model: str,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"KCRM_LLM_URL must be an http(s) URL, got {url!r}")
        base = url.rstrip("/")
        self.url = base if base.endswith("/chat/completions") else f"{base}/chat/completions"
        self.model = model or "default"
        self.timeout = timeout
        self.transport = transport

    def complete(self, messages: list[dict[str, str]], temperature: float = 0.2) -> str:
        """The model's reply to a chat; `LLMError` on any failure."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": temperature,
            "stream": False,
        }
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(self.url, json=body)
            response.raise_for_status()
            text = response.json()["choices"][0]["message"]["content"]
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMError(f"{self.url}: {type(exc).__name__}: {exc}") from exc
        if not isinstance(text, str) or not text.strip():
            raise LLMError(f"{self.url}: the model returned no text")
        return text.strip()


def client_from_settings(settings: Any) -> ChatClient | None:
    """The configured client, or None when `KCRM_LLM_URL` is unset."""
    url = getattr(settings, "llm_url", "") or ""
    if not url:
        return None
    return ChatClient(url, settings.llm_model, settings.llm_timeout_seconds)
