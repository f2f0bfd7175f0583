// /agent, the customer panel: find a caller by name, email or phone, create one, see the
// 360° view, and open a case for them with the channel they came in on.
"use strict";

window.kcrmCustomer = ({ call, onOpened }) => {
  const { clear, date, el, explain } = window.kcrm;
  const $ = (id) => document.getElementById(id);
  let shown = null; // the customer on screen: {id, name}
  let seq = 0;

  // ---- finding a caller -------------------------------------------------------------
  async function find(query) {
    const list = clear($("customer-results"));
    const status = $("find-status");
    if (!query) {
      status.textContent = "Type a name, an email or a phone number.";
      $("find-customer").focus();
      return;
    }
    status.textContent = "Searching…";
    let page;
    try {
      page = await call("GET", `/v1/customers?q=${encodeURIComponent(query)}&limit=10`);
    } catch (err) {
      status.textContent = explain(err, "agent");
      return;
    }
    const n = page.total;
    status.textContent = n ? `${n} customer${n === 1 ? "" : "s"} found${n > page.items.length ? `, showing ${page.items.length}` : ""}.` : "Nobody found. Create the customer below.";
    if (!n) $("new-customer").open = true;
    for (const c of page.items) {
      list.append(
        el(
          "li",
          {},
          el(
            "button",
            { type: "button", class: "link", dataset: { customerId: c.id }, onclick: () => show(c.id, true) },
            c.name || c.id,
          ),
          el("span", { class: "muted small", text: ` ${[c.email, c.phone].filter(Boolean).join(" · ")}` }),
        ),
      );
    }
  }

  async function create() {
    const name = $("new-name").value.trim();
    const status = $("new-customer-status");
    if (!name) {
      status.textContent = "A customer needs a name.";
      $("new-name").focus();
      return;
    }
    const body = { name };
    if ($("new-email").value.trim()) body.email = $("new-email").value.trim();
    if ($("new-phone").value.trim()) body.phone = $("new-phone").value.trim();
    try {
      const made = await call("POST", "/v1/customers", body);
      status.className = "status-line good";
      const twins = made.possible_duplicates || [];
      status.textContent = `Created ${made.name} (${made.id}).${twins.length ? ` Possible duplicates: ${twins.join(", ")}.` : ""}`;
      for (const id of ["new-name", "new-email", "new-phone"]) $(id).value = "";
      show(made.id, true);
    } catch (err) {
      status.className = "status-line bad";
      status.textContent = `Not created: ${explain(err, "agent")}`;
    }
  }

  // ---- the 360° view ------------------------------------------------------------------
  function section(title, items, empty, total) {
    const more = total !== undefined && total > items.length ? ` (${items.length} of ${total})` : "";
    return [
      el("h3", { class: "section-title", text: title + more }),
      items.length ? el("ul", { class: "plain" }, items) : el("p", { class: "muted small", text: empty }),
    ];
  }

  async function show(customerId, withOpenForm) {
    const box = clear($("customer"));
    const mine = ++seq;
    $("open-form").hidden = true;
    shown = null;
    if (!customerId) {
      box.append(el("p", { class: "muted", text: "No customer linked to this case." }));
      return;
    }
    box.append(el("p", { class: "muted", text: `Loading ${customerId}…` }));
    let view;
    try {
      view = await call("GET", `/v1/customers/${encodeURIComponent(customerId)}`);
    } catch (err) {
      if (mine !== seq) return;
      clear(box).append(el("p", { class: "muted", text: err.status === 404 ? `No customer with id ${customerId}.` : explain(err, "agent") }));
      return;
    }
    if (mine !== seq) return;
    render(clear(box), view);
    shown = { id: view.customer_id, name: view.profile.name || view.customer_id };
    if (withOpenForm) {
      $("open-for").textContent = shown.name;
      $("open-form").hidden = false;
    }
  }

  function render(box, v) {
    const p = v.profile || {};
    const value = v.value || {};
    const totals = v.totals || {};
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
    const consent = [["email", p.consent_email], ["phone", p.consent_phone], ["marketing", p.consent_marketing]].filter(([, ok]) => ok).map(([k]) => k);
    const primary = primaryContacts(v.contacts || []);
    const facts = [
      ["Email", primary.email || ""],
      ["Phone", primary.phone || ""],
      ["Location", [p.city, p.country].filter(Boolean).join(", ")],
      ["Customer since", date(p.joined_at)],
      ["Segment", value.segment ? rfmLabel(value) : ""],
      ["Last purchase", value.last_purchased_at ? lastPurchase(value) : ""],
      ["Orders", value.orders !== undefined ? String(value.orders) : ""],
      ["Open cases", String(v.open_cases || 0)],
      ["Consent", consent.length ? consent.join(", ") : "none recorded"],
    ].filter(([, x]) => x);
    box.append(el("dl", { class: "kv" }, facts.map(([k, x]) => [el("dt", { text: k }), el("dd", {}, x)])));
    box.append(editForm(v, primary));
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
          el("li", {}, el("span", { class: `chip ${["closed", "resolved"].includes(c.status) ? "subtle" : "good"}`, text: c.status }), " ", c.subject || c.id, " ", el("span", { class: "muted small", text: date(c.opened_at) })),
        ),
        "No cases.",
        totals.cases,
      ),
      ...section(
        "Recent interactions",
        (v.interactions || []).map((i) =>
          el("li", {}, el("span", { class: "muted small", text: `${date(i.occurred_at)} · ${i.channel || ""} ${i.direction || ""}` }), el("span", { class: "snippet clamp", text: i.text || "" })),
        ),
        "No interactions.",
        totals.interactions,
      ),
    );
  }

  // The segment with its RFM scores spelt out: each is 1 (lowest fifth of the customers)
  // to 5 (highest), so "At risk · R2 F4 M4" reads without knowing the method.
  function rfmLabel(v) {
    const tip =
      `RFM scores, 1 (lowest fifth of customers) to 5 (highest):\n` +
      `R (recency) ${v.r}: last purchase ${v.recency_days} days before the newest purchase in the data\n` +
      `F (frequency) ${v.f}: ${v.orders} order${v.orders === 1 ? "" : "s"}\n` +
      `M (monetary) ${v.m}: spend ${v.monetary}`;
    return el("span", {}, `${v.segment} · `, el("abbr", { class: "rfm", title: tip, text: `R${v.r} F${v.f} M${v.m}` }));
  }

  function lastPurchase(v) {
    const days = Math.round(v.recency_days);
    const when = days === 0 ? "the newest purchase in the data" : `${days} day${days === 1 ? "" : "s"} before the newest purchase in the data, ${isoDate(v.as_of)}`;
    return `${isoDate(v.last_purchased_at)} (${when})`;
  }

  function isoDate(value) {
    return String(value || "").slice(0, 10);
  }

  // Correcting details while the customer is on the line: name, primary email and phone,
  // and what they agree to be contacted about.
  // Each kind's primary contact (or its first, when none is marked).
  function primaryContacts(contacts) {
    const out = {};
    for (const c of contacts) if (c.primary || out[c.kind] === undefined) out[c.kind] = c.value;
    return out;
  }

  function editForm(v, primary) {
    const p = v.profile || {};
    const field = (id, label, value) =>
      el("div", { class: "field" }, el("label", { for: id, text: label }), el("input", { id, type: "text", value: value || "", autocomplete: "off" }));
    const consent = (id, label, checked) =>
      el("label", { class: "check" }, el("input", { id, type: "checkbox", checked: !!checked }), ` ${label}`);
    const status = el("p", { class: "status-line", role: "status" });
    const form = el(
      "form",
      { id: "edit-customer-form", novalidate: true },
      field("edit-name", "Name", p.name),
      field("edit-email", "Primary email", primary.email),
      field("edit-phone", "Primary phone", primary.phone),
      el(
        "fieldset",
        { class: "consents" },
        el("legend", { text: "May be contacted by" }),
        consent("edit-consent-email", "email", p.consent_email),
        consent("edit-consent-phone", "phone", p.consent_phone),
        consent("edit-consent-marketing", "marketing offers", p.consent_marketing),
      ),
      el("button", { type: "submit", class: "primary", text: "Save details" }),
      status,
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = {
        name: $("edit-name").value.trim() || null,
        consent_email: $("edit-consent-email").checked,
        consent_phone: $("edit-consent-phone").checked,
        consent_marketing: $("edit-consent-marketing").checked,
      };
      if ($("edit-email").value.trim()) body.email = $("edit-email").value.trim();
      if ($("edit-phone").value.trim()) body.phone = $("edit-phone").value.trim();
      try {
        await call("PATCH", `/v1/customers/${encodeURIComponent(v.customer_id)}`, body);
        show(v.customer_id, !$("open-form").hidden);
      } catch (err) {
        status.className = "status-line bad";
        status.textContent = `Not saved: ${explain(err, "agent")}`;
      }
    });
    return el("details", { class: "edit-customer" }, el("summary", { text: "Edit details" }), form);
  }

  // ---- opening a case for the customer on screen --------------------------------------
  async function open() {
    const status = $("open-status");
    const description = $("open-description").value.trim();
    if (!shown) return;
    if (!description) {
      status.textContent = "Write down what the customer says first.";
      $("open-description").focus();
      return;
    }
    const body = {
      customer_id: shown.id,
      description,
      subject: $("open-subject").value.trim(),
      channel: $("open-channel").value,
    };
    if ($("open-priority").value) body.priority = $("open-priority").value;
    try {
      const c = await call("POST", "/v1/cases", body);
      status.className = "status-line good";
      const t = c.triage || {};
      status.textContent = `Opened ${c.id}: ${c.priority} priority${t.priority && t.priority !== c.priority ? ` (kcrm proposed ${t.priority})` : ""}.`;
      $("open-description").value = "";
      $("open-subject").value = "";
      $("open-priority").value = "";
      onOpened(c);
    } catch (err) {
      status.className = "status-line bad";
      status.textContent = `The case was not opened: ${explain(err, "agent")}`;
    }
  }

  $("find-form").addEventListener("submit", (event) => {
    event.preventDefault();
    find($("find-customer").value.trim());
  });
  $("new-customer-form").addEventListener("submit", (event) => {
    event.preventDefault();
    create();
  });
  $("open-form").addEventListener("submit", (event) => {
    event.preventDefault();
    open();
  });

  return { show, current: () => seq };
};
