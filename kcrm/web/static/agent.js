// /agent: the case queue, a case's controls and timeline, suggested resolutions with
// evidence, an editable reply that resolves the case, and the customer panel
// (agent-customer.js). Every change goes through the API and shows on the timeline.
"use strict";

(() => {
  const { api, bar, clear, config, date, el, explain, humanise, keyGate, markdown, pct, plain, stripTitle } = window.kcrm;
  const $ = (id) => document.getElementById(id);
  const DRAFTS = !!config().drafts; // the server writes reply drafts (POST /v1/agent/draft)
  const ACTIVE = "open,pending";

  // Where the confidence bars change colour; the server decides what is answerable.
  const HIGH = 0.7;
  const MID = 0.4;

  const state = {
    cases: [],
    current: null, // {caseId, text, customerId, productId, subject, closed}
    detail: null, // the selected case as GET /v1/cases/{id} answers it
    used: null, // the suggestion whose answer is in the reply box
    view: "open",
    queryId: null,
    seq: 0,
  };

  const gate = keyGate({
    role: "agent",
    check: (key) => api("GET", queuePath(), key),
    onReady: (_key, page) => {
      showCases(page);
      loadService();
    },
  });

  async function call(method, path, body) {
    try {
      return await api(method, path, gate.key(), body);
    } catch (err) {
      gate.failed(err);
      throw err;
    }
  }

  const customer = window.kcrmCustomer({
    call,
    onOpened: (c) => {
      loadCases();
      loadService();
      selectCase(c);
    },
  });

  // ---- the queue ----------------------------------------------------------------------
  function queuePath() {
    const q = new URLSearchParams({ limit: "200", sort: "priority" });
    if (state.view === "overdue") {
      q.set("overdue", "true");
      q.set("sort", "due");
    } else {
      q.set("status", ACTIVE);
    }
    if (state.view === "mine") q.set("assignee", "me");
    if (state.view === "unassigned") q.set("unassigned", "true");
    const priority = $("queue-priority").value;
    if (priority) q.set("priority", priority);
    return `/v1/cases?${q}`;
  }

  async function loadCases() {
    $("cases-status").textContent = "Loading cases…";
    try {
      showCases(await call("GET", queuePath()));
    } catch (err) {
      $("cases-status").textContent = explain(err, "agent");
    }
  }

  const VIEW_NAMES = { open: "open", mine: "of yours open", unassigned: "unassigned", overdue: "overdue" };

  function showCases(page) {
    state.cases = (page && page.items) || [];
    const list = clear($("cases"));
    const total = page ? page.total : 0;
    $("cases-status").textContent = total
      ? `${total} case${total === 1 ? "" : "s"} ${VIEW_NAMES[state.view]}${total > state.cases.length ? `, showing ${state.cases.length}` : ""}`
      : `No cases ${VIEW_NAMES[state.view]}.`;
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
            el(
              "span",
              { class: "case-meta" },
              el("span", { class: `chip prio-${c.priority}`, text: c.priority }),
              c.overdue ? el("span", { class: "chip overdue", text: "overdue" }) : null,
              " ",
              [c.id, c.customer_id, c.channel, c.assignee || "unassigned", c.due_at ? `due ${when(c.due_at)}` : ""].filter(Boolean).join(" · "),
            ),
          ),
        ),
      );
    }
  }

  function when(value) {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? "" : d.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }

  for (const button of document.querySelectorAll(".queue-views .view")) {
    button.addEventListener("click", () => {
      state.view = button.dataset.view;
      for (const b of document.querySelectorAll(".queue-views .view")) b.setAttribute("aria-pressed", String(b === button));
      loadCases();
    });
  }
  $("queue-priority").addEventListener("change", loadCases);

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
    if (!state.current || state.current.caseId !== c.id) {
      state.used = null;
      $("resolution").value = "";
      $("resolve-status").textContent = "";
      caseStatus("");
      $("log-form").hidden = true;
    }
    work({ caseId: c.id, text, customerId: c.customer_id, productId: c.product_id, subject: c.subject || firstLine(c.description), description: c.description, channel: c.channel, opened: c.opened_at });
    showCase(c);
    loadCase(c.id);
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
    $("read-as").hidden = true;
    $("low").hidden = true;
    $("case-tools").hidden = !current.caseId;
    $("resolve").hidden = !current.caseId;
    $("work-title").focus();
    customer.show(current.customerId, false);
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
    // What of a pasted note or transcript the resolutions answer, when part was set aside.
    const problem = answer.problem;
    const readAs = $("read-as");
    readAs.hidden = !(problem && problem.kept < problem.segments);
    readAs.textContent = readAs.hidden ? "" : `Read as: “${problem.text}” (${problem.kept} of ${problem.segments} parts; greetings, checks, chatter and the agent's turns set aside)`;
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
    buttons.use = el("button", {
      type: "button",
      class: best ? "act primary" : "act",
      text: "Use this answer",
      hidden: !current || !current.caseId,
      onclick: async () => {
        buttons.use.disabled = true;
        await useAnswer(s, current);
        buttons.use.disabled = false;
        status.className = "status-line good";
        status.textContent = "In the reply box below: edit it, then send.";
      },
    });
    // Once the reply is sent, "used" is recorded for this suggestion (unless voted already).
    s.markUsed = () => (voted.used || voted.rejected ? null : send({ used: true }, ""));

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
      el("div", { class: "actions" }, buttons.used, buttons.bad, buttons.use),
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

  // ---- the case: controls, quick log, timeline ------------------------------------------
  const STATUS_NAMES = { open: "Open", pending: "Pending", resolved: "Resolved", closed: "Closed" };

  function showCase(c) {
    state.detail = c;
    const select = clear($("case-status"));
    for (const value of [c.status, ...(c.moves || [])]) {
      select.append(el("option", { value, text: value === c.status ? STATUS_NAMES[value] : `→ ${STATUS_NAMES[value]}` }));
    }
    select.value = c.status;
    $("case-priority").value = c.priority || "normal";
    $("case-assignee").textContent = c.assignee || "nobody";
    $("assign-me").hidden = false;
    const meta = $("work-meta");
    clear(meta).append(
      el("span", { class: "chip", text: c.id }),
      el("span", { class: `chip prio-${c.priority}`, text: `${c.priority} priority` }),
      el("span", { class: "chip subtle", text: c.status }),
      c.channel ? el("span", { class: "chip subtle", text: c.channel }) : null,
      c.due_at ? el("span", { class: `chip ${c.overdue ? "overdue" : "subtle"}`, text: `${c.overdue ? "overdue since" : "due"} ${when(c.due_at)}` }) : null,
    );
    const done = ["resolved", "closed"].includes(c.status);
    $("send-resolve").hidden = c.status === "resolved" || c.status === "closed";
    $("send-close").hidden = c.status === "closed";
    if (!$("resolution").value && c.resolution) $("resolution").value = c.resolution;
    if (!done) $("send-via").value = c.channel && c.channel !== "visit" ? c.channel : "email";
    if (c.timeline) renderTimeline(c.timeline, c.timeline_total);
  }

  async function loadCase(caseId) {
    clear($("timeline")).append(el("li", { class: "muted", text: "Loading the timeline…" }));
    try {
      const c = await call("GET", `/v1/cases/${encodeURIComponent(caseId)}`);
      if (state.current && state.current.caseId === caseId) showCase(c);
    } catch (err) {
      clear($("timeline")).append(el("li", { class: "muted", text: explain(err, "agent") }));
    }
  }

  const CHANNEL_WORDS = { phone: "Call", email: "Email", chat: "Chat", web: "Web message", visit: "Visit", social: "Social message" };

  function eventText(e) {
    const d = e.data || {};
    switch (e.kind) {
      case "opened":
        return `Opened${d.channel ? ` (${d.channel})` : ""} with ${d.priority || "normal"} priority`;
      case "status":
        return d.reopen ? `Reopened (${e.old} → open)` : `Status ${e.old} → ${e.new}`;
      case "priority":
        return `Priority ${e.old} → ${e.new}`;
      case "assignee":
        return e.new ? `Assigned to ${e.new}` : "Unassigned";
      case "queue":
        return e.new ? `Queue: ${e.new}` : "Removed from its queue";
      case "tags":
        return `Tags: ${e.new || "none"}`;
      case "note":
        return `Note: ${e.new}`;
      case "resolution":
        return `Resolution: ${e.new}`;
      case "triage":
        return `kcrm proposed ${e.new} priority (urgency ${pct(d.urgency)}${d.category ? `, likely ${humanise(d.category)}` : ""})`;
      case "triage_override":
        return `Priority set to ${e.new} instead of the proposed ${e.old}`;
      case "suggestion_used":
        return `Used the suggestion ${humanise(e.new) || e.new}`;
      case "customer":
        return `Customer ${e.old} merged into ${e.new}`;
      case "knowledge":
        return `Knowledge record: ${e.new}`;
      default:
        return `${humanise(e.kind)} ${e.new || ""}`;
    }
  }

  function renderTimeline(entries, total) {
    const list = clear($("timeline"));
    if (total > entries.length) list.append(el("li", { class: "muted small", text: `${total - entries.length} earlier entries not shown` }));
    for (const e of entries) {
      const talk = e.type === "interaction";
      const head = talk ? `${CHANNEL_WORDS[e.channel] || e.channel} ${e.direction === "outbound" ? "to" : "from"} the customer` : eventText(e);
      list.append(
        el(
          "li",
          { class: `entry ${talk ? `talk ${e.direction}` : "event"}` },
          el("span", { class: "when muted small", text: `${when(e.at)}${e.actor ? ` · ${e.actor}` : ""}` }),
          el("span", { class: "what", text: head }),
          talk ? el("span", { class: "body", text: e.body }) : null,
        ),
      );
    }
  }

  function caseStatus(text, tone) {
    const node = $("case-status-line");
    node.textContent = text || "";
    node.className = `status-line ${tone || ""}`;
  }

  async function change(body, done) {
    const c = state.detail;
    if (!c) return null;
    try {
      const updated = await call("PATCH", `/v1/cases/${encodeURIComponent(c.id)}`, body);
      if (state.detail && state.detail.id === c.id) showCase(updated);
      caseStatus(done(updated), "good");
      loadCases();
      return updated;
    } catch (err) {
      caseStatus(`Not saved: ${explain(err, "agent")}`, "bad");
      if (state.detail) showCase(state.detail); // put the controls back as they were
      return null;
    }
  }

  $("case-status").addEventListener("change", (event) => {
    const status = event.target.value;
    change({ status }, (c) => `Status is now ${c.status}.`);
  });
  $("case-priority").addEventListener("change", (event) => {
    change({ priority: event.target.value }, (c) => `Priority is now ${c.priority}; due ${when(c.due_at)}.`);
  });
  $("assign-me").addEventListener("click", () => change({ assignee: "me" }, (c) => `Assigned to ${c.assignee}.`));

  // Logging a call or a note: one click opens the box (focused), one click saves it.
  let logKind = "call";
  function openLog(kind) {
    logKind = kind;
    $("log-form").hidden = false;
    $("log-how").hidden = kind === "note";
    $("log-label").textContent = kind === "note" ? "Note (internal, not sent to the customer)" : "What was said";
    if (kind === "call") {
      $("log-channel").value = "phone";
      $("log-direction").value = "inbound";
    }
    $("log-text").focus();
  }
  $("log-call").addEventListener("click", () => openLog("call"));
  $("add-note").addEventListener("click", () => openLog("note"));
  $("log-cancel").addEventListener("click", () => {
    $("log-form").hidden = true;
    $("log-text").value = "";
  });
  $("log-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const c = state.detail;
    const text = $("log-text").value.trim();
    if (!c) return;
    if (!text) {
      caseStatus("Write what was said first.", "bad");
      $("log-text").focus();
      return;
    }
    if (logKind === "note") {
      if (await change({ note: text }, () => "Note added.")) $("log-text").value = "";
    } else {
      try {
        await call("POST", "/v1/interactions", {
          customer_id: c.customer_id,
          case_id: c.id,
          channel: $("log-channel").value,
          direction: $("log-direction").value,
          body: text,
        });
        $("log-text").value = "";
        caseStatus(`${CHANNEL_WORDS[$("log-channel").value]} logged.`, "good");
        loadCase(c.id);
        customer.show(c.customer_id, false);
      } catch (err) {
        caseStatus(`Not logged: ${explain(err, "agent")}`, "bad");
        return;
      }
    }
    $("log-form").hidden = true;
  });

  // ---- the reply that resolves the case ------------------------------------------------
  async function useAnswer(s, current) {
    let text = stripTitle(s.answer || "", s.title) || s.title || "";
    if (DRAFTS) {
      // A reply grounded in the suggestion's knowledge, addressed to this customer.
      try {
        const d = await call("POST", "/v1/agent/draft", {
          case_id: current.caseId,
          customer_id: current.customerId || null,
          category: s.category || null,
          article_id: s.article_id || null,
        });
        if (d && d.draft) text = d.draft;
      } catch {
        // the suggestion's own answer stays in the box
      }
    }
    state.used = s;
    $("resolution").value = text.trim();
    $("resolve-status").textContent = "";
    $("resolution").focus();
  }

  async function sendReply(status) {
    const c = state.detail;
    const text = $("resolution").value.trim();
    const node = $("resolve-status");
    if (!c) return;
    if (!text) {
      node.className = "status-line bad";
      node.textContent = "Write the reply first, or start from a suggested answer.";
      $("resolution").focus();
      return;
    }
    const s = state.used;
    const body = { status, resolution: text, sent_via: $("send-via").value };
    if (s) {
      body.resolution_category = s.category || null;
      body.article_id = s.article_id || null;
      body.used_suggestion = { query_id: state.queryId, item_id: s.article_id || s.category, category: s.category || null, article_id: s.article_id || null, confidence: s.confidence };
    }
    for (const id of ["send-resolve", "send-close"]) $(id).disabled = true;
    node.className = "status-line";
    node.textContent = "Sending…";
    let updated;
    try {
      updated = await call("PATCH", `/v1/cases/${encodeURIComponent(c.id)}`, body);
    } catch (err) {
      node.className = "status-line bad";
      node.textContent = `Not sent; the case is unchanged: ${explain(err, "agent")}`;
      return;
    } finally {
      for (const id of ["send-resolve", "send-close"]) $(id).disabled = false;
    }
    // Sending a suggestion's answer is the strongest "used" there is; record it once.
    if (s && s.markUsed) await s.markUsed();
    state.used = null;
    node.className = "status-line good";
    node.textContent = `Sent via ${body.sent_via} and ${updated.status}. Case ${c.id} is internal knowledge now; an article from it goes through review.`;
    setStatus(`Case ${c.id} is ${updated.status}.`, "good");
    showCase(updated);
    for (const b of document.querySelectorAll(".suggestion .act")) b.disabled = true;
    loadCases();
    loadService();
    customer.show(c.customer_id, false);
  }
  $("send-resolve").addEventListener("click", () => sendReply("resolved"));
  $("send-close").addEventListener("click", () => sendReply("closed"));

  // ---- call-centre figures ---------------------------------------------------------------
  async function loadService() {
    const box = $("service");
    let data;
    try {
      data = await call("GET", "/v1/reports/service?days=30");
    } catch (err) {
      clear(box).append(el("p", { class: "muted small", text: explain(err, "agent") }));
      return;
    }
    const rows = Object.entries(data.channels || {});
    const hours = (h) => (h && h.median !== null ? `${h.median} h` : "–");
    if (!rows.length) {
      clear(box).append(el("p", { class: "muted small", text: "No cases in the last 30 days." }));
      return;
    }
    clear(box).append(
      el(
        "table",
        { class: "service-table" },
        el("caption", { class: "visually-hidden", text: "Per channel: cases opened, median hours to the first reply and to resolution, share reopened" }),
        el("thead", {}, el("tr", {}, ["Channel", "Cases", "Reply", "Resolve", "Reopen"].map((h, i) => el("th", { scope: "col", class: i ? "num" : "", text: h })))),
        el(
          "tbody",
          {},
          rows.map(([name, f]) =>
            el(
              "tr",
              {},
              el("th", { scope: "row", text: name }),
              el("td", { class: "num", text: String(f.cases) }),
              el("td", { class: "num", text: hours(f.first_response_hours) }),
              el("td", { class: "num", text: hours(f.resolution_hours) }),
              el("td", { class: "num", text: f.reopen_rate === null ? "–" : pct(f.reopen_rate) }),
            ),
          ),
        ),
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

  $("refresh").addEventListener("click", loadCases);
  $("doc-close").addEventListener("click", () => $("doc-dialog").close());
})();
