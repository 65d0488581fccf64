"""behnia2023 App. A.1 'As Delta gets far from 1, some models fail to achieve zero-training-error': the
reading of :func:`_a1_reading` on constructed sweeps (the training itself runs in the slow registry check)."""

from __future__ import annotations

import numpy as np
import pytest

from proofs_check.claims.behnia2023_training import A1_ZERO_ERROR, _a1_reading
from training.recipes import GAMMAS

G = np.array(GAMMAS * 2)
L = np.array(["CDT"] * len(GAMMAS) + ["LDT"] * len(GAMMAS))


def _zero(failing: set[tuple[str, float]]) -> np.ndarray:
    return np.array([(loss, g) not in failing for loss, g in zip(L, G)])


def test_the_claim_is_the_papers_sentence() -> None:
    assert A1_ZERO_ERROR.startswith("As Delta gets far from 1, some models fail to achieve zero-training-error")


@pytest.mark.parametrize("failing", [
    {("CDT", -1.5), ("CDT", -1.25), ("CDT", -1.0), ("CDT", -0.75)},          # measured, seed 0
    {("CDT", 1.5), ("LDT", -1.5), ("LDT", 1.5), ("LDT", 1.25)},
])
def test_tails_of_failures_agree_with_the_statement(failing) -> None:
    assert _a1_reading(G, L, _zero(failing)) == []


@pytest.mark.parametrize("failing, reason", [
    (set(), "no model fails"),
    ({("CDT", 0.0)}, "fails at Delta = 1"),
    ({("LDT", 0.25)}, "closer to Delta = 1"),                                # only a model near Delta = 1 fails
    ({("CDT", -1.5), ("CDT", -0.5)}, "closer to Delta = 1"),                 # a success between two failures
])
def test_sweeps_contradicting_the_statement_are_reported(failing, reason: str) -> None:
    broken = _a1_reading(G, L, _zero(failing))
    assert any(reason in b for b in broken), broken
