"""The digital filters and spectra of the metrics and the loss-of-balance detector.

NumPy alone: importing ``scipy.signal`` takes a process from about 25 to 100 MB
of memory and 0.7 s (it pulls in ``scipy.stats``), more than a Pi Zero 2 W
can spare beside an hour's recording. These are the few functions of its that
Poise uses, with the same definitions; tests hold
each equal to its SciPy counterpart to rounding on many inputs. Every filter
works along axis 0 (time), on ``(n,)`` or ``(n, k)`` arrays, a block of rows at
a time, so its temporaries stay small whatever the recording's length.

Rates are in Hz, cutoffs in Hz, times in samples unless named otherwise.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

#: Rows filtered at a time (bounds the temporaries of a long series).
CHUNK_ROWS = 1 << 16
#: Samples per block of the block-state-space form of a second-order section.
_BLOCK = 32


def butter(order: int, cutoff_hz: float | tuple[float, float], kind: str, rate_hz: float):
    """Digital Butterworth filter as second-order sections, shape (sections, 6).

    Args:
        order: the analogue prototype's order (a band-pass has twice as many poles).
        cutoff_hz: the -3 dB frequency, Hz, or the band's (low, high) for ``bandpass``.
        kind: ``lowpass``, ``highpass`` or ``bandpass``.
        rate_hz: the sample rate, Hz.

    Each row is ``b0, b1, b2, 1, a1, a2``, the gain in the first, as
    ``scipy.signal.butter(..., output="sos")`` gives it. The analogue prototype's
    poles ``-exp(i pi (2k - N + 1) / 2N)`` are moved to the cutoff (or the band,
    by the low-pass to band-pass transform ``s -> (s^2 + w0^2) / (s bw)``), the
    cutoffs pre-warped ``w = 2 fs tan(pi f / fs)``, then mapped to the z-plane by
    the bilinear transform ``z = (2 fs + s) / (2 fs - s)`` (Oppenheim & Schafer,
    Discrete-Time Signal Processing, 3rd ed., sections 7.2 and 7.4).
    """
    if order < 1:
        raise ValueError(f"filter order must be at least 1, not {order}")
    edges = np.atleast_1d(np.asarray(cutoff_hz, dtype=float))
    if kind == "bandpass":
        if edges.shape != (2,) or not 0 < edges[0] < edges[1]:
            raise ValueError(f"a band-pass needs (low, high) cutoffs, not {cutoff_hz}")
    elif kind not in ("lowpass", "highpass") or edges.shape != (1,):
        raise ValueError(f"cannot design a {kind} with cutoff {cutoff_hz}")
    if not np.all((edges > 0) & (edges < rate_hz / 2)):
        raise ValueError(f"cutoffs must lie between 0 and {rate_hz / 2:g} Hz, not {cutoff_hz}")
    fs2 = 2.0 * rate_hz
    warped = fs2 * np.tan(np.pi * edges / rate_hz)
    poles = -np.exp(1j * np.pi * np.arange(-order + 1, order, 2) / (2 * order))
    if kind == "lowpass":
        p, gain = poles * warped[0], warped[0] ** order
        z_digital = -np.ones(order)  # the analogue zeros at infinity go to z = -1
    elif kind == "highpass":
        p, gain = warped[0] / poles, np.real(1.0 / np.prod(-poles))
        z_digital = np.ones(order)  # the zeros at s = 0 go to z = 1
    else:
        w0, bw = np.sqrt(warped[0] * warped[1]), warped[1] - warped[0]
        half = poles * bw / 2
        root = np.sqrt(half**2 - w0**2)
        p, gain = np.concatenate((half + root, half - root)), bw**order
        z_digital = np.concatenate((np.ones(order), -np.ones(order)))
    p_digital = (fs2 + p) / (fs2 - p)
    # The analogue zeros (at 0 or none) contribute (fs2 - 0) each; the poles divide.
    zeros_at_origin = order if kind != "lowpass" else 0
    k = gain * np.real(fs2**zeros_at_origin / np.prod(fs2 - p))
    return _sections(z_digital, p_digital, k)


def _sections(zeros: np.ndarray, poles: np.ndarray, gain: float) -> np.ndarray:
    """Second-order sections of real zeros (each +-1) and complex-conjugate or real poles.

    Pole pairs are ordered by their distance from the unit circle, farthest first,
    each with the nearest remaining pair of zeros, the gain in the first section:
    the ordering ``scipy.signal.zpk2sos`` uses for its smallest round-off.
    """
    upper = poles[np.imag(poles) > 0]
    real = np.sort(np.real(poles[np.abs(np.imag(poles)) <= 0]))
    pairs = [(p, np.conj(p)) for p in upper]
    pairs += [(real[i], real[i + 1] if i + 1 < len(real) else None) for i in range(0, len(real), 2)]
    pairs.sort(key=lambda pair: -abs(1 - abs(pair[0])))
    remaining = list(np.sort(np.real(zeros)))
    rows = []
    for first, second in reversed(pairs):  # nearest the circle picks its zeros first
        picked = []
        for _ in range(1 if second is None else 2):
            i = int(np.argmin([abs(z - first) for z in remaining]))
            picked.append(remaining.pop(i))
        b = np.real(np.poly(picked))
        a = np.real(np.poly([first] if second is None else [first, second]))
        rows.append(np.concatenate((np.pad(b, (0, 3 - len(b))), np.pad(a, (0, 3 - len(a))))))
    sos = np.array(rows[::-1])
    sos[0, :3] *= gain
    return sos


def sosfilt_zi(sos: np.ndarray) -> np.ndarray:
    """Each section's state (sections, 2) for a unit step's steady state.

    Scaled by the first sample, it starts a filter as if the input had always
    been that (``scipy.signal.sosfilt_zi``): section i's state solves
    ``z = A z + B`` (its transposed-direct-form-II matrices), times the DC gain
    ``sum(b) / sum(a)`` of the sections before it.
    """
    zi = np.empty((len(sos), 2))
    scale = 1.0
    for i, (b0, b1, b2, _, a1, a2) in enumerate(sos):
        u0, u1 = b1 - a1 * b0, b2 - a2 * b0
        z0 = (u0 + u1) / (1.0 + a1 + a2)
        zi[i] = scale * z0, scale * (u1 - a2 * z0)
        scale *= (b0 + b1 + b2) / (1.0 + a1 + a2)
    return zi


def sosfilt(
    sos: np.ndarray, x: np.ndarray, zi: np.ndarray | None = None, out: np.ndarray | None = None
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Causal IIR filtering along axis 0 by second-order sections (float64).

    Args:
        sos: (sections, 6) as :func:`butter` gives (each ``a0`` is 1).
        x: (n,) or (n, k) samples.
        zi: the sections' initial states, (sections, 2) or (sections, 2, k);
            zero when not given.
        out: where to write the output, float64 of ``x``'s shape (``x`` itself may
            be: each chunk is read before it is written).

    Returns the filtered samples, and with ``zi`` also the final states (to
    carry on with the next block), as ``scipy.signal.sosfilt``. Each section is
    the transposed direct form II ``y = b0 x + z0; z0' = b1 x - a1 y + z1;
    z1' = b2 x - a2 y`` (Oppenheim & Schafer, section 6.5), evaluated a block
    of samples at a time in its state-space form: the block's output is its
    impulse-response (Toeplitz) matrix times the block plus the response to
    the state it starts in, so NumPy does the work without a loop per sample.
    """
    x = np.asarray(x)
    columns = x.reshape(len(x), -1)
    k = columns.shape[1]
    shape = (len(sos), 2, k)
    start = np.zeros(shape) if zi is None else np.reshape(zi, (len(sos), 2, -1))
    state = np.broadcast_to(start, shape).reshape(2 * len(sos), k).astype(float)
    key = tuple(map(tuple, np.asarray(sos, dtype=float)))
    y = np.empty(columns.shape) if out is None else out.reshape(columns.shape)
    for lo in range(0, len(columns), CHUNK_ROWS):
        # Channels as rows: the blocks of every channel are then rows of one matrix product.
        block = np.ascontiguousarray(columns[lo : lo + CHUNK_ROWS].T, dtype=float)
        out, state = _cascade(key, block, state)
        y[lo : lo + CHUNK_ROWS] = out.T
    y = y.reshape(x.shape)
    if zi is None:
        return y
    return y, state.reshape(np.shape(zi) if np.ndim(zi) == 2 and k == 1 else shape)


def lfilter(
    b: tuple[float, ...], a: tuple[float, ...], x: np.ndarray, zi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A first- or second-order IIR filter along axis 0, its state carried in and out.

    ``b`` and ``a`` are the numerator and denominator (``a[0]`` normalises),
    ``zi`` the transposed-direct-form-II state, (order, k), as
    ``scipy.signal.lfilter(b, a, x, axis=0, zi=zi)`` takes and gives it.
    """
    if not 1 <= max(len(a), len(b)) - 1 <= 2:
        raise ValueError("lfilter here takes first- and second-order filters only")
    order = max(len(a), len(b)) - 1
    b3 = np.pad(np.asarray(b, dtype=float), (0, 3 - len(b))) / a[0]
    a3 = np.pad(np.asarray(a, dtype=float), (0, 3 - len(a))) / a[0]
    state = np.zeros((1, 2, np.shape(zi)[-1]))
    state[0, :order] = zi
    y, zf = sosfilt(np.concatenate((b3, a3))[None, :], x, state)
    return y, zf[0, :order]


def sosfiltfilt(sos: np.ndarray, x: np.ndarray, overwrite_x: bool = False) -> np.ndarray:
    """Zero-phase filtering along axis 0: forward, then backward, by second-order sections.

    As ``scipy.signal.sosfiltfilt`` with its defaults (Gustafsson 1996, IEEE
    Trans Signal Process 44:988, on why the ends need care): the series is
    extended at both ends by ``3 (2 sections + 1)`` samples (fewer for sections
    with a zero coefficient) mirrored about its end values (odd extension), each
    pass starts in the steady state of its first sample (:func:`sosfilt_zi`),
    and the extensions are cut off again. The squared magnitude response doubles
    the order; the phase cancels. The extension is filtered where it is, never
    copied onto the whole series. Raises ValueError when ``x`` is no longer than
    the extension. With ``overwrite_x`` (``x`` float64 and contiguous) the result is
    written over ``x``: the same bits, without a second array of its size.
    """
    x = np.asarray(x)
    n = len(x)
    taps = 2 * len(sos) + 1 - min(int(np.sum(sos[:, 2] == 0)), int(np.sum(sos[:, 5] == 0)))
    pad = 3 * taps
    if n <= pad:
        raise ValueError(f"cannot filter {n} samples forward and back (more than {pad} needed)")
    columns = x.reshape(n, -1).astype(float, copy=False)
    zi = sosfilt_zi(sos)[:, :, None]
    left = 2 * columns[0] - columns[pad:0:-1]
    right = 2 * columns[-1] - columns[-2 : -pad - 2 : -1]
    _, state = sosfilt(sos, left, zi * left[0])
    forward, state = sosfilt(sos, columns, state, columns if overwrite_x else None)
    tail, _ = sosfilt(sos, right, state)
    _, state = sosfilt(sos, tail[::-1], zi * tail[-1])
    # Backward over the series a chunk at a time, from its end, in place.
    for hi in range(n, 0, -CHUNK_ROWS):
        lo = max(0, hi - CHUNK_ROWS)
        back, state = sosfilt(sos, forward[lo:hi][::-1], state)
        forward[lo:hi] = back[::-1]
    return forward.reshape(x.shape)


def _state_space(sos: tuple[tuple[float, ...], ...]) -> tuple[np.ndarray, ...]:
    """The cascade of sections as one state-space system ``s' = A s + B x, y = C s + D x``.

    Section j is the transposed direct form II with state ``(z0, z1)``:
    ``A_j = [[-a1, 1], [-a2, 0]]``, ``B_j = (b1 - a1 b0, b2 - a2 b0)``,
    ``C_j = (1, 0)``, ``D_j = b0``; its input is the previous section's output,
    so the cascade's state is the sections' states stacked (as ``zi`` holds them).
    """
    size = 2 * len(sos)
    a_matrix = np.zeros((size, size))
    b_vector = np.zeros(size)
    c_vector = np.zeros(size)  # the running output y_j = c s + d x
    d_gain = 1.0
    for j, (b0, b1, b2, _, a1, a2) in enumerate(sos):
        rows = slice(2 * j, 2 * j + 2)
        own_b = np.array([b1 - a1 * b0, b2 - a2 * b0])
        a_matrix[rows, rows] = [[-a1, 1.0], [-a2, 0.0]]
        a_matrix[rows] += np.outer(own_b, c_vector)  # driven by the output so far
        b_vector[rows] = own_b * d_gain
        c_vector = b0 * c_vector
        c_vector[2 * j] += 1.0
        d_gain *= b0
    return a_matrix, b_vector, c_vector, d_gain


@lru_cache(maxsize=256)
def _block_matrices(sos: tuple[tuple[float, ...], ...], length: int) -> tuple[np.ndarray, ...]:
    """The cascade's matrices over a block of ``length`` samples.

    ``T``: the impulse response ``h0 = D, hm = C A^(m-1) B`` as a lower-triangular
    Toeplitz matrix; ``O``: rows ``C A^i`` (the response to the starting state);
    ``G``: columns ``A^(length-1-j) B`` (the block's inputs in its final state);
    ``P = A^length``.
    """
    a_matrix, b_vector, c_vector, d_gain = _state_space(sos)
    powers = [np.eye(len(a_matrix))]
    for _ in range(length):
        powers.append(a_matrix @ powers[-1])
    response = np.array([d_gain, *(c_vector @ p @ b_vector for p in powers[: length - 1])])
    index = np.arange(length)
    lag = index[:, None] - index[None, :]
    toeplitz = np.where(lag >= 0, response[np.clip(lag, 0, None)], 0.0)
    observe = np.array([c_vector @ p for p in powers[:length]])
    drive = np.array([powers[length - 1 - j] @ b_vector for j in range(length)]).T
    return toeplitz, observe, drive, powers[length]


def _cascade(
    sos: tuple[tuple[float, ...], ...], x: np.ndarray, state: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The sections over ``x`` (k channels, n samples) from ``state`` (2 sections, k):
    the output (k, n) and the final state."""
    k, n = x.shape
    d = len(state)
    y = np.empty_like(x)
    blocks = n // _BLOCK
    if blocks:
        toeplitz, observe, drive, step = _block_matrices(sos, _BLOCK)
        xb = x[:, : blocks * _BLOCK].reshape(k * blocks, _BLOCK)  # a row per (channel, block)
        inputs = (xb @ drive.T).reshape(k, blocks, d).transpose(1, 2, 0)
        starts = _recurrence(step, inputs, state)  # (blocks + 1, d, k)
        free = starts[:-1].transpose(2, 0, 1).reshape(k * blocks, d) @ observe.T
        y[:, : blocks * _BLOCK] = (xb @ toeplitz.T + free).reshape(k, blocks * _BLOCK)
        state = starts[-1]
    rest = n - blocks * _BLOCK
    if rest:
        toeplitz, observe, drive, step = _block_matrices(sos, rest)
        xr = x[:, blocks * _BLOCK :]
        y[:, blocks * _BLOCK :] = xr @ toeplitz.T + (observe @ state).T
        state = step @ state + drive @ xr.T
    return y, state


@lru_cache(maxsize=64)
def _recurrence_matrices(step: tuple[tuple[float, ...], ...]) -> tuple[np.ndarray, np.ndarray]:
    """For :func:`_recurrence`: the block's forcing matrix ``K`` (rows (i, a) for states
    i = 1..BLOCK, columns (m, b)), entries ``step^(i-1-m)`` for m < i, and the powers
    ``step^i``, i = 1..BLOCK."""
    matrix = np.array(step)
    d = len(matrix)
    powers = [np.eye(d)]
    for _ in range(_BLOCK):
        powers.append(matrix @ powers[-1])
    forcing = np.zeros((_BLOCK, d, _BLOCK, d))
    for i in range(1, _BLOCK + 1):
        for m in range(i):
            forcing[i - 1, :, m, :] = powers[i - 1 - m]
    return forcing.reshape(_BLOCK * d, _BLOCK * d), np.array(powers[1:])


def _recurrence(step: np.ndarray, inputs: np.ndarray, start: np.ndarray) -> np.ndarray:
    """States ``s[0] = start, s[j + 1] = step @ s[j] + inputs[j]``: (len(inputs) + 1, d, k).

    Long recurrences are solved a block at a time in the same way as a section
    (the blocks' own starts by recursion), so no loop runs once per step.
    """
    count = len(inputs)
    d, k = start.shape
    out = np.empty((count + 1, d, k))
    out[0] = start
    blocks = count // _BLOCK if count > _BLOCK else 0
    if blocks:
        forcing, powers = _recurrence_matrices(tuple(map(tuple, step)))
        grouped = inputs[: blocks * _BLOCK].reshape(blocks, _BLOCK * d, k).transpose(1, 0, 2)
        forced = (forcing @ grouped.reshape(_BLOCK * d, blocks * k)).reshape(_BLOCK, d, blocks, k)
        starts = _recurrence(powers[-1], forced[-1].transpose(1, 0, 2), start)  # (blocks + 1, d, k)
        # state t BLOCK + i = step^i starts[t] + forced[i - 1, :, t]
        before = starts[:-1].transpose(1, 0, 2).reshape(d, blocks * k)
        free = (powers.reshape(_BLOCK * d, d) @ before).reshape(_BLOCK, d, blocks, k)
        out[1 : blocks * _BLOCK + 1] = (free + forced).transpose(2, 0, 1, 3).reshape(-1, d, k)
    for j in range(blocks * _BLOCK, count):
        out[j + 1] = step @ out[j] + inputs[j]
    return out


def hilbert_envelope(x: np.ndarray) -> np.ndarray:
    """Magnitude of the analytic signal of each column of ``x`` (n,) or (n, k), same unit.

    The analytic signal ``x + i H{x}`` by the FFT: the positive frequencies
    doubled, the negative ones zeroed, DC (and Nyquist, for even n) kept
    (Marple 1999, IEEE Trans Signal Process 47:2600; ``scipy.signal.hilbert``).
    """
    n = len(x)
    spectrum = np.fft.fft(x, axis=0)
    weight = np.zeros(n)
    weight[0] = 1.0
    if n % 2 == 0:
        weight[n // 2] = 1.0
        weight[1 : n // 2] = 2.0
    else:
        weight[1 : (n + 1) // 2] = 2.0
    return np.abs(np.fft.ifft(spectrum * weight.reshape(-1, *([1] * (np.ndim(x) - 1))), axis=0))


def welch(x: np.ndarray, rate_hz: float, segment: int) -> tuple[np.ndarray, np.ndarray]:
    """One-sided power spectral density of ``x`` (n,) by Welch's method: (f Hz, unit^2/Hz).

    Periodic Hann segments of ``segment`` samples overlapping by half, each
    less its mean, their periodograms averaged (Welch 1967, IEEE Trans Audio
    Electroacoust 15:70), scaled to a density, ``scipy.signal.welch``'s
    defaults. ``segment`` is at most ``len(x)``.
    """
    x = np.asarray(x, dtype=float)
    if not 1 <= segment <= len(x):
        raise ValueError(f"a Welch segment of {segment} samples does not fit {len(x)}")
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(segment) / segment)
    step = segment - segment // 2
    count = (len(x) - segment // 2) // step
    power = np.zeros(segment // 2 + 1)
    for start in range(0, count * step, step):
        piece = x[start : start + segment]
        power += np.abs(np.fft.rfft((piece - piece.mean()) * window)) ** 2
    power /= count * rate_hz * np.sum(window**2)
    power[1 : segment // 2 + (segment % 2)] *= 2  # one-sided: the negative frequencies' share
    return np.fft.rfftfreq(segment, 1.0 / rate_hz), power


def resample_poly(x: np.ndarray, up: int, down: int) -> np.ndarray:
    """``x`` (n,) resampled by ``up / down`` by a polyphase FIR (``scipy.signal.resample_poly``).

    The anti-aliasing filter is a windowed sinc of ``20 max(up, down) + 1``
    taps, cutoff ``1 / max(up, down)`` of Nyquist, Kaiser window with beta 5
    (Kaiser 1974; Crochiere & Rabiner, Multirate Digital Signal Processing,
    1983), zeros beyond the ends. Only the output samples are computed.
    """
    x = np.asarray(x, dtype=float)
    g = np.gcd(up, down)
    up, down = up // g, down // g
    if up == down == 1:
        return x.copy()
    n_out = -(-len(x) * up // down)
    rate = max(up, down)
    half = 10 * rate
    m = np.arange(2 * half + 1) - half
    h = np.sinc(m / rate) / rate * np.kaiser(2 * half + 1, 5.0)
    h *= up / np.sum(h)
    pre = down - half % down
    h = np.concatenate((np.zeros(pre), h))
    skip = (half + pre) // down
    # Output m is the filtered, zero-stuffed series at q = (m + skip) down: the
    # taps h[q - j up] meet the inputs x[j].
    q = (np.arange(n_out) + skip) * down
    phase, top = q % up, q // up
    out = np.zeros(n_out)
    for r in range(up):
        rows = np.flatnonzero(phase == r)
        # sum over t of h[r + t up] x[top - t]: the full convolution with that phase's taps
        full = np.convolve(x, h[r::up])
        inside = top[rows] < len(full)
        out[rows[inside]] = full[top[rows[inside]]]
    return out
