// Shared helpers for the kcrm pages: DOM building, API calls, keys, highlighting.
// Every piece of data reaches the page through textContent or attributes, never
// innerHTML, so nothing a record or a customer wrote can become markup.
"use strict";

window.kcrm = (() => {
  function config() {
    const node = document.getElementById("kcrm-config");
    try {
      return JSON.parse(node ? node.textContent : "{}");
    } catch {
      return {};
    }
  }

  // el("p", {class: "x", onclick: fn, "aria-label": "y"}, "text", child, ...)
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith("on") && typeof value === "function") {
        node.addEventListener(name.slice(2), value);
      } else if (name === "class") {
        node.className = value;
      } else if (name === "text") {
        node.textContent = value;
      } else if (name === "dataset") {
        Object.assign(node.dataset, value);
      } else {
        node.setAttribute(name, value === true ? "" : String(value));
      }
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) {
    node.replaceChildren();
    return node;
  }

  // An error the API answered, with its problem+json body.
  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
      this.status = status;
      this.problem = problem || {};
    }
  }

  async function api(method, path, key, body, signal, extraHeaders) {
    const headers = { Accept: "application/json", ...(extraHeaders || {}) };
    if (key) headers.Authorization = `Bearer ${key}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        credentials: "omit",
      });
    } catch (err) {
      if (err.name === "AbortError") throw err;
      throw new ApiError(0, { title: "Network error", detail: "cannot reach the server" });
    }
    if (response.ok) {
      if (response.status === 204) return null;
      const type = response.headers.get("content-type") || "";
      return type.includes("json") ? response.json() : response.blob();
    }
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      problem = { title: response.statusText };
    }
    throw new ApiError(response.status, problem);
  }

  // Keys typed into a page live in sessionStorage: gone when the tab closes,
  // never sent anywhere but this server's API.
  function keyStore(role) {
    const name = `kcrm.key.${role}`;
    return {
      get: () => sessionStorage.getItem(name) || "",
      set: (value) => sessionStorage.setItem(name, value),
      clear: () => sessionStorage.removeItem(name),
    };
  }

  // A message for a failed call, in the words a person at the page can act on.
  function explain(err, role) {
    if (!(err instanceof ApiError)) return String(err && err.message ? err.message : err);
    switch (err.status) {
      case 0:
        return "Cannot reach the kcrm server. Check your connection and try again.";
      case 401:
        return "This key is not valid: it is unknown or has been revoked. Ask an administrator for a new one.";
      case 403:
        return `This key cannot be used here: ${err.problem.detail || "wrong role"}. This page needs a${
          role === "agent" ? "n agent" : ` ${role}`
        } key.`;
      case 429:
        return `Too many requests; ${err.problem.detail || "please wait a moment"}.`;
      case 503:
        return "The server is still starting up. Try again in a few seconds.";
      default:
        return err.problem.detail || err.problem.title || `The server answered ${err.status}.`;
    }
  }

  // Terms of a query to mark in text: words of 2+ letters, and for Chinese, Japanese
  // or Korean (written without spaces) every pair of adjacent characters, since
  // the words the search engine matched are not known here.
  function queryTerms(query) {
    const terms = new Set();
    const stop = new Set(["the", "and", "for", "you", "are", "can", "how", "what", "why", "does", "my", "is", "to", "of", "in", "on", "it", "do", "a", "an", "i"]);
    for (const word of query.toLowerCase().match(/[\p{L}\p{N}]+/gu) || []) {
      if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(word)) {
        const chars = Array.from(word);
        if (chars.length === 1) terms.add(word);
        for (let i = 0; i + 1 < chars.length; i++) terms.add(chars[i] + chars[i + 1]);
      } else if (word.length >= 2 && !stop.has(word)) {
        terms.add(word);
      }
    }
    return [...terms].sort((a, b) => b.length - a.length);
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // `text` as a fragment with the query's terms wrapped in <mark>: built from text
  // nodes, so a snippet containing "<b>" shows those characters and nothing else.
  function highlight(text, query) {
    const fragment = document.createDocumentFragment();
    const terms = queryTerms(query || "");
    if (!terms.length) {
      fragment.append(text);
      return fragment;
    }
    // Whole words only: "has" is not marked inside "hasn't" nor "card" inside "cardboard".
    // Han, kana and Hangul have no spaces between words, so their terms match anywhere.
    const cjk = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
    const alternatives = terms.map((term) =>
      cjk.test(term) ? escapeRegExp(term) : `(?<![\\p{L}\\p{N}'’])${escapeRegExp(term)}(?![\\p{L}\\p{N}]|['’]\\p{L})`,
    );
    const pattern = new RegExp(alternatives.join("|"), "giu");
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      if (match.index > last) fragment.append(text.slice(last, match.index));
      fragment.append(el("mark", { text: match[0] }));
      last = match.index + match[0].length;
    }
    if (last < text.length) fragment.append(text.slice(last));
    return fragment;
  }

  // `text` with the code-point ranges `spans` ([[start, end], ...], as the search API
  // returns them) wrapped in <mark>; built from text nodes like `highlight`.
  function marked(text, spans) {
    const fragment = document.createDocumentFragment();
    const chars = Array.from(String(text || ""));
    let last = 0;
    for (const [start, end] of [...(spans || [])].sort((a, b) => a[0] - b[0])) {
      if (start < last || end > chars.length || end <= start) continue;
      if (start > last) fragment.append(chars.slice(last, start).join(""));
      fragment.append(el("mark", { text: chars.slice(start, end).join("") }));
      last = end;
    }
    if (last < chars.length) fragment.append(chars.slice(last).join(""));
    return fragment;
  }

  // The few Markdown forms help articles use (headings, lists, bold), as DOM nodes.
  function inline(text) {
    const fragment = document.createDocumentFragment();
    const parts = text.split(/(\*\*[^*]+\*\*)/g);
    for (const part of parts) {
      if (part.startsWith("**") && part.endsWith("**") && part.length > 4) {
        fragment.append(el("strong", { text: part.slice(2, -2) }));
      } else if (part) {
        fragment.append(part);
      }
    }
    return fragment;
  }

  const HEADING = /^(#{1,6})\s+(.*)$/;
  const ITEM = /^\s*([-*+]|\d+[.)])\s+(.*)$/;
  const ROW = /^\s*\|.*\|\s*$/;
  const RULE_ROW = /^\s*\|[\s:|-]+\|\s*$/;

  function table(lines) {
    const cells = (l) => l.trim().slice(1, -1).split("|").map((c) => c.trim());
    const [head, ...body] = lines.filter((l) => !RULE_ROW.test(l)).map(cells);
    return el(
      "div",
      { class: "table-wrap" },
      el(
        "table",
        {},
        el("thead", {}, el("tr", {}, head.map((c) => el("th", { scope: "col" }, inline(c))))),
        el("tbody", {}, body.map((r) => el("tr", {}, r.map((c) => el("td", {}, inline(c)))))),
      ),
    );
  }

  // Line by line: headings, lists, pipe tables and paragraphs; a paragraph's lines are
  // joined before inline markup is read, so bold may span a line break.
  function markdown(text) {
    const root = document.createDocumentFragment();
    const lines = String(text || "").replace(/\r\n/g, "\n").split("\n");
    let para = [];
    let list = null;
    let rows = [];
    const flush = () => {
      if (para.length) root.append(el("p", {}, inline(para.join(" "))));
      if (rows.length) root.append(rows.length > 1 ? table(rows) : el("p", {}, inline(rows[0])));
      para = [];
      rows = [];
      list = null;
    };
    for (const raw of lines) {
      const line = raw.trimEnd();
      if (!line.trim()) {
        flush();
        continue;
      }
      const heading = line.match(HEADING);
      const item = line.match(ITEM);
      if (heading) {
        flush();
        // The page's own title is h2; article headings sit below it.
        root.append(el(`h${Math.min(6, heading[1].length + 2)}`, {}, inline(heading[2])));
      } else if (ROW.test(line)) {
        if (!rows.length) flush();
        rows.push(line);
      } else if (item) {
        if (para.length || rows.length) flush();
        const ordered = /\d/.test(item[1]);
        if (!list || list.ordered !== ordered) {
          list = { ordered, node: el(ordered ? "ol" : "ul") };
          root.append(list.node);
        }
        list.node.append(el("li", {}, inline(item[2])));
      } else if (list && /^\s+/.test(raw)) {
        list.node.lastChild.append(" ", inline(line.trim())); // a list item's continuation
      } else {
        if (list || rows.length) flush();
        para.push(line.trim());
      }
    }
    flush();
    return root;
  }

  // A snippet or answer as plain text: the Markdown marks a search engine cut through
  // (bold stars, heading hashes, table pipes) would only be noise in one line of text.
  function plain(text) {
    return String(text || "")
      .replace(/\*\*|__/g, "")
      .replace(/(^|\s)#{1,6}\s+/g, "$1")
      .replace(/\|?(\s*:?-{3,}:?\s*\|)+/g, " ") // a table's rule row
      .replace(/\s*\|\s*/g, " · ")
      .replace(/(\s·\s*)+/g, " · ")
      .replace(/^\s*·\s*|\s*·\s*$/g, "")
      .replace(/\s+/g, " ")
      .trim();
  }

  // Articles repeat their title as a first-level heading; a page that shows the title
  // already drops that line.
  function stripTitle(body, title) {
    const lines = String(body || "").split("\n");
    const first = (lines[0] || "").replace(/^#\s+/, "").trim();
    if (/^#\s+/.test(lines[0] || "") && first === String(title || "").trim()) return lines.slice(1).join("\n");
    return String(body || "");
  }

  function debounce(fn, ms) {
    let timer = 0;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  }

  function pct(x) {
    return `${Math.round((Number(x) || 0) * 100)}%`;
  }

  function date(value) {
    if (!value) return "";
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
  }

  function humanise(id) {
    const text = String(id || "").replace(/[_?]+/g, " ").trim();
    return text ? text[0].toUpperCase() + text.slice(1) : "";
  }

  // A horizontal bar that reads as a meter to assistive technology.
  function bar(value, label, tone) {
    const pctValue = Math.max(0, Math.min(100, Math.round((Number(value) || 0) * 100)));
    const fill = el("span", { class: "bar-fill" });
    fill.style.width = `${pctValue}%`; // CSSOM, which the page's CSP allows
    return el(
      "span",
      {
        class: `bar ${tone || ""}`,
        role: "meter",
        "aria-label": label,
        "aria-valuemin": 0,
        "aria-valuemax": 100,
        "aria-valuenow": pctValue,
        "aria-valuetext": `${pctValue}%`,
      },
      fill,
    );
  }

  // CSV with every cell quoted; cells a spreadsheet would run as formulas are defused.
  function csv(rows) {
    const cell = (v) => {
      let text = v === undefined || v === null ? "" : String(v);
      if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
      return `"${text.replace(/"/g, '""')}"`;
    };
    return rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
  }

  function download(blob, filename) {
    const url = URL.createObjectURL(blob);
    const link = el("a", { href: url, download: filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // The key form of the staff pages. `check(key)` resolves when the key may use the page;
  // what it resolves to is handed to `onReady(key, value)`, so the check is also the first load.
  function keyGate({ role, check, onReady }) {
    const store = keyStore(role);
    const gate = document.getElementById("key-gate");
    const form = document.getElementById("key-form");
    const input = document.getElementById("key-input");
    const message = document.getElementById("key-message");
    const app = document.getElementById("app");
    const signOut = document.getElementById("sign-out");
    let current = "";

    function lock(text) {
      current = "";
      store.clear();
      app.hidden = true;
      signOut.hidden = true;
      gate.hidden = false;
      message.textContent = text || "";
      message.hidden = !text;
      input.value = "";
      input.focus();
    }

    async function tryKey(key, fromSession) {
      message.hidden = false;
      message.textContent = "Checking the key…";
      let first;
      try {
        first = await check(key);
      } catch (err) {
        lock(fromSession ? `The saved key no longer works. ${explain(err, role)}` : explain(err, role));
        return;
      }
      current = key;
      store.set(key);
      message.hidden = true;
      gate.hidden = true;
      app.hidden = false;
      signOut.hidden = false;
      onReady(key, first);
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (!key) {
        message.hidden = false;
        message.textContent = `Enter a${role === "agent" ? "n agent" : ` ${role}`} API key.`;
        input.focus();
        return;
      }
      tryKey(key, false);
    });
    signOut.addEventListener("click", () => lock("Signed out: the key was removed from this browser tab."));

    const saved = store.get();
    if (saved) tryKey(saved, true);
    else lock("");

    return {
      key: () => current,
      // Call on any failed request: a key revoked mid-session sends the person back to the form.
      failed(err) {
        if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
          lock(explain(err, role));
          return true;
        }
        return false;
      },
    };
  }

  return {
    ApiError,
    api,
    append,
    bar,
    clear,
    config,
    csv,
    date,
    debounce,
    download,
    el,
    explain,
    highlight,
    humanise,
    keyGate,
    keyStore,
    markdown,
    marked,
    pct,
    plain,
    queryTerms,
    stripTitle,
  };
})();
