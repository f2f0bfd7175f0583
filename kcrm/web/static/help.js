// /help: customers search published help articles as they type, read one, and rate it.
"use strict";

(() => {
  const { api, ApiError, clear, config, debounce, el, highlight, humanise, markdown, plain, stripTitle } = window.kcrm;

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
    },
  };
  const DEBOUNCE_MS = 250;

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
  };

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

  function fillTopics() {
    const selected = topic.value;
    const names = (cfg.categories || {})[state.lang] || [];
    clear(topic).append(el("option", { value: "", text: t("allTopics") }));
    for (const name of names) topic.append(el("option", { value: name, text: humanise(name) }));
    topic.value = names.includes(selected) ? selected : "";
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
      status.textContent = query ? "" : t("start");
      return;
    }
    state.controller = new AbortController();
    status.textContent = t("searching");
    resultsView.setAttribute("aria-busy", "true");
    const filters = { language: state.lang };
    if (topic.value) filters.category = [topic.value];
    try {
      const answer = await api("POST", "/v1/search", state.key, { query, k: 10, filters }, state.controller.signal);
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

  function render(answer, query) {
    state.hits = new Map(answer.results.map((hit) => [hit.id, { query_id: answer.query_id, hit }]));
    clear(results);
    empty.hidden = answer.results.length > 0;
    if (!answer.results.length) {
      $("empty-text").textContent = t("empty", query);
      status.textContent = "";
      return;
    }
    status.textContent = t("found", answer.results.length);
    for (const hit of answer.results) {
      results.append(
        el(
          "li",
          { class: "result" },
          el("h3", {}, el("a", { href: `#article/${encodeURIComponent(hit.id)}`, dataset: { id: hit.id } }, highlight(hit.title || hit.id, query))),
          el("p", { class: "snippet" }, highlight(plain(hit.snippet), query)),
          el(
            "p",
            { class: "meta" },
            el("span", { class: "chip", text: t(hit.kind === "faq" ? "faq" : "article") }),
            hit.category ? el("span", { class: "chip subtle", text: humanise(hit.category) }) : null,
          ),
        ),
      );
    }
  }

  async function openArticle(id) {
    state.opened = id;
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
      doc = await api("GET", `/v1/documents/${encodeURIComponent(id)}`, state.key);
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
    $("article-category").textContent = doc.category ? humanise(doc.category) : "";
    $("article-category").hidden = !doc.category;
    $("article-body").append(markdown(stripTitle(doc.body, doc.title)));
    const known = state.hits.get(id);
    const fb = $("feedback");
    fb.hidden = !known;
    fb.dataset.queryId = known ? known.query_id : "";
    fb.dataset.itemId = id;
    for (const b of fb.querySelectorAll("button")) b.disabled = false;
    $("feedback-status").textContent = "";
    $("article-title").focus();
  }

  function closeArticle() {
    const id = state.opened;
    state.opened = null;
    articleView.hidden = true;
    form.hidden = false;
    resultsView.hidden = false;
    status.textContent = state.hits.size ? t("found", state.hits.size) : "";
    const link = id && results.querySelector(`a[data-id="${CSS.escape(id)}"]`);
    (link || input).focus();
  }

  async function feedback(helpful) {
    const fb = $("feedback");
    const buttons = fb.querySelectorAll("button");
    for (const b of buttons) b.disabled = true;
    try {
      await api("POST", "/v1/feedback", state.key, { query_id: fb.dataset.queryId, item_id: fb.dataset.itemId, helpful });
      $("feedback-status").textContent = t(helpful ? "thanks" : "sorry");
    } catch {
      for (const b of buttons) b.disabled = false;
      $("feedback-status").textContent = t("feedbackFailed");
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
