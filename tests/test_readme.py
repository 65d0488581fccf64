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


def _headline(depth: str) -> str:
    """The per-paper headline a run of ``depth`` produces when every check meets its expectation: a check
    that names an erratum ends as ``erratum``, every other as ``pass`` (tests/proofs_check/test_registry.py
    runs each check and fails otherwise). Built with the report's own functions."""
    from proofs_check.catalog import all_claims, all_errata
    from proofs_check.render import claim_status, headline_markdown, paper_headlines

    claims = []
    for c in all_claims():
        checks = [{"status": "erratum" if ch.erratum else "pass", "consistency": ch.consistency}
                  for ch in c.checks if depth == "full" or ch.quick]
        if checks:
            claims.append({"paper": str(c.paper), "status": claim_status(checks), "checks": checks})
    errata = [{"paper": str(e.paper)} for e in all_errata()]
    return headline_markdown(paper_headlines(claims, errata))


@pytest.mark.parametrize("depth", ["quick", "full"])
def test_readme_headline_matches_the_registry(depth: str) -> None:
    text = README.read_text()
    marker = f"<!-- headline:{depth} -->\n"
    assert marker in text, f"README lacks the {depth} headline"
    table = text.split(marker, 1)[1].split("\n\n", 1)[0].strip()
    assert table == _headline(depth), f"README's {depth} headline differs from the registry:\n{_headline(depth)}"
