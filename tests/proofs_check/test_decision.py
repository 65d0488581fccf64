"""Training-level decisions (issue 21, :mod:`proofs_check.decision`): the t-interval against tabulated
quantiles, pass / fail / inconclusive on constructed per-seed figures, a planted wrong side, the seed
plans of the registry's training checks, and the report rows and headline that carry the decisions."""

from __future__ import annotations

import math

import pytest

from proofs_check.decision import (Plan, checked_seeds, decide, seeds_needed, t_interval, t_quantile, verdict,
                                   worst_of)
from proofs_check.model import Check, Claim, Outcome, checked_setting
from proofs_check.runner import run_check
from theory.core.vocabulary import PAPER_SILENT, Criterion, Setting, Status

#: Student-t 0.975 quantiles from a printed table (df 1, 2, 4, 10)
T_TABLE = {1: 12.706, 2: 4.303, 4: 2.776, 10: 2.228}


@pytest.mark.parametrize("df, q", sorted(T_TABLE.items()))
def test_t_quantile_matches_the_printed_table(df: int, q: float) -> None:
    assert t_quantile(df) == pytest.approx(q, abs=1e-3)


def test_t_interval_of_one_two_three() -> None:
    mean, lo, hi = t_interval([1.0, 2.0, 3.0])  # sd 1, n 3: half-width 4.303 / sqrt 3 = 2.484
    assert mean == 2.0 and lo == pytest.approx(2.0 - 4.303 / math.sqrt(3), abs=1e-3)
    assert hi - mean == pytest.approx(mean - lo)
    assert t_interval([0.5, 0.5, 0.5])[1:] == (0.5, 0.5)  # no spread: the point itself
    for bad in ([1.0], [1.0, float("nan")]):
        with pytest.raises(ValueError):
            t_interval(bad)


SEEDS = (0, 1, 2)


def test_interval_below_the_threshold_passes_a_statement_about_below() -> None:
    out = decide([0.01, 0.012, 0.011], SEEDS, 0.05, "<=", "distance")
    assert out.passed and out.premise_met and out.interval[1] < 0.05 and out.seeds == SEEDS
    assert out.criterion == Criterion.AT_MOST and out.tolerance == 0.05 and out.figure == pytest.approx(0.011)
    assert "pass when it lies on the paper's side" in out.rule


def test_interval_above_the_threshold_fails_it() -> None:
    out = decide([0.30, 0.28, 0.33], SEEDS, 0.05, "<=", "distance")
    assert not out.passed and out.premise_met and out.interval[0] > 0.05


def test_interval_straddling_the_threshold_is_inconclusive() -> None:
    out = decide([0.01, 0.09, 0.05], SEEDS, 0.05, "<=", "distance")
    assert not out.passed and not out.premise_met and out.interval[0] < 0.05 < out.interval[1]


def test_a_planted_wrong_side_turns_a_pass_into_a_fail() -> None:
    """The same figures, clearly above 0: the statement 'above 0' passes, its misprint 'below 0' fails."""
    values = [0.025, 0.03, 0.02]
    assert decide(values, SEEDS, 0.0, ">=", "gap").passed
    wrong = decide(values, SEEDS, 0.0, "<=", "gap")
    assert not wrong.passed and wrong.premise_met


def test_a_missing_seed_is_inconclusive_and_a_counter_example_fails_a_universal_statement() -> None:
    out = decide([0.01, None, 0.02], SEEDS, 0.05, "<=", "distance", missing="no converged run")
    assert not out.premise_met and out.figure == 1.0 and "seeds [1] no converged run" in out.detail
    # two starts far below, one above: the interval straddles, but a statement about every start fails
    values = [1e-12, 1e-12, 0.2]
    assert not decide(values, SEEDS, 1e-6, "<=", "deviation").premise_met
    universal = decide(values, SEEDS, 1e-6, "<=", "deviation", universal=True)
    assert universal.premise_met and not universal.passed and "counter-example seeds [2]" in universal.detail


def test_an_interval_touching_the_threshold_decides_nothing() -> None:
    assert verdict(0.05, 0.07, 0.05, ">=") == Status.INCONCLUSIVE
    assert verdict(0.051, 0.07, 0.05, ">=") == Status.PASS and verdict(0.03, 0.049, 0.05, ">=") == Status.FAIL


def test_worst_of_takes_the_worst_part() -> None:
    ok = decide([1.0, 1.1, 0.9], SEEDS, 0.0, ">=", "a")
    open_ = decide([1.0, -1.0, 0.2], SEEDS, 0.0, ">=", "b")
    bad = decide([-1.0, -1.1, -0.9], SEEDS, 0.0, ">=", "c")
    assert worst_of([("a", ok), ("b", open_)]).premise_met is False
    out = worst_of([("a", ok), ("b", open_), ("c", bad)])
    assert out.premise_met and not out.passed and out.figure == pytest.approx(-1.0) and "(c: fail)" in out.detail


def test_seeds_needed_is_the_smallest_count_whose_interval_excludes_the_threshold() -> None:
    from scipy.stats import t

    for effect, spread, thr in ((0.36, 0.13, 0.05), (0.025, 0.008, 0.0), (0.7, 0.45, 0.0), (0.0, 0.011, 0.05)):
        n = seeds_needed(effect, thr, spread)
        half = lambda m: t.interval(0.95, m - 1)[1] * spread / math.sqrt(m)  # noqa: E731 - scipy's own interval
        assert half(n) < abs(effect - thr) and (n == 2 or half(n - 1) >= abs(effect - thr))
    with pytest.raises(ValueError):
        seeds_needed(0.01, 0.0, 1.0)
    plan = Plan(0.36, 0.13, 0.05, "pilot")
    assert checked_seeds(range(plan.seeds()), plan) == tuple(range(4))
    with pytest.raises(ValueError, match="needs 4"):
        checked_seeds((0, 1, 2), plan)


def test_the_registry_training_modules_meet_their_plans() -> None:
    """Every plan stated next to a training check's seeds is met (the modules would not import otherwise);
    the counts below are the plans' own arithmetic, spelled out."""
    import proofs_check.claims.behnia2023_training as bt
    import proofs_check.claims.deepnets as dn

    assert [p.seeds() for p in bt.PAPER_PLANS] == [3, 4] and len(bt.PAPER_SEEDS) == 5
    assert bt.FIG4_CONVERGED_PLAN.seeds() == 5 and len(bt.FIG4_CONVERGED_SEEDS) == 5
    assert max(p.seeds() for p in dn.DEEPNET_PLANS) <= len(dn.DEEPNET_SEEDS)
    assert dn.ETF_PLAN.seeds() == 9 and len(dn.ETF_SEEDS) == 9


# ------------------------------------------------------------------------------ settings and report rows
def test_a_setting_states_its_departures() -> None:
    assert checked_setting("paper", [PAPER_SILENT + "step 5"]) == (Setting.PAPER, (PAPER_SILENT + "step 5",))
    with pytest.raises(ValueError, match="reduced setting"):
        checked_setting("paper", ["dataset: digits"])
    with pytest.raises(ValueError, match="must list"):
        checked_setting("reduced", [PAPER_SILENT + "step 5"])
    with pytest.raises(ValueError):
        Outcome(True, 0.0, 1.0, "", departures=("x",))  # departures without a setting


def _claim(cid: str, *checks: Check) -> Claim:
    return Claim(cid, "dang2024", "s", "a", checks)


def test_a_training_record_carries_setting_departures_seeds_interval_and_rule() -> None:
    reduced = ("dataset: digits instead of cifar10",)
    check = Check("training", "c", lambda: decide([0.3, 0.28, 0.33], SEEDS, 0.05, "<=", "d", "reduced", reduced),
                  setting="paper", departures=(PAPER_SILENT + "declared",))
    row = run_check(_claim("dang2024 X", check), check, {}).as_dict()
    assert row["status"] == "fail" and row["setting"] == "reduced" and row["departures"] == list(reduced)
    assert row["seeds"] == [0, 1, 2] and row["interval"][0] > 0.05 and "t interval" in row["rule"].lower()
    # a check that raises keeps its declared setting
    broken = Check("training", "c", lambda: 1 / 0, setting="paper", departures=(PAPER_SILENT + "declared",))
    row = run_check(_claim("dang2024 X", broken), broken, {}).as_dict()
    assert row["status"] == "error" and row["setting"] == "paper" and row["interval"] is None
    plain = Check("numeric", "n", lambda: Outcome(True, 0.0, 1.0, ""))
    row = run_check(_claim("dang2024 Y", plain), plain, {}).as_dict()
    assert (row["setting"], row["departures"], row["seeds"], row["interval"], row["rule"]) == (None, [], [], None, None)


def test_every_training_check_of_the_catalog_names_its_setting() -> None:
    from proofs_check.catalog import all_claims

    unnamed = [(c.id, ch.description) for c in all_claims() for ch in c.checks
               if ch.level == "training" and ch.setting is None]
    assert unnamed == []


def _rows(status: str, setting: str | None) -> dict:
    row = {"status": status, "setting": setting, "consistency": False, "level": "training", "check": "c",
           "figure": 0.3, "tolerance": 0.05, "criterion": "<=", "seconds": 0.0, "detail": "d"}
    if setting:
        row.update(departures=["dataset: digits"] if setting == "reduced" else [], seeds=[0, 1, 2],
                   interval=[0.1, 0.5], rule="rule")
    return row


def test_the_headline_counts_paper_settings_and_shows_reduced_ones_apart() -> None:
    from proofs_check.render import document, headline_markdown, paper_headlines, render_html, render_markdown

    checks = [{"id": "dang2024 A", "paper": "dang2024", "kind": "claim", **_rows("pass", "paper")},
              {"id": "dang2024 B", "paper": "dang2024", "kind": "claim", **_rows("fail", "reduced")},
              {"id": "dang2024 C", "paper": "dang2024", "kind": "claim", **_rows("pass", None)},
              {"id": "dang2024 C", "paper": "dang2024", "kind": "claim", **_rows("inconclusive", "reduced")}]
    doc = document(checks, [], [], [], [], {"level": "full"}, {})
    row = paper_headlines(doc["claims"], [])[0]
    assert (row["claims"], row["passed"], row["failed"]) == (2, 2, 0)  # B's failure is not the paper's
    assert (row["reduced_consistent"], row["reduced_inconsistent"], row["reduced_inconclusive"]) == (0, 1, 1)
    table = headline_markdown(paper_headlines(doc["claims"], []))
    assert "consistent / inconsistent / inconclusive in a reduced setting" in table and "| 0 / 1 / 1 |" in table
    md = render_markdown(doc)
    assert "| dang2024 B | claim | inconsistent in a reduced setting |" in md and "FAILS" not in md
    assert "| dang2024 C | claim | holds; inconclusive in a reduced setting |" in md
    assert "interval [0.1, 0.5] over 3 seeds vs ≤ 0.05; setting reduced (dataset: digits); seeds 0, 1, 2" in md
    html = render_html(doc)
    assert "inconsistent in a reduced setting" in html and "setting reduced (dataset: digits)" in html


def test_the_verify_progress_line_shows_the_setting_and_interval() -> None:
    from igeom.commands.verify import progress_lines

    check = Check("training", "c", lambda: decide([0.3, 0.28, 0.33], SEEDS, 0.05, "<=", "d", "reduced",
                                                  ("width: 64 instead of 1024",)), setting="paper")
    rec = run_check(_claim("dang2024 X", check), check, {})
    text = " ".join(progress_lines(rec, 1, 1, 1.0, 400))
    # mean 0.3033, sd 0.0252: half-width 4.303 * 0.0252 / sqrt 3 = 0.0625
    assert "interval [0.241, 0.366] over 3 seeds" in text and "setting reduced (width: 64 instead of 1024)" in text


def test_deep_net_departures_come_from_the_configuration() -> None:
    """The digits preset is a reduced setting naming its dataset; the papers' CIFAR-10 configuration is the
    paper's setting; a configuration changed in one stated quantity (the feature width) departs by that
    quantity; a route may also state its departures as a dict."""
    import dataclasses

    from proofs_check.claims.deepnets import setting_from, setting_of
    from training.experiments.nc_relu import NCExperiment

    setting, departures = setting_of(NCExperiment.digits())
    assert setting == Setting.REDUCED and any("digits" in d for d in departures)
    paper = NCExperiment.cifar10("/data/cifar10")
    assert setting_of(paper) == (Setting.PAPER, ())
    wider = dataclasses.replace(paper, net=dataclasses.replace(paper.net, width=256))
    setting, departures = setting_of(wider)
    assert setting == Setting.REDUCED and len(departures) == 1 and "256" in departures[0]
    assert setting_from({"setting": "reduced", "departures": ["epochs: 100 instead of 4000"]}) == (
        Setting.REDUCED, ("epochs: 100 instead of 4000",))
    with pytest.raises(ValueError):
        setting_from({"setting": "paper", "departures": ["epochs: 100 instead of 4000"]})
