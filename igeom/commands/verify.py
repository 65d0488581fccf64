"""``igeom verify``: run every registered claim check and write the report (the suite's main job)."""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
import time
from typing import Any

from igeom.commands._args import add_word_argument, word
from igeom.commands._guard import guards_output
from theory.core.vocabulary import Depth, Paper, Status

#: continuation lines of a progress entry start under the claim id's column
INDENT = 10
#: the progress table's status column fits the longest verdict
STATUS_WIDTH = max(len(name) for name in Status.names())
_PAINT = {Status.PASS: "32", Status.ERRATUM: "33", Status.INCONCLUSIVE: "36", Status.FAIL: "31", Status.ERROR: "31"}


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``verify``."""
    p = sub.add_parser("verify", help="check every claim of the three papers and write the report",
                       description="Run the claim registry (symbolic, numeric and training checks) with a live "
                       "progress table on stderr ([n/N], elapsed time, an estimate of the time left) and the "
                       "per-paper headline at the end; write report.md, report.html, report.json, figures and the "
                       "LaTeX formula sheet to --out, as one unit that replaces an earlier report there. Exit status 1 "
                       "when a check fails that is not a recorded erratum, or a figure, the formula sheet or the errata "
                       "section could not be produced (the report is still written and lists it); an inconclusive "
                       "check (the experiment did not meet the premise of its statement) is counted on its own and "
                       "is not a failure.")
    add_word_argument(p, "--level", Depth, default=Depth.QUICK,
                      help="quick (minutes on 2 CPU cores) or full (adds the long numeric and training checks)")
    p.add_argument("--paper", type=word(Paper), choices=tuple(Paper), action="append", default=[],
                   help="only the claims of this paper (repeatable)")
    p.add_argument("--claim", action="append", default=[], metavar="ID",
                   help="only this claim: its id or a unique prefix of it, e.g. 'dang2024 Thm 1' (repeatable)")
    p.add_argument("--cifar10", metavar="DIR", default=None,
                   help="train the deep-net claims (--level full) on the local CIFAR-10 copy in DIR (python batches "
                   "data_batch_1..5, test_batch; nothing is downloaded) with the papers' CIFAR-10 settings (ResNet-18 "
                   "for behnia2023, the width-1024 MLP for dang2024, ResNet-32 for yang2022: a day and more on a GPU; "
                   "the time estimate for this CPU and for a GPU is printed first) instead of on Fashion-MNIST (Debian's "
                   "dataset-fashion-mnist, the default at --level full) or, without that package, sklearn's digits")
    p.add_argument("--out", default="igeom-report", help="output directory, new, empty or an earlier report (default: igeom-report)")
    p.add_argument("--json", action="store_true",
                   help="print report.json's summary, per-paper headline (papers), checks and failures as one JSON object")
    return p


def clock(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``) of a non-negative duration."""
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_lines(rec: Any, done: int, total: int, elapsed: float, width: int) -> list[str]:
    """One progress entry: ``[n/N]``, status, the check's seconds, elapsed time and the time left
    (the mean time of the checks done so far times the checks left), claim and level, then the full
    description with its measured figure and pass criterion, wrapped to ``width`` columns at spaces."""
    from proofs_check.render import CONSISTENCY_LABEL, criterion

    left = elapsed / done * (total - done)
    digits = len(str(total))
    head = (f"[{done:>{digits}}/{total}] {rec.status:{STATUS_WIDTH}} {rec.seconds:6.2f}s  {clock(elapsed)} elapsed, "
            f"~{clock(left)} left  {rec.claim_id} ({rec.level})")
    figure = "" if rec.figure is None else f"; figure {rec.figure:.3g}, {criterion(rec.as_dict())}"
    if rec.setting is not None:
        figure += f"; setting {rec.setting}" + (f" ({'; '.join(rec.departures)})" if rec.departures else "")
    width = max(width, INDENT + 20)
    options = dict(width=width, subsequent_indent=" " * INDENT, break_long_words=False, break_on_hyphens=False)
    tag = f"[{CONSISTENCY_LABEL}] " if rec.consistency else ""
    return textwrap.wrap(head, **options) + textwrap.wrap(tag + rec.description + figure, initial_indent=" " * INDENT,
                                                          **options)


def deep_net_data(args: argparse.Namespace):  # noqa: ANN201 - a proofs_check.claims.deepnets.DeepNetData
    """What the deep-net claims train on (:func:`proofs_check.claims.deepnets.choose_data`)."""
    from proofs_check.claims.deepnets import choose_data

    return choose_data(args.level == Depth.FULL, args.cifar10, sys.stderr)


@guards_output("out", "--out")
def run(args: argparse.Namespace) -> int:
    """Run the (filtered) registry, stream one entry per check, write the report, print the headline."""
    from proofs_check import report as registry_run
    from proofs_check.render import headline_markdown
    from proofs_check.claims.deepnets import estimate_line, training_data
    from proofs_check.report import check_out_dir, planned_checks, select_claims, write_report
    from theory.infra.jsonout import print_json

    filtered = bool(args.paper or args.claim)
    claims = select_claims(registry_run.all_claims(), args.paper, args.claim) if filtered else None
    chosen = deep_net_data(args)
    check_out_dir(args.out)  # bad --out: one line, before the header (the lock is already held)
    if chosen.preset == "cifar10":
        sys.stderr.write(estimate_line(chosen) + "\n")
    total = len(planned_checks(args.level, claims))

    colour = sys.stderr.isatty()
    done = [0]
    start = time.perf_counter()

    def progress(rec) -> None:
        done[0] += 1
        width = shutil.get_terminal_size().columns
        lines = progress_lines(rec, done[0], total, time.perf_counter() - start, width)
        if colour:
            status = f"{rec.status:{STATUS_WIDTH}}"
            lines[0] = lines[0].replace(status, f"\033[{_PAINT[rec.status]}m{status}\033[0m", 1)
        sys.stderr.write("\n".join(lines) + "\n")
        sys.stderr.flush()

    papers = ", ".join(sorted({c.paper for c in claims})) if filtered else ", ".join(Paper.names())
    sys.stderr.write(f"igeom verify --level {args.level}: {total} checks of the claims of {papers}\n")
    with training_data(chosen):
        report = write_report(args.out, args.level, progress, claims, deep_nets=chosen.describe())
    s = report.summary()
    headlines = report.headlines()
    sys.stderr.write(f"claims {s['claims']}: {s['claims_passed']} passed, {s['claims_with_erratum']} with a "
                     f"recorded erratum, {s['claims_inconclusive']} inconclusive (premise not met, or the interval straddles), {s['claims_failed']} "
                     f"failed in the paper's setting; in a reduced setting {s['claims_reduced_consistent']} consistent, "
                     f"{s['claims_reduced_inconsistent']} inconsistent, {s['claims_reduced_inconclusive']} inconclusive; "
                     f"{s['checks']} checks ({s['checks_consistency']} of them implementation-consistency) in "
                     f"{s['seconds']} s; "
                     f"report in {args.out}/report.html\n")
    sys.stderr.write(headline_markdown(headlines) + "\n")
    for failure in report.failures:
        sys.stderr.write(f"report step failed (listed in the report): {failure.step}: {failure.error}\n")
    if args.json:
        print_json({"summary": s, "papers": headlines, "checks": [r.as_dict() for r in report.records],
                    "failures": [f.as_dict() for f in report.failures]})
    return 1 if report.failed or report.failures else 0
