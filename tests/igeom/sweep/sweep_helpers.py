"""Spec builders shared by the sweep tests."""

from __future__ import annotations


def small_ufm(epochs: int = 200, R=(2.0, 3.0)) -> dict:
    """A small ufm-train spec: 2 losses x 2 gammas x 2 seeds per R (one task per R)."""
    return {"kind": "ufm-train", "grid": {"loss": ["CDT", "LDT"], "gamma": [-0.5, 0.5], "R": list(R), "seed": [0, 1]},
            "fixed": {"k": 4, "k_minor": 2, "n_min": 1, "d": 5, "epochs": epochs, "log_every": 50}}


def to_toml(spec: dict) -> str:
    """TOML text of a spec dictionary (scalars and flat lists only)."""
    import json

    lines = [f'kind = "{spec["kind"]}"']
    for table in ("grid", "fixed"):
        lines.append(f"[{table}]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in spec.get(table, {}).items()]
    return "\n".join(lines) + "\n"
