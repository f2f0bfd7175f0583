"""Conversion rates and the uplift of a treatment group over its holdout, with intervals.

The interval of the difference of two independent proportions is Newcombe's hybrid
score interval (Newcombe 1998, "Interval estimation for the difference between
independent proportions", method 10), built from each group's Wilson score interval.
Unlike the Wald interval (p₁ − p₂ ± z·SE) it stays inside [−1, 1] and keeps close to
its nominal coverage with small groups and rates near 0, which is where campaign
conversions live.
"""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile: a two-sided 95 % interval


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion (0, 1 when there are no observations)."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(
    x1: int, n1: int, x2: int, n2: int, z: float = Z95
) -> tuple[float, float, float] | None:
    """(p₁ − p₂, lower, upper) with Newcombe's hybrid score interval; None if a group is empty."""
    if n1 <= 0 or n2 <= 0:
        return None
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    d = p1 - p2
    lower = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, lower, upper
