"""The three pages in a real browser: Debian's Chromium driven by Playwright.

A real server (uvicorn in a thread) serves a small slice of the demo corpus with
the fake embedder, so every page talks to the real API and the real database.
Each test fails on any console error in the page and leaves a screenshot in
`test-artifacts/pages/`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from kcrm.core.config import Settings
from kcrm.core.keys import create_key
from kcrm.core.tables import Case, Customer, Document, Feedback, Interaction, Purchase
from kcrm.crm.cases import NewCase, open_case
from kcrm.crm.loader import load_paths
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.records import KnowledgeRecord, Parsed
from kcrm.recommend.store import load_recommender
from kcrm.server.app import create_app
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="browser tests need Debian's Chromium: apt-get install -y chromium chromium-driver",
    ),
    pytest.mark.timeout(120),
]
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need playwright: pip install -e '.[test]'"
)
Page = sync_api.Page
expect = sync_api.expect

ARTIFACTS = ROOT / "test-artifacts" / "pages"
# Playwright's own browser download does not work here; Debian's build does, headless.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CASE_CATEGORIES = {"card_arrival", "lost_or_stolen_card", "pin_blocked", "exchange_rate"}
ARTICLES = ("kb-getting-your-card.md", "kb-zh-personal-loans.md")
# What a page may log when a test feeds it a bad key on purpose: the refused request.
REFUSED = re.compile(r"Failed to load resource: the server responded with a status of 40[13]")


# ---- the site under test ------------------------------------------------------------------
def fixture_corpus(target: Path) -> Path:
    """All demo FAQs, two articles, the resolved cases of a few categories, and the CRM."""
    source = ROOT / "corpus"
    (target / "crm").mkdir(parents=True)
    (target / "knowledge" / "articles").mkdir(parents=True)
    for name in ("customers.csv", "products.csv", "purchases.csv"):
        shutil.copy(source / "crm" / name, target / "crm" / name)
    shutil.copy(source / "knowledge" / "faqs.jsonl", target / "knowledge" / "faqs.jsonl")
    shutil.copy(source / "knowledge" / "categories.csv", target / "knowledge" / "categories.csv")
    for name in ARTICLES:
        shutil.copy(source / "knowledge" / "articles" / name, target / "knowledge" / "articles")
    cases = [
        line
        for line in (source / "knowledge" / "cases.jsonl").read_text("utf-8").splitlines()
        if json.loads(line).get("category") in CASE_CATEGORIES
    ]
    (target / "knowledge" / "cases.jsonl").write_text("\n".join(cases) + "\n", "utf-8")
    return target


@dataclass
class Server:
    url: str
    stop: Callable[[], None]


def serve(app: FastAPI) -> Server:
    """Run `app` with uvicorn in a thread on a free loopback port."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)
        sock.close()

    return Server(f"http://127.0.0.1:{port}", stop)


@dataclass
class Site:
    url: str  # served with a customer key for /help
    bare_url: str  # the same data, no public key configured
    empty_url: str  # a help centre with nothing published yet
    kb: KnowledgeBase
    keys: dict[str, str]
    cases: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("pages")
    corpus = fixture_corpus(root / "corpus")
    embedder = HashEmbedder(64, "hash-64")
    settings = Settings(data_dir=root / "data", embedding_model="hash-64")
    kb = KnowledgeBase.open(settings, embedder=embedder)
    load_paths(kb, [corpus])
    keys = {r: create_key(kb.db, r, f"test-{r}")[0] for r in ("agent", "customer", "marketing")}
    arrival = open_case(
        kb,
        NewCase(
            "cust-0001",
            "I ordered my new card two weeks ago and it still hasn't arrived. Can you track it?",
            "My card hasn't arrived",
            channel="chat",
            case_id="case-web-arrival",
        ),
    )
    pin = open_case(
        kb,
        NewCase(
            "cust-0002",
            "I typed the wrong PIN three times and now my PIN is blocked.",
            "PIN blocked",
            channel="phone",
            case_id="case-web-pin",
        ),
    )
    recommender = load_recommender(settings, kb.db, embedder)
    state = {"recommender": recommender}
    with_key = serve(
        create_app(settings.model_copy(update={"public_key": keys["customer"]}), kb, state)
    )
    bare = serve(create_app(settings, kb, state))
    # The search answers the nearest records however far they are, so "nothing found"
    # is what a customer sees when nothing is published (or the filters leave nothing).
    empty_settings = Settings(data_dir=root / "empty", embedding_model="hash-64")
    empty_kb = KnowledgeBase.open(empty_settings, embedder=embedder)
    empty_key = create_key(empty_kb.db, "customer", "test-empty")[0]
    empty = serve(create_app(empty_settings.model_copy(update={"public_key": empty_key}), empty_kb))
    try:
        yield Site(
            with_key.url,
            bare.url,
            empty.url,
            kb,
            keys,
            {"arrival": arrival["id"], "pin": pin["id"]},
        )
    finally:
        for server in (with_key, bare, empty):
            server.stop()
        kb.close()
        empty_kb.close()


# ---- the browser ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page whose console errors and uncaught exceptions are collected."""

    def __init__(self, page: Page, name: str) -> None:
        self.page = page
        self.name = name
        self.errors: list[str] = []
        self.allowed: list[re.Pattern[str]] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def allow(self, pattern: re.Pattern[str]) -> None:
        self.allowed.append(pattern)

    def shot(self, suffix: str = "", full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}{'-' + suffix if suffix else ''}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]


@pytest.fixture
def watched(browser: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., Watched]]:
    opened: list[Watched] = []
    # The call phase's report is logged before teardown, so a rise means this test failed.
    failed_before = request.session.testsfailed

    def new(width: int = 1280, height: int = 900) -> Watched:
        context = browser.new_context(
            viewport={"width": width, "height": height}, accept_downloads=True
        )
        name = re.sub(r"[^\w-]+", "-", request.node.name.removeprefix("test_")).strip("-")
        w = Watched(context.new_page(), name)
        w.page.set_default_timeout(15_000)
        opened.append(w)
        return w

    yield new
    for w in opened:
        if request.session.testsfailed > failed_before:
            w.shot("failed")
        errors = w.unexpected()
        w.page.context.close()
        assert not errors, f"browser console errors: {errors}"


def feedback_rows(kb: KnowledgeBase) -> list[Feedback]:
    with kb.db.session() as s:
        rows = list(s.scalars(select(Feedback).order_by(Feedback.id)))
        s.expunge_all()
        return rows


def sign_in(page: Page, key: str) -> None:
    page.get_by_label(re.compile("API key")).fill(key)
    page.get_by_role("button", name=re.compile("^Open the")).click()


# ---- /help --------------------------------------------------------------------------------
def test_help_search_article_and_feedback(site: Site, watched: Callable[..., Watched]) -> None:
    w = watched()
    page = w.page
    page.goto(f"{site.url}/help")
    expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()
    box = page.get_by_label("Search help articles")
    expect(box).to_be_focused()
    box.press_sequentially("card not arrived", delay=30)  # typed, so the debounce is exercised
    results = page.locator("#results li")
    expect(results.first).to_be_visible()
    expect(page.locator("#status")).to_contain_text("found")
    assert page.locator("#results mark").count() > 0, "query terms are highlighted"
    first = results.first.locator("h3 a")
    item_id = first.get_attribute("data-id")
    assert item_id and item_id.startswith(("faq-", "kb-"))
    w.shot("results")

    before = len(feedback_rows(site.kb))
    first.click()
    expect(page.locator("#article-title")).to_be_focused()
    expect(page.locator("#article-body p").first).to_be_visible()
    assert page.url.endswith(f"#article/{item_id}")
    expect(page.get_by_text("Was this helpful?")).to_be_visible()
    w.shot("article")
    page.get_by_role("button", name="Yes").click()
    expect(page.locator("#feedback-status")).to_have_text("Thanks for your feedback.")
    rows = feedback_rows(site.kb)
    assert len(rows) == before + 1
    assert (rows[-1].item_id, rows[-1].helpful, rows[-1].role) == (item_id, True, "customer")

    page.get_by_role("link", name="Back to results").click()
    expect(page.locator(f'#results a[data-id="{item_id}"]')).to_be_focused()


def test_help_empty_state_suggests_support(site: Site, watched: Callable[..., Watched]) -> None:
    w = watched()
    page = w.page
    page.goto(f"{site.empty_url}/help")
    page.get_by_label("Search help articles").fill("close my account")
    empty = page.locator("#empty")
    expect(empty).to_be_visible()
    expect(empty).to_contain_text("No articles match “close my account”.")
    expect(empty).to_contain_text("Contact our support team")
    expect(page.locator("#results li")).to_have_count(0)
    w.shot()


def test_help_topics_and_chinese(site: Site, watched: Callable[..., Watched]) -> None:
    w = watched()
    page = w.page
    page.goto(f"{site.url}/help")
    box = page.get_by_label("Search help articles")
    box.fill("card")
    expect(page.locator("#results li").first).to_be_visible()
    page.get_by_label("Topic").select_option("pin_blocked")
    # The earlier results are on screen until the filtered answer replaces them: wait for
    # every other topic to go, not merely for a result to be visible.
    chips = page.locator("#results .chip.subtle")
    expect(chips.filter(has_not_text="PIN blocked")).to_have_count(0)
    expect(chips.first).to_have_text("PIN blocked")
    assert set(chips.all_inner_texts()) == {"PIN blocked"}

    with page.expect_request(lambda r: r.url.endswith("/v1/search")) as sent:
        page.get_by_role("button", name="中文").click()
    assert json.loads(sent.value.post_data or "{}")["filters"]["language"] == "zh"
    expect(page.get_by_role("heading", name="有什么可以帮您？")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    page.get_by_label("主题").select_option("")
    box = page.get_by_label("搜索帮助文章")
    box.fill("")
    expect(page.locator("#results li")).to_have_count(0)
    box.press_sequentially("银行卡丢失", delay=30)
    expect(page.locator("#results mark", has_text="银行").first).to_be_visible()
    assert set(page.locator("#results .chip:not(.subtle)").all_inner_texts()) <= {
        "常见问题",
        "文章",
    }
    w.shot("zh")


def test_help_topic_counts_in_both_languages(site: Site, watched: Callable[..., Watched]) -> None:
    w = watched()
    page = w.page
    page.goto(f"{site.url}/help")
    page.get_by_label("Search help articles").fill("card")
    chips = page.locator("#facet-list button")
    expect(chips.first).to_be_visible()
    first = chips.first.inner_text()
    assert re.fullmatch(r".+ \(\d+\)", first), first  # "Card delivery (2)"
    w.shot("en")
    chips.first.click()
    label = first.rsplit(" (", 1)[0]
    cats = page.locator("#results .chip.subtle")
    expect(cats.filter(has_not_text=label)).to_have_count(0)
    expect(page.locator("#facets")).to_be_hidden()  # one topic chosen: no counts to pick from

    page.get_by_role("button", name="中文").click()
    page.get_by_label("主题").select_option("")
    box = page.get_by_label("搜索帮助文章")
    box.fill("")
    box.press_sequentially("银行卡 还款 贷款", delay=20)
    expect(page.locator("#results li").first).to_be_visible()
    zh_chips = page.locator("#facet-list button")
    expect(zh_chips.first).to_be_visible()
    texts = zh_chips.all_inner_texts()
    assert all(re.search(r"[\u4e00-\u9fff]", t) for t in texts), texts  # Chinese topic names
    options = page.locator("#topic option").all_inner_texts()
    assert any("还款" in o for o in options), options
    w.shot("zh")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_help_nothing_found_offers_a_contact_form(
    site: Site, watched: Callable[..., Watched], lang: str
) -> None:
    w = watched()
    page = w.page
    page.goto(f"{site.url}/help")
    if lang == "zh":
        page.get_by_role("button", name="中文").click()
    box = page.get_by_label("搜索帮助文章" if lang == "zh" else "Search help articles")
    box.fill("zxqv plorf wibble" if lang == "en" else "啊啊啊啊 哈哈哈哈")
    empty = page.locator("#empty")
    expect(empty).to_be_visible()
    expect(empty).to_contain_text("没有找到" if lang == "zh" else "No articles match")
    expect(page.locator("#results li")).to_have_count(0)
    w.shot("empty")
    empty.get_by_role("button", name="联系我们" if lang == "zh" else "Contact us").click()
    form = page.locator("#contact-form")
    expect(form).to_be_visible()
    message = form.get_by_label("有什么可以帮您？" if lang == "zh" else "How can we help?")
    message.fill("")
    # Answers are suggested while the customer types.
    message.press_sequentially("银行卡丢失了" if lang == "zh" else "my card was stolen", delay=20)
    expect(page.locator("#suggested-list a").first).to_be_visible()
    form.get_by_role("button", name="发送" if lang == "zh" else "Send").click()
    expect(page.locator("#contact-error")).to_be_visible()  # no name or email yet
    form.get_by_label("您的姓名" if lang == "zh" else "Your name").fill("Ada Lovelace")
    form.get_by_label("电子邮箱" if lang == "zh" else "Email").fill("ada@example.com")
    with page.expect_response(lambda r: r.url.endswith("/v1/help/contact")) as sent:
        form.get_by_role("button", name="发送" if lang == "zh" else "Send").click()
    assert sent.value.status == 201
    case_id = sent.value.json()["case_id"]
    expect(page.locator("#contact-done")).to_contain_text(case_id)
    w.shot("sent")
    with site.kb.db.session() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.contact_email == "ada@example.com"
        assert case.channel == "web" and case.customer_id is None


def test_help_snippets_are_text_not_markup(site: Site, watched: Callable[..., Watched]) -> None:
    """A record containing markup is shown as characters; nothing it says runs or renders."""
    record = KnowledgeRecord.model_validate(
        {
            "id": "faq-markup",
            "kind": "faq",
            "visibility": "public",
            "title": "Zebra <img src=x onerror=alert(1)> fees",
            "body": "Zebra cards cost <b>nothing</b> <script>alert(2)</script> at all.",
            "language": "en",
        }
    )
    site.kb.ingest([Parsed(record, "test", 1)])
    w = watched()
    page = w.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{site.url}/help")
    page.get_by_label("Search help articles").fill("zebra")
    hit = page.locator('#results a[data-id="faq-markup"]')
    expect(hit).to_be_visible()
    assert "<img src=x onerror=alert(1)>" in hit.inner_text()
    assert page.locator("#results img, #results script, #results b").count() == 0
    hit.click()
    expect(page.locator("#article-body")).to_contain_text("<script>alert(2)</script>")
    assert page.locator("#article-body script, #article-body b").count() == 0
    assert dialogs == []
    site.kb.delete(["faq-markup"])


def test_help_and_agent_work_from_the_keyboard(site: Site, watched: Callable[..., Watched]) -> None:
    w = watched()
    page = w.page
    page.goto(f"{site.url}/help")
    page.keyboard.type("lost card")  # the search box has the focus on arrival
    expect(page.locator("#results li").first).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Topic")).to_be_focused()
    first = page.locator("#results a").first
    for _ in range(12):  # the topic chips with their counts come before the results
        page.keyboard.press("Tab")
        if first.evaluate("e => e === document.activeElement"):
            break
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#article-title")).to_be_focused()
    expect(page.locator("#article-body p").first).to_be_visible()

    page.goto(f"{site.url}/agent")
    expect(page.get_by_label("Agent API key")).to_be_focused()
    page.keyboard.type(site.keys["agent"])
    page.keyboard.press("Enter")
    first_case = page.locator(".case-item").first
    expect(first_case).to_be_visible()
    for _ in range(12):  # "Forget key", "Refresh" and the queue's controls come first
        page.keyboard.press("Tab")
        if first_case.evaluate("e => e === document.activeElement"):
            break
    expect(first_case).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#work-title")).to_be_focused()
    expect(page.locator("#suggestions > li, #no-answer:visible").first).to_be_visible()


def test_help_without_public_key_says_not_configured(
    site: Site, watched: Callable[..., Watched]
) -> None:
    w = watched()
    page = w.page
    page.goto(f"{site.bare_url}/help")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("not set up on this server")
    expect(alert).to_contain_text("KCRM_PUBLIC_KEY")
    expect(page.get_by_label("Search help articles")).to_be_hidden()
    w.shot()


def test_help_refuses_to_embed_a_bad_public_key(site: Site) -> None:
    for key, status in (("not-a-key", "invalid"), (site.keys["agent"], "wrong_role")):
        settings = site.kb.settings.model_copy(update={"public_key": key})
        with TestClient(create_app(settings, site.kb)) as client:
            r = client.get("/help")
        assert r.status_code == 200
        assert key not in r.text, "only a valid customer key is ever put in the page"
        config = re.search(r'id="kcrm-config" type="application/json">(.*?)</script>', r.text)
        assert config and json.loads(config.group(1))["keyStatus"] == status
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"


# ---- /agent -------------------------------------------------------------------------------
def test_agent_case_suggestions_feedback_and_close(
    site: Site, watched: Callable[..., Watched]
) -> None:
    w = watched(1400, 1000)
    page = w.page
    page.goto(f"{site.url}/agent")
    expect(page.get_by_role("heading", name="Sign in with an agent key")).to_be_visible()
    sign_in(page, site.keys["agent"])
    case = page.locator(f'button[data-case-id="{site.cases["arrival"]}"]')
    expect(case).to_be_visible()
    case.click()
    cards = page.locator("#suggestions > li")
    expect(cards.first).to_be_visible()
    expect(page.locator("#no-answer")).to_be_hidden()
    top = cards.first
    expect(top.locator("h3")).to_have_text("My card hasn't arrived yet. What should I do?")
    meter = top.get_by_role("meter")
    assert 0 < int(meter.get_attribute("aria-valuenow") or 0) <= 100
    expect(page.locator("#customer")).to_contain_text("Lucy Taylor")
    expect(page.locator("#customer")).to_contain_text("Products")
    top.locator("summary").click()
    expect(top.locator(".evidence li").first).to_be_visible()
    w.shot("suggestions")

    before = len(feedback_rows(site.kb))
    top.get_by_role("button", name="Mark used").click()
    expect(top.get_by_role("status")).to_contain_text("Marked as used")
    rows = feedback_rows(site.kb)
    assert len(rows) == before + 1
    assert (rows[-1].item_id, rows[-1].used, rows[-1].role) == ("faq-card-arrival", True, "agent")

    cards.nth(1).get_by_role("button", name="Not helpful").click()
    expect(cards.nth(1).get_by_role("status")).to_contain_text("not helpful")
    assert feedback_rows(site.kb)[-1].helpful is False

    # Closing goes through an edit step: the answer lands in the reply box, the agent
    # changes it, and what was sent is both the resolution and a reply on the timeline.
    top.get_by_role("button", name="Use this answer").click()
    box = page.get_by_label("Reply to the customer")
    expect(box).to_be_focused()
    # The server writes reply drafts: the box holds one, addressed to the customer.
    expect(box).to_have_value(re.compile(r"^Dear Lucy Taylor,"))
    edited = box.input_value() + "\nI have also sent you the tracking link by email."
    box.fill(edited)
    page.get_by_label("Send via").select_option("email")
    page.get_by_role("button", name="Send and close").click()
    expect(page.locator("#resolve-status")).to_contain_text("Sent via email and closed")
    expect(case).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text("Email to the customer")
    expect(page.locator("#timeline")).to_contain_text("tracking link")
    with site.kb.db.session() as s:
        closed = s.get(Case, site.cases["arrival"])
        assert closed is not None
        assert (closed.status, closed.resolution_category, closed.article_id) == (
            "closed",
            "card_arrival",
            "faq-card-arrival",
        )
        assert closed.resolution == edited.strip()
        replies = s.scalars(select(Interaction).where(Interaction.case_id == closed.id)).all()
        assert [(i.direction, i.channel, i.text) for i in replies] == [
            ("outbound", "email", edited.strip())
        ]
        doc = s.get(Document, closed.id)
        assert doc is not None and (doc.status, doc.visibility) == ("published", "internal")
    w.shot("closed")


def paste_and_suggest(page: Page, text: str) -> None:
    """Paste a description into the agent console's form and ask for resolutions."""
    page.get_by_label("Customer's description").fill(text)
    page.get_by_role("button", name="Suggest resolutions").click()


def pasting(site: Site, w: Watched) -> Page:
    """The agent console, signed in, with the paste-a-description form open."""
    page = w.page
    page.goto(f"{site.url}/agent")
    sign_in(page, site.keys["agent"])
    page.get_by_text("Paste a description instead").click()
    return page


def test_agent_pasted_text_without_a_confident_answer(
    site: Site, watched: Callable[..., Watched]
) -> None:
    w = watched()
    page = pasting(site, w)
    paste_and_suggest(page, "qwv zzkx plorth vintrabulous")
    expect(page.locator("#no-answer")).to_be_visible()
    expect(page.locator("#no-answer")).to_contain_text("No confident answer")
    expect(page.locator("#suggestions > li")).to_have_count(0)
    w.shot()


def test_agent_pasted_transcript_says_what_it_read(
    site: Site, watched: Callable[..., Watched]
) -> None:
    w = watched()
    page = pasting(site, w)
    transcript = (
        "Agent: Thanks for holding. For security, what are the last four digits of your card?\n"
        "Customer: 4471\n"
        "Agent: How can I help you today?\n"
        "Customer: The cash machine kept my card and I need cash today.\n"
        "Agent: Have you tried logging out of the app and back in?"
    )
    paste_and_suggest(page, transcript)
    read_as = page.locator("#read-as")
    expect(read_as).to_be_visible()
    expect(read_as).to_contain_text("The cash machine kept my card")
    expect(read_as).not_to_contain_text("last four digits")
    expect(page.locator("#suggestions > li, #no-answer:visible").first).to_be_visible()
    w.shot()
    # A question typed as it is reads as itself: nothing to say.
    paste_and_suggest(page, "The cash machine kept my card.")
    expect(page.locator("#suggestions > li, #no-answer:visible").first).to_be_visible()
    expect(read_as).to_be_hidden()


def test_agent_wrong_keys_get_clear_messages(site: Site, watched: Callable[..., Watched]) -> None:
    w = watched()
    w.allow(REFUSED)
    page = w.page
    page.goto(f"{site.url}/agent")
    page.get_by_role("button", name="Open the console").click()
    expect(page.locator("#key-message")).to_have_text("Enter an agent API key.")
    sign_in(page, "kcrm_not_a_real_key")
    expect(page.locator("#key-message")).to_contain_text("not valid")
    expect(page.locator("#app")).to_be_hidden()
    sign_in(page, site.keys["customer"])
    expect(page.locator("#key-message")).to_contain_text("needs an agent key")
    w.shot()
    # A key that worked and was then revoked sends the agent back to the form.
    sign_in(page, site.keys["agent"])
    expect(page.locator("#app")).to_be_visible()
    page.evaluate("sessionStorage.setItem('kcrm.key.agent', 'revoked-key')")
    page.reload()
    expect(page.locator("#key-message")).to_contain_text("saved key no longer works")


# ---- /marketing ---------------------------------------------------------------------------
def test_marketing_offers_segments_and_exports(site: Site, watched: Callable[..., Watched]) -> None:
    w = watched(1400, 1000)
    page = w.page
    page.goto(f"{site.url}/marketing")
    sign_in(page, site.keys["marketing"])
    chart = page.locator("#segment-chart svg")
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() >= 2 * 5
    assert "hibernating" in (chart.text_content() or "")
    expect(page.locator("#tier-chart svg text", has_text="gold")).to_be_visible()
    expect(page.locator("#stats")).to_contain_text("with purchases")

    page.get_by_label("Customer id").fill("cust-0001")
    page.get_by_role("button", name="Show offers").click()
    rows = page.locator("#offer-rows tr")
    expect(rows.first).to_be_visible()
    assert rows.count() == 10
    expect(rows.first.locator(".reasons li").first).to_be_visible()
    expect(page.locator("#offer-customer")).to_contain_text("Lucy Taylor")
    w.shot()

    with page.expect_download() as got:
        page.get_by_role("button", name="Download these offers (CSV)").click()
    offers = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text("utf-8"))))
    new = [o for o in offers if o["offer_type"] == "new"]
    assert len(new) == 10 and new[0]["customer_id"] == "cust-0001" and new[0]["reasons"]
    renewals = [o for o in offers if o["offer_type"] == "renewal"]
    assert len(renewals) == page.locator("#renewal-rows tr").count()

    page.get_by_label("Segment", exact=True).select_option("champions")
    page.get_by_label("Offers per customer").select_option("1")
    with page.expect_download() as got:
        page.get_by_role("button", name="Export CSV").click()
    assert got.value.suggested_filename == "campaign-champions.csv"
    campaign = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text("utf-8"))))
    assert campaign and {r["segment"] for r in campaign} == {"champions"}
    assert all(r["rank"] == "1" and r["product_id"] for r in campaign)
    expect(page.locator("#campaign-status")).to_contain_text(f"Exported {len(campaign)} offers")

    page.get_by_label("Customer id").fill("nobody-here")
    page.get_by_role("button", name="Show offers").click()
    expect(page.locator("#offers-status")).to_have_text("No customer with id “nobody-here”.")
    w.allow(re.compile(r"status of 404"))


def test_marketing_renewals_audience_rules_and_campaign(
    site: Site, watched: Callable[..., Watched]
) -> None:
    w = watched(1400, 1000)
    page = w.page
    page.goto(f"{site.url}/marketing")
    sign_in(page, site.keys["marketing"])
    expect(page.locator("#segment-chart svg")).to_be_visible()

    # Offers come as new products and, separately, renewals of what the customer buys again.
    page.get_by_label("Customer id").fill("cust-0001")
    page.get_by_role("button", name="Show offers").click()
    expect(page.locator("#offer-rows tr").first).to_be_visible()
    with site.kb.db.session() as s:
        owned = set(
            s.scalars(select(Purchase.product_id).where(Purchase.customer_id == "cust-0001"))
        )
    shown = page.locator("#offer-rows tr td:nth-child(2) .muted").all_text_contents()
    assert shown and not {t.split(" · ")[0] for t in shown} & owned
    renewals = page.locator("#renewal-rows tr")
    if renewals.count():
        assert renewals.first.locator(".reasons li").first.inner_text().startswith("renewal: ")

    # The audience for one product: ranked non-owners, with reasons.
    product = "prod-travel-esim"
    page.get_by_label("Product", exact=True).select_option(product)
    page.get_by_label("Customers", exact=True).select_option("20")
    page.get_by_role("button", name="Find customers").click()
    rows = page.locator("#audience-rows tr")
    expect(rows.first).to_be_visible()
    assert rows.count() == 20
    with site.kb.db.session() as s:
        owners = set(s.scalars(select(Purchase.customer_id).where(Purchase.product_id == product)))
    listed = {
        t.strip() for t in page.locator("#audience-rows tr td:nth-child(2)").all_inner_texts()
    }
    assert len(listed) == 20 and not listed & owners
    expect(rows.first.locator(".reasons li").first).to_be_visible()
    with page.expect_download() as got:
        page.get_by_role("button", name="Download the audience (CSV)").click()
    audience = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text("utf-8"))))
    assert audience and {r["product_id"] for r in audience} == {product}
    assert not {r["customer_id"] for r in audience} & owners

    # The rules browser, against the API's own figures.
    page.get_by_label("Lift at least").select_option("1.5")
    page.get_by_label("Customers at least").select_option("5")
    page.get_by_role("button", name="Show rules").click()
    lifts = page.locator("#rules-rows tr td:nth-child(6)")
    expect(lifts.first).to_be_visible()
    values = [float(x) for x in lifts.all_inner_texts()]
    assert values == sorted(values, reverse=True) and min(values) >= 1.5

    # A campaign for the product, started from its audience, with its report.
    page.get_by_role("button", name="Start a campaign for it").click()
    expect(page.get_by_label("Campaign name")).to_be_focused()
    page.get_by_label("Campaign name").fill("eSIM for travellers")
    page.get_by_label("Customers (at most)").fill("50")
    page.get_by_label("Only customers who agreed to marketing").check()
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator("#new-campaign-status")).to_contain_text(
        "40 customers to offer, 10 held out"
    )
    # Everyone offered agreed to marketing: all of them may be contacted.
    expect(page.locator("#report-stats .stat", has_text="may be contacted")).to_contain_text("40")
    expect(page.locator("#campaign-report")).to_be_visible()
    expect(page.locator("#report-uplift")).to_contain_text("Uplift")
    members = page.locator("#member-rows tr")
    assert members.count() == 40
    first = members.first.locator("td:nth-child(2) .muted").inner_text()
    page.get_by_role("button", name=f"{first} rejected").click()
    expect(members.first.locator(".chip")).to_have_text("rejected")
    expect(page.locator("#report-stats")).to_contain_text("0 / 1")
    with page.expect_download() as got:
        page.get_by_role("button", name="Download the contact list (CSV)").click()
    contacts = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text("utf-8"))))
    with site.kb.db.session() as s:
        agreed = set(s.scalars(select(Customer.id).where(Customer.consent_marketing.is_(True))))
    # Offered customers who agreed to marketing only, with the channels they agreed to.
    assert len(contacts) == 40 and {c["customer_id"] for c in contacts} <= agreed
    assert all(bool(c["email"]) == (c["consent_email"] == "True") for c in contacts)
    expect(page.locator("#campaign-list-rows tr", has_text="eSIM for travellers")).to_be_visible()
    w.shot()

    # Bad input is said plainly, next to the form.
    page.get_by_label("Campaign name").fill("Too big a holdout")
    page.get_by_label("Holdout share").fill("0.9")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator("#new-campaign-status")).to_contain_text("holdout")
    w.allow(re.compile(r"status of 422"))


def test_marketing_wrong_key(site: Site, watched: Callable[..., Watched]) -> None:
    w = watched()
    w.allow(REFUSED)
    page = w.page
    page.goto(f"{site.url}/marketing")
    sign_in(page, site.keys["agent"])
    expect(page.locator("#key-message")).to_contain_text("needs a marketing key")
    expect(page.locator("#app")).to_be_hidden()
    w.shot()


def test_campaign_export_api(site: Site) -> None:
    settings = site.kb.settings
    recommender = load_recommender(settings, site.kb.db, site.kb.embedder)
    with TestClient(create_app(settings, site.kb, {"recommender": recommender})) as client:
        auth = {"Authorization": f"Bearer {site.keys['marketing']}"}
        r = client.get("/v1/campaigns/export", params={"tier": "gold", "k": 2}, headers=auth)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert rows and {x["value_tier"] for x in rows} == {"gold"}
        assert {x["rank"] for x in rows} == {"1", "2"}
        bad = client.get("/v1/campaigns/export", params={"segment": "vips"}, headers=auth)
        assert bad.status_code == 422 and "champions" in bad.json()["detail"]
        agent = {"Authorization": f"Bearer {site.keys['agent']}"}
        assert client.get("/v1/campaigns/export", headers=agent).status_code == 403


# ---- every page on a phone ----------------------------------------------------------------
@pytest.mark.parametrize("path", ["/help", "/agent", "/marketing"])
def test_pages_fit_a_narrow_screen(site: Site, watched: Callable[..., Watched], path: str) -> None:
    w = watched(390, 844)
    page = w.page
    page.goto(f"{site.url}{path}")
    if path == "/help":
        page.get_by_label("Search help articles").fill("exchange rate")
        expect(page.locator("#results li").first).to_be_visible()
    elif path == "/agent":
        sign_in(page, site.keys["agent"])
        page.locator(f'button[data-case-id="{site.cases["pin"]}"]').click()
        expect(page.locator("#suggestions > li, #no-answer:visible").first).to_be_visible()
        expect(page.locator("#customer > h3").first).to_be_visible()
    else:
        sign_in(page, site.keys["marketing"])
        expect(page.locator("#segment-chart svg")).to_be_visible()
        page.get_by_label("Customer id").fill("cust-0002")
        page.get_by_role("button", name="Show offers").click()
        expect(page.locator("#offer-rows tr").first).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    w.name = f"narrow-{path.strip('/')}"
    w.shot()
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a 390px screen"
