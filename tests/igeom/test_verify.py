"""`igeom verify` and the report writer on a small stand-in registry (the real registry's checks are
tested one by one in test_registry.py)."""

import json

import pytest

from proofs_check import report as report_mod
from igeom.cli import main
from proofs_check.model import Check, Claim, Outcome


def _claims(fail: bool):
    ok = Check("numeric", "a | piped check", lambda: Outcome(True, 1e-12, 1e-9, "fine"))
    bad = Check("numeric", "failing check", lambda: Outcome(not fail, 3.0 if fail else 0.5, 1.0, "too big"))
    slow = Check("training", "long check", lambda: Outcome(False, 9.0, 1.0, "only in full"), quick=False)
    return [Claim("behnia2023 X", "behnia2023", "statement", "assumptions", (ok, bad, slow))]


@pytest.fixture
def small_registry(monkeypatch):
    def use(fail: bool):
        monkeypatch.setattr(report_mod, "all_claims", lambda: _claims(fail))
        monkeypatch.setattr(report_mod, "figure_makers", lambda level, papers: [])
    return use


def test_verify_writes_every_report_file(small_registry, tmp_path, capsys):
    small_registry(False)
    code = main(["verify", "--out", str(tmp_path), "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    obj = json.loads(out)
    assert obj["summary"]["claims"] == 1 and obj["summary"]["checks"] == 2  # the slow check is not quick
    assert {p.name for p in tmp_path.iterdir()} >= {"report.json", "report.md", "report.html", "formula_sheet.tex"}
    data = json.loads((tmp_path / "report.json").read_text())
    row = data["checks"][0]
    assert set(row) >= {"id", "paper", "level", "status", "figure", "tolerance", "seconds"}
    md = (tmp_path / "report.md").read_text()
    assert "| behnia2023 X | claim | holds | numeric | 2 |" in md  # the claim's verdict row
    assert "- numeric: a | piped check — **pass**; figure 1e-12, figure ≤ 1e-09" in md  # its checks below
    assert err.count("\n") >= 3  # live progress: one line per check plus header and summary


def test_verify_exit_status_on_failure(small_registry, tmp_path, capsys):
    small_registry(True)
    assert main(["verify", "--out", str(tmp_path)]) == 1
    assert "1 failed" in capsys.readouterr().err


def test_full_level_runs_slow_checks(small_registry, tmp_path, capsys):
    small_registry(False)
    assert main(["verify", "--level", "full", "--out", str(tmp_path), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["summary"]["checks"] == 3


def test_verify_bad_out(small_registry, tmp_path, capsys):
    small_registry(False)
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["verify", "--out", str(target)]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("igeom: error:")


def test_summary_counts_worst_status_per_claim():
    from proofs_check.model import CheckRecord

    recs = [CheckRecord("a", "behnia2023", "claim", "numeric", "c", s, None, None, 0.0, "")
            for s in ("pass", "erratum")]
    rep = report_mod.Report("quick", recs, [], [], 0.0)
    assert rep.summary()["claims_with_erratum"] == 1 and rep.summary()["claims_passed"] == 0


# --- a failed figure never loses the report; the report set is replaced as one unit -------------------

def _png_maker(name):
    def make(out):
        path = out / name
        path.write_bytes(b"\x89PNG\r\n\x1a\n")
        return [path]
    return make


def test_planted_computation_error_in_a_figure_leaves_the_report_written(small_registry, monkeypatch, tmp_path, capsys):
    """Issue 9: a ComputationError raised while drawing the k = 3 geometry (behnia2023 Fig. 1) is listed
    in report.json, report.md and report.html; the other figure, the formula sheet and every check
    record are still written, and the command exits 1 although every check passed."""
    import proofs_check.figures as figures_mod
    from theory.core.errors import ComputationError

    real_makers = report_mod.figure_makers("quick")
    small_registry(False)
    steps = [name for name, _ in real_makers]
    assert steps[:2] == ["fig1_geometry_k3.png", "ufm_plus_collapse.png"]
    monkeypatch.setattr(report_mod, "figure_makers", lambda level, papers: real_makers[:2])

    def planted(*args, **kwargs):
        raise ComputationError("planted failure in factor_from_grams")

    monkeypatch.setattr(figures_mod, "factor_from_grams", planted)
    out = tmp_path / "rep"
    assert main(["verify", "--out", str(out), "--json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["failures"] == [
        {"step": "figure fig1_geometry_k3.png", "error": "ComputationError: planted failure in factor_from_grams"}]
    assert "planted failure" in captured.err
    assert {p.name for p in out.iterdir()} == {"report.json", "report.md", "report.html", "formula_sheet.tex",
                                               "ufm_plus_collapse.png"}
    data = json.loads((out / "report.json").read_text())
    assert data["failures"] == [{"step": "figure fig1_geometry_k3.png",
                                 "error": "ComputationError: planted failure in factor_from_grams"}]
    assert data["figures"] == ["ufm_plus_collapse.png"] and data["summary"]["failed_steps"] == 1
    assert [c["status"] for c in data["checks"]] == ["pass", "pass"]
    for name in ("report.md", "report.html"):
        text = (out / name).read_text()
        assert "Failed report steps" in text and "fig1_geometry_k3.png" in text and "planted failure" in text


def test_a_failed_formula_sheet_is_listed_and_the_figures_kept(small_registry, monkeypatch, tmp_path, capsys):
    from theory.core.errors import ComputationError
    import theory.formula_sheet as sheet_mod

    small_registry(False)
    monkeypatch.setattr(report_mod, "figure_makers", lambda level, papers: [("a.png", _png_maker("a.png"))])

    def planted():
        raise ComputationError("planted in the UFM+ formulas")

    monkeypatch.setattr(sheet_mod, "ufm_plus_formulas", planted)
    assert main(["verify", "--out", str(tmp_path / "r")]) == 1
    data = json.loads((tmp_path / "r" / "report.json").read_text())
    assert data["figures"] == ["a.png"] and data["failures"][0]["step"].startswith("formula sheet")
    assert not (tmp_path / "r" / "formula_sheet.tex").exists()


def test_a_failed_errata_section_is_listed(small_registry, monkeypatch, tmp_path, capsys):
    from theory.core.errors import ComputationError

    small_registry(False)
    monkeypatch.setattr(report_mod, "figure_makers", lambda level, papers: [("a.png", _png_maker("a.png"))])

    def planted():
        raise ComputationError("planted in the errata table")

    monkeypatch.setattr(report_mod, "errata_table", planted)
    assert main(["verify", "--out", str(tmp_path / "r")]) == 1
    data = json.loads((tmp_path / "r" / "report.json").read_text())
    assert data["errata"] == [] and data["figures"] == ["a.png"] and data["failures"] == [
        {"step": "errata section (loading the errata)", "error": "ComputationError: planted in the errata table"}]
    assert "planted in the errata table" in (tmp_path / "r" / "report.html").read_text()


def test_a_new_report_replaces_the_old_set_as_a_whole(small_registry, monkeypatch, tmp_path, capsys):
    """While the new set is being produced the directory still holds the complete old set; afterwards it
    holds exactly the new set (the old run's figure is not left beside it) and no staging directory remains."""
    small_registry(False)
    out = tmp_path / "rep"
    monkeypatch.setattr(report_mod, "figure_makers", lambda level, papers: [("old.png", _png_maker("old.png"))])
    assert main(["verify", "--out", str(out)]) == 0
    old = {p.name: p.read_bytes() for p in out.iterdir()}
    assert "old.png" in old and "report.json" in old
    seen_during_write = {}

    def observe(staging):
        seen_during_write.update({p.name: p.read_bytes() for p in out.iterdir()})
        return _png_maker("new.png")(staging)

    small_registry(True)  # the new run differs: one check fails
    monkeypatch.setattr(report_mod, "figure_makers", lambda level, papers: [("new.png", observe)])
    assert main(["verify", "--out", str(out)]) == 1
    assert seen_during_write == old
    assert {p.name for p in out.iterdir()} == {"report.json", "report.md", "report.html", "formula_sheet.tex", "new.png"}
    assert json.loads((out / "report.json").read_text())["summary"]["checks_fail"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["rep"]


def test_an_interrupted_write_leaves_the_old_set(small_registry, monkeypatch, tmp_path, capsys):
    small_registry(False)
    out = tmp_path / "rep"
    monkeypatch.setattr(report_mod, "figure_makers", lambda level, papers: [("old.png", _png_maker("old.png"))])
    assert main(["verify", "--out", str(out)]) == 0
    old = {p.name: p.read_bytes() for p in out.iterdir()}

    def interrupted(staging):
        _png_maker("new.png")(staging)
        raise KeyboardInterrupt

    monkeypatch.setattr(report_mod, "figure_makers", lambda level, papers: [("new.png", interrupted)])
    assert main(["verify", "--out", str(out)]) == 130
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old
    assert [p.name for p in tmp_path.iterdir()] == ["rep"]


def test_a_directory_of_other_files_is_refused_untouched(small_registry, tmp_path, capsys):
    small_registry(False)
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["verify", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds no igeom report" in err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_the_current_directory_is_refused(small_registry, tmp_path, monkeypatch, capsys):
    """Replacing --out as a whole would remove the directory the command (and its shell) runs in."""
    small_registry(False)
    monkeypatch.chdir(tmp_path)
    for out in (".", str(tmp_path.parent)):
        assert main(["verify", "--out", out]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "current directory" in err
    assert list(tmp_path.iterdir()) == []


# --- --paper / --claim filters, the [n/N] progress entry, the per-paper headline ---------------------

def _two_papers():
    check = Check("numeric", "a check", lambda: Outcome(True, 1e-12, 1e-9, "fine"))
    return [Claim("behnia2023 Thm 2(i)", "behnia2023", "s", "a", (check,)),
            Claim("behnia2023 Thm 2(ii)", "behnia2023", "s", "a", (check, check)),
            Claim("dang2024 Thm 1", "dang2024", "s", "a", (check,))]


def test_select_claims_by_paper_id_and_unique_prefix():
    from theory.core.errors import InputError

    claims = _two_papers()
    ids = lambda cs: [c.id for c in cs]  # noqa: E731
    assert ids(report_mod.select_claims(claims, ["DANG2024"])) == ["dang2024 Thm 1"]
    assert ids(report_mod.select_claims(claims, [], ["behnia2023 thm 2(i)"])) == ["behnia2023 Thm 2(i)"]  # exact
    assert ids(report_mod.select_claims(claims, [], ["dang"])) == ["dang2024 Thm 1"]  # unique prefix
    assert ids(report_mod.select_claims(claims, ["behnia2023"], ["behnia2023 Thm 2(ii", "behnia2023 Thm 2(i)"])) == \
        ["behnia2023 Thm 2(i)", "behnia2023 Thm 2(ii)"]
    with pytest.raises(InputError, match=r"matches 2 claims.*Thm 2\(i\); behnia2023 Thm 2\(ii\)"):
        report_mod.select_claims(claims, [], ["behnia2023 Thm"])
    with pytest.raises(InputError, match="matches no claim of behnia2023; choose from: behnia2023 Thm 2"):
        report_mod.select_claims(claims, ["behnia2023"], ["dang2024 Thm 1"])


def test_verify_filters_restrict_run_report_and_headline(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(report_mod, "all_claims", _two_papers)
    monkeypatch.setattr(report_mod, "figure_makers", lambda level, papers: [])
    code = main(["verify", "--out", str(tmp_path), "--paper", "behnia2023", "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    obj = json.loads(out)
    assert {r["id"] for r in obj["checks"]} == {"behnia2023 Thm 2(i)", "behnia2023 Thm 2(ii)"}
    none_reduced = {"reduced_consistent": 0, "reduced_inconsistent": 0, "reduced_inconclusive": 0}
    assert obj["papers"] == [{"paper": "behnia2023", "claims": 2, "passed": 2, "with_erratum": 0, "inconclusive": 0,
                              "failed": 0, "checks": 3, "consistency": 0, **none_reduced, "errata": 0},
                             {"paper": "total", "claims": 2, "passed": 2, "with_erratum": 0, "inconclusive": 0,
                              "failed": 0, "checks": 3, "consistency": 0, **none_reduced, "errata": 0}]
    assert json.loads((tmp_path / "report.json").read_text())["papers"] == obj["papers"]
    assert [line[:5] for line in err.splitlines() if line.startswith("[")] == ["[1/3]", "[2/3]", "[3/3]"]
    assert "| behnia2023 | 2 | 2 | 0 | 0 | 0 | 3 | 0 | 0 / 0 / 0 | 0 |" in err  # the headline table at the end
    code = main(["verify", "--out", str(tmp_path), "--claim", "dang2024 T", "--json"])
    assert code == 0 and {r["id"] for r in json.loads(capsys.readouterr().out)["checks"]} == {"dang2024 Thm 1"}
    code = main(["verify", "--out", str(tmp_path), "--claim", "yang2022"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("igeom: error: --claim 'yang2022' matches no claim; choose from: behnia2023 Thm 2(i);")


def test_progress_entry_wraps_at_spaces_and_estimates_the_time_left():
    from igeom.commands.verify import progress_lines

    CheckRecord = report_mod.CheckRecord
    words = "the closed-form minimiser of eq. (3a) against the convex program solved by SCS with a KKT certificate"
    rec = CheckRecord("behnia2023 Thm 2(i)", "behnia2023", "claim", "numeric", words, "pass", 2.5e-7, 1e-6,
                      0.25, "")
    lines = progress_lines(rec, 3, 12, 90.0, 60)
    # the status column is as wide as the longest verdict ("inconclusive"); 30 s a check, 9 left
    assert lines[0].startswith("[ 3/12] pass           0.25s  1:30 elapsed, ~4:30 left")
    assert all(len(line) <= 60 for line in lines)
    text = " ".join(line.strip() for line in lines)
    assert words in text and "figure 2.5e-07, figure ≤ 1e-06" in text  # whole, no word cut


# --- inconclusive: a check whose premise the experiment did not meet ------------------------------------

def _premise_claims():
    from proofs_check.runner import premise_not_met

    ok = Check("numeric", "a passing check", lambda: Outcome(True, 1e-12, 1e-9, "fine"))
    # the claim's own figure (0.3 < 0.9) would fail it; the premise (no run with an error) was not met
    unmet = Check("training", "premise check", lambda: premise_not_met(3, 0.0, "zero training error",
                                                                      "claim figure 0.3 < 0.9"))
    return [Claim("behnia2023 Y", "behnia2023", "statement", "assumptions", (ok,)),
            Claim("dang2024 Z", "dang2024", "statement", "assumptions", (ok, unmet))]


def test_unmet_premise_is_inconclusive_in_json_report_and_exit_status(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(report_mod, "all_claims", _premise_claims)
    monkeypatch.setattr(report_mod, "figure_makers", lambda level, papers: [])
    code = main(["verify", "--out", str(tmp_path), "--json"])
    out, err = capsys.readouterr()
    assert code == 0  # inconclusive is not a failure
    obj = json.loads(out)
    row = [r for r in obj["checks"] if r["check"] == "premise check"][0]
    assert row["status"] == "inconclusive" and row["figure"] == 3.0 and row["tolerance"] == 0.0
    assert "premise not met (zero training error)" in row["detail"]
    s = obj["summary"]
    assert (s["claims_passed"], s["claims_inconclusive"], s["claims_failed"]) == (1, 1, 0)
    assert (s["checks_pass"], s["checks_inconclusive"], s["checks_fail"]) == (2, 1, 0)
    dang = [p for p in obj["papers"] if p["paper"] == "dang2024"][0]
    assert (dang["passed"], dang["inconclusive"], dang["failed"]) == (0, 1, 0)
    assert "1 inconclusive (premise not met, or the interval straddles), 0 failed" in err
    assert "| dang2024 | 1 | 0 | 0 | 1 | 0 |" in err  # the headline's inconclusive column
    md = (tmp_path / "report.md").read_text()
    assert "| dang2024 Z | claim | inconclusive (premise not met, or the interval straddles) | numeric, training | 2 |" in md
    assert "— **inconclusive**; figure 3, premise: figure ≤ 0" in md
    assert "<tr class='inconclusive'>" in (tmp_path / "report.html").read_text()


def test_inconclusive_ranks_between_erratum_and_fail():
    from proofs_check.model import CheckRecord
    from proofs_check.render import claim_status
    from theory.core.vocabulary import Status

    assert Status.names() == ("pass", "erratum", "inconclusive", "fail", "error")
    assert claim_status([{"status": "erratum"}, {"status": "inconclusive"}, {"status": "pass"}]) == "inconclusive"
    assert claim_status([{"status": "inconclusive"}, {"status": "fail"}]) == "fail"
    recs = [CheckRecord(cid, "dang2024", "claim", "training", "c", s, None, None, 0.0, "")
            for cid, s in (("a", "inconclusive"), ("a", "erratum"), ("b", "inconclusive"), ("b", "error"))]
    rep = report_mod.Report("full", recs, [], [], 0.0)
    assert rep.summary()["claims_inconclusive"] == 1 and rep.summary()["claims_failed"] == 1
    assert [r.claim_id for r in rep.failed] == ["b"]  # the inconclusive checks are not failures


def test_runner_maps_an_unmet_premise_to_inconclusive_whatever_passed_and_erratum_say():
    from proofs_check.runner import run_check
    from theory.core.vocabulary import Status

    unmet = Outcome(True, 2.0, 0.0, "premise", premise_met=False)  # 'passed' is ignored when the premise fails
    plain = Check("training", "c", lambda: unmet)
    named = Check("training", "c", lambda: unmet, erratum="E1")
    claim = Claim("dang2024 Q", "dang2024", "s", "a", (plain,))
    assert run_check(claim, plain, {}).status == Status.INCONCLUSIVE
    assert run_check(claim, named, {}).status == Status.INCONCLUSIVE  # no erratum applies to an unmet premise
    met = Check("training", "c", lambda: Outcome(False, 2.0, 1.0, "claim"))
    assert run_check(claim, met, {}).status == Status.FAIL
