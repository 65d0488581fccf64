"""Report figures that come from theory alone: the Fig. 1-style 3-D view of the k = 3 geometries
(behnia2023 Fig. 1) and the UFM+ collapse plot (dang2024 Cor. 4). Training figures (Fig. 2, Fig. 4)
come from :mod:`training.paper_figures`. Every figure is a PNG written atomically; matplotlib runs headless.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from theory.core.errors import ComputationError
from theory.infra.atomic import write_atomic


def _save(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return write_atomic(path, buf.getvalue())


def factor_from_grams(G_W: np.ndarray, G_M: np.ndarray, G_WM: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectors W, M (columns, dimension 2k) realising the joint Gram matrix [[G_W, G_WM], [G_WM^T, G_M]]
    (PSD by construction for a CS-SVM minimiser); used to draw a geometry known only by its Grams."""
    k = G_W.shape[0]
    J = np.block([[G_W, G_WM], [G_WM.T, G_M]])
    evals, evecs = np.linalg.eigh(0.5 * (J + J.T))
    if evals.min() < -1e-9 * evals.max():
        raise ComputationError("joint Gram matrix is not positive semidefinite")
    F = (evecs * np.sqrt(np.clip(evals, 0, None))).T  # rows: coordinates, columns: vectors
    F = F[np.argsort(evals)[::-1]]
    return F[:, :k], F[:, k:]


def geometry_3d(path: Path, R: float = 10.0) -> Path:
    """behnia2023 Fig. 1: k = 3 (2 minorities), R = 10, Delta = sqrt(R); CE, CDT and LDT geometries,
    classifiers w_c (solid) and class means mu_c (dashed), each rescaled to unit largest norm."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from theory.seli.seli_geometry import seli_geometry, step_counts
    from theory.core.parameterization import Parameterization
    from theory.core.vocabulary import Loss

    counts = step_counts(3, 2, R)
    d = np.array([np.sqrt(R), 1.0, 1.0])
    fig = plt.figure(figsize=(12, 4))
    colors = ["tab:blue", "tab:orange", "tab:green"]
    for i, param in enumerate((Parameterization.ce(3), Parameterization.cdt(d), Parameterization.ldt(d))):
        name = param.family
        geo = seli_geometry(counts, param)
        W, M = factor_from_grams(geo.G_W, geo.G_M, geo.G_WM)
        W, M = W[:3] / np.linalg.norm(W, axis=0).max(), M[:3] / np.linalg.norm(M, axis=0).max()
        ax = fig.add_subplot(1, 3, i + 1, projection="3d")
        for c in range(3):  # one legend entry per vector: class c + 1 (1: the majority, 2 and 3: minorities)
            group = "majority" if c == 0 else "minority"
            ax.quiver(0, 0, 0, *W[:, c], color=colors[c], linewidth=2, label=rf"$w_{c + 1}$ ({group})")
            ax.quiver(0, 0, 0, *M[:, c], color=colors[c], linestyle="--", linewidth=1.5,
                      label=rf"$\mu_{c + 1}$ ({group})")
        ax.set_title(f"{name}" + ("" if name == Loss.CE else r", $\Delta=\sqrt{R}$"))
        ax.set_xlim(-1, 1), ax.set_ylim(-1, 1), ax.set_zlim(-1, 1)
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):  # three ticks: the corner labels no longer touch
            axis.set_ticks([-1, 0, 1])
        if i == 0:
            ax.legend(fontsize=7, loc="upper left")
    fig.suptitle(f"Fig. 1 (behnia2023): k = 3, two minorities, R = {R:g}; solid $w_c$, dashed $\\mu_c$")
    return _save(fig, path)


def ufm_plus_collapse(path: Path) -> Path:
    """dang2024 Cor. 4: margins M_k and squared class-mean norms of a 2-majority / 2-minority UFM+ as the
    imbalance ratio R grows (n_B = 2, lambda_W = lambda_H = 5e-3); the minority-collapse ratio R* marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from theory.ufm_plus.closed_form import minority_collapse_ratio, predict

    lam, n_b = 5e-3, 2
    R_star = minority_collapse_ratio(2, 2, n_b, lam, lam)
    Rs = np.linspace(1, 1.25 * R_star, 240)
    M = np.array([predict([R * n_b] * 2 + [n_b] * 2, lam, lam).M for R in Rs])
    h = np.array([predict([R * n_b] * 2 + [n_b] * 2, lam, lam).h_norm_sq for R in Rs])
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, vals, name in ((axes[0], M, "margin $M_k$"), (axes[1], h, r"$\|h_k\|^2$")):
        ax.plot(Rs, vals[:, 0], label="majority")
        ax.plot(Rs, vals[:, -1], label="minority")
        ax.axvline(R_star, color="k", linestyle=":", label=f"R* = {R_star:.2f}")
        ax.set_xlabel("R = n_A / n_B"), ax.set_ylabel(name), ax.legend()
    fig.suptitle("dang2024 Cor. 4: minority collapse (K_A = K_B = 2, n_B = 2, lambda = 5e-3)")
    return _save(fig, path)
