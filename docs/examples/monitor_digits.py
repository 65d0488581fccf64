"""Worked example of docs/monitor.md: NC metrics logged while an MLP trains on STEP-imbalanced sklearn digits.

Trains ``training.nets.MLP`` with cross-entropy and SGD on digits with 5 majority classes of 150 samples and
5 minority classes of 15 (R = 10), and every ``every`` epochs measures, on the training loader, NC1 (trace
form and CDNV), NC2 against the simplex ETF and against the SELI geometry that CE predicts for these counts
(behnia2023 Thm 2), NC3, NC4 and the Gram distances, logging them to TensorBoard (``OUT/tb``), a Parquet
table (``OUT/collapse.parquet``) and a callback that prints one line. Runs in a few seconds on a CPU.

    PYTHONPATH=. python docs/examples/monitor_digits.py OUT [--epochs 40] [--every 10]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from proofs_check.tasks.feature_measurement import PredictionSpec, predict
from training.collapse_monitor import CollapseMonitor
from training.data import digits_step
from training.nets import MLP


def main(out: str | Path, epochs: int = 40, every: int = 10, seed: int = 0, quiet: bool = False) -> CollapseMonitor:
    """Train and monitor; returns the (closed) monitor, whose ``rows`` are the table's rows."""
    out = Path(out)
    torch.manual_seed(seed)
    data = digits_step(k_minor=5, R=10, n_min=15, seed=seed)
    k = data.imbalance.k
    train = torch.utils.data.TensorDataset(data.X_train, data.y_train)
    loader = torch.utils.data.DataLoader(train, batch_size=64, shuffle=True)
    measure_loader = torch.utils.data.DataLoader(train, batch_size=512)  # fixed order, no shuffling
    model = MLP(64, k, d=32, hidden=(128,))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    prediction = predict(data.imbalance.counts, PredictionSpec("CE"))  # the SELI geometry of these counts

    def report(epoch: int, metrics, row: dict) -> None:
        if not quiet:
            print(f"epoch {epoch:3d}: NC1 {row['nc1']:.4f}  CDNV {row['nc1_cdnv']:.4f}  NC2 (SELI) {row['nc2']:.4f}  "
                  f"NC2 (ETF) {row['nc2_etf']:.4f}  NC3 {row['nc3']:.4f}  NC4 {row['nc4']:.4f}  "
                  f"({1e3 * row['seconds']:.0f} ms)")

    monitor = CollapseMonitor(model, model.classifier, measure_loader, k, every=every, unit="epoch",
                              predicted=prediction.geometry, centering=prediction.centering,
                              tensorboard=out / "tb", table=out / "collapse.parquet", callback=report)
    loss_fn = torch.nn.CrossEntropyLoss()
    for _epoch in range(epochs):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()
        monitor.tick()
    monitor.close()
    return monitor


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="folder for the TensorBoard events (OUT/tb) and the table (OUT/collapse.parquet)")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--every", type=int, default=10)
    args = parser.parse_args()
    main(args.out, args.epochs, args.every)
