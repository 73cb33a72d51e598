"""Seated hip rotation: the shank hanging from a bent knee is the hip's pointer.

Scored as the internal and external rotation held, from the shank's ML tilt
(the goniometer method with the tibia as the arm; :mod:`poise.sim.hip`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from poise.checks import check_count
from poise.drills.drill import Drill, DrillResult, NoOptions
from poise.drills.precision import EVENT_TIME, HELD_ANGLE, Resolution
from poise.drills.protocol import Condition, DrillSpec, TrialPlan, leg_phrase
from poise.errors import PoiseError
from poise.metrics.symmetry import MetricRule

if TYPE_CHECKING:
    from poise.analysis import Span
    from poise.validity import ResultWarning

#: A hip rotation's end position is a hold at least this far from the hanging shank, deg.
HIP_THRESHOLD_DEG = 10.0
#: The largest accelerometer offset the rotations bear uncalibrated, g: they are
#: absolute ML tilts, moved by up to asin(0.03) = 1.7 deg (the LSM6DSO32's 20 mg
#: pass; the MPU-6050's 50-80 mg need `poise calibrate-accel`).
ACC_OFFSET_LIMIT_G = 0.03
#: One in-and-out repetition of the simulated athlete (each way: turn 1.2 s, hold 2 s,
#: back 1 s, rest 1 s), s; and its stillness after the go beep before the first, s.
REP_S = 10.4
SETTLE_S = 1.0


@dataclass(frozen=True)
class HipResult(DrillResult):
    """Each held rotation (start, end, s; rotation, deg) and the largest, deg, each way."""

    internal_reps: tuple[dict[str, float], ...]
    internal_rotation_deg: float | None
    external_reps: tuple[dict[str, float], ...]
    external_rotation_deg: float | None

    RESOLUTION: ClassVar[Mapping[str, Resolution]] = {
        "t_s": EVENT_TIME,
        "end_t_s": EVENT_TIME,
        "rotation_deg": HELD_ANGLE,
        "internal_rotation_deg": HELD_ANGLE,
        "external_rotation_deg": HELD_ANGLE,
    }

    def lines(self) -> list[str]:
        lines = []
        for kind, held in (("internal", self.internal_reps), ("external", self.external_reps)):
            best = self.show(f"{kind}_rotation_deg")
            reps = ", ".join(self.show("rotation_deg", rep) for rep in held)
            lines.append(
                f"{kind} rotation: "
                + (f"{best} deg (repetitions {reps})" if best != "-" else "none held")
            )
        return lines


def score(span: Span, options: NoOptions) -> HipResult:
    """Internal and external rotation of the hip, the shank hanging from a bent knee.

    The foot swings out in internal rotation; on the right leg the shank's top
    then leans left (ML < 0), on the left leg right.
    """
    from poise.metrics.holds import holds

    p = span.prepared
    if p.placement not in ("left_shank", "right_shank"):
        where = p.recording.path or "recording"
        if p.placement == "unknown":
            raise PoiseError(
                f"{where}: hip rotation needs to know the leg; give --placement "
                "left_shank or right_shank"
            )
        raise PoiseError(
            f"{where}: recorded on the {p.placement}; hip rotation needs a sensor on a shank"
        )
    inward = -1.0 if p.placement == "right_shank" else 1.0
    ml = p.tilt_deg[:, 1]
    out: dict[str, Any] = {}
    for kind, sign in (("internal", inward), ("external", -inward)):
        reps = holds(p.t_s, ml, p.gyr_dps, p.rate_hz, sign * HIP_THRESHOLD_DEG)
        angles = [abs(rep.mean_deg) for rep in reps]
        out[f"{kind}_reps"] = tuple(
            {
                "t_s": round(r.start_t_s, 3),
                "end_t_s": round(r.end_t_s, 3),
                "rotation_deg": round(a, 3),
            }
            for r, a in zip(reps, angles, strict=True)
        )
        out[f"{kind}_rotation_deg"] = round(max(angles), 3) if angles else None
    return HipResult(**out)


def check(span: Span, result: HipResult) -> list[ResultWarning]:
    """Whether the span looks like seated hip rotation: no gait rhythm, rotations held,
    and the shank leaning sideways at them, not forwards (a lunge)."""
    from poise.drills.fit import hold_tilt_deg, mismatch, motion_mismatch

    out = motion_mismatch(span, "seated hip rotation")
    reps = [*result.internal_reps, *result.external_reps]
    if not reps:
        why = f"no rotation held at least {HIP_THRESHOLD_DEG:g} deg from the hanging shank"
        return [*out, mismatch("seated hip rotation", why)]
    tilts = [hold_tilt_deg(span, rep["t_s"], rep["end_t_s"]) for rep in reps]
    forward = max(abs(ap) for ap, _ in tilts)
    if all(abs(ap) > abs(ml) for ap, ml in tilts):
        out.append(
            mismatch(
                "seated hip rotation",
                f"the shank leans {forward:.0f} deg forward or back at every hold, more "
                "than sideways: a lunge, where a rotation swings the hanging shank sideways",
            )
        )
    return out


@dataclass(frozen=True)
class HipTrial:
    """Seated hip rotation sets.

    Args:
        hip_reps: seated hip rotation repetitions (each out and in) per trial.
    """

    hip_reps: int = 3

    def __post_init__(self) -> None:
        check_count("hip_reps", self.hip_reps, 1, 10)


def _intro(c: Condition) -> str:
    return (
        f"{leg_phrase(c)}, hip rotation set {c.number}. Sit on the table, the knee bent "
        "over its edge, the shin hanging. Keep the thigh still."
    )


def _move(c: Condition) -> str:
    return (
        "After the beep, rotate the foot out and hold, back to the middle, "
        "then rotate it in and hold. Each time."
    )


def _trial_s(settings: HipTrial) -> float:
    return SETTLE_S + settings.hip_reps * REP_S


def _sim(c: Condition, plan: TrialPlan, settings: HipTrial) -> tuple[str, dict[str, Any]]:
    return "hip", {"leg": c.leg, "reps": settings.hip_reps, "reference_s": plan.go_s}


def _summary(r: HipResult) -> str:
    best = {"internal": r.internal_rotation_deg, "external": r.external_rotation_deg}
    held = [f"{kind} rotation {deg:.0f} degrees" for kind, deg in best.items() if deg is not None]
    return f"Best {', '.join(held)}." if held else "No rotation hold found."


DRILL = Drill(
    name="hip",
    score=score,
    result=HipResult,
    check=check,
    accel_offset_limit_g=ACC_OFFSET_LIMIT_G,
    symmetry=(
        MetricRule(
            "internal_rotation_deg",
            "deg",
            True,
            5.4,
            "Krause et al., Knee Surg Sports Traumatol Arthrosc, issue 9, pp 2562-2567: "
            "active seated hip internal rotation, digital inclinometer, 25 asymptomatic adults",
        ),
        MetricRule(
            "external_rotation_deg",
            "deg",
            True,
            8.6,
            "Gradoz et al. 2018, J Sport Rehabil 27(4): passive supine and seated hip "
            "rotation, 19 healthy adults; the largest of their MDCs (6.1-8.6 deg)",
        ),
    ),
    live=DrillSpec(
        name="hip",
        intro=_intro,
        move=_move,
        hold_s=0.0,
        trial_s=_trial_s,
        feedback=False,
        sim=_sim,
        summary=_summary,
        settings=HipTrial,
    ),
    columns=("tilt_deg", "acc_g", "gyr_dps"),
    report_events=(("internal_reps", "rotation_deg"), ("external_reps", "rotation_deg")),
)
