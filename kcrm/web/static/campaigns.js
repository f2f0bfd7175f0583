// /marketing, continued: the audience for a product, the rules browser, and campaigns with a
// holdout and their report. Builds on marketing.js (window.kcrmMarketing: call, status).
"use strict";

(() => {
  const { bar, clear, date, download, el, explain, pct } = window.kcrm;
  const $ = (id) => document.getElementById(id);
  const shared = (window.kcrmMarketing = window.kcrmMarketing || {});
  const call = (...args) => shared.call(...args);
  const status = (...args) => shared.status(...args);
  const state = { products: [], names: {}, audience: null, campaign: null };

  function productLabel(id) {
    return state.names[id] || id;
  }

  function fillProducts(select, first) {
    const chosen = select.value;
    clear(select).append(el("option", { value: "", text: first }));
    for (const p of state.products) select.append(el("option", { value: p.id, text: p.category ? `${p.name} (${p.category})` : p.name }));
    select.value = state.products.some((p) => p.id === chosen) ? chosen : "";
  }

  async function loadProducts() {
    const body = await call("GET", "/v1/products?active=true");
    state.products = body.items || [];
    state.names = Object.fromEntries(state.products.map((p) => [p.id, p.name]));
    fillProducts($("audience-product"), "Choose a product…");
    fillProducts($("rules-product"), "Any product");
    fillProducts($("new-campaign-product"), "each customer's best product");
  }

  shared.onReady = (segments) => {
    const select = $("new-campaign-segment");
    clear(select).append(el("option", { value: "", text: "any segment" }));
    for (const g of (segments && segments.segments) || []) select.append(el("option", { value: g.segment, text: g.segment }));
    loadProducts().catch((err) => status("audience-status", explain(err, "marketing"), "bad"));
    loadCampaigns().catch((err) => status("new-campaign-status", explain(err, "marketing"), "bad"));
  };
  if (!$("app").hidden && shared.call) shared.onReady(null);

  // ---- audience for a product ------------------------------------------------------------
  $("audience-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const product = $("audience-product").value;
    if (!product) {
      status("audience-status", "Choose a product.", "bad");
      $("audience-product").focus();
      return;
    }
    const k = $("audience-count").value;
    status("audience-status", `Finding customers for ${productLabel(product)}…`);
    $("audience").hidden = true;
    let body;
    try {
      body = await call("GET", `/v1/products/${encodeURIComponent(product)}/audience?k=${encodeURIComponent(k)}`);
    } catch (err) {
      status("audience-status", explain(err, "marketing"), "bad");
      return;
    }
    state.audience = body;
    const customers = body.customers || [];
    status("audience-status", customers.length ? `${customers.length} customers who do not own ${productLabel(product)}, most likely first.` : `Nobody can be offered ${productLabel(product)}: everyone owns it or it is ruled out.`);
    $("audience-meta").textContent = productLabel(product);
    const rows = clear($("audience-rows"));
    const top = Math.max(1e-9, ...customers.map((c) => c.score));
    customers.forEach((c, i) => {
      rows.append(
        el(
          "tr",
          {},
          el("td", { class: "num", text: String(i + 1) }),
          el("td", {}, el("strong", { text: c.customer_id })),
          el("td", {}, el("span", { class: "confidence" }, bar(c.score / top, `Score of ${c.customer_id}, relative to the best`, "accent"), el("strong", { text: c.score.toFixed(3) }))),
          el("td", {}, el("ul", { class: "reasons" }, (c.reasons || []).map((r) => el("li", { text: r })))),
        ),
      );
    });
    $("audience").hidden = !customers.length;
  });

  $("audience-csv").addEventListener("click", async () => {
    const product = state.audience && state.audience.product_id;
    if (!product) return;
    try {
      const blob = await call("GET", `/v1/campaigns/export?product_id=${encodeURIComponent(product)}`);
      download(new Blob([await blob.text()], { type: "text/csv;charset=utf-8" }), `audience-${product.replace(/[^\w-]+/g, "_")}.csv`);
    } catch (err) {
      status("audience-status", `The download failed: ${explain(err, "marketing")}`, "bad");
    }
  });

  $("audience-campaign").addEventListener("click", () => {
    const product = state.audience && state.audience.product_id;
    if (!product) return;
    $("new-campaign-product").value = product;
    if (!$("new-campaign-name").value) $("new-campaign-name").value = productLabel(product);
    $("new-campaign-name").focus();
  });

  // ---- rules ----------------------------------------------------------------------------
  $("rules-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const params = new URLSearchParams({
      min_lift: $("rules-lift").value,
      min_customers: $("rules-customers").value,
      sort: $("rules-sort").value,
      k: "50",
    });
    if ($("rules-product").value) params.set("product_id", $("rules-product").value);
    status("rules-status", "Counting…");
    let body;
    try {
      body = await call("GET", `/v1/rules?${params}`);
    } catch (err) {
      status("rules-status", explain(err, "marketing"), "bad");
      return;
    }
    const rules = body.rules || [];
    status("rules-status", rules.length ? `${rules.length} rule${rules.length === 1 ? "" : "s"}, best first.` : "No rule passes these thresholds: lower the lift or the number of customers.");
    const rows = clear($("rules-rows"));
    for (const r of rules) {
      rows.append(
        el(
          "tr",
          {},
          el("td", { text: r.antecedent_names.join(", ") }),
          el("td", { text: r.consequent_names.join(", ") }),
          el("td", { class: "num", text: String(r.customers) }),
          el("td", { class: "num", text: `${(r.support * 100).toFixed(1)}%` }),
          el("td", { class: "num", text: pct(r.confidence) }),
          el("td", { class: "num", text: r.lift.toFixed(2) }),
        ),
      );
    }
    $("rules").hidden = !rules.length;
  });

  // ---- campaigns -------------------------------------------------------------------------
  async function loadCampaigns() {
    const body = await call("GET", "/v1/campaigns");
    const items = body.items || [];
    const rows = clear($("campaign-list-rows"));
    for (const c of items) {
      const target = c.product_id ? productLabel(c.product_id) : ["best product", c.segment, c.tier && `${c.tier} tier`].filter(Boolean).join(", ");
      rows.append(
        el(
          "tr",
          {},
          el("th", { scope: "row", text: c.name }),
          el("td", { text: target }),
          el("td", { class: "num", text: String(c.treatment) }),
          el("td", { class: "num", text: String(c.holdout) }),
          el("td", { text: date(c.started_at) }),
          el("td", {}, el("button", { type: "button", class: "link", text: "Report", "aria-label": `Report of ${c.name}`, onclick: () => showReport(c.id) })),
        ),
      );
    }
    $("campaign-list").hidden = !items.length;
    return items;
  }

  $("new-campaign").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = $("new-campaign-name").value.trim();
    if (!name) {
      status("new-campaign-status", "Give the campaign a name.", "bad");
      $("new-campaign-name").focus();
      return;
    }
    const body = { name, holdout: Number($("new-campaign-holdout").value) };
    for (const [field, id] of [["product_id", "new-campaign-product"], ["segment", "new-campaign-segment"], ["tier", "new-campaign-tier"]]) {
      if ($(id).value) body[field] = $(id).value;
    }
    if ($("new-campaign-size").value) body.size = Number($("new-campaign-size").value);
    if ($("new-campaign-consent").checked) body.consent_only = true;
    const button = event.submitter || $("new-campaign").querySelector("button");
    button.disabled = true;
    status("new-campaign-status", "Choosing the customers and drawing the holdout…");
    try {
      const created = await call("POST", "/v1/campaigns", body);
      status("new-campaign-status", `Campaign “${created.name}” created: ${created.treatment} customers to offer, ${created.holdout} held out.`, "good");
      await loadCampaigns();
      await showReport(created.id);
    } catch (err) {
      status("new-campaign-status", explain(err, "marketing"), "bad");
    } finally {
      button.disabled = false;
    }
  });

  function stat(value, label) {
    return el("div", { class: "stat" }, el("span", { class: "value", text: value }), el("span", { class: "label", text: label }));
  }

  function signed(x) {
    return `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)} pts`;
  }

  async function showReport(id) {
    let report;
    let treated;
    try {
      [report, treated] = await Promise.all([call("GET", `/v1/campaigns/${id}/report`), call("GET", `/v1/campaigns/${id}/members?group=treatment`)]);
    } catch (err) {
      status("new-campaign-status", explain(err, "marketing"), "bad");
      return;
    }
    state.campaign = report;
    $("report-title").textContent = `Report: ${report.name}`;
    const t = report.treatment;
    const h = report.holdout;
    clear($("report-stats")).append(
      stat(`${t.converted} / ${t.customers}`, "offered who bought it"),
      stat(t.rate === null ? "–" : `${(t.rate * 100).toFixed(1)}%`, "conversion, offered"),
      stat(`${h.converted} / ${h.customers}`, "held out who bought it"),
      stat(h.rate === null ? "–" : `${(h.rate * 100).toFixed(1)}%`, "conversion, held out"),
      stat(`${t.accepted} / ${t.rejected}`, "accepted / rejected"),
      stat(String(t.contactable), "offered who may be contacted"),
    );
    $("report-uplift").textContent = report.uplift === null ? "No uplift yet: a group is empty." : `Uplift ${signed(report.uplift)} (95% interval ${signed(report.ci_low)} to ${signed(report.ci_high)}; ${report.ci}).`;
    renderMembers(id, treated.customers || []);
    $("campaign-report").hidden = false;
  }

  const SHOWN = 50;

  function renderMembers(id, members) {
    $("member-status").textContent = members.length > SHOWN ? `The first ${SHOWN} of ${members.length}; the contact list has them all.` : `${members.length} customers.`;
    const rows = clear($("member-rows"));
    for (const m of members.slice(0, SHOWN)) {
      const answer = el("td", {});
      const mark = (outcome) => async () => {
        try {
          await call("POST", `/v1/campaigns/${id}/outcomes`, { customer_id: m.customer_id, outcome });
          await showReport(id);
        } catch (err) {
          status("new-campaign-status", explain(err, "marketing"), "bad");
        }
      };
      if (m.outcome) answer.append(el("span", { class: `chip ${m.outcome === "accepted" ? "good" : "subtle"}`, text: m.outcome }));
      else {
        answer.append(
          el("button", { type: "button", class: "link", text: "Accepted", "aria-label": `${m.customer_id} accepted`, onclick: mark("accepted") }),
          " ",
          el("button", { type: "button", class: "link", text: "Rejected", "aria-label": `${m.customer_id} rejected`, onclick: mark("rejected") }),
        );
      }
      rows.append(
        el(
          "tr",
          {},
          el("td", { class: "num", text: String(m.rank) }),
          el("td", {}, el("strong", { text: m.name || m.customer_id }), el("br"), el("span", { class: "muted small", text: m.customer_id })),
          el("td", { text: productLabel(m.product_id) }),
          answer,
        ),
      );
    }
  }

  $("campaign-csv").addEventListener("click", async () => {
    const c = state.campaign;
    if (!c) return;
    try {
      const blob = await call("GET", `/v1/campaigns/${c.id}/export`);
      download(new Blob([await blob.text()], { type: "text/csv;charset=utf-8" }), `campaign-${c.id}.csv`);
    } catch (err) {
      status("new-campaign-status", `The download failed: ${explain(err, "marketing")}`, "bad");
    }
  });
})();
