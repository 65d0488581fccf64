"""The evidence of yang2022-def1-dimension measures the printed condition itself (issue 11): the numerical
search that refutes U^T U = I_K at d = K - 1 finds it at d = K, so its verdict depends on the dimension, not
on a rank identity that holds for every matrix."""

import pytest

from proofs_check.errata.yang2022_errata import _etf_dimension_evidence, printed_condition_distance
from theory.core.tolerances import PRINTED_EQUALITY


@pytest.mark.parametrize("k", [3, 5])
def test_search_meets_the_printed_condition_where_it_can_be_met(k: int) -> None:
    # negative control: with d = K the condition U^T U = I_K is attainable and the search reaches it
    assert printed_condition_distance(k, k, starts=3, seed=1) <= PRINTED_EQUALITY


@pytest.mark.parametrize("k", [3, 5])
def test_search_stays_away_at_d_equal_k_minus_one(k: int) -> None:
    # U^T U has rank <= K - 1, so ||U^T U - I_K||_F >= 1 (one eigenvalue 0 against 1)
    assert printed_condition_distance(k - 1, k, starts=3, seed=1) == pytest.approx(1.0, abs=1e-6)


def test_evidence_holds_and_reports_each_k() -> None:
    evidence = _etf_dimension_evidence()
    assert evidence.holds
    assert all(f"K={k}:" in evidence.detail for k in range(3, 7))
