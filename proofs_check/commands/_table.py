"""Plain-text table of a group-geometry block (keys W, M, WM of ``igeom geometry --json``)."""

from __future__ import annotations


def fmt(v: float | None) -> str:
    """A number with 10 significant digits, or ``null``."""
    return "null" if v is None else f"{v:.10g}"


def geometry_lines(block: dict[str, dict[str, float | None]]) -> list[str]:
    """Rows for classifiers W, class means M (norm ratio, three cosines) and cos(w_c, mu_c)."""
    cols = ("norm_ratio", "cos_maj_maj", "cos_min_min", "cos_maj_min")
    lines = [f"{'':16}" + "".join(f"{c:>16}" for c in cols)]
    for label, key in (("classifiers W", "W"), ("class means M", "M")):
        lines.append(f"{label:16}" + "".join(f"{fmt(block[key][c]):>16}" for c in cols))
    lines.append(f"{'':16}{'cos_maj':>16}{'cos_min':>16}")
    lines.append(f"{'cos(w_c, mu_c)':16}{fmt(block['WM']['cos_maj']):>16}{fmt(block['WM']['cos_min']):>16}")
    return lines
