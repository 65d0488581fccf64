"""Shared helpers of the proof-step claims: random instances (hypothesis strategies) and the builders that
turn a measure into a quick and a full :class:`Check`. The instances' types and the relative figures are
proof objects (:mod:`proofs_check.proof_objects`), shared with the errata.

Instances are drawn by hypothesis (settings of :func:`proofs_check.runner.property_outcome`):
the structural parameters (K, counts, d, lambdas, scales) are drawn directly, the arrays from a numpy
generator seeded by a drawn integer, so a counter-example is quoted by its parameters and seed.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

from proofs_check.model import Check, Outcome
from proofs_check.proof_objects.etf import ETFPoint, LPMPoint
from proofs_check.proof_objects.ufm_plus_proof import UFMPoint
from proofs_check.runner import property_outcome
from theory.core.tolerances import ROUNDING, STRICT_GAP
from theory.core.vocabulary import CheckLevel, Criterion
from theory.etf.simplex import simplex_etf
from theory.ufm_plus.closed_form import configuration, minimizer

QUICK_EXAMPLES = 30
"""Examples per quick check (default pytest run, ``igeom verify --level quick``)."""

FULL_EXAMPLES = 300
"""Examples per full check (``pytest -m slow``, ``--level full``), which also draws larger K."""

QUICK_MAX_K, FULL_MAX_K = 5, 8
"""Largest number of classes drawn by the quick and by the full variant of a check."""

MakeStrategy = Callable[[int], Any]
"""A function of the largest K to draw, returning a hypothesis strategy."""


# ------------------------------------------------------------------------------------ figures


# ------------------------------------------------------------------------------ check builders
def _variants(description: str, run: Callable[[int, int], Outcome]) -> list[Check]:
    """The quick and the full Check running ``run(max_k, examples)``."""
    return [Check(CheckLevel.NUMERIC, description, functools.partial(run, QUICK_MAX_K, QUICK_EXAMPLES), quick=True),
            Check(CheckLevel.NUMERIC, f"{description} [full: K <= {FULL_MAX_K}, {FULL_EXAMPLES} examples]",
                  functools.partial(run, FULL_MAX_K, FULL_EXAMPLES), quick=False)]


def bound_checks(description: str, make: MakeStrategy, measure: Callable[[Any], float],
                 tolerance: float = ROUNDING) -> list[Check]:
    """A quick and a full check that ``measure`` (a violation: a relative excess for an inequality, a
    relative difference for an equality) stays <= ``tolerance`` on every drawn instance."""
    def run(max_k: int, examples: int) -> Outcome:
        return property_outcome(make(max_k), measure, tolerance, description, max_examples=examples)
    return _variants(description, run)


def strict_checks(description: str, make: MakeStrategy, gap: Callable[[Any], float],
                  floor: float = STRICT_GAP) -> list[Check]:
    """A quick and a full check that ``gap`` (a relative gap lhs - rhs of an inequality, on instances
    that violate its equality condition) exceeds ``floor`` on every drawn instance: the inequality is
    strict there. The figure reported is the smallest gap seen, the tolerance the floor."""
    def run(max_k: int, examples: int) -> Outcome:
        out = property_outcome(make(max_k), lambda e: -gap(e), -floor, description, max_examples=examples)
        return Outcome(out.passed, None if out.figure is None else -out.figure, floor,
                       f"{out.detail} (figure: smallest relative gap, which must exceed the tolerance)",
                       Criterion.AT_LEAST)
    return _variants(description, run)


# ------------------------------------------------------------------------------ random numbers
def log_uniform(low: float, high: float) -> st.SearchStrategy[float]:
    """A float drawn uniformly in log scale between ``low`` and ``high``."""
    return st.floats(float(np.log10(low)), float(np.log10(high))).map(lambda e: float(10.0 ** e))


SEEDS = st.integers(0, 2**32 - 1)
"""Seeds of the numpy generators that fill the arrays of an instance."""


def _counts(draw: Callable[[Any], Any], max_k: int, min_k: int, min_n: int, max_n: int) -> tuple[int, ...]:
    """Draw K in [min_k, max_k] and counts n_k in [min_n, max_n]."""
    k = draw(st.integers(min_k, max(min_k, max_k)))
    return tuple(draw(st.lists(st.integers(min_n, max_n), min_size=k, max_size=k)))


# ------------------------------------------------------------------- dang2024: UFM+ instances


FEATURES = ("generic", "separated", "collapsed", "orthogonal", "equal_wrong_logits")
"""Feature patterns of :func:`ufm_points`: samples of a class all different (generic); signed features
whose logits are separated by construction — wrong-class logits of a sample 0.5 apart, the exponents
mean(wrong) - true of the samples of a class 0.5 apart (separated); features equal to their class mean
(collapsed); collapsed with pairwise orthogonal class means (disjoint supports); or collapsed with a
classifier whose wrong-class logits are equal for every class mean."""


@st.composite
def ufm_points(draw: Callable[[Any], Any], max_k: int, features: str = "generic", min_k: int = 2,
               min_n: int = 1, max_n: int = 6, signed: bool = False) -> UFMPoint:
    """Random (W, H) with the given feature pattern (:data:`FEATURES`; ``separated`` is always signed), d in [K, K + 2],
    lambda_W, lambda_H in [1e-3, 1e-1] (log scale), classifier scale in [0.1, 1.5]."""
    if features not in FEATURES:
        raise ValueError(f"features must be one of {FEATURES}")
    counts = _counts(draw, max_k, min_k, min_n, max_n)
    k = len(counts)
    d = k + draw(st.integers(0, 2))
    lam_w, lam_h = draw(log_uniform(1e-3, 1e-1)), draw(log_uniform(1e-3, 1e-1))
    w_scale = draw(st.floats(0.1, 1.5))
    seed = draw(SEEDS)
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(k), counts)
    W = w_scale * rng.standard_normal((k, d))
    if features == "generic":
        H = rng.standard_normal((d, labels.size))
        H = H if signed else np.abs(H)
    elif features == "separated":
        target = np.empty((k, labels.size))
        wrong_base, own_base = rng.uniform(-2, 0, k), rng.uniform(-1, 0, k)
        for i, c in enumerate(labels):
            rank_in_class = i - int(np.sum(labels < c))
            wrong = wrong_base[c] + 0.5 * rng.permutation(k - 1)
            target[:, i] = np.insert(wrong, c, own_base[c] + 0.5 * rank_in_class)
        H = np.linalg.pinv(W) @ target
    else:
        means = np.abs(rng.standard_normal((d, k)))
        if features == "orthogonal":
            owner = np.concatenate([np.arange(k), rng.integers(0, k, d - k)])[rng.permutation(d)]
            means = means * (owner[:, None] == np.arange(k)[None, :])
        if features == "equal_wrong_logits":
            own, other = rng.uniform(-2, 2, k), rng.uniform(-2, 2, k)
            target = np.tile(other, (k, 1))
            np.fill_diagonal(target, own)
            W = target @ np.linalg.pinv(means)
        H = means[:, labels]
    return UFMPoint(counts, lam_w, lam_h, features, seed, W, H)


REGIMES = ("any", "no_collapse", "collapse_t_positive")
"""Regularisation regimes of :func:`ufm_minimizers`: any lambda_W lambda_H (from no collapse to
complete collapse); no class collapses (Thm 1's hypothesis); the smallest class collapses (n_min <= C)
while every t_k = sqrt(n_k)/c_1 - 1 stays positive (c_1 of eq. (41), corrected)."""


@st.composite
def ufm_minimizers(draw: Callable[[Any], Any], max_k: int, regime: str = "any") -> UFMPoint:
    """The closed-form global minimiser (:func:`theory.ufm_plus.closed_form.minimizer`) for random counts (1..9),
    lambda_W / lambda_H in [0.2, 5] and a product lambda_W lambda_H placed in the given regime
    (:data:`REGIMES`) relative to n_min / N^2."""
    if regime not in REGIMES:
        raise ValueError(f"regime must be one of {REGIMES}")
    counts = _counts(draw, max_k, 2, 1, 9)
    k, n_min, total = len(counts), min(counts), sum(counts)
    base = n_min / total**2
    if regime == "no_collapse":
        product = draw(st.floats(0.02, 0.9)) * (k - 1) / k * base
    elif regime == "collapse_t_positive":
        product = ((k - 1) / k) ** (1 - 2 * draw(st.floats(0.05, 0.95))) * base
    else:
        product = draw(log_uniform(0.03, 10.0)) * base
    ratio = draw(log_uniform(0.2, 5.0))
    lam_w, lam_h = float(np.sqrt(product * ratio)), float(np.sqrt(product / ratio))
    d = k + draw(st.integers(0, 2))
    W, H = minimizer(counts, lam_w, lam_h, d)
    return UFMPoint(counts, lam_w, lam_h, f"minimizer/{regime}", 0, W, H)


@st.composite
def ufm_configurations(draw: Callable[[Any], Any], max_k: int) -> UFMPoint:
    """The configuration of Thm 1(a), (b), (d) (:func:`theory.ufm_plus.closed_form.configuration`: collapsed,
    orthogonal class means h_k = sqrt(x_k) e_k, w_k of eq. (10)) for random x_k in [1e-3, 3]."""
    counts = _counts(draw, max_k, 2, 1, 9)
    k = len(counts)
    lam_w, lam_h = draw(log_uniform(1e-3, 1e-1)), draw(log_uniform(1e-3, 1e-1))
    seed = draw(SEEDS)
    x = np.random.default_rng(seed).uniform(1e-3, 3.0, k)
    W, H = configuration(counts, x, lam_w, lam_h, k + draw(st.integers(0, 2)))
    return UFMPoint(counts, lam_w, lam_h, "configuration", seed, W, H)


# ------------------------------------------------------------- yang2022: fixed-ETF instances


PLACEMENTS = ("free", "sphere", "cone", "symmetric")
"""Where :func:`etf_points` puts h: any norm in [0.2, 2] sqrt(E_H) (free); on the sphere ||h||^2 = E_H;
on the sphere with cos(h, w*_c) >= 0 (cone, Appendix B); in the cone with h - (h.w)w/E_W orthogonal to
every w*_j, so that p_j(h) is the same for all j != c (symmetric: the assumption of Thm 2)."""


@st.composite
def etf_points(draw: Callable[[Any], Any], max_k: int, placement: str = "sphere", min_k: int = 2) -> ETFPoint:
    """A random simplex ETF (K in [min_k, max_k], d in [K, K + 2], E_W, E_H in [0.25, 4] log scale), a
    label, a feature placed per :data:`PLACEMENTS` and gamma in sqrt(E_H/E_W) [1e-2, 10] (log scale)."""
    if placement not in PLACEMENTS:
        raise ValueError(f"placement must be one of {PLACEMENTS}")
    k = draw(st.integers(min_k, max(min_k, max_k)))
    d = k + draw(st.integers(0, 2))
    e_w, e_h = draw(log_uniform(0.25, 4.0)), draw(log_uniform(0.25, 4.0))
    label = draw(st.integers(0, k - 1))
    gamma = float(np.sqrt(e_h / e_w)) * draw(log_uniform(1e-2, 10.0))
    seed = draw(SEEDS)
    rng = np.random.default_rng(seed)
    W = simplex_etf(k, d, e_w, seed=int(rng.integers(2**31)))
    unit_w = W[:, label] / np.sqrt(e_w)
    if placement in ("free", "sphere"):
        v = rng.standard_normal(d)
        radius = draw(st.floats(0.2, 2.0)) if placement == "free" else 1.0
        h = radius * np.sqrt(e_h) * v / np.linalg.norm(v)
    else:
        span = W if placement == "symmetric" else unit_w[:, None]
        v = rng.standard_normal(d)
        v -= span @ np.linalg.lstsq(span, v, rcond=None)[0]
        theta = draw(st.floats(0.05, np.pi / 2))
        h = np.sqrt(e_h) * (np.cos(theta) * unit_w + np.sin(theta) * v / np.linalg.norm(v))
    return ETFPoint(k, d, e_w, e_h, label, gamma, placement, seed, W, h)


@st.composite
def lpm_points(draw: Callable[[Any], Any], max_k: int) -> LPMPoint:
    """Random W (d x K, scale in [0.1, 1.5]) and H (d x N) for counts in 1..4, d in [2, 6]."""
    counts = _counts(draw, max_k, 2, 1, 4)
    d = draw(st.integers(2, 6))
    w_scale = draw(st.floats(0.1, 1.5))
    seed = draw(SEEDS)
    rng = np.random.default_rng(seed)
    return LPMPoint(counts, seed, w_scale * rng.standard_normal((d, len(counts))),
                    rng.standard_normal((d, sum(counts))))


def shifts() -> st.SearchStrategy[float]:
    """u with 0.2 <= |u| <= 2 (a factor e^u away from an equality condition)."""
    return st.one_of(st.floats(-2.0, -0.2), st.floats(0.2, 2.0))
