"""Errata of dang2024 Sec. 5.1 (definitions of the NC metrics), read line by line.

The section defines h_k := (1/n) sum_{i=1}^n h_{k,i}, h_G := (1/K) sum_k sum_{i=1}^n h_{k,i}, Sigma_W := (1/N) sum_k sum_{i=1}^n (h_{k,i} -
h_k)(...)^T and Sigma_B := (1/K) sum_k (h_k - h_G)(...)^T, for the imbalanced data of the paper's own
experiments (counts 100..500), where a single n cannot be every class's count. The three definitions show one
slip, n (and with it 1/K for 1/N) written for the class count n_k, recorded once (issue 23's errata policy:
one slip, one erratum, every place it shows) as ``dang2024-sec51-n-for-nk``. Each part of the evidence evaluates the
printed and the corrected definition, sample by sample, on a case where they differ and on balanced counts
where they coincide, and says which has the property NC1 is used for (zero exactly at within-class collapse).
NC2 (20) and NC3 (21) were read too: NC2's W_UFM+(H) is eq. (10) up to a positive factor, and NC3's matrix is
the logits Z = W H-bar of Thm 1(e) column by column; NC3 writes WH for the class-mean logits (the d x N
features would make it K x N), the slip of erratum dang2024-cor1-class-means, not recorded again.
"""

from __future__ import annotations

import numpy as np

from proofs_check.model import Erratum, Evidence
from theory.core.tolerances import MISPRINT_EFFECT, ROUNDING
from theory.core.vocabulary import Paper

PAPER = Paper.DANG2024


def _collapsed(counts: tuple[int, ...], seed: int) -> np.ndarray:
    """Features collapsed to their class means (Thm 1(a)), non-negative random means in R^K (numpy only, so the
    evidence shares no code with the claim's checks, which use the solver of (4))."""
    means = np.random.default_rng(seed).random((len(counts), len(counts)))
    return np.repeat(means, counts, axis=1)


def _within_trace(H: np.ndarray, counts: tuple[int, ...], n: float | None, last: int | None) -> float:
    """trace(Sigma_W) computed sample by sample: class means (1/n) sum over the class's samples (the mean when n
    is None), squared distances summed over the first ``last`` samples of each class (all when None), / N."""
    total, start = 0.0, 0
    for c, n_c in enumerate(counts):
        block = H[:, start:start + n_c]
        mean = block.sum(axis=1) / (n_c if n is None else n)
        for i in range(n_c if last is None else min(last, n_c)):
            total += float(np.sum((block[:, i] - mean) ** 2))
        start += n_c
    return total / sum(counts)


def _class_mean_evidence() -> Evidence:
    """At within-class collapse (the minimiser's structure, Thm 1(a)) the within-class scatter with 1/n_k is 0 and
    with the printed 1/n (n = N/K) it is not, for imbalanced counts; for balanced counts the two coincide (and
    vanish)."""
    figures = {}
    for counts in ((8, 8, 2, 2), (5, 5, 5, 5)):
        H = _collapsed(counts, 0)
        scale = float(np.sum(H**2)) / sum(counts)
        n = sum(counts) / len(counts)
        figures[counts] = (_within_trace(H, counts, n, None) / scale, _within_trace(H, counts, None, None) / scale)
    (printed, corrected), (bal_printed, bal_corrected) = figures[(8, 8, 2, 2)], figures[(5, 5, 5, 5)]
    holds = printed > MISPRINT_EFFECT and corrected <= ROUNDING and max(bal_printed, bal_corrected) <= ROUNDING
    return Evidence(holds, f"trace(Sigma_W) / mean ||h||^2 at collapsed features: counts (8, 8, 2, 2): printed 1/n "
                           f"(n = N/K = 5) {printed:.3f}, corrected 1/n_k {corrected:.1e}; balanced (5, 5, 5, 5): "
                           f"{bal_printed:.1e} and {bal_corrected:.1e}")


def _within_range_evidence() -> Evidence:
    """A class whose samples past the n-th differ: the sum to n (n = min n_k) gives trace(Sigma_W) = 0, the sum
    to n_k does not; with every class of n samples the two sums are the same."""
    counts = (8, 8, 2, 2)
    H = _collapsed(counts, 1)
    n = min(counts)
    H[:, n:counts[0]] += 0.3 * np.abs(H).max() * np.random.default_rng(1).random((H.shape[0], counts[0] - n))
    H[:, :n] = H[:, n:counts[0]].mean(axis=1, keepdims=True)    # the first n samples at the (new) class mean
    scale = float(np.sum(H**2)) / sum(counts)
    printed, corrected = _within_trace(H, counts, None, n) / scale, _within_trace(H, counts, None, None) / scale
    balanced = (2, 2, 2, 2)
    Hb = _collapsed(balanced, 2) + 0.05 * np.random.default_rng(2).random((4, 8))
    same = abs(_within_trace(Hb, balanced, None, 2) - _within_trace(Hb, balanced, None, None))
    holds = printed <= ROUNDING and corrected > MISPRINT_EFFECT and same <= ROUNDING
    return Evidence(holds, f"counts (8, 8, 2, 2), samples 3..8 of class 1 spread, samples 1..2 at the class mean: "
                           f"trace(Sigma_W) / mean ||h||^2 summed to n = 2: {printed:.1e}, to n_k: {corrected:.2e}; "
                           f"balanced counts: the sums differ by {same:.1e}")


def _global_mean_evidence() -> Evidence:
    """The printed h_G := (1/K) sum_k sum_{i=1}^n h_{k,i} on balanced counts (every sum defined) is n times the
    mean of the features (Sec. 3's h_G := (1/N) sum_k sum_{i=1}^{n_k} h_{k,i}); with n = 1 they coincide."""
    counts = (3, 3, 3)
    H = _collapsed(counts, 3) + 0.1 * np.random.default_rng(3).random((3, 9))
    printed = H.sum(axis=1) / len(counts)
    ratio = float(np.linalg.norm(printed) / np.linalg.norm(H.mean(axis=1)))
    single = _collapsed((1, 1, 1), 4)
    same = float(np.linalg.norm(single.sum(axis=1) / 3 - single.mean(axis=1)))
    holds = abs(ratio - 3.0) <= ROUNDING and same <= ROUNDING
    return Evidence(holds, f"counts {counts}: the printed h_G is {ratio:.6f} x the mean of the features (n = 3); "
                           f"one sample per class: they differ by {same:.1e}")


def _n_for_nk_evidence() -> Evidence:
    """Every place of the slip: class means, global mean, range of the within-class sum."""
    parts = [("class means h_k", _class_mean_evidence()), ("global mean h_G", _global_mean_evidence()),
             ("range of Sigma_W's sum", _within_range_evidence())]
    return Evidence(all(e.holds for _, e in parts), "; ".join(f"{name}: {e.detail}" for name, e in parts))


ERRATA: list[Erratum] = [
    Erratum(
        id="dang2024-sec51-n-for-nk", paper=PAPER,
        location="Sec. 5.1, the definitions of the class means h_k, of the global mean h_G and of the within-class "
                 "covariance Sigma_W (used by NC1, eq. (19)): one slip, n written for the class count n_k",
        printed="h_k := (1/n) sum_{i=1}^n h_{k,i}; h_G := (1/K) sum_k sum_{i=1}^n h_{k,i}; "
                "Sigma_W := (1/N) sum_{k=1}^K sum_{i=1}^n (h_{k,i} - h_k)(h_{k,i} - h_k)^T",
        corrected="h_k := (1/n_k) sum_{i=1}^{n_k} h_{k,i}; h_G := (1/N) sum_k sum_{i=1}^{n_k} h_{k,i}; "
                  "Sigma_W := (1/N) sum_{k=1}^K sum_{i=1}^{n_k} (h_{k,i} - h_k)(h_{k,i} - h_k)^T (the class and "
                  "global means of Sec. 3 and Sec. 7). As printed, with imbalanced counts Sigma_W does not vanish at "
                  "within-class collapse, h_G is n times the global mean, and a sum to one n (< max n_k) misses a "
                  "spread in the samples past the n-th",
        printed_tex=(r"$h_k := \frac{1}{n}\sum_{i=1}^{n} h_{k,i}$; $h_G := \frac{1}{K}\sum_k\sum_{i=1}^{n} h_{k,i}$; "
                     r"$\Sigma_W := \frac{1}{N}\sum_{k=1}^{K}\sum_{i=1}^{n}(h_{k,i} - h_k)(h_{k,i} - h_k)^\top$"),
        corrected_tex=(r"$h_k := \frac{1}{n_k}\sum_{i=1}^{n_k} h_{k,i}$; $h_G := \frac{1}{N}\sum_k\sum_{i=1}^{n_k} "
                       r"h_{k,i}$; $\Sigma_W := \frac{1}{N}\sum_{k=1}^{K}\sum_{i=1}^{n_k}(h_{k,i} - h_k)(h_{k,i} - "
                       r"h_k)^\top$ (the means of Sec. 3 and Sec. 7); as printed, $\Sigma_W$ does not vanish at "
                       r"within-class collapse under imbalance, $h_G$ is $n$ times the global mean, and a sum to one "
                       r"$n$ misses a spread in the samples past the $n$-th"),
        evidence=_n_for_nk_evidence, claim_id="dang2024 Sec. 5.1 NC1"),
]
