// /marketing: a customer's next-best offers (new products and renewals) with reasons, the
// segment dashboard, and offer lists as CSV. campaigns.js adds audiences, rules and
// campaigns through `window.kcrmMarketing`.
"use strict";

(() => {
  const { api, bar, clear, csv, date, download, el, explain, keyGate, pct } = window.kcrm;
  const { groupedBars } = window.kcrmCharts;
  const $ = (id) => document.getElementById(id);

  const state = { offers: null, renewals: null, customer: null };

  const gate = keyGate({
    role: "marketing",
    check: (key) => api("GET", "/v1/segments", key),
    onReady: (_key, segments) => {
      renderSegments(segments);
      if (window.kcrmMarketing && window.kcrmMarketing.onReady) window.kcrmMarketing.onReady(segments);
      $("customer-id").focus();
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

  function status(id, text, tone) {
    $(id).textContent = text || "";
    $(id).className = `status-line ${tone || ""}`;
  }

  // ---- offers for one customer ----------------------------------------------------------
  $("lookup").addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = $("customer-id").value.trim();
    if (!id) {
      status("offers-status", "Enter a customer id.", "bad");
      $("customer-id").focus();
      return;
    }
    const k = $("offer-count").value;
    status("offers-status", `Finding offers for ${id}…`);
    $("offers").hidden = true;
    let offers;
    let renewals;
    let view = null;
    const path = `/v1/customers/${encodeURIComponent(id)}/recommendations?k=${encodeURIComponent(k)}`;
    try {
      [offers, renewals, view] = await Promise.all([
        call("GET", `${path}&offer_type=new`),
        call("GET", `${path}&offer_type=renewal`),
        call("GET", `/v1/customers/${encodeURIComponent(id)}`).catch(() => null), // the header only
      ]);
    } catch (err) {
      status("offers-status", err.status === 404 ? `No customer with id “${id}”.` : explain(err, "marketing"), "bad");
      return;
    }
    state.offers = offers;
    state.renewals = renewals;
    state.customer = view;
    renderOffers(offers, view);
    renderRows($("renewal-rows"), renewals.items || []);
    const n = (renewals.items || []).length;
    $("renewals-status").textContent = n ? `${n} product${n === 1 ? "" : "s"} the customer buys again, best first.` : "Nothing to renew: the customer owns no product that is bought again.";
    $("renewals").hidden = !n;
  });

  function renderOffers(offers, view) {
    const items = offers.items || [];
    status("offers-status", items.length ? `${items.length} offer${items.length === 1 ? "" : "s"}, best first.` : "No offers for this customer: everything offerable is owned or not eligible.");
    const head = clear($("offer-customer"));
    const profile = (view && view.profile) || {};
    const value = (view && view.value) || {};
    head.append(
      el("strong", { text: profile.name || offers.customer_id }),
      " ",
      el("span", { class: "chip", text: offers.customer_id }),
      profile.segment ? el("span", { class: "chip subtle", text: profile.segment }) : null,
      value.segment ? el("span", { class: "chip subtle", text: value.segment }) : null,
      value.value_tier ? el("span", { class: `chip ${value.value_tier === "gold" ? "warn" : "subtle"}`, text: `${value.value_tier} tier` }) : null,
      view ? el("span", { class: "muted small", text: `owns ${(view.products_owned || []).length} products` }) : null,
    );
    renderRows($("offer-rows"), items);
    $("offers").hidden = !items.length && !(state.renewals && (state.renewals.items || []).length);
    $("offers-csv").disabled = !items.length;
  }

  function renderRows(body, items) {
    const rows = clear(body);
    const top = Math.max(1e-9, ...items.map((o) => o.score));
    items.forEach((o, i) => {
      rows.append(
        el(
          "tr",
          {},
          el("td", { class: "num", text: String(i + 1) }),
          el("td", {}, el("strong", { text: o.name || o.product_id }), el("br"), el("span", { class: "muted small", text: [o.product_id, o.category].filter(Boolean).join(" · ") })),
          el("td", {}, el("span", { class: "confidence" }, bar(o.score / top, `Score of ${o.name}, relative to the best offer`, "accent"), el("strong", { text: o.score.toFixed(2) }))),
          el("td", {}, el("ul", { class: "reasons" }, (o.reasons || []).map((r) => el("li", { text: r })))),
        ),
      );
    });
  }

  $("offers-csv").addEventListener("click", () => {
    const offers = state.offers;
    if (!offers) return;
    const name = (state.customer && state.customer.profile && state.customer.profile.name) || "";
    const rows = [["customer_id", "customer_name", "offer_type", "rank", "product_id", "product_name", "category", "score", "reasons"]];
    for (const list of [offers, state.renewals]) {
      (list ? list.items || [] : []).forEach((o, i) => rows.push([offers.customer_id, name, o.offer_type || "new", i + 1, o.product_id, o.name, o.category || "", o.score, (o.reasons || []).join(" | ")]));
    }
    download(new Blob([csv(rows)], { type: "text/csv;charset=utf-8" }), `offers-${offers.customer_id}.csv`);
  });

  // ---- segments ---------------------------------------------------------------------
  async function loadSegments() {
    status("segments-status", "Loading segments…");
    try {
      renderSegments(await call("GET", "/v1/segments"));
    } catch (err) {
      status("segments-status", explain(err, "marketing"), "bad");
    }
  }

  function stat(value, label) {
    return el("div", { class: "stat" }, el("span", { class: "value", text: value }), el("span", { class: "label", text: label }));
  }

  let lastSegments = null;
  // The charts are drawn to fit their box; a new width redraws them.
  let lastWidth = window.innerWidth;
  window.addEventListener("resize", () => {
    if (!lastSegments || window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    drawCharts(lastSegments);
  });

  function drawCharts(s) {
    groupedBars($("segment-chart"), {
      title: "Customers and share of spend per RFM segment",
      series: ["customers", "share of spend"],
      rows: (s.segments || []).map((g) => ({ label: g.segment, values: [g.share, g.monetary_share], texts: [`${g.customers} (${pct(g.share)})`, pct(g.monetary_share)] })),
    });
    groupedBars($("tier-chart"), {
      title: "Share of customers and share of spend per value tier",
      series: ["share of customers", "share of spend"],
      rows: (s.tiers || []).map((g) => ({ label: g.value_tier, values: [g.share, g.monetary_share], texts: [`${g.customers} (${pct(g.share)})`, pct(g.monetary_share)] })),
    });
  }

  function renderSegments(s) {
    lastSegments = s;
    const segments = s.segments || [];
    const tiers = s.tiers || [];
    const rates = s.rates || {};
    status("segments-status", s.buyers ? `As of the latest purchase, ${date(s.as_of)}; spend measured by ${s.monetary_basis === "revenue" ? "revenue" : "order lines (no prices known)"}.` : "No purchases yet: import purchases to see segments.");
    clear($("stats")).append(
      stat(String(s.customers ?? 0), "customers"),
      stat(String(s.buyers ?? 0), "with purchases"),
      stat(pct(rates.repeat_purchase_rate), "bought more than once"),
      stat(pct(rates.repeat_item_rate), "products bought again"),
      stat(pct(rates.loyalty_rate), `loyalty (last ${rates.window_days || 180} days)`),
    );
    drawCharts(s);
    const body = clear($("segment-rows"));
    for (const g of [...segments, ...tiers]) {
      body.append(
        el(
          "tr",
          {},
          el("th", { scope: "row", text: g.segment || `${g.value_tier} tier` }),
          el("td", { class: "num", text: String(g.customers) }),
          el("td", { class: "num", text: pct(g.share) }),
          el("td", { class: "num", text: pct(g.monetary_share) }),
          el("td", { class: "num", text: String(g.mean_recency_days) }),
          el("td", { class: "num", text: String(g.mean_orders) }),
          el("td", { class: "num", text: String(g.mean_monetary) }),
        ),
      );
    }
    const select = $("campaign-segment");
    const chosen = select.value;
    clear(select).append(el("option", { value: "", text: "All segments" }));
    for (const g of segments) select.append(el("option", { value: g.segment, text: `${g.segment} (${g.customers})` }));
    select.value = segments.some((g) => g.segment === chosen) ? chosen : "";
  }

  $("segments-refresh").addEventListener("click", loadSegments);

  // What campaigns.js builds on.
  window.kcrmMarketing = Object.assign(window.kcrmMarketing || {}, { call, status });

  // ---- campaign export -----------------------------------------------------------------
  $("campaign").addEventListener("submit", async (event) => {
    event.preventDefault();
    const segment = $("campaign-segment").value;
    const tier = $("campaign-tier").value;
    const params = new URLSearchParams({ k: $("campaign-k").value });
    if (segment) params.set("segment", segment);
    if (tier) params.set("tier", tier);
    const button = event.submitter || $("campaign").querySelector("button");
    button.disabled = true;
    status("campaign-status", "Building the campaign list…");
    try {
      const blob = await call("GET", `/v1/campaigns/export?${params}`);
      const text = await blob.text();
      const lines = text.split(/\r?\n/).filter(Boolean).length - 1;
      const name = ["campaign", segment, tier].filter(Boolean).join("-").replace(/\s+/g, "_");
      download(new Blob([text], { type: "text/csv;charset=utf-8" }), `${name}.csv`);
      status("campaign-status", `Exported ${lines} offer${lines === 1 ? "" : "s"} to ${name}.csv.`, "good");
    } catch (err) {
      status("campaign-status", `The export failed: ${explain(err, "marketing")}`, "bad");
    } finally {
      button.disabled = false;
    }
  });
})();
