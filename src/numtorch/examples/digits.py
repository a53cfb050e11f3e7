"""Train an MLP and a small CNN on the 8x8 handwritten digits that ship with scikit-learn.

    python -m numtorch.examples.digits [--epochs N] [--batch-size B] [--seed S] [--out DIR]

Everything below is ordinary PyTorch code: ``import numtorch as torch`` is the only change.
Each model trains with a tqdm bar per epoch (loss and accuracy), then reports its test
accuracy; the loss/accuracy curves go to ``DIR/digits_curves.png``, the trained weights to
``DIR/<model>.pt``, which is loaded back into a fresh model that must predict the same.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numtorch as torch
from numtorch import nn
from numtorch.utils.data import DataLoader, TensorDataset

__all__ = ["main", "make_mlp", "make_cnn", "load_data"]


def load_data(seed: int):
    """The 1797 digits as float32 tensors, scaled to [0, 1], split 80/20 with ``seed``."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise SystemExit(
            "this example needs scikit-learn (it ships the digits data set): "
            "pip install 'numtorch[examples]'"
        ) from error
    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    labels = torch.tensor(digits.target, dtype=torch.int64)
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))
    n_test = len(labels) // 5
    test, train = order[:n_test], order[n_test:]
    return (images[train], labels[train]), (images[test], labels[test])


def make_mlp() -> nn.Module:
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(64, 128),
        nn.ReLU(),
        nn.Linear(128, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )


def make_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 2 * 2, 10),
    )


def accuracy(model: nn.Module, images, labels) -> float:
    model.eval()
    with torch.no_grad():
        predicted = model(images).argmax(dim=1)
    model.train()
    return (predicted == labels).float().mean().item()


def train(name, model, train_set, test_set, epochs, batch_size, lr, progress=True):
    """Adam on cross-entropy; returns per-epoch (loss, train accuracy) history."""
    loader = DataLoader(TensorDataset(*train_set), batch_size=batch_size, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    history = []
    for epoch in range(1, epochs + 1):
        total, correct, seen = 0.0, 0, 0
        batches = _progress(loader, f"{name} epoch {epoch}/{epochs}", progress)
        for images, labels in batches:
            optimizer.zero_grad()
            logits = model(images)
            loss = loss_fn(logits, labels)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(labels)
            correct += (logits.argmax(dim=1) == labels).sum().item()
            seen += len(labels)
            if hasattr(batches, "set_postfix"):
                batches.set_postfix(loss=f"{total / seen:.4f}", acc=f"{correct / seen:.3f}")
        history.append((total / seen, correct / seen))
    return history


def _progress(loader, description, enabled):
    if not enabled:
        return loader
    try:
        from tqdm import tqdm
    except ImportError:
        return loader
    return tqdm(loader, desc=description, leave=False, file=sys.stdout)


def plot(histories: dict, path: Path) -> bool:
    """Loss and accuracy curves of every model into one PNG (False when matplotlib is absent)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    for name, history in histories.items():
        epochs = range(1, len(history) + 1)
        left.plot(epochs, [loss for loss, _ in history], marker="o", label=name)
        right.plot(epochs, [acc for _, acc in history], marker="o", label=name)
    left.set(title="training loss", xlabel="epoch", ylabel="cross-entropy")
    right.set(title="training accuracy", xlabel="epoch", ylabel="accuracy")
    for axes in (left, right):
        axes.grid(alpha=0.3)
        axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True


def check_reload(name: str, model: nn.Module, factory, images, out_dir: Path) -> Path:
    """Saves the state dict, loads it into a fresh model and checks the predictions agree."""
    path = out_dir / f"{name}.pt"
    torch.save(model.state_dict(), path)
    fresh = factory()
    fresh.load_state_dict(torch.load(path))
    model.eval()
    fresh.eval()
    with torch.no_grad():
        same = torch.equal(model(images).argmax(dim=1), fresh(images).argmax(dim=1))
    if not same:
        raise SystemExit(f"{name}: the reloaded model predicts differently")
    return path


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(
        prog="python -m numtorch.examples.digits",
        description="Train an MLP and a CNN on scikit-learn's 8x8 digits with numtorch.",
    )
    parser.add_argument("--epochs", type=int, default=15, help="passes over the training set")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam's learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("digits_out"), help="output folder")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument(
        "--min-accuracy",
        type=float,
        default=0.95,
        help="exit with an error if a model's test accuracy is below this (0 to never)",
    )
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    train_set, test_set = load_data(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"digits: {len(train_set[1])} training and {len(test_set[1])} test images (8x8)")
    results, histories = {}, {}
    for name, factory in (("mlp", make_mlp), ("cnn", make_cnn)):
        model = factory()
        start = time.perf_counter()
        histories[name] = train(
            name,
            model,
            train_set,
            test_set,
            args.epochs,
            args.batch_size,
            args.lr,
            progress=not args.no_progress,
        )
        seconds = time.perf_counter() - start
        test_accuracy = accuracy(model, *test_set)
        saved = check_reload(name, model, factory, test_set[0], args.out)
        results[name] = test_accuracy
        loss, train_accuracy = histories[name][-1]
        print(
            f"{name}: test accuracy {test_accuracy:.4f} (train loss {loss:.4f}, train accuracy "
            f"{train_accuracy:.4f}, {seconds:.1f} s); saved to {saved} and reloaded: same "
            "predictions"
        )
    if plot(histories, args.out / "digits_curves.png"):
        print(f"curves written to {args.out / 'digits_curves.png'}")
    low = {name: acc for name, acc in results.items() if acc < args.min_accuracy}
    if low:
        raise SystemExit(f"test accuracy below {args.min_accuracy}: {low}")
    return results


if __name__ == "__main__":
    main()
