"""The main job, in a fast mode: two epochs, then the same checks as a full run."""

from __future__ import annotations

import pytest

pytest.importorskip("sklearn")

from numtorch.examples import digits  # noqa: E402


def test_digits_fast_mode(tmp_path):
    results = digits.main(
        ["--epochs", "2", "--no-progress", "--out", str(tmp_path), "--min-accuracy", "0.5"]
    )
    assert set(results) == {"mlp", "cnn"}
    assert all(0.5 <= acc <= 1.0 for acc in results.values())
    assert (tmp_path / "mlp.pt").exists() and (tmp_path / "cnn.pt").exists()
    assert (tmp_path / "digits_curves.png").stat().st_size > 1000


def test_digits_below_min_accuracy_fails(tmp_path):
    with pytest.raises(SystemExit, match="test accuracy below"):
        digits.main(
            ["--epochs", "1", "--no-progress", "--out", str(tmp_path), "--min-accuracy", "1.01"]
        )
