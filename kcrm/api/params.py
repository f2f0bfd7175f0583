"""Path parameters, bounded like the columns they are looked up in.

Every string a request carries has a bound (tests/api/test_bounds.py walks the schema);
an id longer than any stored one can only be a mistake or an attack.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

DocId = Annotated[str, Path(min_length=1, max_length=256, description="a knowledge record's id")]
CaseId = Annotated[str, Path(min_length=1, max_length=256, description="a case's id")]
CustomerId = Annotated[str, Path(min_length=1, max_length=128, description="a customer's id")]
