"""The three browser pages (/help, /agent, /marketing): static HTML, CSS and vanilla JS.

The pages call the same `/v1` API as any client; the server only renders a small
JSON configuration into each page and serves the files under `/static`.
"""
