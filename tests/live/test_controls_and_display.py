"""The person's side of a session: the terminal line, the keys, the button and LEDs."""

from __future__ import annotations

import io
import os
import time

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from poise.live.controls import Command, Controls, Keyboard, Panel, PanelSettings
from poise.live.display import Display


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_status_line_shows_phase_timer_tilt_and_link_health_and_yields_to_events():
    out = _Terminal()
    display = Display(out)
    display.status("trial", 12.3, 30.0, 1.0, 5.0, "frames 100, crc errors 0")
    line = out.getvalue()
    assert line.startswith("\r\033[K") and "trial" in line and " 12.3/30 s" in line
    assert "[---------------|-------#-------] AP +1.0" in line  # 5 deg right: half way
    assert "crc errors 0" in line
    display.status("trial", 12.4, 30.0, 1.0, 5.0)  # within 0.1 s: not redrawn
    assert out.getvalue() == line
    display.event("   go")
    assert out.getvalue().endswith("\r\033[K   go\n")


def test_a_log_gets_events_only():
    out = io.StringIO()
    display = Display(out)
    display.status("trial", 1.0, 30.0, 0.0, 0.0)
    display.event("result")
    assert out.getvalue() == "result\n"


def test_keys_from_a_terminal_become_commands():
    """A real pseudo-terminal: keys are read as typed, without Enter."""
    leader, follower = os.openpty()
    with os.fdopen(follower, "r") as tty_in, Keyboard(tty_in) as keyboard:
        controls = Controls()
        controls.add(keyboard)
        os.write(leader, b" sxq")
        time.sleep(0.05)
        assert controls.poll() == [Command.START, Command.STOP, Command.ABORT]
    os.close(leader)


@pytest.fixture
def mock_pins():
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.close()
    Device.pin_factory = None


def test_button_press_starts_and_a_two_second_hold_aborts(mock_pins):
    controls = Controls()
    panel = Panel(PanelSettings(enabled=True), controls)
    button = mock_pins.pin(17)
    button.drive_low()
    time.sleep(2.3)
    button.drive_high()
    assert controls.poll() == [Command.START, Command.ABORT]
    panel.close()


def test_leds_follow_the_session(mock_pins):
    panel = Panel(PanelSettings(enabled=True), Controls())
    ready, fault = mock_pins.pin(27), mock_pins.pin(22)
    panel.show("ready")
    assert ready.state and not fault.state
    panel.show("fault")
    assert not ready.state and fault.state
    panel.show("countdown")
    time.sleep(0.5)
    blinked = {(t.state) for t in ready.states}
    assert blinked == {True, False} and not fault.state
    panel.close()
