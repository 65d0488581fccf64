"""yang2022's table statements, maximal separation, Remark 3, Thm 1 at E_W != E_H and Remark 2's configurations
(issue 23): each check fails on a planted misprint of its own statement."""

import numpy as np
import pytest

from proofs_check.claims import yang2022 as thm
from proofs_check.claims import yang2022_remarks as remarks
from proofs_check.claims import yang2022_tables as tables


def test_table_checks_pass_as_read():
    for check in (tables._table2_rows, tables._table2_average, tables._table2_failures, tables._table1_statements,
                  tables._table3_epochs, tables._table4_helps, tables._remark3_nc4, tables._remark3_offset):
        out = check()
        assert out.passed, (check.__name__, out.detail)
    assert not tables._table4_range().passed          # the erratum yang2022-table4-range


def test_a_cell_misprinted_by_one_unit_fails(monkeypatch):
    base, ours, printed = tables.TABLE2["DenseNet"]
    monkeypatch.setitem(tables.TABLE2, "DenseNet", (base, ours, printed.replace("+4.3", "+4.4")))
    assert not tables._table2_rows().passed


@pytest.mark.parametrize("arch,wrong", [("ResNet", "2.1"), ("DenseNet", "1.0")])
def test_a_misprinted_average_fails(monkeypatch, arch, wrong):
    monkeypatch.setitem(tables.TABLE2_STATED_AVERAGE, arch, wrong)
    assert not tables._table2_average().passed


def test_other_failure_cases_fail(monkeypatch):
    monkeypatch.setattr(tables, "TABLE2_FAILURE_CASES", {("ResNet", "STL-10"), ("DenseNet", "CIFAR-10")})
    assert not tables._table2_failures().passed


def test_table3_ordering_is_checked(monkeypatch):
    monkeypatch.setitem(tables.TABLE3, 150, ("42.5", "44.0"))    # 150 epochs gaining more than 120
    assert not tables._table3_epochs().passed


def test_table4_range_with_the_correction_passes(monkeypatch):
    monkeypatch.setattr(tables, "TABLE4_STATED_RANGE", ("0.6", "0.8"))
    assert tables._table4_range().passed


def test_table1_comparisons_are_discriminating(monkeypatch):
    rows = dict(tables.TABLE1)
    rows["ETF Classifier + CE"] = (rows["ETF Classifier + CE"][0].replace("60.4", "66.5"), rows["ETF Classifier + CE"][1])
    monkeypatch.setattr(tables, "TABLE1", rows)
    assert not tables._table1_statements().passed


def test_separation_is_not_minus_one_over_k():
    """The optimiser finds a largest cosine well below -1/K (a misprint of -1/(K-1)) for K = 4."""
    assert tables.min_max_cosine(4, 3, 0) < -1 / 4 - 0.05


def test_remark3_needs_the_centred_geometry():
    assert tables._nc4_disagreements(4, 5, 1.0, seed=4) > 0.01
    assert tables._nc4_disagreements(4, 5, 0.0, seed=4) == 0.0


def test_thm1_unequal_energies_catches_a_dropped_square_root(monkeypatch):
    """Planted: the minimiser scaled as (E_H/E_W) w* instead of sqrt(E_H/E_W) w* (the solver's output rescaled)."""
    original = thm.solve_dlpm

    def misprinted(counts, W, e_h, loss):
        e_w = float(np.sum(W[:, 0] ** 2))
        return original(counts, W, e_h, loss) * np.sqrt(e_h / e_w)
    monkeypatch.setattr(thm, "solve_dlpm", misprinted)
    assert not thm._thm1_unequal_energies().passed


def test_remark2_configurations_fail_without_the_push(monkeypatch):
    """Planted: the minority classifier's gradient without its push term (cross-entropy of its own class only)
    stays at -1/(K-1) for every R, so 'increasing to 1' fails."""
    monkeypatch.setattr(remarks, "cross_entropy", lambda W, h, j: -np.log(remarks.probabilities(W, h)[j])
                        if j < 1 else 0.0)
    assert not remarks._remark2_configurations().passed
