"""Build kcrm/knowledge/text/common_words.tsv.gz, the word list that vets NER's names.

spaCy's small English NER calls many capitalised words names ("Card", "Kestrel",
"Weekend" in headings). A name is usually written capitalised, a common word in lower
case: for each lower-case word of spaCy's English lexeme probabilities (the
`spacy-lookups-data` package, MIT) seen at least once in e^16 words, this keeps the
words whose title-case form is not e (2.7) times more frequent than the lower-case
one, with the natural log of that ratio. Run: python scripts/build_name_filter.py
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import spacy_lookups_data

MIN_LOG_PROB = -16.0  # rarer words are kept out: a rare capitalised word may be a name
NAME_RATIO = 1.0  # log(P(Title) / P(lower)) from which a word reads as a name
OUT = Path(__file__).resolve().parent.parent / "kcrm/knowledge/text/common_words.tsv.gz"


def main() -> None:
    source = Path(spacy_lookups_data.__file__).parent / "data/en_lexeme_prob.json.gz"
    probs: dict[str, float] = json.loads(gzip.decompress(source.read_bytes()))
    rows = []
    for word, prob in probs.items():
        if prob < MIN_LOG_PROB or not re.fullmatch("[a-z]{2,}", word):
            continue
        title = probs.get(word.title())
        ratio = -9.9 if title is None else max(-9.9, title - prob)
        if ratio < NAME_RATIO:
            rows.append(f"{word}\t{ratio:.1f}")
    rows.sort()
    # mtime=0: the same input gives the same bytes, so the file only changes with its data.
    OUT.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode(), mtime=0))
    print(f"{OUT}: {len(rows)} words")


if __name__ == "__main__":
    main()
