"""Meta-analysis computed as R's metafor computes it.

``effect_sizes`` is metafor's ``escalc``; ``meta_analysis`` is ``rma`` (``rma.uni``) with the
common-effect model and six τ² estimators, Wald-type (``z``) or Hartung–Knapp–Sidik–Jonkman
(``knha``) tests and prediction intervals as ``predict.rma`` gives them; ``mantel_haenszel`` is
``rma.mh``; ``peto`` is ``rma.peto``; ``subgroups`` fits one model per subgroup and tests the
subgroup differences as RevMan does; ``leave_one_out`` is ``leave1out``; ``egger_test`` is
``regtest``.  Every result is checked against metafor's own output in
``tests/reference/metafor_reference.json`` (written by ``tests/reference/metafor_reference.R``).

Where statsmodels computes what is needed it is used: the Mantel–Haenszel odds ratio, its
Robins–Breslow–Greenland standard error and the Cochran–Mantel–Haenszel test come from
``statsmodels.stats.contingency_tables.StratifiedTable``.  statsmodels has no REML, ML,
Hedges or Sidik–Jonkman τ², no Knapp–Hartung test, no prediction interval, no metafor-style
I²/H² for random-effects models, no Mantel–Haenszel risk ratio/difference variances, no Peto
odds ratio and no Egger-type regression test, so those are written here from metafor's
formulas (Viechtbauer 2005, 2010; the metafor documentation).

Nothing here is imported by ``import reviewkit``; numpy, scipy and statsmodels load on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: measure -> (scale of yi, what it is); "log" and "logit" results are back-transformed
MEASURES = {
    "OR": ("log", "odds ratio"),
    "RR": ("log", "risk ratio"),
    "RD": ("identity", "risk difference"),
    "MD": ("identity", "mean difference"),
    "SMD": ("identity", "standardized mean difference (Hedges' g)"),
    "PLO": ("logit", "proportion (logit)"),
    "PR": ("identity", "proportion"),
    "PFT": ("identity", "proportion (Freeman–Tukey double arcsine)"),
    "GEN": ("identity", "generic estimate"),
}
#: scale of yi for measures that come only as reported estimates (``GEN`` on the log scale)
REPORTED_SCALES = {"HR": "log"}
METHODS = ["FE", "DL", "REML", "PM", "ML", "HE", "SJ"]
TESTS = ["z", "knha"]
_ARGUMENTS: dict[str, list[tuple[str, ...]]] = {
    "OR": [("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i")],
    "RR": [("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i")],
    "RD": [("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i")],
    "MD": [("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")],
    "SMD": [("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")],
    "PLO": [("xi", "ni")],
    "PR": [("xi", "ni")],
    "PFT": [("xi", "ni")],
    "GEN": [("estimate", "ci_low", "ci_high"), ("yi", "vi"), ("yi", "sei")],
}


def _choice(value, choices, what):
    from ..errors import did_you_mean

    if value not in choices:
        raise ValueError(
            f"unknown {what} {value!r}{did_you_mean(str(value), choices)} (expected one of {', '.join(choices)})"
        )


def _z(level: float) -> float:
    from scipy.stats import norm

    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    return float(norm.ppf(1 - (1 - level) / 2))


def _array(values, name, rows):
    import numpy as np

    try:
        a = np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: every value must be a number") from None
    if rows is not None and len(a) != rows:
        raise ValueError(f"{name} has {len(a)} values, the other columns {rows}")
    bad = np.flatnonzero(~np.isfinite(a))
    if len(bad):
        raise ValueError(f"{name}: row {bad[0] + 1} is missing or not a finite number")
    return a


def effect_sizes(
    measure: str,
    *,
    data=None,
    study=None,
    add: float = 0.5,
    to: str = "only0",
    level: float = 0.95,
    scale: str = "log",
    **columns,
):
    """Effect sizes ``yi`` and sampling variances ``vi``, as metafor's ``escalc(measure, …)``.

    Columns are sequences, or names of columns of *data* (a DataFrame), as in R:

    - ``OR``, ``RR``, ``RD``: ``ai, bi, ci, di`` (events and non-events, treatment then control) or
      ``ai, n1i, ci, n2i`` (events and group sizes).  As escalc's default (``add=1/2, to="only0"``),
      a study with a zero cell gets 1/2 added to each of its four cells.
    - ``MD``: ``m1i, sd1i, n1i, m2i, sd2i, n2i``; ``SMD``: the same, Hedges' g with the exact bias
      correction and escalc's large-sample variance.
    - ``PLO`` (logit), ``PR`` (raw), ``PFT`` (Freeman–Tukey double arcsine): ``xi, ni``; 1/2 is added
      to a study with 0 or ni events for PLO and PR, not for PFT (as escalc).
    - ``GEN``: a reported ``estimate, ci_low, ci_high`` (at *level*); with ``scale="log"`` (hazard,
      odds and risk ratios) ``yi`` is its log and the SE is (log(high) − log(low)) / (2 z); with
      ``scale="identity"`` the same on the raw scale.  ``yi, vi`` or ``yi, sei`` are taken as given.

    Returns a DataFrame with ``study`` (when given), the inputs, ``yi`` and ``vi``.
    """
    import numpy as np
    import pandas as pd

    _choice(measure, list(_ARGUMENTS), "measure")
    _choice(to, ["only0", "all", "if0all", "none"], "'to'")
    given = set(columns)
    sets = _ARGUMENTS[measure]
    chosen = next((s for s in sets if set(s) == given), None)
    if chosen is None:
        options = " or ".join(", ".join(s) for s in sets)
        raise ValueError(f"measure {measure} needs the columns {options}; got {', '.join(sorted(given)) or 'none'}")
    cols = {}
    rows = None
    for name in chosen:
        values = columns[name]
        if isinstance(values, str):
            if data is None or values not in data.columns:
                raise ValueError(
                    f"{name}={values!r}: no such column"
                    + ("" if data is None else f" in data (columns: {', '.join(map(str, data.columns))})")
                )
            values = data[values]
        cols[name] = _array(values, name, rows)
        rows = len(cols[name])
    if isinstance(study, str) and data is not None:
        study = data[study]
    out: dict[str, Any] = {} if study is None else {"study": [str(s) for s in study]}
    out.update({k: v.copy() for k, v in cols.items()})

    def check(cond, message):
        bad = np.flatnonzero(~cond)
        if len(bad):
            i = bad[0]
            label = f" ({out['study'][i]})" if "study" in out else ""
            raise ValueError(f"row {i + 1}{label}: {message}")

    if measure in ("OR", "RR", "RD"):
        ai, ci = cols["ai"], cols["ci"]
        if "bi" in cols:
            bi, di = cols["bi"], cols["di"]
        else:
            check(cols["n1i"] >= ai, "ai (events) is larger than n1i (group size)")
            check(cols["n2i"] >= ci, "ci (events) is larger than n2i (group size)")
            bi, di = cols["n1i"] - ai, cols["n2i"] - ci
        for name, a in (("ai", ai), ("bi/n1i", bi), ("ci", ci), ("di/n2i", di)):
            check(a >= 0, f"{name} is negative")
        check(ai + bi > 0, "the treatment group is empty")
        check(ci + di > 0, "the control group is empty")
        ai, bi, ci, di = (a.astype(float).copy() for a in (ai, bi, ci, di))
        zero = (ai == 0) | (bi == 0) | (ci == 0) | (di == 0)
        fix = _add_mask(zero, to, len(ai))
        for a in (ai, bi, ci, di):
            a[fix] += add
        n1, n2 = ai + bi, ci + di
        with np.errstate(divide="ignore", invalid="ignore"):
            if measure == "OR":
                yi = np.log(ai * di / (bi * ci))
                vi = 1 / ai + 1 / bi + 1 / ci + 1 / di
            elif measure == "RR":
                yi = np.log((ai / n1) / (ci / n2))
                vi = 1 / ai - 1 / n1 + 1 / ci - 1 / n2
            else:
                p1, p2 = ai / n1, ci / n2
                yi = p1 - p2
                vi = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    elif measure in ("MD", "SMD"):
        m1, s1, n1, m2, s2, n2 = (cols[c] for c in chosen)
        check((s1 >= 0) & (s2 >= 0), "a standard deviation is negative")
        check((n1 >= 1) & (n2 >= 1), "a group size is below 1")
        if measure == "MD":
            yi = m1 - m2
            vi = s1**2 / n1 + s2**2 / n2
        else:
            from scipy.special import gammaln

            check(n1 + n2 > 2, "SMD needs n1i + n2i > 2")
            mi = n1 + n2 - 2
            # exact bias correction: c(m) = Γ(m/2) / (√(m/2) Γ((m−1)/2))
            cmi = np.exp(gammaln(mi / 2) - np.log(np.sqrt(mi / 2)) - gammaln((mi - 1) / 2))
            sdp = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / mi)
            check(sdp > 0, "both standard deviations are zero")
            yi = cmi * (m1 - m2) / sdp
            vi = 1 / n1 + 1 / n2 + yi**2 / (2 * (n1 + n2))
    elif measure in ("PLO", "PR", "PFT"):
        xi, ni = cols["xi"].astype(float).copy(), cols["ni"].astype(float).copy()
        check(ni > 0, "ni must be positive")
        check((xi >= 0) & (xi <= ni), "xi must be between 0 and ni")
        if measure == "PFT":
            yi = 0.5 * (np.arcsin(np.sqrt(xi / (ni + 1))) + np.arcsin(np.sqrt((xi + 1) / (ni + 1))))
            vi = 1 / (4 * ni + 2)
        else:
            mi = ni - xi
            fix = _add_mask((xi == 0) | (mi == 0), to, len(xi))
            xi[fix] += add
            mi[fix] += add
            ni = xi + mi
            p = xi / ni
            if measure == "PR":
                yi, vi = p, p * (1 - p) / ni
            else:
                with np.errstate(divide="ignore"):
                    yi, vi = np.log(xi / mi), 1 / xi + 1 / mi
    else:  # GEN
        _choice(scale, ["log", "identity"], "scale")
        if "estimate" in cols:
            est, lo, hi = cols["estimate"], cols["ci_low"], cols["ci_high"]
            check(lo <= est, "ci_low is above the estimate")
            check(hi >= est, "ci_high is below the estimate")
            check(hi > lo, "ci_high must be above ci_low")
            if scale == "log":
                check(lo > 0, "a ratio and its interval must be positive (log scale)")
                est, lo, hi = np.log(est), np.log(lo), np.log(hi)
            yi = est
            vi = ((hi - lo) / (2 * _z(level))) ** 2
        elif "vi" in cols:
            check(cols["vi"] >= 0, "vi is negative")
            yi, vi = cols["yi"], cols["vi"]
        else:
            check(cols["sei"] >= 0, "sei is negative")
            yi, vi = cols["yi"], cols["sei"] ** 2
    out["yi"] = np.asarray(yi, dtype=float)
    out["vi"] = np.asarray(vi, dtype=float)
    df = pd.DataFrame(out)
    df.attrs["measure"] = measure
    if measure == "GEN":
        df.attrs["scale"] = scale
    return df


def _add_mask(zero, to, k):
    import numpy as np

    if to == "all":
        return np.ones(k, dtype=bool)
    if to == "only0":
        return zero
    if to == "if0all":
        return np.full(k, bool(zero.any()))
    return np.zeros(k, dtype=bool)


@dataclass(frozen=True)
class BackTransformed:
    """Estimate and intervals on the original scale (exp for ratios, inverse logit for logits)."""

    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    scale: str


@dataclass(frozen=True)
class MetaResult:
    """A fitted meta-analysis, a value.  ``i2`` is a fraction (metafor prints it ×100).

    ``statistic``/``p`` test the estimate (z, or t with ``df`` for ``knha``); ``q``/``q_p`` is
    Cochran's test of heterogeneity on ``k − 1`` degrees of freedom.  ``weights`` are the
    studies' weights in percent, in input order.  ``scale`` says how ``yi`` was transformed
    (``log``, ``logit`` or ``identity``); :attr:`back` gives the estimate on the original scale.
    """

    measure: str
    method: str
    test: str
    level: float
    k: int
    estimate: float
    se: float
    statistic: float
    p: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    tau2: float
    i2: float
    h2: float
    q: float
    q_p: float
    df: int | None = None
    scale: str = "identity"
    weights: tuple = field(default=(), repr=False)
    note: str = ""

    @property
    def back(self) -> BackTransformed:
        import math

        f = {"log": math.exp, "logit": lambda x: 1 / (1 + math.exp(-x))}.get(self.scale, lambda x: x)
        return BackTransformed(
            f(self.estimate), f(self.ci_low), f(self.ci_high), f(self.pi_low), f(self.pi_high), self.scale
        )

    @property
    def pooled(self) -> bool:
        return self.k > 1


def _inputs(yi, vi):
    import numpy as np

    y = _array(yi, "yi", None)
    v = _array(vi, "vi", len(y))
    if len(y) == 0:
        raise ValueError("no studies to analyse")
    if (v <= 0).any():
        i = int(np.flatnonzero(v <= 0)[0])
        raise ValueError(f"row {i + 1}: vi must be positive, got {v[i]:g}")
    return y, v


def _scale(measure, scale=None):
    if scale:
        return scale
    if not measure:
        return "identity"
    return REPORTED_SCALES.get(measure) or MEASURES.get(measure, ("identity", ""))[0]


def _gls(y, v, X, tau2):
    import numpy as np

    w = 1 / (v + tau2)
    xtwx = X.T @ (w[:, None] * X)
    vb = np.linalg.inv(xtwx)
    b = vb @ (X.T @ (w * y))
    return b, vb, w


def _parts(y, v, X, tau2):
    """For W = diag(1/(v + τ²)) and P = W − WX(X'WX)⁻¹X'W: y'Py, y'PPy, tr(P), tr(W), log det(X'WX)."""
    import numpy as np

    w = 1 / (v + tau2)
    xtwx = X.T @ (w[:, None] * X)
    a = np.linalg.inv(xtwx)
    r = y - X @ (a @ (X.T @ (w * y)))
    py = w * r
    tr_p = float(np.sum(w) - np.trace(a @ (X.T @ ((w * w)[:, None] * X))))
    return float(py @ r), float(py @ py), tr_p, float(np.sum(w)), float(np.linalg.slogdet(xtwx)[1])


def _tau2(y, v, X, method):
    """τ² by metafor's estimators (rma.uni); 0 for FE and for a single study.

    ML and REML: the maximum of the (restricted) likelihood over τ² ≥ 0.  Its score can have
    several roots (e.g. two studies of very different precision), so all sign changes on a grid
    are solved and the root with the highest likelihood is kept, which is where metafor's
    Fisher scoring (started at the Hedges estimate) ends on the reference data.
    """
    import numpy as np
    from scipy.optimize import brentq

    k, p = X.shape
    if method == "FE" or k - p <= 0:
        return 0.0
    if method == "DL":
        rss, _, tr_p, _, _ = _parts(y, v, X, 0.0)
        return max(0.0, (rss - (k - p)) / tr_p)
    if method == "HE":
        H = X @ np.linalg.inv(X.T @ X) @ X.T
        r = y - H @ y
        return max(0.0, float((r @ r - np.sum(v * (1 - np.diag(H)))) / (k - p)))
    if method == "SJ":
        resid = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
        t0 = float(np.var(resid, ddof=1) * (k - 1) / k)
        return max(0.0, t0 * _parts(y, v, X, t0)[0] / (k - p))

    if method == "PM":  # Q(τ²) decreases in τ²: one root

        def score(t):
            return _parts(y, v, X, t)[0] - (k - p)

        def loglik(t):
            return 0.0
    else:
        reml = method == "REML"

        def score(t):
            _rss, pp, tr_p, tr_w, _ = _parts(y, v, X, t)
            return pp - (tr_p if reml else tr_w)

        def loglik(t):
            rss, _, _, _, logdet = _parts(y, v, X, t)
            return -0.5 * (np.sum(np.log(v + t)) + rss + (logdet if reml else 0.0))

    hi = max(1.0, 10 * float(np.var(y)) + float(np.max(v)))
    while score(hi) > 0:
        hi *= 10
        if hi > 1e12:
            raise ValueError(f"{method}: the τ² estimate does not converge")
    grid = np.concatenate([[0.0], np.geomspace(hi * 1e-9, hi, 240)])
    scores = _grid_scores(y, v, grid, method) if p == 1 and np.allclose(X, 1) else [score(t) for t in grid]
    candidates = [0.0] if scores[0] <= 0 else []
    for (t0, s0), (t1, s1) in zip(zip(grid, scores), zip(grid[1:], scores[1:])):
        if s0 > 0 >= s1:
            candidates.append(float(brentq(score, t0, t1, xtol=1e-15, rtol=1e-14, maxiter=500)))
    return max(candidates, key=loglik)


def _grid_scores(y, v, grid, method):
    """The τ² scores of an intercept-only model on a whole grid at once (what ``score`` gives one by one)."""
    w = 1 / (v[None, :] + grid[:, None])
    sw = w.sum(axis=1)
    r = y[None, :] - ((w * y).sum(axis=1) / sw)[:, None]
    py = w * r
    if method == "PM":
        return list((py * r).sum(axis=1) - (len(y) - 1))
    pp = (py * py).sum(axis=1)
    return list(pp - (sw - (w * w).sum(axis=1) / sw if method == "REML" else sw))


def _i2_h2(y, v, X, tau2, q, method):
    k, p = X.shape
    if k - p <= 0:
        return 0.0, 1.0
    if method == "FE":
        i2 = max(0.0, (q - (k - p)) / q) if q > 0 else 0.0
        return i2, q / (k - p)
    vt = (k - p) / _parts(y, v, X, 0.0)[2]
    return float(tau2 / (vt + tau2)), float(tau2 / vt + 1)


def _fit(y, v, X, method, test, level):
    """metafor's rma.uni for a model matrix X: coefficients, their covariance, τ², Q, df."""
    import numpy as np
    from scipy.stats import chi2

    _choice(method, METHODS, "method")
    _choice(test, TESTS, "test")
    k, p = X.shape
    tau2 = _tau2(y, v, X, method)
    b, vb, w = _gls(y, v, X, tau2)
    bfe, _, wfe = _gls(y, v, X, 0.0)
    q = float(np.sum(wfe * (y - X @ bfe) ** 2))
    q_p = float(chi2.sf(q, k - p)) if k - p > 0 else 1.0
    df = None
    if test == "knha" and k - p > 0:
        s2 = float(np.sum(w * (y - X @ b) ** 2) / (k - p))
        vb = vb * s2
        df = k - p
    return b, vb, w, tau2, q, q_p, df


def _crit(level, df):
    from scipy.stats import t

    return _z(level) if df is None else float(t.ppf(1 - (1 - level) / 2, df))


def _pvalue(stat, df):
    from scipy.stats import norm, t

    return float(2 * (norm.sf(abs(stat)) if df is None else t.sf(abs(stat), df)))


def meta_analysis(
    yi,
    vi,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    *,
    measure: str | None = None,
    scale: str | None = None,
) -> MetaResult:
    """A common-effect (``FE``) or random-effects model, as metafor's ``rma(yi, vi, method, test, level)``.

    τ² estimators: ``DL`` (DerSimonian–Laird), ``REML`` (restricted maximum likelihood, metafor's
    default), ``PM`` (Paule–Mandel), ``ML``, ``HE`` (Hedges), ``SJ`` (Sidik–Jonkman).  ``test="knha"``
    is the Hartung–Knapp–Sidik–Jonkman adjustment (t distribution, k − 1 df, unrestricted as metafor's
    ``knha``).  The prediction interval is ``predict.rma``'s: estimate ± crit·√(se² + τ²).
    *yi* may be the DataFrame column from :func:`effect_sizes`; its measure then sets the scale
    for :attr:`MetaResult.back`.  With one study nothing is pooled: the study's own estimate and
    interval are returned with a note saying so (as metafor does).
    """
    import numpy as np

    if measure is None and hasattr(yi, "attrs"):
        measure = yi.attrs.get("measure")
        scale = scale or yi.attrs.get("scale")
    y, v = _inputs(yi, vi)
    k = len(y)
    X = np.ones((k, 1))
    b, vb, w, tau2, q, q_p, df = _fit(y, v, X, method, test, level)
    est, se = float(b[0]), float(np.sqrt(vb[0, 0]))
    crit = _crit(level, df)
    i2, h2 = _i2_h2(y, v, X, tau2, q, method)
    pi_half = crit * np.sqrt(se**2 + tau2)
    note = "" if k > 1 else "one study: nothing to pool; the study's own estimate and interval are shown"
    if test == "knha" and k == 1:
        note += " (the Knapp–Hartung adjustment needs two studies; a z test is used)"
    return MetaResult(
        measure=measure or "",
        method=method,
        test=test,
        level=level,
        k=k,
        estimate=est,
        se=se,
        statistic=est / se,
        p=_pvalue(est / se, df),
        ci_low=est - crit * se,
        ci_high=est + crit * se,
        pi_low=float(est - pi_half),
        pi_high=float(est + pi_half),
        tau2=tau2,
        i2=i2,
        h2=h2,
        q=q,
        q_p=q_p,
        df=df,
        scale=_scale(measure, scale),
        weights=tuple(float(x) for x in 100 * w / w.sum()),
        note=note,
    )


def _two_by_two(ai, bi, ci, di, n1i, n2i):
    frame = (
        effect_sizes("OR", ai=ai, bi=bi, ci=ci, di=di, to="none")
        if n1i is None
        else effect_sizes("OR", ai=ai, n1i=n1i, ci=ci, n2i=n2i, to="none")
    )
    import numpy as np

    a = frame["ai"].to_numpy(float)
    c = frame["ci"].to_numpy(float)
    b = frame["bi"].to_numpy(float) if "bi" in frame else frame["n1i"].to_numpy(float) - a
    d = frame["di"].to_numpy(float) if "di" in frame else frame["n2i"].to_numpy(float) - c
    return np.array(a), np.array(b), np.array(c), np.array(d)


def _heterogeneity(measure, a, b, c, d, beta, k, add=0.5, to="only0"):
    """Cochran's Q of rma.mh: the studies' escalc yi/vi (1/2 added to zero cells) around the MH estimate.

    Studies without events (or with only events) in both arms are left out of Q (rma.mh's drop00=TRUE).
    """
    import numpy as np
    from scipy.stats import chi2

    es = effect_sizes(measure, ai=a, bi=b, ci=c, di=d, add=add, to=to)
    y, v = es["yi"].to_numpy(), es["vi"].to_numpy()
    ok = np.isfinite(y) & np.isfinite(v) & (v > 0) & ~((a == 0) & (c == 0)) & ~((b == 0) & (d == 0))
    y, v = y[ok], v[ok]
    kq = len(y)
    q = float(max(0.0, np.sum((y - beta) ** 2 / v))) if kq > 1 else 0.0
    q_p = float(chi2.sf(q, kq - 1)) if kq > 1 else 1.0
    i2 = max(0.0, (q - (kq - 1)) / q) if kq > 1 and q > 0 else 0.0
    h2 = q / (kq - 1) if kq > 1 else 1.0
    return q, q_p, i2, h2


def mantel_haenszel(
    ai=None, bi=None, ci=None, di=None, measure: str = "OR", *, n1i=None, n2i=None, level: float = 0.95
) -> MetaResult:
    """Mantel–Haenszel common effect, as metafor's ``rma.mh(ai, bi, ci, di, measure=…)``.

    ``OR`` (Robins–Breslow–Greenland variance, from statsmodels' StratifiedTable), ``RR``
    (Greenland–Robins variance) or ``RD`` (Greenland–Robins/Sato variance), from the raw counts
    (no correction: zero cells need none).  Q, I² and H² are computed, as rma.mh does, from the
    studies' escalc estimates (1/2 added to zero cells) around the Mantel–Haenszel estimate.
    """
    import numpy as np

    _choice(measure, ["OR", "RR", "RD"], "measure")
    a, b, c, d = _two_by_two(ai, bi, ci, di, n1i, n2i)
    n1, n2 = a + b, c + d
    n = n1 + n2
    k = len(a)
    if measure == "OR":
        from statsmodels.stats.contingency_tables import StratifiedTable

        keep = n > 0
        table = StratifiedTable(np.stack([np.stack([a, b]), np.stack([c, d])])[:, :, keep])
        est, se = float(table.logodds_pooled), float(table.logodds_pooled_se)
    elif measure == "RR":
        r = np.sum(a * n2 / n)
        s = np.sum(c * n1 / n)
        est = float(np.log(r / s))
        se = float(np.sqrt(np.sum((n1 * n2 * (a + c) - a * c * n) / n**2) / (r * s)))
    else:
        w = np.sum(n1 * n2 / n)
        est = float(np.sum((a * n2 - c * n1) / n) / w)
        p_ = np.sum((n1**2 * c - n2**2 * a + n1 * n2 * (n2 - n1) / 2) / n**2)
        q_ = np.sum((a * (n2 - c) + c * (n1 - a)) / (2 * n))
        se = float(np.sqrt((est * p_ + q_) / w**2))
    z = _z(level)
    q, q_p, i2, h2 = _heterogeneity(measure, a, b, c, d, est, k)
    return MetaResult(
        measure=measure,
        method="MH",
        test="z",
        level=level,
        k=k,
        estimate=est,
        se=se,
        statistic=est / se,
        p=_pvalue(est / se, None),
        ci_low=est - z * se,
        ci_high=est + z * se,
        pi_low=est - z * se,
        pi_high=est + z * se,
        tau2=0.0,
        i2=i2,
        h2=h2,
        q=q,
        q_p=q_p,
        scale=_scale(measure),
        weights=_mh_weights(measure, a, b, c, d),
    )


def _mh_weights(measure, a, b, c, d):
    n1, n2 = a + b, c + d
    n = n1 + n2
    w = {"OR": b * c / n, "RR": c * n1 / n, "RD": n1 * n2 / n}[measure]
    return tuple(float(x) for x in 100 * w / w.sum()) if w.sum() > 0 else ()


def cmh_test(ai=None, bi=None, ci=None, di=None, *, n1i=None, n2i=None, correction: bool = True):
    """The Cochran–Mantel–Haenszel test (statistic, p) as rma.mh reports it for OR (statsmodels' test_null_odds)."""
    import numpy as np
    from statsmodels.stats.contingency_tables import StratifiedTable

    a, b, c, d = _two_by_two(ai, bi, ci, di, n1i, n2i)
    table = StratifiedTable(np.stack([np.stack([a, b]), np.stack([c, d])]))
    res = table.test_null_odds(correction=correction)
    return float(res.statistic), float(res.pvalue)


def peto(ai=None, bi=None, ci=None, di=None, *, n1i=None, n2i=None, level: float = 0.95) -> MetaResult:
    """Peto's one-step odds ratio, as metafor's ``rma.peto``: log OR = Σ(O − E) / ΣV, SE = 1/√ΣV.

    Studies without events in either arm (V = 0) carry no information and are left out of Q.
    """
    import numpy as np
    from scipy.stats import chi2

    a, b, c, d = _two_by_two(ai, bi, ci, di, n1i, n2i)
    n1, n2 = a + b, c + d
    n = n1 + n2
    xt = a + c
    o_e = a - n1 * xt / n
    with np.errstate(divide="ignore", invalid="ignore"):
        var = xt * (n - xt) * n1 * n2 / (n**2 * (n - 1))
    var = np.where(np.isfinite(var), var, 0.0)
    if var.sum() <= 0:
        raise ValueError("Peto's odds ratio needs at least one study with events")
    est = float(o_e.sum() / var.sum())
    se = float(1 / np.sqrt(var.sum()))
    info = var > 0
    kq = int(info.sum())
    q = float(np.sum(o_e[info] ** 2 / var[info]) - o_e.sum() ** 2 / var.sum()) if kq > 1 else 0.0
    q = max(0.0, q)
    q_p = float(chi2.sf(q, kq - 1)) if kq > 1 else 1.0
    i2 = max(0.0, (q - (kq - 1)) / q) if kq > 1 and q > 0 else 0.0
    z = _z(level)
    return MetaResult(
        measure="OR",
        method="Peto",
        test="z",
        level=level,
        k=len(a),
        estimate=est,
        se=se,
        statistic=est / se,
        p=_pvalue(est / se, None),
        ci_low=est - z * se,
        ci_high=est + z * se,
        pi_low=est - z * se,
        pi_high=est + z * se,
        tau2=0.0,
        i2=i2,
        h2=q / (kq - 1) if kq > 1 else 1.0,
        q=q,
        q_p=q_p,
        scale="log",
        weights=tuple(float(x) for x in 100 * var / var.sum()),
    )


@dataclass(frozen=True)
class Subgroups:
    """One model per subgroup (``groups``: name -> result, in order of first appearance), the model
    of all studies (``overall``) and the test for subgroup differences (Q between, df, p)."""

    groups: tuple
    overall: MetaResult
    q: float
    df: int
    p: float

    def __getitem__(self, name) -> MetaResult:
        for g, res in self.groups:
            if g == name:
                return res
        raise KeyError(name)


def subgroups(
    yi, vi, by, method: str = "REML", test: str = "z", level: float = 0.95, *, measure: str | None = None
) -> Subgroups:
    """Separate models per subgroup of *by* (each with its own τ², as RevMan) and the test for
    subgroup differences: Q of a common-effect model of the subgroup estimates, df = groups − 1."""
    import numpy as np
    from scipy.stats import chi2

    if measure is None and hasattr(yi, "attrs"):
        measure = yi.attrs.get("measure")
    y, v = _inputs(yi, vi)
    labels = [str(x) for x in by]
    if len(labels) != len(y):
        raise ValueError(f"by has {len(labels)} values, yi {len(y)}")
    names = list(dict.fromkeys(labels))
    fits = []
    for g in names:
        idx = [i for i, lab in enumerate(labels) if lab == g]
        fits.append((g, meta_analysis(y[idx], v[idx], method, test, level, measure=measure)))
    est = np.array([f.estimate for _, f in fits])
    w = 1 / np.array([f.se for _, f in fits]) ** 2
    mean = np.sum(w * est) / np.sum(w)
    q = float(np.sum(w * (est - mean) ** 2))
    df = len(names) - 1
    return Subgroups(
        tuple(fits),
        meta_analysis(y, v, method, test, level, measure=measure),
        q,
        df,
        float(chi2.sf(q, df)) if df > 0 else 1.0,
    )


def leave_one_out(
    yi, vi, method: str = "REML", test: str = "z", level: float = 0.95, *, study=None, measure: str | None = None
):
    """The model refitted without each study in turn, as metafor's ``leave1out`` (one row per left-out study)."""
    import numpy as np
    import pandas as pd

    if measure is None and hasattr(yi, "attrs"):
        measure = yi.attrs.get("measure")
    y, v = _inputs(yi, vi)
    if len(y) < 2:
        raise ValueError("leave-one-out needs at least two studies")
    labels = [str(s) for s in study] if study is not None else [str(i + 1) for i in range(len(y))]
    rows = []
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        r = meta_analysis(y[keep], v[keep], method, test, level, measure=measure)
        rows.append(
            {
                "left_out": labels[i],
                "estimate": r.estimate,
                "se": r.se,
                "statistic": r.statistic,
                "p": r.p,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "q": r.q,
                "q_p": r.q_p,
                "tau2": r.tau2,
                "i2": r.i2,
                "h2": r.h2,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class EggerResult:
    """Regression test for funnel-plot asymmetry (metafor's ``regtest``): the test of the slope on the
    standard error (z, or t with ``df`` for ``model="lm"``) and the limit estimate (the intercept,
    the effect as the standard error goes to 0) with its CI."""

    statistic: float
    p: float
    df: int | None
    limit_estimate: float
    limit_ci_low: float
    limit_ci_high: float
    model: str
    method: str


def egger_test(yi, vi, *, model: str = "rma", method: str = "REML", level: float = 0.95) -> EggerResult:
    """Egger-type regression test, metafor's ``regtest(yi, vi)``.

    ``model="rma"`` (regtest's default): a mixed-effects meta-regression of yi on √vi with τ²
    by *method* (REML), z test of the slope.  ``model="lm"``: the classical Egger test, a
    weighted linear regression (weights 1/vi) with a t test on k − 2 df.
    """
    import numpy as np

    _choice(model, ["rma", "lm"], "model")
    y, v = _inputs(yi, vi)
    k = len(y)
    if k < 3:
        raise ValueError(f"the regression test needs at least three studies, got {k}")
    X = np.column_stack([np.ones(k), np.sqrt(v)])
    if model == "rma":
        b, vb, *_ = _fit(y, v, X, method, "z", level)
        df = None
    else:
        w = 1 / v
        vb0 = np.linalg.inv(X.T @ (w[:, None] * X))
        b = vb0 @ (X.T @ (w * y))
        df = k - 2
        s2 = float(np.sum(w * (y - X @ b) ** 2) / df)
        vb = vb0 * s2
    se = np.sqrt(np.diag(vb))
    crit = _crit(level, df)
    stat = float(b[1] / se[1])
    return EggerResult(
        stat,
        _pvalue(stat, df),
        df,
        float(b[0]),
        float(b[0] - crit * se[0]),
        float(b[0] + crit * se[0]),
        model,
        method if model == "rma" else "weighted least squares",
    )
