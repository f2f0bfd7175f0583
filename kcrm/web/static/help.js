// /help: customers search published help articles as they type, read one, rate it,
// and write to support when nothing helped (answers are suggested while they type).
"use strict";

(() => {
  const { api, ApiError, clear, config, debounce, el, humanise, markdown, marked, stripTitle } = window.kcrm;

  const STRINGS = {
    en: {
      title: "Help centre",
      brand: "Help centre",
      skip: "Skip to content",
      heading: "How can we help?",
      searchLabel: "Search help articles",
      placeholder: "e.g. my card hasn't arrived",
      topic: "Topic",
      allTopics: "All topics",
      results: "Results",
      start: "Type a question or a few words to search our help articles.",
      searching: "Searching…",
      found: (n) => (n === 1 ? "1 article found." : `${n} articles found.`),
      empty: (q) => `No articles match “${q}”.`,
      emptyHint: "Try different words or another topic. Can't find it? Contact our support team and we'll help you.",
      back: "← Back to results",
      faq: "FAQ",
      article: "Article",
      helpful: "Was this helpful?",
      yes: "Yes",
      no: "No",
      thanks: "Thanks for your feedback.",
      sorry: "Sorry this didn't help. Please contact our support team and we'll sort it out.",
      feedbackFailed: "Your feedback could not be saved. Please try again.",
      loadingArticle: "Opening the article…",
      articleMissing: "This article is no longer available.",
      footer: "Still stuck? Our support team is here to help.",
      busy: "Too many searches right now. Please wait a moment and try again.",
      starting: "Search is starting up. Please try again in a few seconds.",
      failed: "Search is unavailable right now. Please try again later, or contact our support team.",
      missing: "Self-service help is not set up on this server yet. Please contact our support team.",
      invalid: "Self-service help is unavailable right now. Please contact our support team.",
      adminMissing: "Administrators: set KCRM_PUBLIC_KEY to a customer API key and restart the server.",
      adminInvalid: "Administrators: KCRM_PUBLIC_KEY is unknown or revoked; create a new customer key.",
      adminRole: "Administrators: KCRM_PUBLIC_KEY must be a customer key; staff keys are never put in a public page.",
      byTopic: "Refine your results",
      showingFor: (q) => `Showing results for “${q}”.`,
      related: "These articles might be related",
      contactButton: "Contact us",
      contactHeading: "Contact our support team",
      contactIntro: "Tell us what you need and we'll get back to you by email.",
      contactName: "Your name",
      contactEmail: "Email",
      contactMessage: "How can we help?",
      suggested: "These articles might answer your question:",
      contactSend: "Send",
      contactCancel: "Cancel",
      contactBack: "← Back to search",
      contactSending: "Sending…",
      contactMissing: "Please give your name, a valid email address and a message.",
      contactFailed: "Your message could not be sent. Please try again.",
      contactDone: (id) => `Thanks, we've got your message. Your case number is ${id}; we'll reply by email.`,
    },
    zh: {
      title: "帮助中心",
      brand: "帮助中心",
      skip: "跳到主要内容",
      heading: "有什么可以帮您？",
      searchLabel: "搜索帮助文章",
      placeholder: "例如：我的卡还没收到",
      topic: "主题",
      allTopics: "全部主题",
      results: "搜索结果",
      start: "输入问题或关键词，搜索帮助文章。",
      searching: "正在搜索…",
      found: (n) => `找到 ${n} 篇文章。`,
      empty: (q) => `没有找到与“${q}”相关的文章。`,
      emptyHint: "请换个说法或选择其他主题。仍然找不到？请联系我们的客服团队，我们很乐意为您提供帮助。",
      back: "← 返回搜索结果",
      faq: "常见问题",
      article: "文章",
      helpful: "这篇文章对您有帮助吗？",
      yes: "有帮助",
      no: "没有帮助",
      thanks: "感谢您的反馈。",
      sorry: "很抱歉没能帮到您。请联系我们的客服团队，我们会为您处理。",
      feedbackFailed: "反馈未能保存，请重试。",
      loadingArticle: "正在打开文章…",
      articleMissing: "这篇文章已不再提供。",
      footer: "仍有疑问？我们的客服团队随时为您服务。",
      busy: "搜索过于频繁，请稍后再试。",
      starting: "搜索服务正在启动，请几秒钟后再试。",
      failed: "搜索暂时不可用，请稍后再试或联系客服团队。",
      missing: "本网站尚未开通自助帮助，请联系我们的客服团队。",
      invalid: "自助帮助暂时不可用，请联系我们的客服团队。",
      adminMissing: "管理员：请将 KCRM_PUBLIC_KEY 设置为客户角色的 API 密钥并重启服务。",
      adminInvalid: "管理员：KCRM_PUBLIC_KEY 未知或已被吊销，请创建新的客户密钥。",
      adminRole: "管理员：KCRM_PUBLIC_KEY 必须是客户密钥；员工密钥绝不会放进公开页面。",
      byTopic: "筛选结果",
      showingFor: (q) => `以下是“${q}”的搜索结果。`,
      related: "以下文章可能相关",
      contactButton: "联系我们",
      contactHeading: "联系客服团队",
      contactIntro: "请告诉我们您需要什么帮助，我们会通过电子邮件回复您。",
      contactName: "您的姓名",
      contactEmail: "电子邮箱",
      contactMessage: "有什么可以帮您？",
      suggested: "以下文章也许能解答您的问题：",
      contactSend: "发送",
      contactCancel: "取消",
      contactBack: "← 返回搜索",
      contactSending: "正在发送…",
      contactMissing: "请填写姓名、有效的电子邮箱和留言。",
      contactFailed: "留言未能发送，请重试。",
      contactDone: (id) => `谢谢，我们已收到您的留言。您的工单编号是 ${id}，我们会通过电子邮件回复您。`,
    },
  };
  const DEBOUNCE_MS = 250;
  const SUGGEST_MS = 400; // the contact form's suggestions wait for a longer pause

  const cfg = config();
  const $ = (id) => document.getElementById(id);
  const form = $("search-form");
  const input = $("q");
  const topic = $("topic");
  const status = $("status");
  const results = $("results");
  const empty = $("empty");
  const resultsView = $("results-view");
  const articleView = $("article-view");

  const state = {
    lang: pickLanguage(),
    key: cfg.key || "",
    seq: 0, // answers to older keystrokes are dropped
    controller: null,
    query: "",
    hits: new Map(), // item id -> {query_id, hit} from the latest results
    opened: null,
    unavailable: "", // why search cannot work here, once known
    queryId: "", // the latest search, sent with a contact
    session: visit(),
    suggestSeq: 0,
  };

  // One visit of the page: its searches, views, marks and contact share this id, which
  // is how self-service deflection is measured (`kcrm report outcomes`).
  function visit() {
    let id = sessionStorage.getItem("kcrm.help.session");
    if (!id) {
      id = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
      sessionStorage.setItem("kcrm.help.session", id);
    }
    return id;
  }

  function pickLanguage() {
    const saved = localStorage.getItem("kcrm.help.lang");
    if (saved === "en" || saved === "zh") return saved;
    return (navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en";
  }

  const t = (name, ...args) => {
    const value = STRINGS[state.lang][name];
    return typeof value === "function" ? value(...args) : value;
  };

  function applyLanguage() {
    document.documentElement.lang = state.lang === "zh" ? "zh-Hans" : "en";
    document.title = t("title");
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
      node.placeholder = t(node.dataset.i18nPlaceholder);
    }
    for (const button of document.querySelectorAll("[data-lang]")) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
    }
    fillTopics();
    if (state.unavailable) unavailable(state.unavailable);
  }

  function topics() {
    // [{value, label}] in the page's language (older servers sent bare ids).
    return ((cfg.categories || {})[state.lang] || []).map((c) => (typeof c === "string" ? { value: c, label: humanise(c) } : c));
  }

  function fillTopics() {
    const selected = topic.value;
    const list = topics();
    clear(topic).append(el("option", { value: "", text: t("allTopics") }));
    for (const c of list) topic.append(el("option", { value: c.value, text: c.label }));
    topic.value = list.some((c) => c.value === selected) ? selected : "";
  }

  function topicLabel(value, fallback) {
    const known = topics().find((c) => c.value === value);
    return (known && known.label) || fallback || humanise(value);
  }

  function unavailable(kind) {
    state.unavailable = kind;
    form.hidden = true;
    resultsView.hidden = true;
    articleView.hidden = true;
    status.textContent = "";
    $("unconfigured").hidden = false;
    $("unconfigured-text").textContent = t(kind === "missing" ? "missing" : "invalid");
    const admin = { missing: "adminMissing", invalid: "adminInvalid", wrong_role: "adminRole" }[kind];
    $("unconfigured-admin").textContent = admin ? t(admin) : "";
  }

  function worthSearching(query) {
    // Two letters say little in English; one Chinese character can be a whole word.
    return query.length >= 2 || /[\p{Script=Han}]/u.test(query);
  }

  async function search() {
    const query = input.value.trim();
    state.query = query;
    const seq = ++state.seq;
    if (state.controller) state.controller.abort();
    if (!worthSearching(query)) {
      clear(results);
      empty.hidden = true;
      $("facets").hidden = true;
      $("spelling").hidden = true;
      status.textContent = query ? "" : t("start");
      return;
    }
    state.controller = new AbortController();
    status.textContent = t("searching");
    resultsView.setAttribute("aria-busy", "true");
    const filters = { language: state.lang };
    if (topic.value) filters.category = [topic.value];
    try {
      const body = { query, k: 10, filters, facets: ["category"], locale: state.lang, session: state.session };
      const answer = await api("POST", "/v1/search", state.key, body, state.controller.signal);
      if (seq !== state.seq) return;
      render(answer, query);
    } catch (err) {
      if (err.name === "AbortError" || seq !== state.seq) return;
      clear(results);
      empty.hidden = true;
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) unavailable("invalid");
      else status.textContent = t(err.status === 429 ? "busy" : err.status === 503 ? "starting" : "failed");
    } finally {
      if (seq === state.seq) resultsView.removeAttribute("aria-busy");
    }
  }

  function resultItem(hit) {
    const h = hit.highlights || {};
    return el(
      "li",
      { class: hit.weak ? "result weak" : "result" },
      el("h3", {}, el("a", { href: `#article/${encodeURIComponent(hit.id)}`, dataset: { id: hit.id } }, marked(hit.title || hit.id, h.title))),
      el("p", { class: "snippet" }, marked(hit.snippet, h.snippet)),
      el(
        "p",
        { class: "meta" },
        el("span", { class: "chip", text: t(hit.kind === "faq" ? "faq" : "article") }),
        hit.category ? el("span", { class: "chip subtle", text: topicLabel(hit.category, hit.category_label) }) : null,
      ),
    );
  }

  function renderFacets(answer) {
    const values = ((answer.facets || {}).category || []).filter((f) => f.count > 0);
    const list = clear($("facet-list"));
    $("facets").hidden = answer.no_match || values.length < 2 || Boolean(topic.value);
    for (const f of values) {
      list.append(
        el(
          "li",
          {},
          el("button", { type: "button", class: "chip-button", dataset: { value: f.value }, onclick: () => pickTopic(f.value) }, `${topicLabel(f.value, f.label)} (${f.count})`),
        ),
      );
    }
  }

  function pickTopic(value) {
    if (![...topic.options].some((o) => o.value === value)) topic.append(el("option", { value, text: topicLabel(value) }));
    topic.value = value;
    search();
  }

  function render(answer, query) {
    state.queryId = answer.query_id;
    state.hits = new Map(answer.results.map((hit) => [hit.id, { query_id: answer.query_id, hit }]));
    clear(results);
    renderFacets(answer);
    $("spelling").hidden = !answer.did_you_mean;
    $("spelling").textContent = answer.did_you_mean ? t("showingFor", answer.did_you_mean) : "";
    // Nothing relevant: say so and offer a person; weak matches are listed as "related".
    const shown = answer.no_match ? [] : answer.results.filter((hit) => !hit.weak);
    const weak = answer.no_match ? answer.results : [];
    empty.hidden = shown.length > 0;
    clear($("related-list"));
    $("related").hidden = weak.length === 0;
    for (const hit of weak.slice(0, 3)) $("related-list").append(resultItem(hit));
    if (!shown.length) {
      $("empty-text").textContent = t("empty", query);
      status.textContent = "";
      return;
    }
    status.textContent = t("found", shown.length);
    for (const hit of shown) results.append(resultItem(hit));
  }

  async function openArticle(id) {
    state.opened = id;
    $("contact").hidden = true;
    resultsView.hidden = true;
    form.hidden = true;
    articleView.hidden = false;
    $("article-title").textContent = t("loadingArticle");
    clear($("article-body"));
    $("article-kind").textContent = "";
    $("article-category").textContent = "";
    $("feedback").hidden = true;
    status.textContent = "";
    let doc;
    try {
      doc = await api("GET", `/v1/documents/${encodeURIComponent(id)}`, state.key, undefined, undefined, { "X-KCRM-Session": state.session });
    } catch (err) {
      if (state.opened !== id) return;
      if (err instanceof ApiError && err.status === 401) return unavailable("invalid");
      $("article-title").textContent = t(err.status === 404 ? "articleMissing" : "failed");
      $("article-title").focus();
      return;
    }
    if (state.opened !== id) return;
    $("article-title").textContent = doc.title || doc.id;
    $("article-kind").textContent = t(doc.kind === "faq" ? "faq" : "article");
    $("article-category").textContent = doc.category ? topicLabel(doc.category) : "";
    $("article-category").hidden = !doc.category;
    $("article-body").append(markdown(stripTitle(doc.body, doc.title)));
    const known = state.hits.get(id);
    const fb = $("feedback");
    fb.hidden = !known;
    fb.dataset.queryId = known ? known.query_id : "";
    fb.dataset.itemId = id;
    for (const b of fb.querySelectorAll(".actions button")) b.disabled = false;
    $("feedback-status").textContent = "";
    $("feedback-contact").hidden = true;
    $("article-title").focus();
  }

  function closeArticle() {
    const id = state.opened;
    state.opened = null;
    articleView.hidden = true;
    form.hidden = false;
    resultsView.hidden = false;
    const shown = results.querySelectorAll("li").length;
    status.textContent = shown ? t("found", shown) : "";
    const link = id && results.querySelector(`a[data-id="${CSS.escape(id)}"]`);
    (link || input).focus();
  }

  async function feedback(helpful) {
    const fb = $("feedback");
    const buttons = fb.querySelectorAll(".actions button");
    for (const b of buttons) b.disabled = true;
    try {
      await api("POST", "/v1/feedback", state.key, { query_id: fb.dataset.queryId, item_id: fb.dataset.itemId, helpful });
      $("feedback-status").textContent = t(helpful ? "thanks" : "sorry");
      $("feedback-contact").hidden = helpful;
    } catch {
      for (const b of buttons) b.disabled = false;
      $("feedback-status").textContent = t("feedbackFailed");
    }
  }

  // ---- contact us ----------------------------------------------------------------------
  function openContact() {
    articleView.hidden = true;
    resultsView.hidden = true;
    form.hidden = true;
    status.textContent = "";
    $("contact").hidden = false;
    $("contact-form").hidden = false;
    $("contact-done").hidden = true;
    $("contact-back").hidden = true;
    $("contact-error").hidden = true;
    const message = $("contact-message");
    if (!message.value && state.query) message.value = state.query;
    $("contact-heading").focus();
    suggestSoon();
  }

  function closeContact() {
    $("contact").hidden = true;
    form.hidden = false;
    resultsView.hidden = false;
    if (location.hash) history.pushState(null, "", location.pathname + location.search);
    state.opened = null;
    input.focus();
  }

  async function suggest() {
    const text = $("contact-message").value.trim();
    const seq = ++state.suggestSeq;
    const box = $("suggested");
    if (!worthSearching(text)) {
      box.hidden = true;
      return;
    }
    try {
      const body = { query: text.slice(0, 1000), k: 3, filters: { language: state.lang }, locale: state.lang, session: state.session };
      const answer = await api("POST", "/v1/search", state.key, body);
      if (seq !== state.suggestSeq) return;
      const good = answer.no_match ? [] : answer.results.filter((hit) => !hit.weak);
      state.hits = new Map([...state.hits, ...good.map((hit) => [hit.id, { query_id: answer.query_id, hit }])]);
      const list = clear($("suggested-list"));
      for (const hit of good) {
        list.append(el("li", {}, el("a", { href: `#article/${encodeURIComponent(hit.id)}`, dataset: { id: hit.id } }, hit.title || hit.id)));
      }
      box.hidden = good.length === 0;
    } catch {
      if (seq === state.suggestSeq) box.hidden = true;
    }
  }
  const suggestSoon = debounce(suggest, SUGGEST_MS);

  async function sendContact(event) {
    event.preventDefault();
    const name = $("contact-name").value.trim();
    const email = $("contact-email").value.trim();
    const message = $("contact-message").value.trim();
    const error = $("contact-error");
    if (!name || !message || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      error.textContent = t("contactMissing");
      error.hidden = false;
      return;
    }
    error.hidden = true;
    const send = $("contact-send");
    send.disabled = true;
    send.textContent = t("contactSending");
    try {
      const body = { query: state.query, name, email, message, session: state.session };
      if (state.queryId) body.query_id = state.queryId;
      const answer = await api("POST", "/v1/help/contact", state.key, body);
      $("contact-form").hidden = true;
      $("contact-done").textContent = t("contactDone", answer.case_id);
      $("contact-done").hidden = false;
      $("contact-back").hidden = false;
      $("contact-done").focus?.();
    } catch {
      error.textContent = t("contactFailed");
      error.hidden = false;
    } finally {
      send.disabled = false;
      send.textContent = t("contactSend");
    }
  }

  function route() {
    const match = location.hash.match(/^#article\/(.+)$/);
    if (match) openArticle(decodeURIComponent(match[1]));
    else if (state.opened !== null || !articleView.hidden) closeArticle();
  }

  function start() {
    for (const button of document.querySelectorAll("[data-lang]")) {
      button.addEventListener("click", () => {
        state.lang = button.dataset.lang;
        localStorage.setItem("kcrm.help.lang", state.lang);
        applyLanguage();
        if (!state.unavailable && articleView.hidden) search();
      });
    }
    applyLanguage();
    if (cfg.keyStatus && cfg.keyStatus !== "ok") return unavailable(cfg.keyStatus);
    if (!state.key) return unavailable("missing");
    form.hidden = false;
    status.textContent = t("start");
    const later = debounce(search, DEBOUNCE_MS);
    // Clearing the box clears the results at once; typing waits for a pause.
    input.addEventListener("input", () => (input.value.trim() ? later() : search()));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      search();
    });
    topic.addEventListener("change", search);
    for (const button of document.querySelectorAll(".contact-open")) button.addEventListener("click", openContact);
    $("contact-cancel").addEventListener("click", closeContact);
    $("contact-back").addEventListener("click", closeContact);
    $("contact-form").addEventListener("submit", sendContact);
    $("contact-message").addEventListener("input", suggestSoon);
    $("yes").addEventListener("click", () => feedback(true));
    $("no").addEventListener("click", () => feedback(false));
    $("back").addEventListener("click", (event) => {
      event.preventDefault();
      if (location.hash) history.pushState(null, "", location.pathname + location.search);
      closeArticle();
    });
    window.addEventListener("hashchange", route);
    if (location.hash) route();
    input.focus();
  }

  start();
})();
