"""`kcrm evaluate recommend`, `train recommend`, `recommend` and `segments` as scripts use them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np


def groceries(path: Path) -> Path:
    """A groceries-style export: 120 members over four months; item sales drift to 'tea'."""
    rng = np.random.default_rng(3)
    items = ["milk", "bread", "butter", "jam", "tea", "coffee", "eggs", "rice"]
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Member_number", "Date", "itemDescription"])
        for m in range(120):
            for _ in range(6):
                day = int(rng.integers(1, 120))
                late = day > 60
                p = np.asarray([5, 4, 3, 2, 6 if late else 1, 2, 2, 1], float)
                item = items[int(rng.choice(len(items), p=p / p.sum()))]
                date = f"{(day % 28) + 1:02d}-{day // 30 + 1:02d}-2015"
                w.writerow([1000 + m, date, item])
    return path


def test_evaluate_train_recommend_segments(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _ = cli("import", "purchases", str(groceries(tmp_path / "g.csv")), "--create-missing")
    assert code == 0
    code, out = cli("evaluate", "recommend", "--split-date", "2015-03-15", "--json")
    assert code == 0, out
    result = json.loads(out)
    assert {"popularity", "item_knn", "als", "copurchase", "content", "blend"} <= set(
        result["models"]
    )
    for m in result["models"].values():
        assert set(m) == {"hr", "precision", "recall", "ndcg", "map", "coverage"}
        assert 0 <= m["ndcg"] <= 1
    assert abs(sum(result["weights"].values()) - 1) < 1e-6

    code, out = cli("train", "recommend", "--json")
    assert code == 0, out
    assert (Path(json.loads(out)["path"]) / "manifest.json").is_file()

    code, out = cli("recommend", "1000", "--k", "3", "--json")
    assert code == 0, out
    body = json.loads(out)
    assert body["customer_id"] == "1000" and len(body["items"]) <= 3
    assert all(i["reasons"] for i in body["items"])
    assert cli("recommend", "nobody")[0] == 1

    export = tmp_path / "offers.csv"
    code, out = cli("recommend", "--all", "--out", str(export), "--k", "2", "--json")
    assert code == 0, out
    rows = list(csv.DictReader(export.open()))
    assert len({r["customer_id"] for r in rows}) == 120 and rows[0]["reasons"]

    code, out = cli("segments", "--json", "--plots", str(tmp_path / "plots"))
    assert code == 0, out
    seg = json.loads(out)
    assert seg["buyers"] == 120 and seg["monetary_basis"] == "lines"
    assert len(seg["plots"]) == 4
    for p in seg["plots"]:
        assert Path(p).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_arguments_are_refused(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("recommend")[0] == 2
    assert cli("recommend", "--all")[0] == 2
    assert cli("evaluate", "recommend", "--split-date", "soon")[0] == 2


def test_audience_rules_and_campaigns_from_the_command_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _ = cli("import", "purchases", str(groceries(tmp_path / "g.csv")), "--create-missing")
    assert code == 0
    code, out = cli("rules", "--min-customers", "5", "--k", "3", "--json")
    assert code == 0, out
    rules = json.loads(out)["rules"]
    assert len(rules) == 3 and all(r["customers"] >= 5 for r in rules)
    assert [r["lift"] for r in rules] == sorted((r["lift"] for r in rules), reverse=True)

    code, out = cli("audience", "tea", "--k", "5", "--json")
    assert code == 0, out
    audience = json.loads(out)["customers"]
    assert len(audience) == 5 and all(c["reasons"] for c in audience)
    assert cli("audience", "no-such-item")[0] == 1

    code, out = cli("campaign", "create", "Tea week", "--product", "tea", "--size", "40",
                    "--holdout", "0.25", "--seed", "3", "--json")  # fmt: skip
    assert code == 0, out
    created = json.loads(out)
    assert (created["treatment"], created["holdout"]) == (30, 10)
    code, out = cli("campaign", "members", str(created["id"]), "--group", "treatment", "--json")
    assert code == 0, out
    first = json.loads(out)["customers"][0]["customer_id"]
    code, out = cli("campaign", "outcome", str(created["id"]), first, "rejected", "--json")
    assert code == 0 and json.loads(out)["outcome"] == "rejected"
    code, out = cli("campaign", "report", str(created["id"]), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["treatment"]["customers"] == 30 and report["treatment"]["rejected"] == 1
    assert report["uplift"] == 0.0  # nobody bought tea since the start

    assert cli("campaign", "create", "x", "--product", "tea", "--holdout", "0.9")[0] == 2
    assert cli("campaign", "create", "x", "--segment", "vips")[0] == 2
    assert cli("campaign", "report", "999")[0] == 1
    assert cli("campaign", "outcome", str(created["id"]), first, "maybe")[0] == 2


def test_recommend_trains_once_and_refuses_unknown_customers_first(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _ = cli("import", "purchases", str(groceries(tmp_path / "g.csv")), "--create-missing")
    assert code == 0
    manifest = tmp_path / "data" / "models" / "recommend" / "manifest.json"
    assert cli("recommend", "nobody")[0] == 1
    assert not manifest.exists()  # refused before any training
    code, out = cli("recommend", "1000", "--k", "2", "--json")
    assert code == 0, out
    assert manifest.is_file()  # trained once, and saved
    before = manifest.stat().st_mtime_ns
    code, again = cli("recommend", "1000", "--k", "2", "--json")
    assert code == 0 and json.loads(again) == json.loads(out)
    assert manifest.stat().st_mtime_ns == before  # the saved model, not a retrain
