"""Loss presets (theory.core.loss_presets) against plain-loop references written from each loss's definition,
and class-count profiles (theory.core.profiles)."""

import math

import numpy as np
import pytest

from theory.core.errors import InputError
from theory.core.imbalance import Imbalance
from theory.core.loss_presets import preset_loss
from theory.core.profiles import parse_counts
from theory.core.vocabulary import Loss, Preset

COUNTS = Imbalance([40, 40, 12, 5])
N = COUNTS.counts.astype(np.float64)


def _data(seed=0, n=30):
    rng = np.random.default_rng(seed)
    return 2.0 * rng.standard_normal((n, COUNTS.k)), rng.integers(0, COUNTS.k, n)


def _neg_log_softmax(scores, y):
    """-log(e^{scores[y]} / sum_c e^{scores[c]}), written as a loop."""
    total = 0.0
    for s in scores:
        total += math.exp(s)
    return -(scores[y] - math.log(total))


def _reference(name, z, y, **hp):
    """Mean loss over samples from the textbook definition of each loss (no shared code with presets.py)."""
    n = N
    k = n.size
    prior = [c / sum(n) for c in n]
    out = []
    for zi, yi in zip(z, y):
        if name == "CE":
            out.append(_neg_log_softmax(list(zi), yi))
        elif name == "wCE":  # weights proportional to n_c^-gamma, mean per-sample weight 1
            raw = [c ** -hp["gamma"] for c in n]
            scale = sum(n) / sum(c * r for c, r in zip(n, raw))
            out.append(scale * raw[yi] * _neg_log_softmax(list(zi), yi))
        elif name in ("CDT", "LDT", "VS"):
            delta = [(c / max(n)) ** hp["gamma"] for c in n]
            if name == "CDT":  # behnia2023 eq. (2a): logit c divided by temperature 1/delta_c
                scores = [delta[c] * zi[c] for c in range(k)]
            elif name == "LDT":  # eq. (2b): every logit scaled by delta of the label
                scores = [delta[yi] * zi[c] for c in range(k)]
            else:  # Kini et al. 2021: delta_c z_c + tau log pi_c
                scores = [delta[c] * zi[c] + hp["tau"] * math.log(prior[c]) for c in range(k)]
            out.append(_neg_log_softmax(scores, yi))
        elif name == "LA":  # Menon et al. 2021: softmax of z_c + tau log pi_c
            out.append(_neg_log_softmax([zi[c] + hp["tau"] * math.log(prior[c]) for c in range(k)], yi))
        elif name == "balanced-softmax":  # Ren et al. 2020: p_y = n_y e^{z_y} / sum_c n_c e^{z_c}
            num = n[yi] * math.exp(zi[yi])
            den = sum(n[c] * math.exp(zi[c]) for c in range(k))
            out.append(-math.log(num / den))
        elif name == "LDAM":  # Cao et al. 2019: subtract Delta_y = C n_y^(-1/4) from the label's logit
            margin = hp["ldam_c"] / n[yi] ** 0.25
            scores = [zi[c] - (margin if c == yi else 0.0) for c in range(k)]
            out.append(_neg_log_softmax(scores, yi))
        elif name == "focal":  # Lin et al. 2017: -(1 - p_y)^gamma log p_y
            p = math.exp(-_neg_log_softmax(list(zi), yi))
            out.append(-((1 - p) ** hp["focal_gamma"]) * math.log(p))
        elif name == "custom":
            A, iota = hp["scaling"], hp["offsets"]
            out.append(_neg_log_softmax([A[yi][c] * zi[c] - iota[c] for c in range(k)], yi))
    return sum(out) / len(out)


CASES = [("CE", {}), ("wCE", {"gamma": 1.0}), ("wCE", {"gamma": 0.5}), ("CDT", {"gamma": 0.7}), ("CDT", {"gamma": -1.0}),
         ("LDT", {"gamma": 0.5}), ("VS", {"gamma": 0.3, "tau": 1.5}), ("LA", {"tau": 1.0}), ("LA", {"tau": 0.4}),
         ("balanced-softmax", {}), ("LDAM", {"ldam_c": 0.5}), ("LDAM", {"ldam_c": 2.0}), ("focal", {"focal_gamma": 2.0}),
         ("focal", {"focal_gamma": 0.5}),
         ("custom", {"scaling": [[1, 2, 1, 1], [1, 1, 3, 1], [2, 1, 1, 1], [1, 1, 1, 0.5]], "offsets": [0.1, -0.2, 0.3, 0]})]


@pytest.mark.parametrize("name,hp", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_preset_mapping_matches_the_definition_of_the_loss(name, hp):
    """The (A, iota, m, w, phi) mapping reproduces the loss as its paper defines it, to 1e-12 relative."""
    z, y = _data()
    loss = preset_loss(name, COUNTS, **hp)
    assert loss.loss(z, y) == pytest.approx(_reference(name, z, y, **hp), rel=1e-12)


def test_ldam_is_not_an_offset_loss():
    """LDAM's margin shifts only the label's logit: reading it as offsets iota (shifting a class's logit in
    every sample) gives a different loss, so the label-margin slot is needed."""
    z, y = _data(1)
    ldam = preset_loss("LDAM", COUNTS, ldam_c=1.0)
    as_offsets = preset_loss("custom", COUNTS, scaling=np.ones((4, 4)), offsets=1.0 / N**0.25)
    assert abs(ldam.loss(z, y) - as_offsets.loss(z, y)) > 1e-2


def test_cdt_delta_gives_R_to_the_gamma_on_step_counts():
    """delta_c = (n_c / n_max)^gamma: Delta = delta_maj / delta_min = R^gamma (behnia2023 App. A.1)."""
    loss = preset_loss("CDT", parse_counts("step:6,2,25"), gamma=0.5)
    delta = loss.param.delta
    assert delta[0] / delta[-1] == pytest.approx(25.0**0.5, rel=1e-14)


@pytest.mark.parametrize("name,hp,family", [("CE", {}, Loss.CE), ("wCE", {"gamma": 1.0}, Loss.CE),
                                            ("LA", {"tau": 1.0}, Loss.CE), ("balanced-softmax", {}, Loss.CE),
                                            ("LDAM", {"ldam_c": 1.0}, Loss.CE), ("VS", {"gamma": 0.5}, Loss.CDT),
                                            ("CDT", {"gamma": 0.5}, Loss.CDT), ("LDT", {"gamma": 0.5}, Loss.LDT)])
def test_svm_parameterization_drops_offsets_margins_and_weights(name, hp, family):
    """The CS-SVM (behnia2023 eq. 3) sees only the multiplicative scaling."""
    loss = preset_loss(name, COUNTS, **hp)
    p = loss.svm_parameterization()
    assert p.family == family and p.offsets is None
    np.testing.assert_array_equal(p.scaling, loss.param.scaling)


def test_focal_has_no_max_margin_prediction():
    with pytest.raises(InputError, match="no max-margin prediction"):
        preset_loss("focal", COUNTS, focal_gamma=2.0).svm_parameterization()


@pytest.mark.parametrize("name,hp,match", [("CDT", {}, "needs gamma"), ("LA", {"gamma": 1.0}, "takes no gamma"),
                                           ("LDAM", {"ldam_c": -1.0}, ">= 0"), ("nope", {}, "unknown preset"),
                                           ("wCE", {}, "exactly one"), ("focal", {"focal_gamma": -1.0}, ">= 0"),
                                           ("custom", {}, "scaling"),
                                           ("custom", {"scaling": np.ones((3, 3))}, "3 x 3"),
                                           ("custom", {"scaling": -np.ones((4, 4))}, "positive")])
def test_bad_preset_arguments(name, hp, match):
    with pytest.raises(InputError, match=match):
        preset_loss(name, COUNTS, **hp)


def test_preset_names_come_from_the_vocabulary():
    assert Preset.parse("balanced-softmax") is Preset.BALANCED_SOFTMAX and Preset.parse("ldam") is Preset.LDAM


# ------------------------------------------------------------------------------------------ profiles
def test_counts_list_and_step_profile():
    """A profile becomes an Imbalance; a step profile keeps its minority group (k_minor), a list has none."""
    assert parse_counts("500,500,50,50") == Imbalance([500, 500, 50, 50])
    assert parse_counts("step:5,2,10,3") == Imbalance([30, 30, 30, 3, 3], k_minor=2)
    assert parse_counts("step:4,1,4") == Imbalance([4, 4, 4, 1], k_minor=1)
    # the groups come from the profile, not from the sizes: step:4,3,1 has one size but two groups
    maj, mnr = parse_counts("step:4,3,1,2").groups()
    assert maj.tolist() == [0] and mnr.tolist() == [1, 2, 3]


@pytest.mark.parametrize("value, match", [([40, 0, 12, 5], "strictly positive"), ([[40, 40], [12, 5]], "1-dimensional"),
                                          ([7.0], "at least 2 class sizes")])
def test_preset_loss_refuses_bad_class_sizes(value, match):
    """preset_loss takes an Imbalance or positive real class sizes (class_sizes); anything else is InputError."""
    with pytest.raises(InputError, match=match):
        preset_loss("CDT", value, gamma=0.5)


def test_exp_profile_reproduces_cifar_lt_counts():
    """CIFAR-10-LT (imbalance 100) and CIFAR-100-LT class sizes as published with Cao et al. 2019's data."""
    np.testing.assert_array_equal(parse_counts("exp:10,100").counts, [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50])
    assert parse_counts("exp:10,100").n == 12406
    c100 = parse_counts("exp:100,100,500").counts
    assert c100[0] == 500 and c100[-1] == 5 and c100.sum() == 10847


@pytest.mark.parametrize("text", ["", "7", "a,b", "1.5,2", "0,3", "step:4,4,10", "step:4,2,1.5", "step:4,2",
                                  "exp:10,100,10", "exp:1,10", "exp:10,0.5", "foo:1,2", "step:4,2,inf"])
def test_bad_profiles(text):
    with pytest.raises(InputError):
        parse_counts(text)
