"""theory.infra.atomic.replace_directory: a directory replaced as a whole, by exchange or by rename."""

import pytest

from theory.infra import atomic


def _tree(path):
    return {p.name: p.read_text() for p in path.iterdir()}


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2-exchange", "rename-aside"])
def test_replace_directory_swaps_whole_sets(tmp_path, monkeypatch, exchange):
    real, calls = atomic._exchange, []
    if exchange:
        monkeypatch.setattr(atomic, "_exchange", lambda a, b: calls.append(real(a, b)) or calls[-1])
    else:
        monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    target, staged = tmp_path / "out", tmp_path / "staged"
    target.mkdir()
    (target / "old.txt").write_text("old")
    (target / "shared.txt").write_text("old")
    staged.mkdir()
    (staged / "shared.txt").write_text("new")
    assert atomic.replace_directory(staged, target) == target
    assert _tree(target) == {"shared.txt": "new"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    if exchange and calls != [True]:
        pytest.skip("renameat2(RENAME_EXCHANGE) is not offered here; the rename-aside path was exercised")


def test_replace_directory_into_a_new_path(tmp_path):
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "a").write_text("1")
    atomic.replace_directory(staged, tmp_path / "new")
    assert _tree(tmp_path / "new") == {"a": "1"} and not staged.exists()


def test_replace_directory_refuses_a_file_target(tmp_path):
    staged, target = tmp_path / "staged", tmp_path / "file"
    staged.mkdir()
    target.write_text("x")
    with pytest.raises(ValueError, match="not a directory"):
        atomic.replace_directory(staged, target)
    assert target.read_text() == "x" and staged.is_dir()
