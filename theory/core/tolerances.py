"""The suite's tolerance table: every bound a check, an erratum's evidence or a certificate is held to, named once.

Each constant says what it bounds and why it has its value. "Measured" figures are the largest (or, for a
floor, the smallest) figures of the checks that use the constant in ``igeom verify --level quick`` on
float64 (report.json of 2026-11-26); the margin between the two is the point of the value. A claim that
needs another bound gets a new named constant here, never a literal.

Tolerances are relative to the scale of the compared values unless the name says otherwise.
"""

from __future__ import annotations

# ------------------------------------------------------------------ floating-point equalities
ROUNDING = 1e-12
"""Equality (or the non-strict side of an inequality) between two float64 evaluations of one quantity by
different formulas, relative to max(1, |values|): about 5e3 ulps, room for sums over K <= 8 classes and
N <= 72 samples. Measured <= 2.5e-15 over the proof steps, Remark 4 and Thm 2 margins of behnia2023."""

SEL_KERNEL_ROUNDING = 1e-13
"""behnia2023 Def. 1(a): Xi(delta)^T diag(delta)^{-1} 1 = 0 relative to max |Xi|; the kernel identity is a
single weighted sum of k <= 8 entries, so it is held tighter than :data:`ROUNDING`. Measured 1.7e-15."""

CLOSED_FORM_AGREEMENT = 1e-10
"""An equality at a closed-form point (the Thm 1 minimiser or configuration of dang2024, h* of yang2022)
whose two sides go through logs, square roots and exponentials of the inputs (lambda products down to
1e-6, counts up to 9): 100 x :data:`ROUNDING`. Measured <= 1.6e-14."""

LOG_RANGE_IDENTITY = 1e-11
"""dang2024 Step 4, the identity below (39) for t over six decades [1e-3, 1e3]: log(1 + t) and log(t)
each lose up to three digits at the ends of the range. Measured 3.8e-16."""

SEL_CLOSED_FORM = 1e-9
"""behnia2023 Sec. 4: SymPy closed forms of the SELI geometry against the extended-precision eigen route,
for R <= 1000 and |gamma| <= 1.5 (delta ratios up to 3e4, so the closed forms lose up to ~5 digits to
cancellation in double). Measured 5.2e-16."""

ETF_GRAM = 1e-12
"""yang2022 eq. (2): W^T W of a simplex ETF against K/(K-1) I - 1/(K-1), relative to E_W (one QR and one
product). Measured 1.4e-15."""

# -------------------------------------------------------------------- strictness and printed statements
STRICT_GAP = 1e-9
"""Smallest relative gap lhs - rhs that counts as a strict inequality: 1e3 x :data:`ROUNDING` (far above
rounding), far below a generic gap. Measured smallest gaps >= 3.8e-5."""

PRINTED_EQUALITY = 1e-9
"""A check of a statement *as printed* (an equality, or an inequality's shortfall) that the suite expects
to fail by an erratum: it passes only within the strictness floor :data:`STRICT_GAP`, so a failure is a
genuine violation, never rounding. Measured failures >= 0.98 (behnia2023 Def. 1, yang2022 Def. 1, Thm 2)."""

# -------------------------------------------------------------------------- derivatives
FINITE_DIFFERENCE = 1e-6
"""A derivative formula against central differences with step 1e-6 x max(1, |x|): truncation error
~h^2 |f'''| ~ 1e-12 and cancellation ~eps/h ~ 1e-10 relative. Measured <= 3.7e-8."""

GRADIENT_SCALE_FLOOR = 1e-2
"""The smallest scale a gradient deviation is measured against (max(1e-2, max |formula|)): below it an
absolute central-difference error of 1e-10 would be amplified into a false failure."""

# ------------------------------------------------------------------------ dang2024 UFM+ problem (4)
KKT_POINT = 1e-12
"""(W, H) "is a KKT point of problem (4)": the projected-gradient KKT residual of
:meth:`numerics.ufm_plus.UFMPlusProblem.kkt_residual` is at most this. Closed-form minimisers evaluate it at
rounding level (largest 2.9e-16 over 900 drawn minimisers, K <= 8, every collapse regime); a misprinted
configuration is off by orders of magnitude more. One meaning for claims and errata: the claims' former
1e-9 is tightened to this (not loosened), with 3 orders of headroom over the measured residuals."""

UFM_PLUS_SOLVER_KKT = 1e-11
"""The projected-gradient solver of problem (4) (numerics.ufm_plus, PG_TOL) stops at this residual: an
iterative solution cannot reach the rounding level of a closed-form point (:data:`KKT_POINT`).
Listed for the solver to import; proofs_check does not use it."""

UFM_PLUS_SOLVER_AGREEMENT = 1e-8
"""dang2024 Thm 1: the numerical solver's margins, norms and cosines against the closed forms on random
instances; the solver stops at :data:`UFM_PLUS_SOLVER_KKT` and the deviation scales with the inverse
curvature. Measured 5.1e-10."""

UFM_PLUS_REFERENCE_AGREEMENT = 1e-9
"""The same agreement on the errata's fixed reference instance (counts (8, 8, 2, 2), three starts), held
10 x tighter than on random instances because that instance is well conditioned."""

NC_AT_MINIMIZER = 1e-9
"""dang2024 eqs. (19)-(21): NC1-NC3 at the numerical minimiser of problem (4) (numerics.ufm_plus, relative KKT
residual <= 1e-9, Newton-polished), NC3 against the closed-form margins M_k: the metrics are Lipschitz in the
solver's deviation (NC1 quadratic), 1e-14..1e-12 after its polish. Measured 2.5e-14 (quick, 8 instances),
1.7e-12 (full, 40 instances)."""

NC_DETECTION_FLOOR = 1e-6
"""Negative control of eqs. (19)-(21): after a 1 % perturbation of the minimiser min(NC1, NC3) must exceed
this floor (1e3 x :data:`NC_AT_MINIMIZER`). Measured 2.6e-5."""

UFM_PLUS_COLLAPSED_NORM = 1e-8
"""dang2024 Cor. 4, numerically: a class counts as collapsed in the solver's minimiser when ||h_k|| and
||w_j - w_j'|| (j, j' collapsed) are at most this fraction of the largest class-mean / classifier norm, and
the complete collapse (18) when ||W||_F + ||H||_F is at most this (absolute; the solver's H >= 0 bound is
then active). The solver reaches relative KKT residuals <= 1e-9. Measured 6.4e-16 (quick), 2.7e-15 (full)."""

UFM_PLUS_ALIVE_NORM = 1e-3
"""dang2024 Cor. 4, numerically: just above the threshold (n_k = C (1 + eps), eps >= 1e-3) ||h_k|| and
||w_j - w_j'|| must exceed this fraction of the largest norm. The closed form gives ~1.6 sqrt(eps) (0.05 at
eps = 1e-3), crossing 1e-3 only near eps = 4e-7; five orders above :data:`UFM_PLUS_COLLAPSED_NORM`.
Measured smallest 0.045 (quick, K = 3..5), 0.037 (full, K = 3..8)."""

MULTIPLIER_POSITIVE = 1e-4
"""dang2024 erratum on the dual variables: the largest multiplier of H >= 0 at the reference minimiser
must exceed this to count as non-zero (a KKT residual of :data:`KKT_POINT` cannot hide it)."""

# -------------------------------------------------------------------------- behnia2023 solvers and SGD
CS_SVM_AGREEMENT = 1e-5
"""The certified convex CS-SVM (SCS at eps = 1e-8) against the Thm 2 prediction: objective to ~1e-9
relative, Z and the Gram distances to ~1e-8..1e-6 on these small problems. Measured <= 1.1e-7."""

CERTIFIED_GAP_SCALE = 1.0
"""behnia2023 Sec. 4 closed forms against the certified convex CS-SVM: the largest relative difference of the
group norm ratios and cosines, divided by sqrt(g) with g the certificate's rigorous relative duality gap, must
be at most this. Near its unique minimiser the convex program's objective grows at least quadratically, so a
point within a relative gap g of the optimum lies within O(sqrt g) of it; the constant is 1 on the relative
scale. The certificate holds g <= 1e-6, so the bound never exceeds 1e-3 (a 3 % error in a closed form
fails). Measured 1.0e-4 (quick: 12 settings), 3.3e-4 (full: 128 settings)."""

IMPLICIT_BIAS_RATE = 0.1
"""behnia2023 Prop. 1: relative error of the log-time increment per decade of gradient descent on VS
against the CS-SVM direction; the error decays like 1/log t, so a finite run meets it only to this.
Measured 7.9e-2 (iota = 0) and 1.7e-2."""

TRAINING_DISTANCE = 0.02
"""SGD on the UFM (k = 4, R = 4, float64, to zero training error) against the SELI geometry: W/M/WM
normalised distances. Measured <= 7.3e-3."""

PAPER_RECIPE_DISTANCE = 0.05
"""The paper-size sweep (6000 epochs, best recipe, |gamma| <= 1) against the SELI geometry: the
distances converge like 1/log t (App. A.3)."""

CONVERGED_CHANGE = 0.01
"""behnia2023 App. A.1 sweeps (issue 21): a run has *converged* at its last epoch T when its largest W/M/WM
distance fell by at most this over the last doubling of training (epoch T/2 to T), a fifth of
:data:`PAPER_RECIPE_DISTANCE`. Under the 1/log t law of App. A.3 a run at distance d falls by about
d ln 2 / ln T per doubling (0.08 d at T = 6000), so a run above ~0.12 that meets this has slowed below that
law: its distance is where the recipe leaves it, not a point on the way to the tolerance."""

SLOWDOWN_MARGIN = 0.1
"""Fig. 4: the W distance after the paper's 6000 epochs must grow by more than this from R = 2 to R = 100, on
every seed."""

TREND_RANK = 0.8
"""A trend over a parameter grid read from a plot ("larger x gives larger y"): Spearman's rank correlation of
at least this magnitude over the grid (the threshold of behnia2023 Fig. 5's check, stated before the runs)."""

SIGNIFICANT_DIFFERENCE = 2.0
"""An empirical "A is better than B" over a set of runs: the mean paired difference in the stated direction
must be at least this many standard errors above zero (about 97.5 % one-sided under normal noise)."""

GRID_SLACK = 1e-9
"""Slack of comparisons of swept grid values (gamma) with the thresholds 0.5, 0.75 and 1 that the paper
states: grid points are computed in float64 and may land an ulp off."""

# ------------------------------------------------------------------------------ yang2022 solvers
DLPM_CE = 1e-4
"""yang2022 Thm 1, CE: minimisers lie on the sphere with a positive multiplier and are found to ~2e-5
(relative deviation from sqrt(E_H/E_W) w*_k). Measured 1.6e-5."""

DLPM_DR = 1e-3
"""yang2022 Thm 1, DR: the objective grows like theta^4 near its optimum, so solver accuracy eps moves h by
~eps^(1/4) (~7e-5 measured)."""

NON_ETF_CONTROL = 0.05
"""Negative control of yang2022 Thm 1: with unequal classifier norms the deviation from eq. (33) must
exceed this. Measured 0.11."""

# -------------------------------------------------------------------------- errata evidence
MISPRINT_EFFECT = 1e-3
"""A misprint has a visible effect: the printed and the corrected value differ by more than this on the
evidence's reference instance (both values are O(0.1..10))."""

MISPRINT_DR_GRADIENT = 1e-2
"""yang2022 eq. (15) off the sphere and the printed terms of (38): the printed form must miss the central
differences (or the vectors) by more than this, 1e4 x :data:`FINITE_DIFFERENCE`."""

MISPRINT_STEP = 1e-6
"""yang2022 App. B step of (42): the ratio at the printed step must exceed the bound (1 + cos)/2 by more
than this (the corrected step attains it to :data:`ROUNDING`)."""

ETA_DR_LONG_STEP = 1e-4
"""yang2022 Thm 2 erratum: at a huge step (gamma = 1e10) the projected DR contraction nearly vanishes
(the DR gradient is parallel to h*); held to this."""

CONTRACTION_EQUALITY = 1e-9
"""yang2022 Thm 2 erratum: DR's pre-projection contraction ratio at gamma = sqrt(E_H/E_W) against (1 + cos)/2
at ||h - h*|| >= 1e-3: the numerator ||h - gamma grad - h*||^2 loses ~6 digits to cancellation."""

SEL_SVD_NOT_ORTHONORMAL = 0.5
"""behnia2023 Def. 1: ||U^T U - I||_F above this refutes 'U has orthonormal columns' (it is 0 or >= 1
for the reference counts; rounding is 1e-15)."""

#: |numeric SELI cosine at R = 1e12 - its symbolic limit R -> infinity| (behnia2023 limits). The approach to
#: the limit is O(R^(-1/2)) (measured at k = 6, k_m = 3: 8e-3 -> 8e-6 from R = 1e6 to 1e12 for CE, 3e-5
#: for CDT at fixed Delta, 7e-13 at Delta = sqrt(R)); 1e-3 leaves a factor 30 over the slowest case.
LIMIT_AT_LARGE_R = 1e-3

# ------------------------------------------------------- claims of the remarks, appendices and edges
LPM_SOLVER = 1e-6
"""yang2022 eq. (4) (layer-peeled model, learnable W) solved by SLSQP over class features
(numerics.lpm, ftol 1e-14, several starts): objective values, active norms and cosines of the minimiser
agree with their exact values to ~1e-8 (the variables converge like the square root of the objective's
tolerance); 1e-6 leaves two orders. Also the floor a strict gap between two solved optima must exceed."""
