"""yang2022's identities derived in SymPy: the ETF Gram matrix, the optimum (7), the CE and DR gradients.

- Eq. (1) -> eq. (6): W* = sqrt(E_W K/(K-1)) U P with P = I_K - 1 1^T/K and U^T U = I_K. Matrices
  alpha I + beta J (J = 1 1^T, J^2 = K J) form an algebra; W*^T W* = E_W K/(K-1) P^T P is computed in it.
- Eq. (7): at the DLPM optimum h*_k = sqrt(E_H/E_W) w*_k (Thm 1). The scale is derived: maximise the
  alignment c E_W of h = c w*_k subject to ||h||^2 = c^2 E_W <= E_H; then h*_k^T w*_k' follows from (6).
- Eq. (12): d CE / d z_j = p_j - 1{j = c} for logits z_j = h^T w_j, so d CE / d h = sum_j (p_j - 1{j=c}) w_j;
  SymPy differentiates log-softmax for K = 2..6 classes explicitly (the pattern is then stated for all K).
- Eq. (14)-(15): d L_DR / d h = (w_c^T h - sqrt(E_W E_H)) / sqrt(E_W E_H) w_c for every h; on the sphere
  ||h||^2 = E_H with ||w_c||^2 = E_W it equals -(1 - cos(h, w_c)) w_c, which is (15) (erratum
  yang2022-dr-gradient-sphere: (15) needs the sphere).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from theory.infra.rich import Block

K = sp.Symbol("K", integer=True, positive=True)
E_W, E_H = sp.symbols("E_W E_H", positive=True)
cos_theta = sp.Symbol(r"\cos\angle(\mathbf{h}, \mathbf{w}_c^*)", real=True)
inner = sp.Symbol(r"\mathbf{w}_c^{*T}\mathbf{h}", real=True)


@dataclass(frozen=True)
class IJ:
    """alpha I_K + beta 1 1^T (K symbolic): the algebra of the ETF's Gram matrices."""

    alpha: sp.Expr
    beta: sp.Expr

    def __matmul__(self, other: "IJ") -> "IJ":
        return IJ(sp.simplify(self.alpha * other.alpha),
                  sp.simplify(self.alpha * other.beta + self.beta * other.alpha + K * self.beta * other.beta))

    def scale(self, c: sp.Expr) -> "IJ":
        return IJ(sp.simplify(c * self.alpha), sp.simplify(c * self.beta))

    def diagonal(self) -> sp.Expr:
        return sp.simplify(self.alpha + self.beta)

    def off_diagonal(self) -> sp.Expr:
        return sp.simplify(self.beta)


def etf_gram_entries() -> tuple[sp.Expr, sp.Expr]:
    """(w*_k^T w*_k, w*_k^T w*_k') for k != k' from eq. (1) with U^T U = I (P is symmetric)."""
    P = IJ(sp.Integer(1), -1 / K)
    gram = (P @ P).scale(E_W * K / (K - 1))
    return gram.diagonal(), gram.off_diagonal()


def optimal_scale() -> sp.Expr:
    """c* maximising c E_W subject to c^2 E_W <= E_H (the alignment of h = c w*_k, Thm 1)."""
    c = sp.Symbol("c", positive=True)
    roots = sp.solve(sp.Eq(c**2 * E_W, E_H), c)  # the objective increases in c: the constraint is active
    return roots[0]


def optimum_inner_products() -> tuple[sp.Expr, sp.Expr]:
    """(h*_k^T w*_k, h*_k^T w*_k') for k != k' (eq. (7))."""
    same, other = etf_gram_entries()
    c = optimal_scale()
    return sp.simplify(c * same), sp.simplify(c * other)


def ce_logit_gradient(n_classes: int, label: int = 0) -> list[sp.Expr]:
    """d CE / d z_j - (p_j - 1{j = label}) for an explicit number of classes (all zero: eq. (12))."""
    z = sp.symbols(f"z0:{n_classes}", real=True)
    loss = -z[label] + sp.log(sum(sp.exp(zj) for zj in z))
    total = sum(sp.exp(zj) for zj in z)
    return [sp.simplify(sp.diff(loss, z[j]) - (sp.exp(z[j]) / total - (1 if j == label else 0)))
            for j in range(n_classes)]


def dr_gradient_coefficient() -> sp.Expr:
    """The coefficient g with d L_DR / d h = g w*_c for the DR loss (14), as a function of w_c^T h."""
    root = sp.sqrt(E_W * E_H)
    loss = (inner - root) ** 2 / (2 * root)
    return sp.simplify(sp.diff(loss, inner))


def dr_gradient_on_sphere() -> sp.Expr:
    """The same coefficient at ||h||^2 = E_H, ||w_c||^2 = E_W (w_c^T h = sqrt(E_W E_H) cos)."""
    return sp.factor(dr_gradient_coefficient().subs(inner, sp.sqrt(E_W * E_H) * cos_theta))


def sheet_blocks() -> list[Block]:
    """yang2022's part of the formula sheet (each right-hand side derived above)."""
    same, other = etf_gram_entries()
    h_same, h_other = optimum_inner_products()
    return [
        Block("text", r"Simplex ETF $\mathbf{W}^* = \sqrt{E_W K/(K-1)}\,\mathbf{U}(\mathbf{I}_K - \frac1K "
                      r"\mathbf{1}\mathbf{1}^\top)$ with $\mathbf{U}^\top\mathbf{U} = \mathbf{I}_K$ (eq. (1), "
                      r"needs $d \ge K$); DLPM (5) with $\|\mathbf{w}_k\|^2 = E_W$ and $\|\mathbf{h}\|^2 \le E_H$."),
        Block("math", r"\mathbf{w}_k^{*\top}\mathbf{w}_k^* = " + sp.latex(same)),
        Block("math", r"\mathbf{w}_k^{*\top}\mathbf{w}_{k'}^* = " + sp.latex(other) + r"\quad (k \ne k')"),
        Block("math", r"\mathbf{h}_k^* = " + sp.latex(optimal_scale()) + r"\,\mathbf{w}_k^*"),
        Block("math", r"\mathbf{h}_k^{*\top}\mathbf{w}_k^* = " + sp.latex(h_same)),
        Block("math", r"\mathbf{h}_k^{*\top}\mathbf{w}_{k'}^* = " + sp.latex(h_other) + r"\quad (k \ne k')"),
        Block("math", r"\frac{\partial \mathcal{L}_{CE}}{\partial \mathbf{h}} = -(1 - p_c)\,\mathbf{w}_c + "
                      r"\sum_{k \ne c} p_k\,\mathbf{w}_k"),
        Block("text", r"from $\partial \mathcal{L}_{CE}/\partial z_j = p_j - [j = c]$ (differentiated by SymPy "
                      r"for K = 2 to 6) and $z_j = \mathbf{h}^\top\mathbf{w}_j$."),
        Block("math", r"\frac{\partial \mathcal{L}_{DR}}{\partial \mathbf{h}} = \left("
                      + sp.latex(dr_gradient_coefficient()) + r"\right)\mathbf{w}_c^*"),
        Block("text", r"and on the sphere $\|\mathbf{h}\|^2 = E_H$ only (erratum: (15) needs the sphere):"),
        Block("math", r"\frac{\partial \mathcal{L}_{DR}}{\partial \mathbf{h}} = \left("
                      + sp.latex(dr_gradient_on_sphere()) + r"\right)\mathbf{w}_c^*"),
    ]
