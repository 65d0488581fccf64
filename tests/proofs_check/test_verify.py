"""`igeom verify` and the report writer on a small stand-in registry (the real registry's checks are
tested one by one in test_registry.py)."""

import json

import pytest

from proofs_check import report as report_mod
from proofs_check.cli import main
from proofs_check.model import Check, Claim, Outcome


def _claims(fail: bool):
    ok = Check("numeric", "a | piped check", lambda: Outcome(True, 1e-12, 1e-9, "fine"))
    bad = Check("numeric", "failing check", lambda: Outcome(not fail, 3.0, 1.0, "too big"))
    slow = Check("training", "long check", lambda: Outcome(False, 9.0, 1.0, "only in full"), quick=False)
    return [Claim("behnia2023 X", "behnia2023", "statement", "assumptions", (ok, bad, slow))]


@pytest.fixture
def small_registry(monkeypatch):
    def use(fail: bool):
        monkeypatch.setattr(report_mod, "all_claims", lambda: _claims(fail))
        monkeypatch.setattr(report_mod, "figure_makers", lambda level: [])
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
    assert "a \\| piped check" in (tmp_path / "report.md").read_text()
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
