"""`kcrm customers add|edit|find|show|merge` and `kcrm report service`, with --json."""

from __future__ import annotations

import json

from tests.conftest import Invoke


def test_customers_from_the_command_line(cli: Invoke) -> None:
    code, out = cli(
        "customers", "add", "Lucy Taylor", "--id", "c1", "--email", "lucy@example.com",
        "--phone", "+44 7700 900860", "--consent-email", "--attr", "tier=gold", "--json",
    )  # fmt: skip
    assert code == 0, out
    made = json.loads(out)
    assert (made["phone"], made["consent_email"], made["attributes"]) == (
        "+44 7700 900860",
        True,
        {"tier": "gold"},
    )
    code, out = cli(
        "customers", "add", "L Taylor", "--id", "c2", "--phone", "07700900860", "--json"
    )
    assert json.loads(out)["possible_duplicates"] == ["c1"]
    found = json.loads(cli("customers", "find", "0044 7700 900 860", "--json")[1])
    assert [c["id"] for c in found["items"]] == ["c2", "c1"] and found["total"] == 2

    code, out = cli(
        "customers", "edit", "c1", "--city", "Glasgow", "--no-consent-email", "--attr", "tier=",
        "--email", "lucy@example.com", "--email", "lt@work.example", "--json",
    )  # fmt: skip
    edited = json.loads(out)
    assert edited["city"] == "Glasgow" and not edited["consent_email"]
    assert edited["attributes"] == {} and len(edited["contacts"]) == 3  # the phone stays

    code, out = cli("customers", "merge", "c1", "c2", "--json")
    assert code == 0 and json.loads(out)["moved"]["contacts"] == 0  # the same number
    assert [
        c["id"] for c in json.loads(cli("customers", "find", "taylor", "--json")[1])["items"]
    ] == ["c1"]
    view = json.loads(cli("customers", "show", "c2", "--json")[1])
    assert view["customer_id"] == "c1" and view["profile"]["merged_ids"] == ["c2"]

    assert cli("customers", "add", "Again", "--id", "c1")[0] == 1
    assert cli("customers", "add", "Bad", "--email", "nope")[0] == 2
    assert cli("customers", "edit", "ghost", "--name", "X")[0] == 1
    assert cli("customers", "merge", "c1", "c1")[0] == 2
    assert cli("customers", "edit", "c1", "--attr", "novalue")[0] == 2


def test_service_report_from_the_command_line(cli: Invoke) -> None:
    code, out = cli("report", "service", "--days", "30", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["days"] == 30 and data["total"]["cases"] == 0 and data["channels"] == {}
    assert cli("report", "service", "--days", "0")[0] == 2
