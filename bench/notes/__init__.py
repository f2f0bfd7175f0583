"""Note generators written without reference to kcrm's note reader (kcrm/assist/problem.py).

Each wraps devsplit's questions as notes of another hand: `python bench/notes/NAME.py
--in SPLIT/queries.jsonl --out SPLIT/NAME.jsonl --seed N` (docs/quality.md).
"""
