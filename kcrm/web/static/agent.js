// /agent: open cases, suggested resolutions with evidence, the customer's 360° view,
// feedback on suggestions and closing a case with the one that solved it.
"use strict";

(() => {
  const { api, bar, clear, date, el, explain, humanise, keyGate, markdown, pct, plain, stripTitle } = window.kcrm;
  const $ = (id) => document.getElementById(id);

  // Where the confidence bars change colour; the server decides what is answerable.
  const HIGH = 0.7;
  const MID = 0.4;

  const state = {
    cases: [],
    current: null, // {caseId, text, customerId, productId, subject, closed}
    queryId: null,
    seq: 0,
  };

  const gate = keyGate({
    role: "agent",
    check: (key) => api("GET", "/v1/cases?status=open&limit=200", key),
    onReady: (_key, cases) => showCases(cases),
  });

  async function call(method, path, body) {
    try {
      return await api(method, path, gate.key(), body);
    } catch (err) {
      gate.failed(err);
      throw err;
    }
  }

  // ---- case list -------------------------------------------------------------------
  async function loadCases() {
    $("cases-status").textContent = "Loading cases…";
    try {
      showCases(await call("GET", "/v1/cases?status=open&limit=200"));
    } catch (err) {
      $("cases-status").textContent = explain(err, "agent");
    }
  }

  function showCases(cases) {
    state.cases = cases || [];
    const list = clear($("cases"));
    $("cases-status").textContent = state.cases.length
      ? `${state.cases.length} open case${state.cases.length === 1 ? "" : "s"}`
      : "No open cases. Paste a description below to get suggestions.";
    for (const c of state.cases) {
      const current = state.current && state.current.caseId === c.id;
      list.append(
        el(
          "li",
          {},
          el(
            "button",
            {
              type: "button",
              class: "case-item",
              "aria-current": current ? "true" : "false",
              dataset: { caseId: c.id },
              onclick: () => selectCase(c),
            },
            el("span", { class: "case-subject", text: c.subject || firstLine(c.description) }),
            el("span", { class: "case-meta", text: [c.id, c.customer_id, c.channel, date(c.opened_at)].filter(Boolean).join(" · ") }),
          ),
        ),
      );
    }
  }

  function firstLine(text) {
    const line = String(text || "").split("\n")[0].trim();
    return line.length > 80 ? `${line.slice(0, 77)}…` : line;
  }

  function markCurrent() {
    for (const b of document.querySelectorAll(".case-item")) {
      b.setAttribute("aria-current", String(!!state.current && b.dataset.caseId === state.current.caseId));
    }
  }

  function selectCase(c) {
    const text = [c.subject, c.description].filter(Boolean).join("\n");
    work({ caseId: c.id, text, customerId: c.customer_id, productId: c.product_id, subject: c.subject || firstLine(c.description), description: c.description, channel: c.channel, opened: c.opened_at });
  }

  // ---- the work area: suggestions for the chosen case or text -------------------------
  async function work(current) {
    state.current = current;
    state.queryId = null;
    const seq = ++state.seq;
    markCurrent();
    $("work-empty").hidden = true;
    $("work").hidden = false;
    $("work-title").textContent = current.caseId ? current.subject || current.caseId : "Pasted description";
    clear($("work-meta"));
    if (current.caseId) $("work-meta").append(el("span", { class: "chip", text: current.caseId }));
    if (current.channel) $("work-meta").append(el("span", { class: "chip subtle", text: current.channel }));
    if (current.opened) $("work-meta").append(el("span", { class: "chip subtle", text: `opened ${date(current.opened)}` }));
    $("work-description").textContent = current.description || current.text;
    setStatus("Finding resolutions…");
    clear($("suggestions"));
    clear($("low-list"));
    clear($("similar"));
    $("no-answer").hidden = true;
    $("low").hidden = true;
    $("work-title").focus();
    loadCustomer(current.customerId, seq);
    let answer;
    try {
      answer = await call("POST", "/v1/agent/suggest", {
        text: current.text.slice(0, 5000),
        customer_id: current.customerId || null,
        product_id: current.productId || null,
        k: 5,
      });
    } catch (err) {
      if (seq === state.seq) setStatus(`Suggestions are unavailable: ${explain(err, "agent")}`, "bad");
      return;
    }
    if (seq !== state.seq) return;
    state.queryId = answer.query_id;
    showSuggestions(answer);
  }

  function setStatus(text, tone) {
    const node = $("work-status");
    node.textContent = text || "";
    node.className = `status-line ${tone || ""}`;
  }

  function showSuggestions(answer) {
    const suggestions = answer.suggestions || [];
    setStatus("");
    $("no-answer").hidden = !!answer.answerable;
    const target = answer.answerable ? $("suggestions") : $("low-list");
    suggestions.forEach((s, i) => target.append(suggestionCard(s, i === 0 && answer.answerable)));
    if (answer.answerable) {
      $("suggestions-title").hidden = false;
    } else {
      $("suggestions-title").hidden = true;
      $("low").hidden = !suggestions.length;
      $("low-summary").textContent = `Show ${suggestions.length} low-confidence resolution${suggestions.length === 1 ? "" : "s"}`;
    }
    const similar = answer.similar_cases || [];
    if (!similar.length) $("similar").append(el("li", { class: "muted", text: "No similar resolved cases." }));
    for (const c of similar) {
      $("similar").append(
        el(
          "li",
          {},
          el("button", { type: "button", class: "link", onclick: () => openDoc(c.id) }, c.title || c.id),
          " ",
          c.category ? el("span", { class: "chip subtle", text: humanise(c.category) }) : null,
          c.resolution ? el("span", { class: "snippet", text: c.resolution }) : el("span", { class: "snippet", text: plain(c.snippet) }),
        ),
      );
    }
  }

  function tone(confidence) {
    return confidence >= HIGH ? "high" : confidence >= MID ? "mid" : "low";
  }

  function suggestionCard(s, best) {
    const item = s.article_id || s.category; // the id the suggest query logged for it
    const status = el("p", { class: "status-line", role: "status" });
    const buttons = {};
    const voted = { used: false, rejected: false };

    async function send(body, done) {
      try {
        await call("POST", "/v1/feedback", { query_id: state.queryId, item_id: item, ...body });
        status.className = "status-line good";
        status.textContent = done;
        return true;
      } catch (err) {
        status.className = "status-line bad";
        status.textContent = `Feedback not saved: ${explain(err, "agent")}`;
        return false;
      }
    }

    buttons.used = el("button", {
      type: "button",
      class: "act",
      text: "Mark used",
      onclick: async () => {
        buttons.used.disabled = true;
        if (await send({ used: true }, "Marked as used. Thank you.")) {
          voted.used = true;
          buttons.bad.disabled = true;
        } else buttons.used.disabled = false;
      },
    });
    buttons.bad = el("button", {
      type: "button",
      class: "act",
      text: "Not helpful",
      onclick: async () => {
        buttons.bad.disabled = true;
        if (await send({ helpful: false }, "Marked as not helpful; it will rank lower for similar cases.")) {
          voted.rejected = true;
          buttons.used.disabled = true;
        } else buttons.bad.disabled = false;
      },
    });
    const current = state.current;
    buttons.close = el("button", {
      type: "button",
      class: best ? "act primary" : "act",
      text: "Close case with this",
      hidden: !current || !current.caseId,
      onclick: async () => {
        for (const b of Object.values(buttons)) b.disabled = true;
        status.className = "status-line";
        status.textContent = "Closing the case…";
        try {
          await call("PATCH", `/v1/cases/${encodeURIComponent(current.caseId)}`, {
            status: "closed",
            resolution: s.answer || s.title,
            resolution_category: s.category || null,
            article_id: s.article_id || null,
          });
        } catch (err) {
          status.className = "status-line bad";
          status.textContent = `The case is still open: ${explain(err, "agent")}`;
          for (const b of Object.values(buttons)) b.disabled = false;
          return;
        }
        // Closing with a resolution is the strongest "used" there is; record it once.
        if (!voted.used && !voted.rejected) await send({ used: true }, "");
        current.closed = true;
        for (const b of document.querySelectorAll(".suggestion .act")) b.disabled = true;
        status.className = "status-line good";
        status.textContent = `Case ${current.caseId} closed with this resolution. It is now in the knowledge base.`;
        setStatus(`Case ${current.caseId} is closed.`, "good");
        state.cases = state.cases.filter((c) => c.id !== current.caseId);
        showCases(state.cases);
        loadCustomer(current.customerId, state.seq); // its case list has changed
      },
    });

    const confidence = Number(s.confidence) || 0;
    const evidence = s.evidence || [];
    return el(
      "li",
      { class: `suggestion${best ? " best" : ""}` },
      el(
        "div",
        { class: "suggestion-head" },
        el("h3", {}, s.title || humanise(s.category) || "Resolution"),
        s.category ? el("span", { class: "chip subtle", text: humanise(s.category) }) : null,
      ),
      el(
        "div",
        { class: "confidence" },
        el("span", { text: "Confidence" }),
        bar(confidence, `Confidence for ${s.title || s.category}`, tone(confidence)),
        el("strong", { text: pct(confidence) }),
      ),
      answerBlock(s),
      s.article_id
        ? el("p", { class: "small" }, "Article: ", el("button", { type: "button", class: "link", onclick: () => openDoc(s.article_id) }, s.article_id))
        : null,
      evidence.length
        ? el(
            "details",
            {},
            el("summary", { text: `Evidence (${evidence.length})` }),
            el(
              "ul",
              { class: "evidence" },
              evidence.map((e) =>
                el(
                  "li",
                  {},
                  el("button", { type: "button", class: "link", onclick: () => openDoc(e.id) }, e.id),
                  ` ${e.kind} · similarity ${pct(e.score)}`,
                  el("span", { class: "snippet muted", text: plain(e.snippet) }),
                ),
              ),
            ),
          )
        : null,
      el("div", { class: "actions" }, buttons.used, buttons.bad, buttons.close),
      status,
    );
  }

  // Case resolutions are a sentence or two; an article's answer is its text, which
  // is folded to a few lines with a toggle so the other suggestions stay in view.
  const LONG_ANSWER = 420;

  function answerBlock(s) {
    const text = stripTitle(s.answer || "", s.title);
    const body = el("div", { class: "answer prose" }, markdown(text));
    if (text.length <= LONG_ANSWER) return body;
    body.classList.add("folded");
    body.id = `answer-${Math.random().toString(36).slice(2, 9)}`;
    const toggle = el("button", {
      type: "button",
      class: "link small",
      "aria-expanded": "false",
      "aria-controls": body.id,
      text: "Show the whole answer",
      onclick: () => {
        const open = body.classList.toggle("folded") === false;
        toggle.setAttribute("aria-expanded", String(open));
        toggle.textContent = open ? "Show less" : "Show the whole answer";
      },
    });
    return el("div", {}, body, toggle);
  }

  // ---- the customer's 360° view -------------------------------------------------------
  async function loadCustomer(customerId, seq) {
    const box = clear($("customer"));
    if (!customerId) {
      box.append(el("p", { class: "muted", text: "No customer linked to this case." }));
      return;
    }
    box.append(el("p", { class: "muted", text: `Loading ${customerId}…` }));
    let view;
    try {
      view = await call("GET", `/v1/customers/${encodeURIComponent(customerId)}`);
    } catch (err) {
      if (seq !== state.seq) return;
      clear(box).append(el("p", { class: "muted", text: err.status === 404 ? `No customer with id ${customerId}.` : explain(err, "agent") }));
      return;
    }
    if (seq !== state.seq) return;
    renderCustomer(clear(box), view);
  }

  function section(title, items, empty) {
    return [
      el("h3", { class: "section-title", text: title }),
      items.length ? el("ul", { class: "plain" }, items) : el("p", { class: "muted small", text: empty }),
    ];
  }

  function renderCustomer(box, v) {
    const p = v.profile || {};
    const value = v.value || {};
    box.append(
      el("h3", {}, p.name || v.customer_id),
      el(
        "p",
        { class: "meta" },
        el("span", { class: "chip", text: v.customer_id }),
        p.segment ? el("span", { class: "chip subtle", text: p.segment }) : null,
        value.value_tier ? el("span", { class: `chip ${value.value_tier === "gold" ? "warn" : "subtle"}`, text: `${value.value_tier} tier` }) : null,
      ),
    );
    const facts = [
      ["Location", [p.city, p.country].filter(Boolean).join(", ")],
      ["Customer since", date(p.joined_at)],
      ["RFM segment", value.segment ? `${value.segment} (${value.rfm})` : ""],
      ["Orders", value.orders !== undefined ? String(value.orders) : ""],
      ["Last purchase", value.recency_days !== undefined ? `${Math.round(value.recency_days)} days before the latest` : ""],
      ["Open cases", String(v.open_cases || 0)],
    ].filter(([, x]) => x);
    box.append(el("dl", { class: "kv" }, facts.map(([k, x]) => [el("dt", { text: k }), el("dd", { text: x })])));
    box.append(
      ...section(
        "Contacts",
        (v.contacts || []).map((c) => el("li", { text: `${c.kind}: ${c.value}${c.primary ? " (primary)" : ""}` })),
        "None on file.",
      ),
      ...section(
        "Products",
        (v.products_owned || []).map((o) => el("li", {}, o.name || o.product_id, " ", el("span", { class: "muted small", text: `${o.category || ""} · ${o.orders} order${o.orders === 1 ? "" : "s"}` }))),
        "No purchases.",
      ),
      ...section(
        "Recent cases",
        (v.cases || []).map((c) =>
          el("li", {}, el("span", { class: `chip ${c.status === "closed" ? "subtle" : "good"}`, text: c.status }), " ", c.subject || c.id, " ", el("span", { class: "muted small", text: date(c.opened_at) })),
        ),
        "No cases.",
      ),
      ...section(
        "Recent interactions",
        (v.interactions || []).map((i) =>
          el("li", {}, el("span", { class: "muted small", text: `${date(i.occurred_at)} · ${i.channel || ""} ${i.direction || ""}` }), el("span", { class: "snippet clamp", text: i.text || "" })),
        ),
        "No interactions.",
      ),
    );
  }

  // ---- documents (evidence, articles) ------------------------------------------------------
  async function openDoc(id) {
    const dialog = $("doc-dialog");
    $("doc-title").textContent = `Loading ${id}…`;
    clear($("doc-body"));
    clear($("doc-meta"));
    if (!dialog.open) dialog.showModal();
    try {
      const doc = await call("GET", `/v1/documents/${encodeURIComponent(id)}`);
      $("doc-title").textContent = doc.title || doc.id;
      $("doc-meta").append(el("span", { class: "chip", text: doc.kind }), " ", doc.category ? el("span", { class: "chip subtle", text: humanise(doc.category) }) : null);
      $("doc-body").append(markdown(stripTitle(doc.body, doc.title)));
      if (doc.resolution) $("doc-body").append(el("h3", { text: "Resolution" }), el("p", { text: doc.resolution }));
    } catch (err) {
      $("doc-title").textContent = err.status === 404 ? `${id} is no longer in the knowledge base.` : explain(err, "agent");
    }
  }

  // ---- pasted descriptions ---------------------------------------------------------------
  function pasted() {
    const text = $("paste-text").value.trim();
    if (!text) {
      $("paste-status").textContent = "Paste or type the customer's description first.";
      $("paste-text").focus();
      return null;
    }
    $("paste-status").textContent = "";
    return { text, customerId: $("paste-customer").value.trim() || null };
  }

  $("paste-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const p = pasted();
    if (p) work({ caseId: null, text: p.text, description: p.text, customerId: p.customerId });
  });

  $("open-case").addEventListener("click", async () => {
    const p = pasted();
    if (!p) return;
    try {
      const c = await call("POST", "/v1/cases", { description: p.text, subject: firstLine(p.text), customer_id: p.customerId, channel: "web" });
      $("paste-text").value = "";
      $("paste-status").textContent = `Opened case ${c.id}.`;
      state.cases = [c, ...state.cases];
      showCases(state.cases);
      selectCase(c);
    } catch (err) {
      $("paste-status").textContent = `The case was not opened: ${explain(err, "agent")}`;
    }
  });

  $("refresh").addEventListener("click", loadCases);
  $("doc-close").addEventListener("click", () => $("doc-dialog").close());
})();
