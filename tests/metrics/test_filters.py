"""poise.metrics.filters against scipy.signal, the reference it replaces.

SciPy stays a test dependency for this: every function is held equal to its
SciPy counterpart, to rounding, on many random inputs (lengths, rates, cutoffs,
channel counts, block cuts), and the analysis is held never to import it.
"""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest
from scipy import signal

from poise.metrics import filters

SEEDS = range(12)


def _close(actual: np.ndarray, expected: np.ndarray, rel: float = 1e-10) -> None:
    scale = max(float(np.max(np.abs(expected))), 1e-300)
    assert actual.shape == expected.shape
    assert float(np.max(np.abs(actual - expected))) <= rel * scale


def _design(rng: np.random.Generator) -> tuple[int, object, str, float]:
    rate = float(rng.choice([50.0, 100.0, 104.0, 416.0, 833.0, 1000.0]))
    order = int(rng.integers(1, 5))
    kind = str(rng.choice(["lowpass", "highpass", "bandpass"]))
    if kind == "bandpass":
        low = rng.uniform(0.005, 0.3) * rate
        return order, (low, rng.uniform(low * 1.2, 0.49 * rate)), kind, rate
    return order, rng.uniform(0.002, 0.45) * rate, kind, rate


@pytest.mark.parametrize("seed", SEEDS)
def test_butterworth_sections_have_scipys_response(seed):
    rng = np.random.default_rng(seed)
    order, cutoff, kind, rate = _design(rng)
    ours = filters.butter(order, cutoff, kind, rate)
    theirs = signal.butter(order, cutoff, kind, fs=rate, output="sos")
    assert ours.shape == theirs.shape
    assert np.allclose(ours[:, 3], 1.0)
    # Sections may pair poles and zeros in another order: the response is what must agree.
    _, h_ours = signal.sosfreqz(ours, worN=512, fs=rate)
    _, h_theirs = signal.sosfreqz(theirs, worN=512, fs=rate)
    assert np.max(np.abs(h_ours - h_theirs)) < 1e-9


@pytest.mark.parametrize("seed", SEEDS)
def test_sosfilt_and_sosfiltfilt_equal_scipys(seed):
    rng = np.random.default_rng(100 + seed)
    order, cutoff, kind, rate = _design(rng)
    sos = signal.butter(order, cutoff, kind, fs=rate, output="sos")
    n = int(rng.choice([40, 63, 64, 65, 1000, 4097, 70_001]))
    k = int(rng.integers(1, 4))
    x = rng.standard_normal((n, k)).cumsum(axis=0) + rng.standard_normal((n, k))
    _close(filters.sosfilt(sos, x), signal.sosfilt(sos, x, axis=0))
    if n > 3 * (2 * len(sos) + 1):
        _close(filters.sosfiltfilt(sos, x), signal.sosfiltfilt(sos, x, axis=0))
        _close(filters.sosfiltfilt(sos, x[:, 0]), signal.sosfiltfilt(sos, x[:, 0]))


def test_sosfiltfilt_refuses_too_short_a_series():
    sos = filters.butter(2, 5.0, "lowpass", 100.0)
    with pytest.raises(ValueError, match="cannot filter 9 samples"):
        filters.sosfiltfilt(sos, np.zeros(9))


@pytest.mark.parametrize("seed", SEEDS)
def test_sosfilt_carries_its_state_across_any_block_cuts_as_scipy_does(seed):
    rng = np.random.default_rng(200 + seed)
    sos = filters.butter(4, (10.0, 40.0), "bandpass", float(rng.choice([104.0, 833.0, 1000.0])))
    x = rng.standard_normal((3000, 3))
    assert np.abs(filters.sosfilt_zi(sos) - signal.sosfilt_zi(sos)).max() < 1e-12
    ours = filters.sosfilt_zi(sos)[:, :, None] * x[0][None, None, :]
    theirs = ours.copy()
    out_ours, out_theirs = [], []
    edges = np.unique(np.concatenate(([0, 3000], rng.integers(0, 3000, 120))))
    for lo, hi in itertools.pairwise(edges):
        y, ours = filters.sosfilt(sos, x[lo:hi], ours)
        out_ours.append(y)
        y, theirs = signal.sosfilt(sos, x[lo:hi], axis=0, zi=theirs)
        out_theirs.append(y)
    _close(np.vstack(out_ours), np.vstack(out_theirs))
    _close(ours, theirs)


@pytest.mark.parametrize("seed", SEEDS[:6])
def test_first_order_lfilter_with_state_equals_scipys(seed):
    rng = np.random.default_rng(300 + seed)
    alpha = rng.uniform(1e-4, 0.5)
    b, a = (alpha,), (1.0, alpha - 1.0)
    x = rng.standard_normal((int(rng.integers(1, 500)), 2))
    zi = rng.standard_normal((1, 2))
    y_ours, z_ours = filters.lfilter(b, a, x, zi)
    y_theirs, z_theirs = signal.lfilter(b, a, x, axis=0, zi=zi)
    _close(y_ours, y_theirs)
    _close(z_ours, z_theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_welch_equals_scipys(seed):
    rng = np.random.default_rng(400 + seed)
    n = int(rng.integers(16, 40_000))
    rate = float(rng.choice([100.0, 104.0, 1000.0]))
    segment = min(n, int(rng.integers(8, 12_000)))
    x = rng.standard_normal(n).cumsum()
    f_ours, p_ours = filters.welch(x, rate, segment)
    f_theirs, p_theirs = signal.welch(x, fs=rate, nperseg=segment)
    _close(f_ours, f_theirs, 1e-14)
    _close(p_ours, p_theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_hilbert_envelope_equals_scipys(seed):
    rng = np.random.default_rng(500 + seed)
    x = rng.standard_normal((int(rng.integers(2, 5000)), int(rng.integers(1, 3))))
    _close(filters.hilbert_envelope(x), np.abs(signal.hilbert(x, axis=0)))


@pytest.mark.parametrize("seed", SEEDS)
def test_resample_poly_equals_scipys(seed):
    rng = np.random.default_rng(600 + seed)
    up, down = int(rng.integers(1, 12)), int(rng.integers(1, 5))
    if seed == 0:
        up, down = 160, 147  # speech at 22.05 kHz to 24 kHz
    x = rng.standard_normal(int(rng.integers(1, 3000)))
    _close(filters.resample_poly(x, up, down), signal.resample_poly(x, up, down))


def test_analysis_never_imports_scipy_signal_or_stats(tmp_path):
    """Importing the analysis, and a full analyze of a recording, stay clear of scipy.signal,
    scipy.stats and scipy.ndimage: they alone cost a Pi about 100 MB and most of a second."""
    path = tmp_path / "s.csv"
    # The simulator needs scipy; it runs here, the analysis in a process of its own.
    subprocess.run(
        [sys.executable, "-m", "poise", "simulate", "stance", "-o", str(path), "--losses", "2"],
        check=True,
        capture_output=True,
    )
    check = (
        "import sys, poise.analysis\n"
        "from poise.formats import load_recording\n"
        "from poise.analysis import analyze\n"
        "banned = ('scipy.signal', 'scipy.stats', 'scipy.ndimage')\n"
        "assert not [m for m in banned if m in sys.modules], 'imported on import'\n"
        f"r = analyze(load_recording({str(path)!r}), 'stance')\n"
        "assert r['losses_of_balance'] >= 1, r\n"
        "found = [m for m in banned if m in sys.modules]\n"
        "assert not found, found\n"
    )
    subprocess.run([sys.executable, "-c", check], check=True)


@pytest.mark.parametrize("shape", [(5000,), (5000, 3), (70001, 2)])
def test_a_zero_phase_filter_over_its_input_gives_the_bits_of_a_new_array(shape):
    from poise.metrics.signals import lowpass

    rng = np.random.default_rng(4490 + shape[0])
    x = np.cumsum(rng.normal(size=shape), axis=0)
    new = lowpass(x, 1000.0, 12.0)
    y = x.copy()
    over = lowpass(y, 1000.0, 12.0, overwrite_x=True)
    assert over is y or np.shares_memory(over, y)
    assert over.tobytes() == new.tobytes()
    assert x.tobytes() != y.tobytes()  # the input was written over
