"""README's Python examples run as written (the docs cannot drift from the code)."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_python_block_runs(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})


def test_readme_has_ci_blocks():
    text = README.read_text()
    assert "<!-- ci:setup -->" in text and "<!-- ci:test -->" in text
    assert len(BLOCKS) >= 1


#: the report.json of the last ``igeom verify --level full`` run, recorded because that run takes longer
#: than the default test run (its provenance says when, where and how long)
FULL_RUN = Path(__file__).resolve().parents[1] / "docs" / "runs" / "verify-full.json"


def _headline(depth: str) -> str:
    """The per-paper headline README shows for ``depth``. quick: what a run produces when every check meets
    its expectation (a check that names an erratum ends as ``erratum``, every other as ``pass``), which
    tests/proofs_check/test_registry.py holds every quick check to in the default test run. full: the
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
        checks = [{"status": "erratum" if ch.erratum else "pass", "consistency": ch.consistency}
                  for ch in c.checks if ch.quick]
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
