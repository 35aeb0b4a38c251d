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


@dataclass(frozen=True)
class Pooled:
    """A pooled proportion.  ``pooled`` is False when there was nothing to pool (one study)."""

    estimate: float
    low: float
    high: float
    level: float
    method: str
    k: int
    i2: float | None
    tau2: float | None
    q: float | None
    pooled: bool
    note: str = ""


def pool_proportions(events, n, method: str = "random", level: float = 0.95) -> Pooled:
    """Pool proportions on the logit scale: inverse-variance ``fixed`` or DerSimonian–Laird ``random``.

    Studies with 0 or n events get the usual 0.5 continuity correction on the
    logit scale.  With one study nothing is pooled: its own exact interval is
    returned with ``pooled=False`` and a note saying so.
    """
    import math

    events, n = list(events), list(n)
    if len(events) != len(n) or not events:
        raise ValueError("need one events and one n per study")
    if method not in ("random", "fixed"):
        raise ValueError(f"unknown method {method!r} (expected 'random' or 'fixed')")
    if len(events) == 1:
        ci = proportion_ci(events[0], n[0], level)
        return Pooled(
            ci.estimate,
            ci.low,
            ci.high,
            level,
            "single study (exact)",
            1,
            None,
            None,
            None,
            False,
            "one study: nothing to pool; its own exact interval is shown",
        )
    y, v = [], []
    for e, m in zip(events, n):
        proportion_ci(e, m)  # validates the pair
        e_, m_ = (e + 0.5, m + 1.0) if e in (0, m) else (e, m)
        y.append(math.log(e_ / (m_ - e_)))
        v.append(1 / e_ + 1 / (m_ - e_))
    w = [1 / vi for vi in v]
    sw = sum(w)
    fixed = sum(wi * yi for wi, yi in zip(w, y)) / sw
    q = sum(wi * (yi - fixed) ** 2 for wi, yi in zip(w, y))
    df = len(y) - 1
    c = sw - sum(wi * wi for wi in w) / sw
    tau2 = max(0.0, (q - df) / c) if c > 0 else 0.0
    i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    if method == "random":
        w = [1 / (vi + tau2) for vi in v]
        sw = sum(w)
    mu = sum(wi * yi for wi, yi in zip(w, y)) / sw
    se = (1 / sw) ** 0.5
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)

    def expit(x):
        return 1 / (1 + math.exp(-x))

    return Pooled(
        expit(mu),
        expit(mu - z * se),
        expit(mu + z * se),
        level,
        "random effects (DerSimonian–Laird), logit scale"
        if method == "random"
        else "fixed effect (inverse variance), logit scale",
        len(y),
        i2,
        tau2,
        q,
        True,
    )
