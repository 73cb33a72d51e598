"""How far a result can be trusted: coded warnings, and a verdict from them.

Every analysis result carries ``validity`` (``valid``, ``attention`` or
``invalid``) and ``warnings``, a list of ``{"code", "message", "severity"}``.
A figure Poise cannot vouch for is never silent: whatever makes it doubtful
(saturation, noise near the sway, data that do not look like the drill, a
mounting nobody declared...) is a warning here, and the human report shows the
verdict first. The store keeps the verdict with each trial; history and
symmetry leave invalid trials out of trends.

``attention`` means the figures stand but a named part of them is doubtful (a
saturated peak is a lower bound); ``invalid`` means they should not be used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["attention", "invalid"]
Validity = Literal["valid", "attention", "invalid"]

#: Every warning code, with what it means. A code is part of the JSON contract:
#: add codes, never rename one.
CODES: dict[str, str] = {
    "saturation": "a sensor reached its full scale: peaks there are lower bounds",
    "noise": "the sensor's noise floor is close to the figure measured",
    "drill_mismatch": "the data do not look like the drill they were scored as",
    "mounting_unknown": "how the sensor sits on the body was neither declared nor found",
    "mounting_contradicted": "the data contradict the declared mounting (gravity on another axis)",
    "bad_samples": "samples that are not finite or beyond any sensor's full scale",
    "uncalibrated": "no still period (no gyroscope bias, no alignment), or an "
    "accelerometer whose offsets need calibrating for the drill's angles",
    "gaps": "samples missing from the stream",
    "timestamps": "time stamps repeated or out of order",
    "ahrs_recovery": "the orientation filter forced the accelerometer back in",
    "event_timing": "an event's time is less certain than its figure's stated limit",
    "torn": "the recording was not closed by its writer, or its end mark does not match it",
}


@dataclass(frozen=True)
class ResultWarning:
    """One reason to doubt a result.

    Args:
        code: one of :data:`CODES`.
        message: one line for a person, naming what and how much.
        severity: ``attention`` (figures stand, a part is doubtful) or
            ``invalid`` (the figures should not be used).
    """

    code: str
    message: str
    severity: Severity = "attention"

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown warning code {self.code!r}")
        if self.severity not in ("attention", "invalid"):
            raise ValueError(f"severity must be attention or invalid, not {self.severity!r}")

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "severity": self.severity}


def verdict(warnings: Iterable[ResultWarning]) -> Validity:
    """``invalid`` if any warning says so, ``attention`` if there is any, else ``valid``."""
    severities = {w.severity for w in warnings}
    if "invalid" in severities:
        return "invalid"
    return "attention" if severities else "valid"
