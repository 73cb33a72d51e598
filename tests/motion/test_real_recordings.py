"""Calibrated tilt on real recordings nobody here wrote.

The x-io file is a handheld sensor tilted to +-70 deg and spun at 170 deg/s
between still periods: whenever it rests again, the AHRS tilt must agree with
the accelerometer's. Snapshots pin the whole output on every real IMU file, so
a change in behaviour shows up as a failing test, not a silent shift.
"""

import numpy as np
import pytest

from conftest import check_snapshot, recording_path
from poise.formats import CsvOptions, load_recording
from poise.motion.angles import flag_counts, tilt_from_vertical
from poise.motion.still import StillSettings, still_mask, still_periods
from poise.motion.tilt import track_tilt

IMU_FILES = {
    "fusion_sensor_data": ("fusion_sensor_data.csv", None),
    "gait_tracking_short_walk": ("gait_tracking_short_walk.csv", None),
    "mobgap_HA001_Test5_Trial1": (
        "mobgap_HA001_Test5_Trial1.csv",
        CsvOptions(rate_hz=100.0, acc_unit="g", gyr_unit="dps"),
    ),
    "mlr_cmj_smartphone": (
        "mlr_cmj_smartphone.csv",
        CsvOptions(rate_hz=128.0, acc_unit="m/s2", gyr_unit="rad/s"),
    ),
}


def test_tilt_agrees_with_gravity_whenever_the_xio_sensor_rests_again():
    rec = load_recording(recording_path("fusion_sensor_data.csv"))
    tilt, cal = track_tilt(rec)
    assert cal.found and cal.reference_t_s[0] == 0.0
    s = rec.samples
    ap, ml, _ = tilt.angles()
    acc_ap, acc_ml, _ = tilt_from_vertical(s.acc_g @ cal.sensor_to_segment.T)
    periods = still_periods(s.t_s, still_mask(s.acc_g, s.gyr_dps, 100, StillSettings()))
    after_motion = [p for p in periods if p[0] > 50.0]
    assert len(after_motion) >= 4
    for start, end in after_motion:
        w = (s.t_s >= start) & (s.t_s <= end)
        assert abs(ap[w].mean() - acc_ap[w].mean()) < 0.5
        assert abs(ml[w].mean() - acc_ml[w].mean()) < 0.5


@pytest.mark.parametrize("name", sorted(IMU_FILES))
def test_snapshot_of_tilt_on_real_recordings(name):
    filename, options = IMU_FILES[name]
    rec = load_recording(recording_path(filename), options)
    tilt, cal = track_tilt(rec)
    ap, ml, inc = tilt.angles()
    picks = np.linspace(0, len(tilt) - 1, 9).astype(int)
    values = {
        "samples": len(tilt),
        "calibration": cal.to_dict(),
        "flags": flag_counts(tilt.flags),
        "t_s": [round(float(tilt.t_s[i]), 6) for i in picks],
        "tilt_ap_deg": [round(float(ap[i]), 4) for i in picks],
        "tilt_ml_deg": [round(float(ml[i]), 4) for i in picks],
        "inclination_deg": [round(float(inc[i]), 4) for i in picks],
        "health": rec.health().to_dict(),
    }
    check_snapshot(f"tilt_{name}", values, rel=1e-4, abs_=2e-4)
