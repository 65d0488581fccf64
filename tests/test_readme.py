"""README's and docs/'s examples run as written (the docs cannot drift from the code).

Every ```python block of README.md and docs/*.md runs. Every ```bash block marked ``<!-- run -->`` runs in
bash in a fresh directory (the ``igeom`` beside this Python on PATH); where a ```text block follows it, its
lines must appear in the output in that order, each number within 1 % or 0.01 of the one shown (the last
digits of solver and SGD figures may differ between machines; the words may not).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README] + sorted((ROOT / "docs").glob("*.md"))
BLOCKS = [(page, code) for page in PAGES for code in re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)]
RUN = re.compile(r"<!-- run -->\n```bash\n(.*?)```\n(?:\n```text\n(.*?)```)?", flags=re.S)
COMMANDS = [(page, code, expected) for page in PAGES for code, expected in RUN.findall(page.read_text())]
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@pytest.mark.parametrize("page, code", BLOCKS, ids=[f"{p.name}-block{i}" for i, (p, _) in enumerate(BLOCKS)])
def test_python_block_runs(page, code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(code, str(page), "exec"), {"__name__": "__readme__"})


def _line_matches(shown: str, printed: str) -> bool:
    """Same words, numbers within 1 % or 0.01."""
    if NUMBER.sub("#", shown).split() != NUMBER.sub("#", printed).split():
        return False
    return all(abs(float(a) - float(b)) <= max(0.01, 0.01 * abs(float(a)))
               for a, b in zip(NUMBER.findall(shown), NUMBER.findall(printed)))


def expected_lines_appear(expected: str, output: str) -> list[str]:
    """The lines of ``expected`` not found in ``output`` in order (empty when all are)."""
    lines, missing, at = output.splitlines(), [], 0
    for want in (l for l in expected.splitlines() if l.strip()):
        hit = next((i for i in range(at, len(lines)) if _line_matches(want, lines[i])), None)
        if hit is None:
            missing.append(want)
        else:
            at = hit + 1
    return missing


def test_the_output_comparison_discriminates():
    assert not expected_lines_appear("W 0.0073   M 0.0019", "x\nW 0.0081   M 0.0019\n")
    assert expected_lines_appear("W 0.0073   M 0.0019", "W 0.0273   M 0.0019")      # a wrong figure
    assert expected_lines_appear("training error 0.000", "training error 0.000 s")   # a changed word
    assert expected_lines_appear("a\nb", "b\na")                                   # order


@pytest.mark.parametrize("page, code, expected", COMMANDS,
                         ids=[f"{p.name}-run{i}" for i, (p, _, _) in enumerate(COMMANDS)])
def test_shell_example_runs_and_prints_what_the_page_shows(page, code, expected, tmp_path):
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
               PYTHONPATH=os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"{page.name}: exit {done.returncode}\n{done.stderr[-2000:]}"
    missing = expected_lines_appear(expected, done.stdout)
    assert not missing, f"{page.name}: lines shown but not printed:\n" + "\n".join(missing) + "\n--- printed:\n" + done.stdout


def test_readme_has_ci_blocks_and_stays_short():
    text = README.read_text()
    assert "<!-- ci:setup -->" in text and "<!-- ci:test -->" in text
    assert len(BLOCKS) >= 1 and len([c for c in COMMANDS if c[0] == README]) >= 3
    assert len(text.splitlines()) <= 250


#: the report.json of the last ``igeom verify --level full`` run, recorded because that run takes longer
#: than the default test run (its provenance says when, where and how long)
FULL_RUN = Path(__file__).resolve().parents[1] / "docs" / "runs" / "verify-full.json"


def _headline(depth: str) -> str:
    """The per-paper headline README shows for ``depth``. quick: what a run produces when every check meets
    its expectation (a check that names an erratum ends as ``erratum``, every other as ``pass``), which
    tests/proofs_check/test_registry.py holds every quick check to in the default test run; a check declared in
    a reduced setting counts in the reduced-setting column (issue 21). full: the
    recorded run's (:data:`FULL_RUN`), since some full-level checks end inconclusive or failed. Built with
    the report's own functions."""
    import json

    from proofs_check.catalog import all_claims, all_errata
    from proofs_check.render import claim_status, headline_markdown, paper_headlines

    if depth == "full":
        record = json.loads(FULL_RUN.read_text())
        return headline_markdown(paper_headlines(record["claims"], record["errata"]))
    claims = []
    for c in all_claims():
        checks = [{"status": "erratum" if ch.erratum else "pass", "consistency": ch.consistency,
                   "setting": None if ch.setting is None else str(ch.setting)} for ch in c.checks if ch.quick]
        if checks:
            claims.append({"paper": str(c.paper), "status": claim_status(checks), "checks": checks,
                           "extension": c.extension})
    errata = [{"paper": str(e.paper)} for e in all_errata()]
    return headline_markdown(paper_headlines(claims, errata))


def test_recorded_full_run_is_of_the_current_registry() -> None:
    """The recorded full run checked exactly the registry's claims and checks (id, level, description) and
    every erratum: a registry change makes the record stale until ``igeom verify --level full`` is rerun
    and its report.json copied to docs/runs/verify-full.json."""
    import json

    from proofs_check.catalog import all_claims, all_errata
    from proofs_check.render import claim_status

    record = json.loads(FULL_RUN.read_text())
    assert record["summary"]["level"] == "full"
    registry = sorted((c.id, str(ch.level), ch.description) for c in all_claims() for ch in c.checks)
    recorded = sorted((ch["id"], ch["level"], ch["check"]) for c in record["claims"] for ch in c["checks"])
    assert recorded == registry, "docs/runs/verify-full.json is stale: rerun igeom verify --level full"
    assert sorted(e["id"] for e in record["errata"]) == sorted(e.id for e in all_errata())
    for claim in record["claims"]:
        assert claim["status"] == claim_status(claim["checks"]), claim["id"]


@pytest.mark.parametrize("depth", ["quick", "full"])
def test_readme_headline_matches_the_registry(depth: str) -> None:
    text = README.read_text()
    marker = f"<!-- headline:{depth} -->\n"
    assert marker in text, f"README lacks the {depth} headline"
    table = text.split(marker, 1)[1].split("\n\n", 1)[0].strip()
    assert table == _headline(depth), f"README's {depth} headline differs from the registry:\n{_headline(depth)}"
