"""Cases as tickets: SLA due dates, the transition table, the timeline, knowledge, queues."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from kcrm.core.config import Settings
from kcrm.core.errors import Conflict
from kcrm.core.tables import Case, Document, DocumentRevision, Interaction
from kcrm.crm import tickets
from kcrm.crm.cases import CaseChanges, NewCase, get_case, open_case, update_case
from kcrm.crm.interactions import NewInteraction, log_interaction
from kcrm.crm.profiles import CustomerFields, create_customer
from kcrm.crm.queues import CaseQuery, list_cases
from kcrm.crm.service_report import service_report
from kcrm.crm.tickets import Triage
from kcrm.knowledge.embedders.hash import HashEmbedder
from kcrm.knowledge.kb import KnowledgeBase
from kcrm.knowledge.lifecycle import history
from kcrm.knowledge.records import KnowledgeRecord, Parsed

AGENT = "agent:ana#3"


@pytest.fixture
def desk(kb: KnowledgeBase) -> KnowledgeBase:
    for cid, name in (("c1", "Ada"), ("c2", "Bo")):
        create_customer(kb.db, CustomerFields(name=name), cid)
    return kb


def hours(case: dict) -> float:
    return (case["due_at"] - case["opened_at"]) / timedelta(hours=1)


def test_sla_due_dates_follow_the_priority(desk: KnowledgeBase) -> None:
    defaults = {"urgent": 4, "high": 8, "normal": 24, "low": 72}
    for priority, expected in defaults.items():
        case = open_case(desk, NewCase("c1", "help", priority=priority))
        assert hours(case) == expected and case["priority"] == priority
    assert open_case(desk, NewCase("c1", "no priority given"))["priority"] == "normal"
    case = open_case(desk, NewCase("c1", "a case", priority="low"))
    moved = update_case(desk, case["id"], CaseChanges(priority="urgent"), AGENT)
    assert hours(moved) == 4  # measured from the opening, not from the change


def test_sla_hours_are_configurable(tmp_path: object, settings: Settings) -> None:
    custom = settings.model_copy(update={"sla_hours": {**settings.sla_hours, "urgent": 1.5}})
    with KnowledgeBase.open(custom, embedder=HashEmbedder(64, "hash-64")) as kb:
        create_customer(kb.db, CustomerFields(name="Cy"), "c3")
        assert hours(open_case(kb, NewCase("c3", "now", priority="urgent"))) == 1.5
    with pytest.raises(ValueError, match="unknown priorities"):
        Settings(sla_hours={"critical": 1})
    with pytest.raises(ValueError, match="positive"):
        Settings(sla_hours={"low": 0})


def test_every_move_follows_the_transition_table(desk: KnowledgeBase) -> None:
    for current, wanted in itertools.product(tickets.STATUSES, repeat=2):
        case = open_case(desk, NewCase("c1", f"{current} to {wanted}"))
        path = {"open": [], "pending": ["pending"], "resolved": ["resolved"], "closed": ["closed"]}
        for step in path[current]:
            update_case(desk, case["id"], CaseChanges(status=step, resolution="done"), AGENT)
        allowed = wanted == current or wanted in tickets.TRANSITIONS[current]
        if allowed:
            change = CaseChanges(status=wanted, resolution="done")
            after = update_case(desk, case["id"], change, AGENT)
            assert after["status"] == wanted
        else:
            with pytest.raises(Conflict, match=f"a {current} case can move to"):
                update_case(desk, case["id"], CaseChanges(status=wanted, priority="high"), AGENT)
            unchanged = get_case(desk, case["id"])
            assert (unchanged["status"], unchanged["priority"]) == (current, "normal")


def test_closing_needs_a_resolution_and_reopening_counts(desk: KnowledgeBase) -> None:
    case = open_case(desk, NewCase("c1", "My card was charged twice"))
    with pytest.raises(ValueError, match="resolution"):
        update_case(desk, case["id"], CaseChanges(status="closed"), AGENT)
    resolved = update_case(desk, case["id"], CaseChanges(status="resolved"), AGENT)
    assert resolved["resolved_at"] and not resolved["in_knowledge_base"]  # nothing to learn
    closed = update_case(
        desk, case["id"], CaseChanges(status="closed", resolution="Refunded one charge"), AGENT
    )
    assert closed["closed_at"] and closed["in_knowledge_base"]
    reopened = update_case(desk, case["id"], CaseChanges(status="open"), AGENT)
    assert reopened["reopened"] == 1 and reopened["resolved_at"] is None
    assert reopened["closed_at"] is None
    with desk.db.session() as s:
        assert s.scalar(select(Document.status).where(Document.id == case["id"])) == "archived"


def test_unknown_customer_and_id_takeover_are_refused(desk: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="no customer"):
        open_case(desk, NewCase("ghost", "who am I"))
    faq = {"id": "faq-x", "kind": "faq", "body": "Cards arrive in 3 days", "visibility": "public"}
    desk.ingest([Parsed(KnowledgeRecord.model_validate(faq), "t", 1)])
    with pytest.raises(Conflict, match="knowledge record"):
        open_case(desk, NewCase("c1", "take over the FAQ", case_id="faq-x"))
    case = open_case(desk, NewCase("c1", "mine", case_id="case-a"))
    with pytest.raises(Conflict, match="already exists"):
        open_case(desk, NewCase("c1", "again", case_id="case-a"))
    # An FAQ may not take over the case's id either: the row is rejected, nothing changes.
    clash = {**faq, "id": case["id"]}
    report = desk.ingest([Parsed(KnowledgeRecord.model_validate(clash), "faqs.jsonl", 7)])
    assert report.added == 0 and report.rejected[0].line == 7
    assert "is a case" in report.rejected[0].reason
    with desk.db.session() as s:
        assert s.get(Document, case["id"]) is None
        assert s.scalar(select(Document.body).where(Document.id == "faq-x")) == faq["body"]


def test_a_case_never_rewrites_a_record_that_is_not_its_own(desk: KnowledgeBase) -> None:
    faq = {"id": "legacy-1", "kind": "faq", "body": "An FAQ", "visibility": "public"}
    desk.ingest([Parsed(KnowledgeRecord.model_validate(faq), "t", 1)])
    with desk.db.session() as s:  # a case row left by older data under the same id
        s.add(Case(id="legacy-1", customer_id="c1", description="old", status="open"))
    update_case(desk, "legacy-1", CaseChanges(status="closed", resolution="fixed"), AGENT)
    with desk.db.session() as s:
        doc = s.get(Document, "legacy-1")
        assert doc is not None and (doc.kind, doc.body, doc.version) == ("faq", "An FAQ", 1)
    events = get_case(desk, "legacy-1")["timeline"]
    assert any(e["kind"] == "knowledge" and e["new"] == "not stored" for e in events)


def test_every_write_records_who_made_it(desk: KnowledgeBase) -> None:
    case = open_case(desk, NewCase("c1", "Locked out of the app"), "agent:bo#2")
    update_case(desk, case["id"], CaseChanges(assignee="ana", queue="access"), AGENT)
    update_case(
        desk,
        case["id"],
        CaseChanges(status="resolved", resolution="Reset the passcode", sent_via="email"),
        AGENT,
    )
    revisions = history(desk.db, case["id"])
    assert [r["changed_by"] for r in revisions] == [AGENT]
    detail = get_case(desk, case["id"])
    actors = {(e["kind"], e["actor"]) for e in detail["timeline"]}
    assert {("opened", "agent:bo#2"), ("assignee", AGENT), ("queue", AGENT)} <= actors
    assert {("status", AGENT), ("resolution", AGENT), ("outbound", AGENT)} <= actors
    with desk.db.session() as s:
        assert s.scalar(select(DocumentRevision.changed_by)) == AGENT


def test_timeline_order_first_response_and_resolution_time(desk: KnowledgeBase) -> None:
    case = open_case(desk, NewCase("c1", "Where is my card?", channel="chat"), AGENT)
    start = case["opened_at"]
    log_interaction(desk.db, NewInteraction("c1", "chat", "inbound", "Hello?", case["id"]))
    with pytest.raises(ValueError, match="belongs to customer"):
        log_interaction(desk.db, NewInteraction("c2", "chat", "inbound", "x", case["id"]))
    with pytest.raises(ValueError, match="future"):
        log_interaction(
            desk.db,
            NewInteraction("c1", "chat", "inbound", "x", None, start + timedelta(days=3)),
        )
    naive = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)
    logged = log_interaction(
        desk.db, NewInteraction("c1", "email", "inbound", "naive", None, naive)
    )
    assert logged["occurred_at"].tzinfo is not None  # read as UTC
    update_case(desk, case["id"], CaseChanges(priority="high"), AGENT)
    reply = NewInteraction("c1", "chat", "outbound", "It ships today", case["id"])
    log_interaction(desk.db, reply, AGENT)
    done = update_case(
        desk, case["id"], CaseChanges(status="resolved", resolution="Shipped"), AGENT
    )
    kinds = [e["kind"] for e in done["timeline"]]
    assert kinds[:3] == ["opened", "inbound", "priority"]
    assert kinds.index("outbound") < kinds.index("status")
    assert [e["at"] for e in done["timeline"]] == sorted(e["at"] for e in done["timeline"])
    assert done["timeline_total"] == len(done["timeline"])
    assert done["opened_at"] < done["first_response_at"] < done["resolved_at"]
    assert 0 <= done["first_response_seconds"] <= done["resolution_seconds"]
    with desk.db.session() as s:
        assert s.scalar(select(Interaction.id).where(Interaction.text == "naive")) is not None


def test_queues_filter_sort_and_page(desk: KnowledgeBase) -> None:
    made = {}
    for name, priority, assignee, queue in (
        ("a", "low", "ana", "cards"),
        ("b", "urgent", None, "cards"),
        ("c", "high", "ana", "loans"),
        ("d", "normal", None, None),
    ):
        made[name] = open_case(
            desk, NewCase("c1", name, priority=priority, assignee=assignee, queue=queue)
        )["id"]
    with desk.db.session() as s:  # one case is past its target
        s.get(Case, made["d"]).due_at = datetime.now(UTC) - timedelta(minutes=5)  # type: ignore[union-attr]

    def listed(**query: object) -> list[str]:
        return [c["id"] for c in list_cases(desk, CaseQuery(**query))["items"]]  # type: ignore[arg-type]

    by_id = {v: k for k, v in made.items()}
    assert sorted(by_id[i] for i in listed(assignee="ana")) == ["a", "c"]
    assert sorted(by_id[i] for i in listed(unassigned=True)) == ["b", "d"]
    assert sorted(by_id[i] for i in listed(queue="cards")) == ["a", "b"]
    assert [by_id[i] for i in listed(overdue=True)] == ["d"]
    assert sorted(by_id[i] for i in listed(priority=["high", "urgent"])) == ["b", "c"]
    assert [by_id[i] for i in listed(sort="priority")] == ["b", "c", "d", "a"]
    assert next(by_id[i] for i in listed(sort="due")) == "d"
    page = list_cases(desk, CaseQuery(), limit=3)
    assert (page["total"], page["next"], len(page["items"])) == (4, 3, 3)
    assert list_cases(desk, CaseQuery(), limit=3, offset=3)["next"] is None
    with pytest.raises(ValueError, match="status must be one of"):
        list_cases(desk, CaseQuery(status=["solved"]))


def test_triage_overrides_are_recorded_and_counted(desk: KnowledgeBase) -> None:
    proposal = Triage("high", 0.7, -0.4, "en", "lost_or_stolen_card", 0.9, ["loss×1"])
    kept = open_case(desk, NewCase("c1", "lost card"), AGENT, proposal)
    assert kept["priority"] == "high"
    lowered = open_case(desk, NewCase("c1", "lost card", priority="normal"), AGENT, proposal)
    raised = open_case(desk, NewCase("c1", "lost card"), AGENT, proposal)
    update_case(desk, raised["id"], CaseChanges(priority="urgent"), AGENT)
    update_case(desk, raised["id"], CaseChanges(priority="low"), AGENT)  # counted once
    events = [
        e for e in get_case(desk, lowered["id"])["timeline"] if e["kind"] == "triage_override"
    ]
    assert events[0]["data"]["direction"] == "down" and events[0]["actor"] == AGENT
    report = service_report(desk.db)["triage"]
    assert report == {
        "proposed": 3,
        "overridden": 2,
        "raised": 1,
        "lowered": 1,
        "kept_rate": round(1 - 2 / 3, 4),
        "overrides": {"high->normal": 1, "high->urgent": 1},
    }


def test_service_report_per_channel_and_queue(desk: KnowledgeBase) -> None:
    t0 = datetime.now(UTC) - timedelta(days=2)
    rows = [  # channel, queue, first reply after (h), resolved after (h), reopened
        ("phone", "cards", 1, 4, 0),
        ("phone", "cards", 3, 10, 1),
        ("email", None, 5, None, 0),
    ]
    with desk.db.session() as s:
        for i, (channel, queue, reply, done, again) in enumerate(rows):
            s.add(
                Case(
                    id=f"r{i}",
                    customer_id="c1",
                    channel=channel,
                    queue=queue,
                    status="resolved" if done else "open",
                    opened_at=t0,
                    first_response_at=t0 + timedelta(hours=reply),
                    resolved_at=t0 + timedelta(hours=done) if done else None,
                    due_at=t0 + timedelta(hours=24),
                    reopened=again,
                )
            )
    log_interaction(desk.db, NewInteraction("c1", "phone", "inbound", "call"))
    report = service_report(desk.db, days=7)
    phone = report["channels"]["phone"]
    assert (phone["cases"], phone["reopen_rate"], phone["interactions"]["inbound"]) == (2, 0.5, 1)
    assert phone["first_response_hours"]["median"] == 2.0
    assert phone["resolution_hours"] == {"median": 7.0, "p90": 9.4, "n": 2}
    assert report["channels"]["email"]["overdue"] == 1
    assert set(report["queues"]) == {"cards", "(none)"}
    assert report["total"]["cases"] == 3


def test_a_help_page_case_is_linked_to_its_customer_once_known(desk: KnowledgeBase) -> None:
    new = NewCase(None, "Nothing helped", contact_name="Ada", contact_email="ada@example.com")
    case = open_case(desk, new, "help page")
    assert (case["customer_id"], case["contact_email"]) == (None, "ada@example.com")
    with pytest.raises(ValueError, match="no customer"):
        update_case(desk, case["id"], CaseChanges(customer_id="ghost"), AGENT)
    linked = update_case(desk, case["id"], CaseChanges(customer_id="c1"), AGENT)
    assert linked["customer_id"] == "c1"
    moves = [
        (e["old"], e["new"], e["actor"]) for e in linked["timeline"] if e["kind"] == "customer"
    ]
    assert moves == [(None, "c1", AGENT)]
