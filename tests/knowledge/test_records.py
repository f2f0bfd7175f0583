"""Readers accept every documented format and say exactly which line is bad and why."""

from __future__ import annotations

from pathlib import Path

from kcrm.knowledge.records import Parsed, Rejection, read_path


def parse(path: Path) -> tuple[list[Parsed], list[Rejection]]:
    items = list(read_path(path))
    return [i for i in items if isinstance(i, Parsed)], [
        i for i in items if isinstance(i, Rejection)
    ]


def test_jsonl_bad_lines_are_reported_with_line_and_reason(tmp_path: Path) -> None:
    f = tmp_path / "r.jsonl"
    f.write_bytes(
        b'{"id": "a", "kind": "faq", "body": "ok"}\n'
        b"\n"
        b"{not json\n"
        b'{"id": "b", "kind": "memo", "body": "x"}\n'
        b'{"id": "c", "kind": "faq"}\n'
        b'{"id": "d", "kind": "faq", "body": "x", "colour": "red"}\n'
        b'{"id": "e", "kind": "faq", "body": "\xff\xfe"}\n'
        b"[1, 2]\n"
        b'{"id": "f g", "kind": "faq", "body": "x"}\n'
    )
    good, bad = parse(f)
    assert [p.record.id for p in good] == ["a"]
    reasons = {r.line: r.reason for r in bad}
    assert reasons[3].startswith("invalid JSON")
    assert "kind" in reasons[4]
    assert reasons[5] == "body: required field is missing"
    assert reasons[6] == "colour: unknown field"
    assert "UTF-8" in reasons[7]
    assert "expected a JSON object" in reasons[8]
    assert reasons[9].startswith("id:")
    assert all(r.file == str(f) for r in bad)


def test_cases_and_interactions_are_always_internal(tmp_path: Path) -> None:
    f = tmp_path / "c.jsonl"
    f.write_text('{"id": "c1", "kind": "case", "body": "help", "visibility": "public"}\n')
    good, _ = parse(f)
    assert good[0].record.visibility == "internal"


def test_defaults_follow_the_interface(tmp_path: Path) -> None:
    f = tmp_path / "d.jsonl"
    f.write_text('{"id": "x", "kind": "article", "body": "text"}\n')
    rec = parse(f)[0][0].record
    assert (rec.visibility, rec.status, rec.language) == ("internal", "published", None)


def test_csv_rows_with_lists_and_text_column(tmp_path: Path) -> None:
    f = tmp_path / "r.csv"
    f.write_text(
        "id,kind,title,text,tags,visibility\n"
        'q1,faq,Card,"My card, please",cards;delivery,public\n'
        "q2,faq,Broken,,,public\n"
        "q3,faq,Too,many,cells,public,extra\n"
    )
    good, bad = parse(f)
    assert good[0].record.body == "My card, please"
    assert good[0].record.tags == ["cards", "delivery"]
    assert {r.line for r in bad} == {3, 4}


def test_json_list(tmp_path: Path) -> None:
    f = tmp_path / "r.json"
    f.write_text('[{"id": "a", "kind": "faq", "body": "x"}, {"id": "b"}]')
    good, bad = parse(f)
    assert [g.record.id for g in good] == ["a"] and bad[0].line == 2


def test_markdown_front_matter_and_defaults(tmp_path: Path) -> None:
    f = tmp_path / "guide.md"
    f.write_text(
        "---\nid: kb-guide\nvisibility: public\ntags: [a, b]\n---\n# The guide\n\nBody text.\n"
    )
    plain = tmp_path / "notes.md"
    plain.write_text("# Notes title\n\nSome notes.\n")
    rec = parse(f)[0][0].record
    assert (rec.id, rec.kind, rec.title, rec.visibility, rec.tags) == (
        "kb-guide",
        "article",
        "The guide",
        "public",
        ["a", "b"],
    )
    assert rec.body.startswith("# The guide")
    notes = next(iter(read_path(plain, tmp_path)))
    assert isinstance(notes, Parsed)
    assert (notes.record.id, notes.record.title) == ("notes", "Notes title")


def test_markdown_broken_front_matter(tmp_path: Path) -> None:
    f = tmp_path / "bad.md"
    f.write_text("---\nid: [unclosed\n---\nbody\n")
    _, bad = parse(f)
    assert "YAML" in bad[0].reason
