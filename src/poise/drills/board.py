"""Wobble board balance: keep the board level, the tone tells the tilt.

Scored as tilt RMS and range per direction, time in the target zone and edge
touches (:func:`poise.metrics.holds.board_balance`); there are no legs to compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from poise.checks import check_number
from poise.drills.drill import Drill, DrillResult
from poise.drills.precision import (
    DURATION,
    EVENT_TIME,
    NOISE_FLOOR,
    SWAY_RMS,
    Resolution,
)
from poise.drills.protocol import Condition, DrillSpec, TrialPlan
from poise.metrics.symmetry import NO_MDC, MetricRule

if TYPE_CHECKING:
    from poise.analysis import Span
    from poise.validity import ResultWarning

#: A board tilts no further than its edge (``max_tilt_deg``) and this, deg: the simulated
#: board at its 15 deg edge reads 16.
BOARD_TILT_MARGIN_DEG = 8.0


@dataclass(frozen=True)
class BoardOptions:
    """The board scored.

    Args:
        max_tilt_deg: its edge tilt: an edge touch comes within 1.5 deg of it, deg.
        zone_deg: the target zone's radius, deg.
    """

    max_tilt_deg: float = 15.0
    zone_deg: float = 5.0

    def __post_init__(self) -> None:
        check_number("max_tilt_deg", self.max_tilt_deg, 1.0, 45.0)
        check_number("zone_deg", self.zone_deg, 0.0, self.max_tilt_deg, above=True)


#: A tilt's extreme in one direction: its noise is hundredths of a degree, the AHRS's
#: error tenths (within 15% of the tilt RMS on the simulator).
RANGE = Resolution(1, "deg", "a tilt's extreme: the AHRS's error is tenths of a degree")


@dataclass(frozen=True)
class BoardResult(DrillResult):
    """Board balance (:class:`poise.metrics.holds.BoardBalance`; deg, s, %, count)."""

    ap_rms_deg: float
    ml_rms_deg: float
    forward_deg: float
    back_deg: float
    left_deg: float
    right_deg: float
    time_in_zone_s: float
    time_in_zone_pct: float
    edge_touches: tuple[dict[str, Any], ...]
    edge_touch_count: int
    max_tilt_deg: float
    noise_floor_deg: float
    noise_floor_from: str

    RESOLUTION: ClassVar[Mapping[str, Resolution]] = {
        "ap_rms_deg": SWAY_RMS,
        "ml_rms_deg": SWAY_RMS,
        "forward_deg": RANGE,
        "back_deg": RANGE,
        "left_deg": RANGE,
        "right_deg": RANGE,
        "time_in_zone_s": DURATION,
        "time_in_zone_pct": Resolution(0, "%", "0.1 s of a 30-60 s trial is under 1%"),
        "t_s": EVENT_TIME,
        "max_tilt_deg": Resolution(1, "deg", "the board's edge, as set"),
        "noise_floor_deg": NOISE_FLOOR,
    }

    def lines(self) -> list[str]:
        show = self.show
        return [
            f"tilt RMS AP {show('ap_rms_deg')} deg, ML {show('ml_rms_deg')} deg",
            f"range forward {show('forward_deg')}, back {show('back_deg')}, "
            f"left {show('left_deg')}, right {show('right_deg')} deg",
            f"in the target zone {show('time_in_zone_s')} s ({show('time_in_zone_pct')}%)",
            f"edge touches: {self.edge_touch_count}",
            f"noise floor {show('noise_floor_deg')} deg "
            f"({self.noise_floor_from.replace('_', ' ')})",
        ]


def score(span: Span, options: BoardOptions) -> BoardResult:
    """Board balance: tilt RMS and range per direction, time in the target zone, edge touches."""
    from poise.drills.noise import span_noise_floor
    from poise.metrics.holds import board_balance

    p = span.prepared
    ap, ml = p.tilt_deg[:, 0], p.tilt_deg[:, 1]
    balance = board_balance(p.t_s, ap, ml, p.rate_hz, options.max_tilt_deg, options.zone_deg)
    floor = span_noise_floor(span)
    return BoardResult.from_dict(
        {
            **balance.to_dict(),
            "max_tilt_deg": options.max_tilt_deg,
            "noise_floor_deg": round(floor.rms_deg, 4),
            "noise_floor_from": floor.source,
        }
    )


def check(span: Span, result: BoardResult) -> list[ResultWarning]:
    """Whether the span looks like a board (no gait rhythm, tilts a board can reach), and
    whether its tilt RMS is close to the noise floor."""
    from poise.drills.fit import mismatch, motion_mismatch
    from poise.drills.noise import noise_warnings, span_noise_floor

    out = motion_mismatch(span, "a board")
    furthest = max(result.forward_deg, result.back_deg, result.left_deg, result.right_deg)
    if furthest > result.max_tilt_deg + BOARD_TILT_MARGIN_DEG:
        out.append(
            mismatch(
                "a board",
                f"it tilts {furthest:.0f} deg, beyond the board's {result.max_tilt_deg:g} deg "
                "edge (give --max-tilt if the board tilts further)",
            )
        )
    floor = span_noise_floor(span)
    figures = [
        ("AP tilt RMS", result.ap_rms_deg, floor.ap_deg),
        ("ML tilt RMS", result.ml_rms_deg, floor.ml_deg),
    ]
    return out + noise_warnings(figures, floor.rms_deg, floor.source)


@dataclass(frozen=True)
class BoardTrial:
    """Wobble board trials.

    Args:
        board_s: wobble board trial, s.
    """

    board_s: float = 30.0

    def __post_init__(self) -> None:
        check_number("board_s", self.board_s, 5.0, 300.0)


def _intro(c: Condition) -> str:
    return f"Board, trial {c.number}. Hold the board level and still."


def _move(c: Condition) -> str:
    return "Keep it level. The tone rises as the board tilts."


def _sim(c: Condition, plan: TrialPlan, settings: BoardTrial) -> tuple[str, dict[str, Any]]:
    # The simulated board levels out over 1 s after its reference, then the trial runs.
    return "board", {"reference_s": plan.go_s - 1.0, "duration_s": plan.end_s - plan.go_s + 0.5}


def _summary(r: BoardResult) -> str:
    return (
        f"Level for {r.time_in_zone_pct:.0f} percent of the time. "
        f"{r.edge_touch_count} edge touches."
    )


DRILL = Drill(
    name="board",
    score=score,
    result=BoardResult,
    check=check,
    followed=(
        MetricRule("ap_rms_deg", "deg", False, None, NO_MDC),
        MetricRule("ml_rms_deg", "deg", False, None, NO_MDC),
        MetricRule("time_in_zone_pct", "%", True, None, NO_MDC),
        MetricRule("edge_touch_count", "count", False, None, NO_MDC),
    ),
    options=BoardOptions,
    live=DrillSpec(
        name="board",
        intro=_intro,
        move=_move,
        hold_s=0.0,
        trial_s=lambda s: s.board_s,
        feedback=True,
        sim=_sim,
        summary=_summary,
        settings=BoardTrial,
    ),
    columns=("tilt_deg", "acc_g"),
    report_tilt=True,
)
