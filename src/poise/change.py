"""Change over time: when a difference between measurements is more than measurement error.

A headline metric's **minimal detectable change** (MDC95, in the metric's unit)
is the smallest difference between two measurements that exceeds their error
with 95% confidence:

    MDC95 = 1.96 * sqrt(2) * SEM

(Weir 2005, J Strength Cond Res 19(1):231-240; Haley & Fragala-Pinkham 2006,
Phys Ther 86(5):735-743). It is, in this order:

- **published**: the drill declares one for the measure (``MetricRule.mdc``,
  its study in ``mdc_source`` and docs/metrics.md);
- **personal**: the athlete's own, from the repeated trials of their
  **baseline**: the first :data:`BASELINE_VISITS` visits of a battery (or, for
  trials outside visits, the first :data:`BASELINE_VISITS` sessions of the
  drill, leg and condition). Their SEM is the within-subject standard
  deviation, the square root of the pooled within-visit variance
  ``sum_v sum_i (x_vi - mean_v)^2 / sum_v (n_v - 1)`` (Bland & Altman 1996,
  BMJ 313:744, "Measurement error"; it is ``sqrt(MS_error)`` of a one-way
  ANOVA, Weir 2005's SEM). It needs at least :data:`MIN_SEM_DF` degrees of
  freedom (two visits of three trials), and a spread: trials that all agree
  give no error to judge by.

A change between two values is **better** or **worse** (by the metric's
direction) only when its size, as reported (4 decimals), exceeds the MDC;
otherwise it is **no detectable change**; without an MDC it is not judged
(``None``, and why).

A **trend** is the least-squares slope of value against time, per week, with
its 95% confidence interval ``slope +- t(0.975, n - 2) * SE(slope)``,
``SE = sqrt(sum(residual^2) / (n - 2) / sum((t - t_mean)^2))`` (any
regression text, e.g. Altman 1991, Practical Statistics for Medical Research,
11.5), from :data:`TREND_MIN_POINTS` points spanning at least
:data:`TREND_MIN_SPAN_DAYS` days. It is better or worse only when the interval
excludes zero **and** the change it fits over its span (slope times the span)
exceeds the MDC: a slope can be certain and still too small to matter (a
fraction of a unit a week).

The **personal normal range** is the mean of the baseline scores +- the MDC:
the values a later visit can take and be no detectable change from the
baseline. It is given once the baseline is whole (:data:`BASELINE_VISITS`
visits) and a personal or published MDC is known.

Pure functions, no NumPy: ``poise history`` imports this at start-up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from poise.metrics.symmetry import MetricRule
from poise.store.utc import parse_utc
from poise.text import plural, span_words

#: The first visits of a battery (or sessions of a drill) that make the baseline.
BASELINE_VISITS = 3
#: Degrees of freedom a personal SEM needs: two visits of three trials.
MIN_SEM_DF = 4
#: A trend needs this many points ...
TREND_MIN_POINTS = 3
#: ... spanning this many days.
TREND_MIN_SPAN_DAYS = 7.0
#: Places a change is judged at (as it is reported).
CHANGE_DECIMALS = 4
#: z of a two-sided 95% interval.
Z95 = 1.96

Verdict = Literal["better", "worse", "no detectable change"]


@dataclass(frozen=True)
class Mdc:
    """A metric's minimal detectable change, or why there is none.

    Args:
        value: MDC95 in the metric's unit, or None.
        kind: ``published``, ``personal`` or None (none known).
        sem: the personal SEM it comes from (None for a published one).
        df: degrees of freedom of the personal SEM (0 for a published one).
        note: the published source, how the personal one was made, or why there is none.
    """

    value: float | None
    kind: Literal["published", "personal"] | None
    sem: float | None
    df: int
    note: str


@dataclass(frozen=True)
class Change:
    """A change between two values and its verdict (None: not judged, ``why`` says)."""

    change: float
    verdict: Verdict | None
    why: str | None = None


@dataclass(frozen=True)
class Trend:
    """A least-squares trend, per week, and its verdict.

    Args:
        per_week: the slope, unit per week.
        ci95: its 95% confidence interval (low, high), unit per week.
        span_weeks: from the first point to the last.
        over_span: ``per_week * span_weeks``, the change the fit makes over the span.
        n: points fitted.
        verdict: better, worse, no detectable change, or None (no MDC: ``why``).
    """

    per_week: float
    ci95: tuple[float, float]
    span_weeks: float
    over_span: float
    n: int
    verdict: Verdict | None
    why: str | None = None


def within_sd(repeats: Sequence[Sequence[float]]) -> tuple[float | None, int]:
    """The within-subject SD of repeated measurements, and its degrees of freedom.

    ``repeats`` holds one sequence per visit (or session); each with two or
    more values adds ``n - 1`` degrees of freedom, the others none.

    >>> within_sd([[10.0, 12.0], [20.0, 22.0, 24.0]])  # variances 2 and 4; pooled (2 + 8) / 3
    (1.8257418583505538, 3)
    >>> within_sd([[5.0], []])
    (None, 0)
    """
    squares, df = 0.0, 0
    for values in repeats:
        if len(values) < 2:
            continue
        mean = math.fsum(values) / len(values)
        squares += math.fsum((v - mean) ** 2 for v in values)
        df += len(values) - 1
    return (math.sqrt(squares / df), df) if df else (None, 0)


def mdc95(sem: float) -> float:
    """MDC95 of a standard error of measurement: ``1.96 * sqrt(2) * sem`` (Weir 2005).

    >>> round(mdc95(1.0), 4)
    2.7719
    """
    return Z95 * math.sqrt(2.0) * sem


def metric_mdc(
    rule: MetricRule, baseline: Sequence[Sequence[float]] = (), per_score: int = 1
) -> Mdc:
    """The MDC of one metric: the drill's published one, else the athlete's own.

    Args:
        rule: the metric's rule (direction, unit, published MDC).
        baseline: the repeated trial values of each baseline visit.
        per_score: trials summed into one score (a ``sum`` score: its error is
            ``sqrt(n)`` times a trial's); 1 for a trial, a best or a mean (whose
            error is at most a trial's: conservative).

    >>> from poise.metrics.symmetry import MetricRule
    >>> rule = MetricRule("time_held_s", "s", True, None, "none published")
    >>> m = metric_mdc(rule, [[20.0, 22.0, 24.0], [30.0, 32.0, 34.0]])
    >>> m.kind, m.sem, m.df, round(m.value, 2)
    ('personal', 2.0, 4, 5.54)
    >>> metric_mdc(rule, [[20.0, 22.0, 24.0]]).note
    'no published MDC; a personal one needs 4 degrees of freedom of baseline trials, 2 so far'
    """
    if rule.mdc is not None:
        return Mdc(rule.mdc, "published", None, 0, rule.mdc_source)
    sem, df = within_sd(baseline)
    if sem is None or df < MIN_SEM_DF:
        return Mdc(
            None,
            None,
            None,
            df,
            f"no published MDC; a personal one needs {MIN_SEM_DF} degrees of freedom of "
            f"baseline trials, {df} so far",
        )
    if sem == 0:
        return Mdc(None, None, sem, df, "no published MDC; the baseline trials do not vary")
    sem *= math.sqrt(per_score)
    return Mdc(
        mdc95(sem),
        "personal",
        sem,
        df,
        f"personal: 1.96 * sqrt(2) * SEM, SEM from {df} degrees of freedom of baseline trials",
    )


def judge_change(delta: float, mdc: float | None, higher_is_better: bool) -> Change:
    """A change, rounded as reported, judged against the MDC.

    >>> judge_change(5.0, 4.7, True)
    Change(change=5.0, verdict='better', why=None)
    >>> judge_change(-0.0003, 0.5, False).verdict
    'no detectable change'
    >>> judge_change(1.0, None, True).why
    'no MDC to judge it by'
    """
    delta = round(delta, CHANGE_DECIMALS)
    if mdc is None:
        return Change(delta, None, "no MDC to judge it by")
    return Change(delta, _direction(delta, higher_is_better) if abs(delta) > mdc else _NONE)


def change_of(latest: float, previous: float, mdc: float | None, higher_is_better: bool) -> Change:
    """``latest - previous``, judged (:func:`judge_change`)."""
    return judge_change(latest - previous, mdc, higher_is_better)


def trend(
    series: Sequence[tuple[str, float]],
    mdc: float | None,
    higher_is_better: bool,
    points: tuple[str, str] = ("point", "points"),
) -> tuple[Trend | None, str | None]:
    """The least-squares trend of ``(utc, value)`` points, per week, judged; or None and
    why (``points`` names them there: ``("visit", "visits")``).

    >>> t, why = trend([("2025-03-01T00:00:00Z", 1.0), ("2025-03-08T00:00:00Z", 2.1),
    ...                 ("2025-03-15T00:00:00Z", 2.9)], mdc=1.0, higher_is_better=True)
    >>> round(t.per_week, 2), [round(x, 2) for x in t.ci95], t.over_span, t.verdict
    (0.95, [-0.15, 2.05], 1.9, 'no detectable change')
    """
    if len(series) < TREND_MIN_POINTS:
        return None, f"only {plural(len(series), *points)} (a trend needs {TREND_MIN_POINTS})"
    start = parse_utc(series[0][0])
    weeks = [(parse_utc(utc) - start).total_seconds() / (7 * 86400.0) for utc, _ in series]
    span = max(weeks) - min(weeks)
    if span * 7.0 < TREND_MIN_SPAN_DAYS:
        return None, (
            f"the {points[1]} span {span_words(span * 7.0)} "
            f"(a trend needs {TREND_MIN_SPAN_DAYS:g} days)"
        )
    values = [value for _, value in series]
    n = len(values)
    t_mean = math.fsum(weeks) / n
    y_mean = math.fsum(values) / n
    sxx = math.fsum((t - t_mean) ** 2 for t in weeks)
    slope = math.fsum((t - t_mean) * (y - y_mean) for t, y in zip(weeks, values, strict=True)) / sxx
    residual = math.fsum(
        (y - y_mean - slope * (t - t_mean)) ** 2 for t, y in zip(weeks, values, strict=True)
    )
    half = t_quantile_975(n - 2) * math.sqrt(residual / (n - 2) / sxx)
    over = round(slope * span, CHANGE_DECIMALS)
    ci95 = (slope - half, slope + half)
    if mdc is None:
        return Trend(slope, ci95, span, over, n, None, "no MDC to judge it by"), None
    certain = ci95[0] > 0 or ci95[1] < 0
    verdict = _direction(slope, higher_is_better) if certain and abs(over) > mdc else _NONE
    return Trend(slope, ci95, span, over, n, verdict), None


def normal_range(
    baseline_scores: Sequence[float], mdc: float | None
) -> tuple[tuple[float, float] | None, str | None]:
    """The personal normal range: the baseline scores' mean +- the MDC, or None and why.

    >>> normal_range([10.0, 12.0, 14.0], 3.0)
    ((9.0, 15.0), None)
    >>> normal_range([10.0, 12.0], 3.0)[1]
    'the baseline has 2 of its 3 visits'
    """
    if len(baseline_scores) < BASELINE_VISITS:
        return None, f"the baseline has {len(baseline_scores)} of its {BASELINE_VISITS} visits"
    if mdc is None:
        return None, "no MDC"
    mean = math.fsum(baseline_scores) / len(baseline_scores)
    return (mean - mdc, mean + mdc), None


def t_quantile_975(df: int) -> float:
    """The 97.5th percentile of Student's t with ``df`` degrees of freedom (a 95% interval).

    Solved by bisection on the t distribution's closed form for whole degrees of
    freedom (Abramowitz & Stegun 1964, 26.7.3 and 26.7.4).

    >>> round(t_quantile_975(1), 3), round(t_quantile_975(4), 3), round(t_quantile_975(30), 3)
    (12.706, 2.776, 2.042)
    """
    if df < 1:
        raise ValueError(f"degrees of freedom must be 1 or more, not {df}")
    low, high = 0.0, 1000.0
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if _central_t(mid, df) < 0.95 else (low, mid)
    return (low + high) / 2


def _central_t(t: float, df: int) -> float:
    """``P(|T| < t)`` for Student's t with ``df`` degrees of freedom (A&S 26.7.3-4)."""
    theta = math.atan(t / math.sqrt(df))
    c2 = math.cos(theta) ** 2
    if df % 2:
        term, total = 1.0, 1.0 if df > 1 else 0.0
        for k in range(1, (df - 1) // 2):  # 1 + (2/3) c^2 + (2*4)/(3*5) c^4 + ...
            term *= 2 * k / (2 * k + 1) * c2
            total += term
        return 2 / math.pi * (theta + math.sin(theta) * math.cos(theta) * total)
    term, total = 1.0, 1.0
    for k in range(1, df // 2):  # 1 + (1/2) c^2 + (1*3)/(2*4) c^4 + ...
        term *= (2 * k - 1) / (2 * k) * c2
        total += term
    return math.sin(theta) * total


_NONE: Verdict = "no detectable change"


def _direction(delta: float, higher_is_better: bool) -> Verdict:
    return "better" if (delta > 0) == higher_is_better else "worse"
