"""Plots are written as valid, non-empty PNG files."""
import numpy as np

from redqueen.analysis.plots import plot_generality, plot_grid, plot_variances

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 2000          # a blank canvas would still be a PNG; ours has axes and lines


def test_generality_plot(tmp_path):
    runs = np.array([[0.1, 0.3, 0.5], [0.2, np.nan, 0.6]])
    assert_png(plot_generality([1, 2, 3], runs, tmp_path / "g.png", run_labels=["a", "b"]))


def test_variance_plot(tmp_path):
    path = plot_variances([1, 2, 3], {"phenotype": [0.3, 0.2, 0.1], "genotype": [0.5, np.nan, 0.5]},
                          tmp_path / "sub" / "v.png")
    assert_png(path)


def test_grid_plot(tmp_path):
    grid = np.full((4, 3), np.nan)
    grid[0, 1], grid[3, 2] = 0.4, 0.9
    assert_png(plot_grid(grid, tmp_path / "grid.png", "length", "processes",
                         x_edges=(5, 10, 20, np.inf), y_edges=(1, 8, np.inf)))


def test_grid_plot_marks_the_champion_and_generality_names_the_set(tmp_path):
    grid = np.full((3, 3), np.nan)
    grid[1, 2], grid[0, 0] = 0.9, 0.1
    assert_png(plot_grid(grid, tmp_path / "grid.png", "a", "b", marked=(1, 2)))
    runs = np.array([[0.1, 0.3, 0.5], [0.2, 0.4, np.nan]])
    assert_png(plot_generality([0, 1, 2], runs, tmp_path / "g.png", run_labels=["run 1", "run 2"],
                               heldout="drq-heldout"))


def test_runs_of_different_lengths_are_warned_about():
    from redqueen.analysis.convergence import Analysis, _length_warnings
    same = Analysis([1, 2], [0, 1], np.ones((2, 2)), np.ones((2, 2, 1)), np.ones((2, 2, 1)))
    assert _length_warnings(same) == []
    mixed = Analysis([1, 2], [0, 1], np.array([[1.0, 1.0], [1.0, np.nan]]), np.ones((2, 2, 1)), np.ones((2, 2, 1)))
    (warning,) = _length_warnings(mixed)
    assert "run 1: 2" in warning and "run 2: 1" in warning
