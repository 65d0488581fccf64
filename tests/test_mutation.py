"""The registry's mutation score (issue 23, harness in tests/mutation.py).

Default run: a fast subset, each mutant held to the quick checks of one claim that must catch it. ``-m slow``:
every mutant of :data:`mutation.MUTANTS` against the quick checks, cheapest first (:func:`mutation.scan`); at
least 95 % killed and every survivor explained in :data:`mutation.EXPLAINED`.
"""

import pytest

from mutation import EXPLAINED, MUTANTS, Mutant, patched, run_mutant, scan
from proofs_check.catalog import all_claims

FAST = (
    (Mutant("theory.etf.simplex:simplex_etf", "entry"), "yang2022 Def. 1"),
    (Mutant("theory.seli.sel:z_hat", "scale"), "behnia2023 Thm 2 margins"),
    (Mutant("theory.ufm_plus.closed_form:collapse_threshold", "scale"), "dang2024 Cor. 4"),
    (Mutant("theory.core.collapse_metrics:nc1", "scale"), "dang2024 NC metrics (19)-(21)"),
)


def _quick(claim_id: str):
    claim = next(c for c in all_claims() if c.id == claim_id)
    return [(claim, ch) for ch in claim.checks if ch.quick]


@pytest.mark.parametrize("mutant,claim_id", FAST, ids=[m.name for m, _ in FAST])
def test_fast_mutant_is_killed(mutant, claim_id):
    killed, caught = run_mutant(mutant, _quick(claim_id))
    assert killed, f"{mutant.name} survived the quick checks of {claim_id}"


def test_unmutated_claims_pass():
    """Negative control: without a mutant the same checks meet their expectation (nothing is killed)."""
    for claim_id in {c for _, c in FAST}:
        for claim, check in _quick(claim_id):
            from proofs_check.catalog import errata_by_id
            from proofs_check.runner import run_check
            assert str(run_check(claim, check, errata_by_id()).status) == ("erratum" if check.erratum else "pass"), claim_id


def test_the_patch_reaches_every_holder_and_is_undone():
    import proofs_check.claims.yang2022 as y
    import theory.etf.simplex as s

    original = s.simplex_etf
    with patched(Mutant("theory.etf.simplex:simplex_etf", "scale")):
        assert y.simplex_etf is not original and s.simplex_etf is not original
        assert abs(float((y.simplex_etf(3, 2, 1.0, 0) ** 2).sum()) / float((original(3, 2, 1.0, 0) ** 2).sum())
                   - 1.02 ** 2) < 1e-12
    assert y.simplex_etf is original and s.simplex_etf is original


@pytest.mark.slow
def test_mutation_score():
    rows = scan(MUTANTS)
    killed = [m for m, outcome, _ in rows if outcome == "killed"]
    survivors = [m.name for m, outcome, _ in rows if outcome != "killed"]
    assert len(killed) >= 0.95 * len(rows), f"score {len(killed)}/{len(rows)}; survivors {survivors}"
    assert set(survivors) <= set(EXPLAINED), f"unexplained survivors: {set(survivors) - set(EXPLAINED)}"
