"""``igeom experiment gamma-figure``: behnia2023 Figs. 2/3 with one row per finished gamma sweep."""

from __future__ import annotations

import json
import struct

import pytest

from cli_run import run_cli as _run


def _png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.fixture(scope="module")
def ufm_json(tmp_path_factory) -> str:
    """A real (short) UFM CDT sweep saved from ``igeom train --json``."""
    from igeom.cli import main as cli

    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert cli(["train", "--loss", "CDT", "--epochs", "200", "--gammas", "-1:1:3", "--json"]) == 0
    path = tmp_path_factory.mktemp("ufm") / "ufm.json"
    path.write_text(buf.getvalue())
    return str(path)


def test_one_row_per_sweep_and_the_json_summary(capsys, tmp_path, ufm_json):
    one, two = tmp_path / "one.png", tmp_path / "two.png"
    assert _run(capsys, ["experiment", "gamma-figure", "--row", f"UFM={ufm_json}", "--out", str(one)])[0] == 0
    code, out, err = _run(capsys, ["experiment", "gamma-figure", "--row", f"UFM={ufm_json}",
                                   "--row", f"again={ufm_json},{ufm_json}", "--out", str(two), "--json"])
    assert code == 0 and err == ""
    summary = json.loads(out)
    assert [r["label"] for r in summary["rows"]] == ["UFM", "again"]
    assert [r["runs"] for r in summary["rows"]] == [3, 6]  # a row holds the runs of all its files
    (w1, h1), (w2, h2) = _png_size(one), _png_size(two)
    assert w1 == w2 and h2 > 1.7 * h1 - 100  # a second row of panels, same ten columns


def test_bad_rows_are_one_line_exit_2(capsys, tmp_path, ufm_json):
    data = json.loads(open(ufm_json).read())
    three = dict(data, counts=data["counts"][:-1] + [1])
    other = dict(data, counts=[c * 2 for c in data["counts"]])
    (tmp_path / "three.json").write_text(json.dumps(three))
    (tmp_path / "other.json").write_text(json.dumps(other))
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "empty.json").write_text(json.dumps({"counts": [5, 1], "runs": []}))
    cases = {"noequals": "LABEL=PATH", f"x={tmp_path / 'missing.json'}": "no file",
             f"x={tmp_path / 'bad.json'}": "not readable JSON", f"x={tmp_path / 'empty.json'}": "no 'counts' and 'runs'",
             f"x={tmp_path / 'three.json'}": "not STEP", f"x={ufm_json},{tmp_path / 'other.json'}": "has counts"}
    for row, message in cases.items():
        code, out, err = _run(capsys, ["experiment", "gamma-figure", "--row", row, "--out", str(tmp_path / "f.png")])
        assert code == 2 and out == "" and err.count("\n") == 1 and message in err, (row, err)
    assert not (tmp_path / "f.png").exists()
