"""Confidence intervals for reported outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float
    level: float
    method: str


def proportion_ci(events: int, n: int, level: float = 0.95, method: str = "exact") -> Interval:
    """Estimate and two-sided CI of a proportion ``events / n``.

    ``exact`` is Clopper–Pearson (beta quantiles), ``wilson`` the Wilson score
    interval.  ``0/n`` gives a lower limit of 0 and ``n/n`` an upper limit of 1.
    """
    if n <= 0 or events < 0 or events > n or int(events) != events or int(n) != n:
        raise ValueError(f"need integers 0 <= events <= n and n > 0, got events={events}, n={n}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    alpha = 1 - level
    p = events / n
    if method == "exact":
        from scipy.special import betaincinv

        low = 0.0 if events == 0 else float(betaincinv(events, n - events + 1, alpha / 2))
        high = 1.0 if events == n else float(betaincinv(events + 1, n - events, 1 - alpha / 2))
    elif method == "wilson":
        z = NormalDist().inv_cdf(1 - alpha / 2)
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / denom
        low, high = max(0.0, centre - half), min(1.0, centre + half)
    else:
        raise ValueError(f"unknown method {method!r} (expected 'exact' or 'wilson')")
    return Interval(p, low, high, level, method)
