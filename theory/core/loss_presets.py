"""Loss presets: the losses researchers use on imbalanced data, as logit-scaling parameterizations.

Every preset is written in one form. For a sample with label y, logits z (k numbers) and class counts
n_1..n_k (priors pi_c = n_c / n), with s_c = A[y, c] z_c - iota_c,

    l(z; y) = w_y * phi(a),   a = log sum_{c != y} exp(s_c - s_y + m_y),

phi(a) = softplus(a) = -log p_y for every preset but focal, where phi(a) = sigmoid(a)^gamma_f softplus(a)
(p_y = 1 / (1 + e^a) is the softmax probability of the label on the adjusted logits). The parts:

=================  =============================================  ==========================================
preset             definition (paper, equation)                   A[y, c], iota_c, m_y, w_y
=================  =============================================  ==========================================
CE                 -log softmax(z)_y                               1, 0, 0, 1
wCE(gamma)         omega_y (-log softmax(z)_y), omega_c ~ n_c^-g   1, 0, 0, omega_y (mean weight 1)
CDT(gamma)         behnia2023 eq. (2a), delta_c = (n_c/n_max)^g    delta_c, 0, 0, 1
LDT(gamma)         behnia2023 eq. (2b), delta as CDT               delta_y, 0, 0, 1
VS(gamma, tau)     Kini et al. 2021: delta_c z_c + tau            delta_c, -tau log pi_c, 0, 1
                   log pi_c in the softmax
LA(tau)            Menon et al. 2021: z_c + tau log pi_c          1, -tau log pi_c, 0, 1
balanced-softmax   Ren et al. 2020: n_c e^{z_c} in softmax        1, -log n_c, 0, 1
LDAM(C)            Cao et al. 2019: z_y - C n_y^(-1/4)            1, 0, C n_y^(-1/4), 1
focal(gamma_f)     Lin et al. 2017: -(1 - p_y)^g log p_y          1, 0, 0, 1 (phi is not softplus)
custom             any positive A and offsets iota                 A, iota, 0, 1
=================  =============================================  ==========================================

Each row is derived from the loss's definition: e.g. LA's -log(e^{z_y + tau log pi_y} / sum_c e^{z_c +
tau log pi_c}) = log(1 + sum_{c != y} exp((z_c + tau log pi_c) - (z_y + tau log pi_y))), i.e. s_c = z_c -
iota_c with iota_c = -tau log pi_c; balanced softmax is the same with pi_c replaced by n_c (a common
factor n cancels); LDAM subtracts its margin from the label's logit only, so it enters as m_y, not as an
iota (an iota would shift the other classes' logits too).

Predicted asymptotic geometry (behnia2023 Sec. 3, DESIGN.md): on separable data gradient descent drives
the logits to infinity along the direction of the CS-SVM of A (eq. 3). Bounded additive terms (iota, m)
and positive per-sample weights change the loss by a bounded factor or a bounded shift of the margins, so
they do not change the max-margin direction: wCE, LA, balanced softmax and LDAM predict CE's geometry, VS
predicts CDT's. Multiplicative scalings (CDT, LDT, VS's delta, a custom A) enter the margin constraints and
change it. The focal loss is not a logit-scaling loss: no max-margin prediction is derived for it here,
and it is offered for SGD only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory.core.errors import InputError
from theory.core.imbalance import Imbalance, class_sizes
from theory.core.parameterization import Parameterization
from theory.core.validate import finite_real, positive_vector
from theory.core.vocabulary import Loss, Preset

#: Presets whose additive terms or weights leave the max-margin geometry of their scaling unchanged.
ADDITIVE_OR_WEIGHTED: tuple[Preset, ...] = (Preset.WCE, Preset.VS, Preset.LA, Preset.BALANCED_SOFTMAX, Preset.LDAM)

_RATIONALE = {
    Preset.CE: "plain CE: the CS-SVM with A = 1 (behnia2023 Thm 2 with delta = 1)",
    Preset.WCE: "per-sample weights scale each sample's loss by a bounded positive factor: the max-margin "
                "direction is CE's",
    Preset.CDT: "multiplicative scaling delta_c of the logit of class c enters the margins (eq. 3a): CDT's SELI geometry",
    Preset.LDT: "multiplicative scaling delta_y of the label's row enters the margins (eq. 3b): LDT's SELI geometry",
    Preset.VS: "the multiplicative part delta_c changes the margins (CDT's geometry); the additive part iota does not",
    Preset.LA: "additive offsets iota_c = -tau log pi_c shift every margin by a bounded amount: CE's geometry",
    Preset.BALANCED_SOFTMAX: "additive offsets iota_c = -log n_c (LA with tau = 1): CE's geometry",
    Preset.LDAM: "label margins C n_y^(-1/4) are bounded shifts of the margins: CE's geometry",
    Preset.FOCAL: "focal loss is not a logit-scaling loss: no max-margin prediction is derived; SGD only",
    Preset.CUSTOM: "a custom positive matrix A enters the margins: the certified convex program of its CS-SVM",
}


@dataclass(frozen=True, eq=False)
class PresetLoss:
    """A preset evaluated for class counts: ``param`` (A, iota), ``label_margins`` m (k), per-class sample
    weights ``class_weights`` (k) and ``focal_gamma`` (0 except for focal); see the module docstring."""

    preset: Preset
    counts: np.ndarray
    param: Parameterization
    label_margins: np.ndarray
    class_weights: np.ndarray
    focal_gamma: float = 0.0

    @property
    def k(self) -> int:
        """Number of classes."""
        return self.param.k

    @property
    def rationale(self) -> str:
        """Why the preset predicts the geometry it does (module docstring)."""
        return _RATIONALE[self.preset]

    @property
    def has_prediction(self) -> bool:
        """False for focal, which has no max-margin prediction."""
        return self.preset is not Preset.FOCAL

    def svm_parameterization(self) -> Parameterization:
        """The offset-free parameterization whose CS-SVM (behnia2023 eq. 3) predicts the geometry.

        Offsets, label margins and weights are dropped (they do not enter eq. 3). Family ``CE``, ``CDT`` or
        ``LDT`` when the SELI closed form applies (behnia2023 Thm 2), ``custom`` otherwise. InputError for
        focal.
        """
        if not self.has_prediction:
            raise InputError(f"{self.preset}: {_RATIONALE[Preset.FOCAL]}")
        p = self.param
        if p.family in (Loss.CE, Loss.CDT, Loss.LDT):
            return Parameterization(p.scaling, family=p.family, delta=p.delta)
        if p.family == Loss.VS:  # LA and balanced softmax are VS with delta = 1: CE's program
            return Parameterization.ce(self.k) if np.all(p.delta == p.delta[0]) else Parameterization.cdt(p.delta)
        return Parameterization.custom(p.scaling)

    def loss(self, logits: object, labels: object) -> float:
        """Mean over samples of l(z_i; y_i) of the module docstring (logits n x k), in float64."""
        Z = np.asarray(logits, dtype=np.float64)
        y = self.param.check_labels(labels)
        if Z.shape != (y.size, self.k):
            raise InputError(f"logits must be n x k = {y.size} x {self.k}, got {Z.shape}")
        iota = np.zeros(self.k) if self.param.offsets is None else self.param.offsets
        idx = np.arange(y.size)
        S = self.param.scaling[y] * Z - iota[None, :]
        U = S - S[idx, y][:, None] + self.label_margins[y][:, None]
        U[idx, y] = -np.inf
        top = U.max(axis=1)
        a = top + np.log(np.exp(U - top[:, None]).sum(axis=1))
        phi = np.logaddexp(0.0, a)
        if self.focal_gamma:
            phi = phi * np.exp(-self.focal_gamma * np.logaddexp(0.0, -a))
        return float(np.mean(self.class_weights[y] * phi))


#: The hyperparameters each preset takes (:func:`preset_loss`).
HYPERPARAMETERS: dict[Preset, tuple[str, ...]] = {
    Preset.CE: (), Preset.WCE: ("gamma", "weights"), Preset.CDT: ("gamma",), Preset.LDT: ("gamma",),
    Preset.VS: ("gamma", "tau"), Preset.LA: ("tau",), Preset.BALANCED_SOFTMAX: (), Preset.LDAM: ("ldam_c",),
    Preset.FOCAL: ("focal_gamma",), Preset.CUSTOM: ("scaling", "offsets")}
#: The hyperparameters that change a preset's predicted geometry (module docstring: only the multiplicative
#: delta_c = (n_c/n_max)^gamma enters the margins of eq. 3); the others (wCE's weights, LDAM's C, tau) are
#: bounded factors or shifts and leave the prediction unchanged, so a prediction does not demand them.
PREDICTION_HYPERPARAMETERS: dict[Preset, tuple[str, ...]] = {
    Preset.CDT: ("gamma",), Preset.LDT: ("gamma",), Preset.VS: ("gamma",), Preset.CUSTOM: ("scaling",)}
#: The hyperparameters :func:`preset_loss` cannot do without (wCE also takes explicit ``weights`` instead):
#: every one of them changes the loss, and so the minimiser of a finite-weight-decay UFM.
REQUIRED_HYPERPARAMETERS: dict[Preset, tuple[str, ...]] = {
    Preset.WCE: ("gamma",), Preset.CDT: ("gamma",), Preset.LDT: ("gamma",), Preset.VS: ("gamma",),
    Preset.LDAM: ("ldam_c",), Preset.FOCAL: ("focal_gamma",), Preset.CUSTOM: ("scaling",)}
#: Values of the hyperparameters that do not change the prediction, used when a prediction is asked for
#: without them: uniform wCE weights (gamma = 0), no LDAM margin (C = 0); tau already defaults to 1.
NEUTRAL_FOR_PREDICTION: dict[Preset, dict[str, float]] = {Preset.WCE: {"gamma": 0.0}, Preset.LDAM: {"ldam_c": 0.0}}


def prediction_options(preset: Preset | str, given: dict[str, object]) -> dict[str, object]:
    """The hyperparameters to evaluate ``preset`` with when only its predicted geometry is wanted: the
    ``given`` ones (``None`` values dropped), with neutral values (:data:`NEUTRAL_FOR_PREDICTION`) for those
    that do not change the prediction. InputError for focal (no prediction exists); a missing
    hyperparameter that changes the prediction is left for :func:`preset_loss` to refuse."""
    name = Preset.parse(preset)
    if name is Preset.FOCAL:
        raise InputError(f"focal: {_RATIONALE[Preset.FOCAL]}")
    options = {key: value for key, value in given.items() if value is not None}
    weights_given = "weights" in options
    for key, value in NEUTRAL_FOR_PREDICTION.get(name, {}).items():
        if key not in options and not weights_given:
            options[key] = value
    return options


def _delta(counts: np.ndarray, gamma: float) -> np.ndarray:
    """delta_c = (n_c / n_max)^gamma (so Delta = R^gamma on STEP counts, behnia2023 App. A.1)."""
    return positive_vector("delta", (counts / counts.max()) ** gamma)


def _need(name: str, value: float | None, preset: Preset) -> float:
    if value is None:
        raise InputError(f"preset {preset} needs {name}")
    return finite_real(name, value)


def preset_loss(preset: Preset | str, counts: Imbalance | np.ndarray, *, gamma: float | None = None, tau: float | None = None,
                ldam_c: float | None = None, focal_gamma: float | None = None, weights: object | None = None,
                scaling: object | None = None, offsets: object | None = None) -> PresetLoss:
    """The :class:`PresetLoss` of ``preset`` for class ``counts`` (table of the module docstring): an
    :class:`Imbalance`, or positive real class sizes (the class-level programs, e.g. the finite-lambda UFM,
    weight classes by real sizes; :func:`theory.core.imbalance.class_sizes`).

    Hyperparameters: ``gamma`` (wCE exponent of n_c^-gamma, CDT / LDT / VS exponent of delta), ``tau`` (LA,
    VS; default 1), ``ldam_c`` (LDAM's C), ``focal_gamma`` (focal), ``weights`` (wCE: explicit per-class
    weights instead of n_c^-gamma), ``scaling`` and ``offsets`` (custom). InputError for a missing or
    meaningless hyperparameter.
    """
    try:
        name = Preset.parse(preset)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    n = np.array(class_sizes("counts", counts))
    k = n.size
    given = {"gamma": gamma, "tau": tau, "ldam_c": ldam_c, "focal_gamma": focal_gamma, "weights": weights,
             "scaling": scaling, "offsets": offsets}
    allowed = HYPERPARAMETERS[name]
    extra = [key for key, v in given.items() if v is not None and key not in allowed]
    if extra:
        raise InputError(f"preset {name} takes no {', '.join(extra)}")
    margins, w, focal = np.zeros(k), np.ones(k), 0.0
    try:
        if name in (Preset.CE, Preset.WCE, Preset.FOCAL):
            param = Parameterization.ce(k)
        elif name in (Preset.CDT, Preset.LDT, Preset.VS):
            delta = _delta(n, _need("gamma", gamma, name))
            if name == Preset.CDT:
                param = Parameterization.cdt(delta)
            elif name == Preset.LDT:
                param = Parameterization.ldt(delta)
            else:
                param = Parameterization.vs(delta, -(1.0 if tau is None else finite_real("tau", tau)) * np.log(n / n.sum()))
        elif name == Preset.LA:  # VS of behnia2023 eq. (1) with delta = 1
            param = Parameterization.vs(np.ones(k), -(1.0 if tau is None else finite_real("tau", tau)) * np.log(n / n.sum()))
        elif name == Preset.BALANCED_SOFTMAX:
            param = Parameterization.vs(np.ones(k), -np.log(n))
        elif name == Preset.LDAM:
            c = _need("ldam_c", ldam_c, name)
            if c < 0:
                raise InputError(f"LDAM's C must be >= 0, got {c:g}")
            param, margins = Parameterization.ce(k), c * n ** -0.25
        else:  # custom
            if scaling is None:
                raise InputError("preset custom needs a scaling matrix")
            param = Parameterization.custom(np.asarray(scaling, dtype=np.float64), offsets)
            if param.k != k:
                raise InputError(f"the scaling matrix is {param.k} x {param.k} but there are {k} class counts")
        if name == Preset.WCE:
            if (weights is None) == (gamma is None):
                raise InputError("preset wCE needs exactly one of gamma (weights n_c^-gamma) and weights")
            if weights is None:
                raw = n ** -finite_real("gamma", gamma)
                w = raw * n.sum() / (n * raw).sum()
            else:
                w = np.array(positive_vector("weights", weights, length=k))
        if name == Preset.FOCAL:
            focal = _need("focal_gamma", focal_gamma, name)
            if focal < 0:
                raise InputError(f"focal gamma must be >= 0, got {focal:g}")
    except InputError:
        raise
    except ValueError as exc:
        raise InputError(str(exc)) from None
    margins.setflags(write=False)
    w.setflags(write=False)
    return PresetLoss(name, n, param, margins, w, focal)
