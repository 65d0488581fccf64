"""``igeom verify``: run every registered claim check and write the report (the suite's main job)."""

from __future__ import annotations

import argparse
import sys

from proofs_check.commands._args import add_word_argument
from proofs_check.commands._guard import guards_output
from theory.core.vocabulary import Depth, Status


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``verify``."""
    p = sub.add_parser("verify", help="check every claim of the three papers and write the report",
                       description="Run the claim registry (symbolic, numeric and training checks) with a live "
                       "progress table on stderr; write report.md, report.html, report.json, figures and the "
                       "LaTeX formula sheet to --out, as one unit that replaces an earlier report there. Exit status 1 "
                       "when a check fails that is not a recorded erratum, or a figure, the formula sheet or the errata "
                       "section could not be produced (the report is still written and lists it).")
    add_word_argument(p, "--level", Depth, default=Depth.QUICK,
                   help="quick (minutes on 2 CPU cores) or full (adds the long numeric and training checks)")
    p.add_argument("--out", default="igeom-report", help="output directory, new, empty or an earlier report (default: igeom-report)")
    p.add_argument("--json", action="store_true", help="print report.json's summary and checks as one JSON object")
    return p


@guards_output("out", "--out")
def run(args: argparse.Namespace) -> int:
    """Run the registry, stream one line per check, write the report."""
    from proofs_check.report import check_out_dir, write_report
    from theory.infra.jsonout import print_json

    check_out_dir(args.out)  # bad --out: one line, before the header (the lock is already held)

    colour = sys.stderr.isatty()
    paint = {Status.PASS: "32", Status.ERRATUM: "33", Status.FAIL: "31", Status.ERROR: "31"}
    done = [0]

    def progress(rec) -> None:
        done[0] += 1
        tag = f"\033[{paint[rec.status]}m{rec.status:7}\033[0m" if colour else f"{rec.status:7}"
        fig = "" if rec.figure is None else f"  figure {rec.figure:.3g}"
        tol = "" if rec.tolerance is None else f" (tolerance {rec.tolerance:.3g})"
        sys.stderr.write(f"[{done[0]:3}] {tag} {rec.seconds:6.2f}s  {rec.claim_id:30} {rec.level:9} "
                         f"{rec.description[:60]}{fig}{tol}\n")
        sys.stderr.flush()

    sys.stderr.write(f"igeom verify --level {args.level}: checking the claims of behnia2023, dang2024, yang2022\n")
    report = write_report(args.out, args.level, progress)
    s = report.summary()
    sys.stderr.write(f"claims {s['claims']}: {s['claims_passed']} passed, {s['claims_with_erratum']} with a "
                     f"recorded erratum, {s['claims_failed']} failed; {s['checks']} checks in {s['seconds']} s; "
                     f"report in {args.out}/report.html\n")
    for failure in report.failures:
        sys.stderr.write(f"report step failed (listed in the report): {failure.step}: {failure.error}\n")
    if args.json:
        print_json({"summary": s, "checks": [r.as_dict() for r in report.records],
                    "failures": [f.as_dict() for f in report.failures]})
    return 1 if report.failed or report.failures else 0
