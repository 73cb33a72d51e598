"""Audio biofeedback: the athlete's tilt as one tone's pitch, loudness and left/right balance.

The mapping follows the audio-biofeedback system of Chiari, Dozza et al.
(Chiari L, Dozza M, Cappello A, Horak FB, Macellari V, Giansanti D.
Audio-biofeedback for balance improvement: an accelerometry-based system.
IEEE Trans Biomed Eng 2005;52(12):2108-2111): sway sets the pitch and the
volume of a simple synthetic tone, medio-lateral sway sets its left/right
balance, and inside a reference zone around the subject's own upright
posture the tone is silent. Two choices of ours:

- pitch and loudness follow the 2-D distance of the tilt from the baseline,
  not AP alone as in Chiari's trunk-accelerometer system, so that the
  medio-lateral sway that dominates single-leg stance is heard as well;
- pitch rises geometrically (equal musical steps per degree), since pitch is
  heard on a log-frequency scale; loudness rises linearly from an onset level.

The dead zone defaults to 0.5 deg, the threshold of the vestibular-loss
prosthesis of Hegeman, Honegger, Kupper and Allum (J Vestib Res
2005;15(2):109-117: about 0.5 deg or 3 deg/s of trunk sway). Simple synthetic
tones are preferred to musical ones (Fuchs 2020, as the design brief notes).

Sign convention: ML tilt positive is a lean to the athlete's right, and the
sound moves right (pan +1 is the right ear), so the tone comes from the side
the athlete is falling towards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from poise.checks import check_choice, check_number

MODES = ("off", "alarm", "continuous")


@dataclass(frozen=True)
class FeedbackSettings:
    """How tilt is turned into the biofeedback tone.

    Args:
        mode: ``"continuous"`` (pitch, loudness and balance follow the tilt beyond
            the dead zone), ``"alarm"`` (one fixed tone only beyond ``alarm_deg``)
            or ``"off"`` (always silent).
        dead_zone_deg: radius of the silent zone around the athlete's baseline
            tilt, deg (Hegeman/Allum 2005: about 0.5 deg).
        base_freq_hz: pitch at the edge of the dead zone, Hz.
        max_freq_hz: pitch at ``saturation_deg`` and beyond, Hz.
        saturation_deg: distance from the baseline at which pitch, loudness and
            left/right balance reach their limits, deg.
        onset_gain: loudness just outside the dead zone, as a fraction of ``volume``.
        alarm_deg: distance from the baseline beyond which the alarm sounds in
            alarm mode, deg.
        alarm_freq_hz: pitch of the alarm tone, Hz.
        volume: loudness of the tone at saturation (and of the alarm), 0..1 of full scale.
    """

    mode: str = "continuous"
    dead_zone_deg: float = 0.5
    base_freq_hz: float = 400.0
    max_freq_hz: float = 1200.0
    saturation_deg: float = 5.0
    onset_gain: float = 0.2
    alarm_deg: float = 3.0
    alarm_freq_hz: float = 2400.0
    volume: float = 0.4

    def __post_init__(self) -> None:
        check_choice("mode", self.mode, MODES)
        check_number("dead_zone_deg", self.dead_zone_deg, 0.0, 10.0)
        check_number("base_freq_hz", self.base_freq_hz, 50.0, 5000.0)
        check_number("max_freq_hz", self.max_freq_hz, self.base_freq_hz, 5000.0)
        check_number("saturation_deg", self.saturation_deg, self.dead_zone_deg, 45.0, above=True)
        check_number("onset_gain", self.onset_gain, 0.0, 1.0)
        check_number("alarm_deg", self.alarm_deg, self.dead_zone_deg, 45.0, above=True)
        check_number("alarm_freq_hz", self.alarm_freq_hz, 50.0, 5000.0)
        check_number("volume", self.volume, 0.0, 1.0)


@dataclass(frozen=True)
class FeedbackTone:
    """One setting of the biofeedback tone.

    Args:
        freq_hz: pitch, Hz.
        gain: amplitude, 0 (silent) .. 1 (full scale).
        pan: left/right balance, -1 (left ear) .. +1 (right ear).
    """

    freq_hz: float
    gain: float
    pan: float


def feedback_tone(
    tilt_ap_deg: float,
    tilt_ml_deg: float,
    baseline_ap_deg: float,
    baseline_ml_deg: float,
    settings: FeedbackSettings,
) -> FeedbackTone:
    """The tone for one tilt (deg) given the athlete's baseline tilt (deg).

    Silent (gain 0) within ``dead_zone_deg`` of the baseline. Beyond it, with
    ``x`` the distance past the dead zone as a fraction of the way to
    ``saturation_deg`` (clipped to 0..1):

    - ``freq_hz = base_freq_hz * (max_freq_hz / base_freq_hz) ** x``
    - ``gain = volume * (onset_gain + (1 - onset_gain) * x)``
    - ``pan = (tilt_ml_deg - baseline_ml_deg) / saturation_deg``, clipped to -1..1.

    In alarm mode the tone is ``alarm_freq_hz`` at ``volume`` (panned the same
    way) beyond ``alarm_deg``, silent otherwise. Plain floats and ``math``:
    called once per 20 ms block, it costs about a microsecond.

    >>> s = FeedbackSettings()
    >>> feedback_tone(0.3, 0.2, 0.0, 0.0, s).gain
    0.0
    >>> t = feedback_tone(0.0, 5.0, 0.0, 0.0, s)
    >>> round(t.freq_hz), round(t.gain, 2), t.pan
    (1200, 0.4, 1.0)
    """
    d_ap = tilt_ap_deg - baseline_ap_deg
    d_ml = tilt_ml_deg - baseline_ml_deg
    distance_deg = math.hypot(d_ap, d_ml)
    pan = min(1.0, max(-1.0, d_ml / settings.saturation_deg))
    if settings.mode == "alarm":
        if distance_deg > settings.alarm_deg:
            return FeedbackTone(settings.alarm_freq_hz, settings.volume, pan)
        return FeedbackTone(settings.alarm_freq_hz, 0.0, pan)
    if settings.mode == "off" or not distance_deg > settings.dead_zone_deg:
        return FeedbackTone(settings.base_freq_hz, 0.0, pan)
    span_deg = settings.saturation_deg - settings.dead_zone_deg
    x = min(1.0, (distance_deg - settings.dead_zone_deg) / span_deg)
    freq_hz = settings.base_freq_hz * (settings.max_freq_hz / settings.base_freq_hz) ** x
    gain = settings.volume * (settings.onset_gain + (1.0 - settings.onset_gain) * x)
    return FeedbackTone(freq_hz, gain, pan)
