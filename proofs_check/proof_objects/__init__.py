"""Proof objects: the mathematical objects that claims and errata both evaluate.

The points of the papers' problems (a UFM+ point (W, H) of dang2024's problem (4), a feature against the
fixed simplex ETF of yang2022, the layer-peeled point), the quantities their proofs are written in (the
exponents and phi of Step 1, c_1*, c_2, x_bar and the reduced objective g_k of Step 4; softmax
probabilities, the CE and DR losses and their gradient steps, the terms of Appendix B (38)), and the
relative figures and finite-difference calculus used to compare evaluations and check derivatives.
:mod:`proofs_check.claims` and :mod:`proofs_check.errata` import these modules; they never import each
other, and nothing here imports either.
"""
