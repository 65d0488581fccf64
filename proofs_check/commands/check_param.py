"""``igeom check-param``: a new logit-scaling parameterization against its predicted geometry."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from proofs_check.commands._args import integer

if TYPE_CHECKING:
    from proofs_check.check_param import Prediction
    from theory.core.parameterization import Parameterization


def _counts(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--counts must be comma-separated integers, got {text!r}") from None
    return values


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``check-param``."""
    p = sub.add_parser("check-param", help="predicted geometry of a new logit-scaling matrix vs SGD",
                       description="Solve the CS-SVM of a k x k positive logit-scaling matrix (entry [y, c] "
                       "multiplies logit c for label y) as a certified convex program, train the UFM with SGD on "
                       "the corresponding loss, and report the distances between normalised Gram matrices.")
    source = p.add_mutually_exclusive_group(required=True)  # where the parameterization comes from
    source.add_argument("--scaling", metavar="FILE", help="k x k matrix, .csv (rows) or .json (nested lists)")
    p.add_argument("--counts", required=True, type=_counts, help="class counts n1,n2,... (k of them)")
    p.add_argument("--iota", metavar="FILE", help="additive offsets (k numbers), .csv or .json")
    p.add_argument("--epochs", type=integer, default=3000, help="SGD epochs (default 3000)")
    p.add_argument("--d", type=integer, help="UFM width (default k)")
    p.add_argument("--seed", type=integer, default=0)
    p.add_argument("--predict-only", action="store_true",
                   help="print the certified prediction (Gram matrices at the SVM normalisation) without training")
    p.add_argument("--out", help="directory for check_param.json and check_param.png (prediction.json with --predict-only)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def _parameterization(args: argparse.Namespace) -> "Parameterization":
    """The parameterization named by the arguments (today ``--scaling`` with optional ``--iota``)."""
    from proofs_check.check_param import read_matrix
    from theory.core.parameterization import Parameterization

    iota = None if args.iota is None else read_matrix(args.iota, "offsets").reshape(-1)
    return Parameterization.custom(read_matrix(args.scaling), iota)


def _print_prediction(prediction: "Prediction") -> None:
    """Text form of ``--predict-only``: program, certificate, per-class norms (a summary when k > 20)."""
    import numpy as np

    geo, cert = prediction.geometry, prediction.certificate
    print(f"prediction: {prediction.program} program, certified (relative gap {cert.relative_gap:.1e}, "
          f"rank {cert.rank}), k = {geo.k}, ||W||^2 + ||H||^2 = {cert.primal_objective:.6g}, "
          f"{prediction.seconds:.1f} s")
    w_norm, m_norm = np.sqrt(np.diag(geo.G_W)), np.sqrt(np.diag(geo.G_M))
    cosine = np.diag(geo.G_WM) / (w_norm * m_norm)
    if geo.k <= 20:
        print("class  count  ||w_c||  ||mu_c||  cos(w_c, mu_c)")
        for c in range(geo.k):
            print(f"{c:5d}  {geo.counts[c]:5g}  {w_norm[c]:7.4f}  {m_norm[c]:8.4f}  {cosine[c]:14.4f}")
        return
    for name, values in (("||w_c||", w_norm), ("||mu_c||", m_norm), ("cos(w_c, mu_c)", cosine)):
        print(f"{name}: min {values.min():.4f}  median {np.median(values):.4f}  max {values.max():.4f}")
    print("(--json or --out for the Gram matrices)")


def run(args: argparse.Namespace) -> int:
    """Read the inputs, run the check (or only the prediction), print and write the results."""
    from pathlib import Path

    from proofs_check.check_param import check_parameterization, plot, predict
    from theory.infra.atomic import write_atomic

    param = _parameterization(args)
    if args.out is not None and Path(args.out).exists() and not Path(args.out).is_dir():
        raise ValueError(f"--out {args.out} exists and is not a directory")
    if args.predict_only:
        prediction = predict(param, args.counts)
        obj = prediction.as_dict()
        if args.out is not None:
            path = write_atomic(Path(args.out) / "prediction.json", json.dumps(obj))
            sys.stderr.write(f"igeom: wrote {path}\n")
        if args.json:
            print(json.dumps(obj))
        else:
            _print_prediction(prediction)
        return 0
    result = check_parameterization(param.scaling, args.counts, param.offsets, epochs=args.epochs, d=args.d,
                                    seed=args.seed)
    obj = result.as_dict()
    if args.out is not None:
        out = Path(args.out)
        write_atomic(out / "check_param.json", json.dumps(obj, indent=1))
        plot(result, out / "check_param.png")
        sys.stderr.write(f"igeom: wrote {out / 'check_param.json'} and {out / 'check_param.png'}\n")
    if args.json:
        print(json.dumps(obj))
        return 0
    d = result.distance
    print(f"prediction: {result.program} convex program, certified (relative gap {result.certificate_gap:.1e})")
    print(f"SGD: {result.epochs} epochs, training error {result.train_error:.3f}")
    print(f"distances (App. A.4, normalised Gram matrices): W {d['W']:.4f}   M {d['M']:.4f}   WM {d['WM']:.4f}")
    return 0
