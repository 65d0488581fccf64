"""Training-level decisions with stated power (issue 21): a verdict from a confidence interval over seeds.

A training-level check measures one figure per seed (a distance, a gap in accuracy, a rank correlation),
states before the run the threshold that separates the paper's side from the other and which side the
paper is on (``side``: ``>=`` when the paper says the figure exceeds the threshold, ``<=`` when it says the
figure stays below it), and decides from the two-sided :data:`CONFIDENCE` Student-t interval of the mean
over the seeds (:func:`t_interval`):

- ``pass``: the whole interval lies on the paper's side of the threshold;
- ``fail``: the whole interval lies on the other side;
- ``inconclusive``: the interval straddles the threshold (too few seeds or too small an effect to decide).

The interval is plain arithmetic on the per-seed figures (mean, sample standard deviation, a t quantile),
so a verdict does not depend on the machine beyond the figures themselves; no resampling is used.

How many seeds (:func:`seeds_needed`): the smallest n whose interval half-width t_{n-1} s / sqrt(n), at the
per-seed spread s of a recorded pilot run, is below the distance between the effect the paper reports (or
the pilot's mean where the paper reports none) and the threshold; so the interval can exclude the threshold
if the effect is as large as reported. Each check states its ``Plan`` (effect, spread, source) next to its
seeds, and tests/proofs_check/test_decision.py holds every plan's seeds to :func:`seeds_needed`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Sequence

from proofs_check.model import Outcome
from theory.core.vocabulary import Criterion, Setting, Status

#: the two-sided confidence of the decision interval (each one-sided error 2.5 %)
CONFIDENCE = 0.95
#: the most seeds :func:`seeds_needed` proposes (beyond this the effect is too small to decide by training)
MAX_SEEDS = 50


def t_quantile(df: int, confidence: float = CONFIDENCE) -> float:
    """The (1 + confidence) / 2 quantile of Student's t with ``df`` degrees of freedom (scipy)."""
    from scipy.stats import t

    if df < 1:
        raise ValueError(f"a t interval needs at least 2 values (df = {df})")
    return float(t.ppf(0.5 + confidence / 2.0, df))


def t_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """(mean, lo, hi): the two-sided Student-t confidence interval of the mean of ``values`` (at least 2,
    finite; ValueError otherwise). Zero spread gives the point interval (mean, mean)."""
    xs = [float(v) for v in values]
    if len(xs) < 2 or not all(math.isfinite(v) for v in xs):
        raise ValueError(f"a t interval needs at least 2 finite values, got {xs}")
    n = len(xs)
    mean = math.fsum(xs) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in xs) / (n - 1))
    half = t_quantile(n - 1, confidence) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def seeds_needed(effect: float, threshold: float, spread: float, confidence: float = CONFIDENCE) -> int:
    """The smallest n >= 2 with t_{n-1} * spread / sqrt(n) < |effect - threshold|: the seeds a check needs for
    its interval to exclude the threshold when the figure's mean is ``effect`` and its per-seed standard
    deviation ``spread``. ValueError when even :data:`MAX_SEEDS` seeds would not do."""
    gap = abs(effect - threshold)
    for n in range(2, MAX_SEEDS + 1):
        if t_quantile(n - 1, confidence) * spread / math.sqrt(n) < gap:
            return n
    raise ValueError(f"an effect {effect:g} against threshold {threshold:g} at spread {spread:g} needs more than "
                     f"{MAX_SEEDS} seeds")


@dataclass(frozen=True)
class Plan:
    """How a check's number of seeds was chosen: the ``effect`` expected (what the paper reports, or a pilot
    run's mean), the per-seed ``spread`` (standard deviation) of the pilot run, and ``source`` saying where
    both come from. :meth:`seeds` = :func:`seeds_needed`."""

    effect: float
    spread: float
    threshold: float
    source: str

    def seeds(self) -> int:
        """The number of seeds this plan needs (:func:`seeds_needed`)."""
        return seeds_needed(self.effect, self.threshold, self.spread)


def rule_text(threshold: float, side: Criterion | str, n: int, confidence: float = CONFIDENCE) -> str:
    """The decision rule in words (report.json's ``rule``)."""
    side = Criterion.parse(side)
    other = "<" if side == Criterion.AT_LEAST else ">"
    return (f"{confidence:.0%} Student-t interval of the mean over {n} seeds: pass when it lies on the paper's side "
            f"(figure {side} {threshold:g}), fail when it lies wholly {other} {threshold:g}, inconclusive when it "
            "straddles")


def verdict(lo: float, hi: float, threshold: float, side: Criterion | str) -> Status:
    """pass / fail / inconclusive of the interval [lo, hi] against ``threshold`` with the paper on ``side``
    (``>=``: the paper says the figure exceeds the threshold). An interval touching the threshold is
    inconclusive."""
    above, below = lo > threshold, hi < threshold
    if Criterion.parse(side) == Criterion.AT_LEAST:
        return Status.PASS if above else Status.FAIL if below else Status.INCONCLUSIVE
    return Status.PASS if below else Status.FAIL if above else Status.INCONCLUSIVE


def decide(values: Sequence[float | None], seeds: Sequence[int], threshold: float, side: Criterion | str,
           what: str, setting: Setting | str | None = None, departures: Sequence[str] = (),
           confidence: float = CONFIDENCE, missing: str = "diverged", universal: bool = False) -> Outcome:
    """The outcome of a training-level check from its per-seed figures ``values`` (one per seed of ``seeds``;
    None or non-finite for a seed whose run diverged): figure = their mean, tolerance = ``threshold``,
    criterion = ``side`` (the paper's side), ``interval`` the :func:`t_interval`, judged by :func:`verdict`.
    A straddling interval, or a seed without a figure (``missing`` says why: its run diverged, it has no
    converged run ...), is inconclusive (``premise_met`` False; figure the mean, or the number of seeds
    without a figure). ``what`` says what the per-seed figure is; the detail lists every seed's value.
    ``universal``: the statement is about every start (e.g. "from random starts, gradient descent reaches the
    minimiser"), so one seed on the other side of the threshold is a counter-example and the outcome fails
    whatever the interval says."""
    side = Criterion.parse(side)
    if len(values) != len(seeds):
        raise ValueError(f"{len(values)} figures for {len(seeds)} seeds")
    rule = rule_text(threshold, side, len(seeds), confidence)
    per_seed = ", ".join(f"seed {s}: {missing if v is None or not math.isfinite(v) else f'{v:.4g}'}"
                         for s, v in zip(seeds, values))
    common = dict(setting=setting, departures=tuple(departures), seeds=tuple(seeds), rule=rule)
    bad = [s for s, v in zip(seeds, values) if v is None or not math.isfinite(float(v))]
    if bad:
        return Outcome(False, float(len(bad)), 0.0, f"premise not met (a figure for every seed): seeds {bad} "
                       f"{missing}; {what}: {per_seed}", premise_met=False, **common)
    if len(values) < 2:
        return Outcome(False, 1.0, 2.0, f"premise not met (at least 2 seeds for an interval): {len(values)} seed; "
                       f"{what}: {per_seed}", Criterion.AT_LEAST, premise_met=False, **common)
    mean, lo, hi = t_interval([float(v) for v in values], confidence)
    status = verdict(lo, hi, threshold, side)
    against = [s for s, v in zip(seeds, values) if verdict(float(v), float(v), threshold, side) == Status.FAIL]
    if universal:
        rule += "; every seed must lie on the paper's side (a statement about every start): one that does not fails it"
        common["rule"] = rule
        if against:
            status = Status.FAIL
            what = f"counter-example seeds {against}; {what}"
    detail = (f"{what}: {per_seed}; mean {mean:.4g}, {confidence:.0%} t-interval [{lo:.4g}, {hi:.4g}] against "
              f"{threshold:g} (paper's side: figure {side} {threshold:g}): {status}")
    return Outcome(status == Status.PASS, mean, threshold, detail, side,
                   premise_met=status != Status.INCONCLUSIVE, interval=(lo, hi), **common)


_RANK = {Status.PASS: 0, Status.INCONCLUSIVE: 1, Status.FAIL: 2}


def outcome_status(out: Outcome) -> Status:
    """pass / inconclusive / fail of an outcome built by :func:`decide`."""
    return Status.INCONCLUSIVE if not out.premise_met else Status.PASS if out.passed else Status.FAIL


def worst_of(parts: Sequence[tuple[str, Outcome]]) -> Outcome:
    """One outcome for a statement decided in parts (per loss, per sign of gamma ...): the part with the worst
    status (fail > inconclusive > pass; the first such part) gives the figure, interval and status; the detail
    lists every part, labelled."""
    if not parts:
        raise ValueError("no parts to decide")
    label, worst = max(parts, key=lambda part: _RANK[outcome_status(part[1])])
    detail = (f"decided by its worst part ({label}: {outcome_status(worst)}); "
              + " | ".join(f"{name}: {outcome_status(out)}; {out.detail}" for name, out in parts))
    return dataclasses.replace(worst, detail=detail)


def checked_seeds(seeds: Sequence[int], *plans: Plan) -> tuple[int, ...]:
    """``seeds`` as a tuple, after checking that they are distinct and at least as many as every plan needs
    (:meth:`Plan.seeds`); ValueError otherwise (a module that lowers its seeds below its plan fails to
    import)."""
    out = tuple(int(s) for s in seeds)
    if len(set(out)) != len(out):
        raise ValueError(f"seeds {out} are not distinct")
    for plan in plans:
        if len(out) < plan.seeds():
            raise ValueError(f"{len(out)} seeds, but the plan ({plan.source}) needs {plan.seeds()}")
    return out
