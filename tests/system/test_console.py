"""The agent console as a help desk, in Chromium: a caller found or created, a phone case opened
with triage, a call and a note logged in two clicks each, assigned, re-prioritised, moved
through its statuses, the queue views and the service panel. Screenshots go to
`test-artifacts/pages/`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kcrm.core.config import Settings
from kcrm.core.keys import create_key
from kcrm.core.tables import Case, CaseEvent, Customer, Interaction
from kcrm.crm.cases import NewCase, open_case
from kcrm.crm.loader import load_paths
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.server.app import create_app
from tests.system import test_pages as pages
from tests.system.test_pages import CHROMIUM, Watched, expect, fixture_corpus, serve, sign_in

# The browser and the watched page of the page tests (same launch flags, same error checks).
browser = pages.browser
watched = pages.watched

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium"),
    pytest.mark.timeout(180),
]


class Desk:
    def __init__(self, url: str, kb: KnowledgeBase, key: str) -> None:
        self.url, self.kb, self.key = url, kb, key


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    root = tmp_path_factory.mktemp("console")
    corpus = fixture_corpus(root / "corpus")
    settings = Settings(data_dir=root / "data", embedding_model="hash-64")
    kb = KnowledgeBase.open(settings, embedder=HashEmbedder(64, "hash-64"))
    load_paths(kb, [corpus])
    key = create_key(kb.db, "agent", "ana")[0]
    pin = NewCase(
        "cust-0002", "I typed the wrong PIN three times.", "PIN blocked", case_id="case-web-pin"
    )
    open_case(kb, pin)
    server = serve(create_app(settings, kb))
    try:
        yield Desk(server.url, kb, key)
    finally:
        server.stop()
        kb.close()


def events(kb: KnowledgeBase, case_id: str) -> list[tuple[str, str | None, str]]:
    with kb.db.session() as s:
        rows = s.execute(
            select(CaseEvent.kind, CaseEvent.new, CaseEvent.actor)
            .where(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_a_caller_on_the_phone(desk: Desk, watched: Callable[..., Watched]) -> None:
    w = watched(1400, 1000)
    page = w.page
    page.goto(f"{desk.url}/agent")
    sign_in(page, desk.key)
    expect(page.locator("#service tbody th")).to_have_text(["(none)"])  # the PIN case

    # The caller gives their number as people say it.
    page.get_by_label("Find a customer").fill("07700 900860")
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page.locator("#find-status")).to_have_text("1 customer found.")
    page.locator("#customer-results").get_by_role("button", name="Lucy Taylor").click()
    expect(page.locator("#customer > h3").first).to_have_text("Lucy Taylor")
    # The segment's RFM scores are spelt out on hover; dates are dates, and say what
    # recency is counted from.
    facts = page.locator("#customer dl.kv").first
    rfm = facts.locator("abbr.rfm")
    expect(rfm).to_have_text(re.compile(r"^R[1-5] F[1-5] M[1-5]$"))
    tip = rfm.get_attribute("title") or ""
    assert all(part in tip for part in ("R (recency)", "F (frequency)", "M (monetary)")), tip
    expect(facts).not_to_contain_text(re.compile(r"\(\d{3}\)"))
    expect(facts).to_contain_text(
        re.compile(r"Last purchase\s*\d{4}-\d{2}-\d{2} \(.*newest purchase in the data")
    )
    form = page.locator("#open-form")
    expect(form).to_be_visible()
    expect(form.get_by_label("Channel")).to_have_value("phone")
    page.get_by_label("Subject").fill("Card used abroad")
    page.get_by_label("What the customer says").fill(
        "Someone used my card in a shop in Madrid, I have never been there! Block it now please."
    )
    w.shot("open-form")
    form.get_by_role("button", name="Open case").click()
    expect(page.locator("#open-status")).to_contain_text("urgent priority")
    expect(page.locator("#work-title")).to_have_text("Card used abroad")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("kcrm proposed urgent priority")
    expect(page.locator("#service tbody th")).to_have_text(["(none)", "phone"])
    with desk.kb.db.session() as s:
        case = s.scalars(select(Case).where(Case.subject == "Card used abroad")).one()
        case_id = case.id
        assert (case.channel, case.priority, case.customer_id) == ("phone", "urgent", "cust-0001")

    # A call in two clicks: "Log a call" opens a focused box, "Save" stores it.
    page.get_by_role("button", name="Log a call").click()
    expect(page.get_by_label("What was said")).to_be_focused()
    page.keyboard.type("Confirmed identity; card frozen while we look into it.")
    page.get_by_role("button", name="Save").click()
    expect(timeline).to_contain_text("Call from the customer")
    expect(timeline).to_contain_text("card frozen")
    page.get_by_role("button", name="Add a note").click()
    page.keyboard.type("Check the Madrid merchant with the fraud team.")
    page.get_by_role("button", name="Save").click()
    expect(timeline).to_contain_text("Note: Check the Madrid merchant")

    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator("#case-assignee")).to_have_text("ana")
    tools = page.locator("#case-tools")
    tools.get_by_label("Priority").select_option("high")
    expect(timeline).to_contain_text("Priority set to high instead of the proposed urgent")
    tools.get_by_label("Status").select_option("pending")
    expect(page.locator("#work-meta")).to_contain_text("pending")
    expect(page.locator("#customer")).to_contain_text("Confirmed identity")  # the 360
    w.shot("timeline")

    page.get_by_role("button", name="Mine", exact=True).click()
    expect(page.locator(f'button[data-case-id="{case_id}"]')).to_be_visible()
    expect(page.locator("#cases-status")).to_have_text("1 case of yours open")

    with desk.kb.db.session() as s:
        calls = s.scalars(select(Interaction).where(Interaction.case_id == case_id)).all()
        assert [(i.channel, i.direction, i.agent) for i in calls] == [
            ("phone", "inbound", "agent:ana#1")
        ]
    kinds = [(k, new) for k, new, actor in events(desk.kb, case_id) if actor == "agent:ana#1"]
    assert kinds == [
        ("opened", "open"),
        ("note", "Check the Madrid merchant with the fraud team."),
        ("assignee", "ana"),
        ("priority", "high"),
        ("triage_override", "high"),
        ("status", "pending"),
    ]


def test_a_new_caller_and_the_queue_views(desk: Desk, watched: Callable[..., Watched]) -> None:
    w = watched(1400, 1000)
    page = w.page
    page.goto(f"{desk.url}/agent")
    sign_in(page, desk.key)
    page.get_by_label("Find a customer").fill("Zoë Quill")
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page.locator("#find-status")).to_contain_text("Nobody found")
    page.get_by_label("Name").fill("Zoë Quill")
    page.get_by_label("Email", exact=True).fill("zoe@example.com")
    page.get_by_label("Phone", exact=True).fill("+44 7700 900999")
    page.get_by_role("button", name="Create customer").click()
    expect(page.locator("#new-customer-status")).to_contain_text("Created Zoë Quill")
    expect(page.locator("#customer > h3").first).to_have_text("Zoë Quill")
    # Details corrected while she is on the line: another number, consent to offers.
    page.get_by_text("Edit details").click()
    page.get_by_label("Primary phone").fill("07700 900998")
    page.get_by_label("marketing offers").check()
    page.get_by_role("button", name="Save details").click()
    expect(page.locator("#customer")).to_contain_text("phone: 07700 900998 (primary)")
    expect(page.locator("#customer dl")).to_contain_text("marketing")
    with desk.kb.db.session() as s:
        zoe = s.scalars(select(Customer).where(Customer.name == "Zoë Quill")).one()
        assert zoe.consent_marketing and not zoe.consent_email
    form = page.locator("#open-form")
    form.get_by_label("Channel").select_option("email")
    form.get_by_label("What the customer says").fill("How do I order a spare card?")
    form.get_by_label("Priority").select_option("low")
    form.get_by_role("button", name="Open case").click()
    expect(page.locator("#open-status")).to_contain_text("low priority")
    with desk.kb.db.session() as s:
        new = s.scalars(
            select(Case).where(Case.description == "How do I order a spare card?")
        ).one()
        assert (new.channel, new.priority) == ("email", "low")
        # Another case is past its target: the overdue view shows it.
        late = s.scalars(select(Case).where(Case.id == "case-web-pin")).one_or_none()
        assert late is not None
        late.due_at = datetime.now(UTC) - timedelta(hours=1)
    page.get_by_role("button", name="Overdue", exact=True).click()
    expect(page.locator(".case-item")).to_have_count(1)
    expect(page.locator('.case-item[data-case-id="case-web-pin"]')).to_contain_text("overdue")
    page.get_by_role("button", name="Unassigned", exact=True).click()
    expect(page.locator(f'.case-item[data-case-id="{new.id}"]')).to_be_visible()
    page.locator("#queue-priority").select_option("low")
    expect(page.locator(".case-item")).to_have_count(1)
    w.shot("queues")
    # A move the case cannot make is not offered; a closed case can only be reopened.
    page.locator(f'.case-item[data-case-id="{new.id}"]').click()
    options = page.locator("#case-status option").all_inner_texts()
    assert options == ["Open", "→ Pending", "→ Resolved", "→ Closed"]
    page.get_by_label("Reply to the customer").fill("Order it in the app under Cards.")
    page.get_by_role("button", name="Send and resolve").click()
    expect(page.locator("#resolve-status")).to_contain_text("Sent via email and resolved")
    assert page.locator("#case-status option").all_inner_texts() == [
        "Resolved",
        "→ Open",
        "→ Closed",
    ]


def test_console_errors_are_shown_not_thrown(desk: Desk, watched: Callable[..., Any]) -> None:
    w = watched()
    w.allow(re.compile(r"status of 4(09|22)"))
    page = w.page
    page.goto(f"{desk.url}/agent")
    sign_in(page, desk.key)
    page.locator('.case-item[data-case-id="case-web-pin"]').click()
    status = page.locator("#case-tools").get_by_label("Status")
    status.select_option("closed")  # no resolution yet
    expect(page.locator("#case-status-line")).to_contain_text("closed with its resolution")
    expect(status).to_have_value("open")
    page.get_by_role("button", name="Send and close").click()
    expect(page.locator("#resolve-status")).to_contain_text("Write the reply first")
