"""A note that tells the customer's problem in the third person is read in their own words."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kcrm.assist.notes import third_person, wrap_reported
from kcrm.assist.problem import problem_statement
from kcrm.assist.reported import first_person
from kcrm.assist.suggest import suggest
from kcrm.assist.train import fit_assist
from kcrm.knowledge.kb import KnowledgeBase
from tests.assist.test_assist import TOPICS, case_text, cases, load


@pytest.mark.parametrize(
    ("told", "own"),
    [
        ("Customer says her card hasn't arrived.", "My card hasn't arrived."),
        ("Cx states that she has been charged twice.", "I have been charged twice."),
        (
            "Caller wanted to know if he needs to verify his identity.",
            "I need to verify my identity.",
        ),
        ("Does she need to verify her identity?", "Do I need to verify my identity?"),
        ("Customer asked: Why were they charged a fee?", "Why was I charged a fee?"),
        ("They're locked out of their account.", "I'm locked out of my account."),
        ("Customer called because he's lost his card.", "I've lost my card."),
        # The customer is "her"; "they" is the merchant.
        ("Customer says they charged her twice.", "They charged me twice."),
        # A lead and sentences after it, each turned.
        (
            "Caller wanted to know she lost her phone. What does she need to do?",
            "I lost my phone. What do I need to do?",
        ),
        # Contact-centre shorthand: "wtk" wants to know, "adv'd" advised, "q:" asks.
        ("cx wtk if he can see where his funds come from", "I can see where my funds come from"),
        ("cst adv'd her card was declined", "My card was declined"),
        ("cust q: when will his new card arrive?", "When will my new card arrive?"),
        ("per c/h - the atm kept her card", "The atm kept my card"),
        ("customer phoned explaining his top-up was rejected", "My top-up was rejected"),
        ("Caller called in wanting to know if she can pay by card", "I can pay by card"),
        # After a heading: "Escalation to 2nd line", "Shift handover:".
        ("Escalation to 2nd line Cust is asking if she can pay by card", "I can pay by card"),
        ("Shift handover: Caller advises his card was declined", "My card was declined"),
    ],
)
def test_the_third_person_is_turned_into_the_customers_own_words(told: str, own: str) -> None:
    assert first_person(told) == own


def test_what_is_not_told_in_the_third_person_stays_as_it_is() -> None:
    for text in [
        "I have young kids. Can they use this service?",  # the customer's own words
        "Customer said: I lost my card.",
        "Customer thanked me and ended the call. She was charged twice.",  # the agent's "me"
        "Verified identity with the last four digits.",
        "",
    ]:
        assert first_person(text) == text


def test_a_reports_lead_is_dropped_with_no_one_to_turn() -> None:
    assert first_person("Cust asking why do you charge for transfers?") == (
        "Why do you charge for transfers?"
    )
    assert first_person("Cust says card not arrived.") == "Card not arrived."


def test_the_generator_and_the_reader_are_inverse_on_plain_questions() -> None:
    for question in [
        "I still have not received my new card, what can I do?",
        "Why was I charged a fee?",
        "Do I need to verify my identity?",
    ]:
        for person in ("she", "he", "they"):
            assert first_person(third_person(question, person)) == question


def test_a_reported_note_is_ranked_by_the_customers_own_words(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    load(kb, tmp_path, cases(15))
    fit_assist(kb, folds=3)
    rng = random.Random(3)
    for topic in TOPICS:
        question = case_text(rng, topic)
        note = wrap_reported(question, rng)
        problem = problem_statement(kb, note)
        assert problem.kept < problem.segments, note
        assert first_person(problem.text) == problem.text  # nothing left to turn
        assert suggest(kb, note).suggestions[0].category == topic, (note, problem.text)
