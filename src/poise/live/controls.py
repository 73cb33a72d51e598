"""Start, stop and abort from the keyboard or a push button; status on LEDs.

The session asks for commands between blocks (``poll``); inputs push them
from wherever they come: the terminal (keys read without waiting for Enter)
or a GPIO push button. gpiozero is imported only when a panel is configured,
and its pin factory is gpiozero's own choice (``GPIOZERO_PIN_FACTORY``; tests
use its MockFactory).
"""

from __future__ import annotations

import os
import select
import sys
import threading
from collections import deque
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType
from typing import Any


class Command(StrEnum):
    START = "start"  # start now: skip the rest, or the wait
    STOP = "stop"  # end the current trial (it is kept, as aborted)
    ABORT = "abort"  # end the session


#: Keys and what they do.
KEYS = {" ": Command.START, "\n": Command.START, "s": Command.STOP, "q": Command.ABORT}


class Controls:
    """A queue of commands from any number of inputs (thread-safe)."""

    def __init__(self) -> None:
        self._queue: deque[Command] = deque()
        self._lock = threading.Lock()
        self._inputs: list[Any] = []

    def push(self, command: Command) -> None:
        with self._lock:
            self._queue.append(command)

    def poll(self) -> list[Command]:
        for source in self._inputs:
            source.poll(self)
        with self._lock:
            out = list(self._queue)
            self._queue.clear()
        return out

    def add(self, source: Any) -> None:
        """An input polled with the queue (one with a ``poll(controls)`` method)."""
        self._inputs.append(source)


class Keyboard:
    """Keys from a terminal, read without waiting for Enter (nothing when stdin is no tty)."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stdin
        self._saved: Any = None

    def __enter__(self) -> Keyboard:
        if self.stream.isatty():
            import termios
            import tty

            fd = self.stream.fileno()
            self._saved = termios.tcgetattr(fd)
            tty.setcbreak(fd)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._saved is not None:
            import termios

            termios.tcsetattr(self.stream.fileno(), termios.TCSADRAIN, self._saved)

    def poll(self, controls: Controls) -> None:
        if self._saved is None:
            return
        fd = self.stream.fileno()
        while select.select([fd], [], [], 0)[0]:
            key = os.read(fd, 1).decode(errors="replace").lower()
            if key in KEYS:
                controls.push(KEYS[key])


@dataclass(frozen=True)
class PanelSettings:
    """A push button and two status LEDs on the Pi's GPIO header (see hardware/).

    Args:
        enabled: use the button and LEDs.
        button_gpio: push button to ground (internal pull-up); press: start,
            hold 2 s: abort.
        ready_led_gpio: green LED: steady when ready or resting, blinking in
            the countdown and the trial.
        fault_led_gpio: red LED: lit when a trial is interrupted (the sensor
            stopped, no calibration).
    """

    enabled: bool = False
    button_gpio: int = 17
    ready_led_gpio: int = 27
    fault_led_gpio: int = 22


class Panel:
    """The GPIO button and LEDs, through gpiozero.

    >>> from gpiozero import Device
    >>> from gpiozero.pins.mock import MockFactory
    >>> Device.pin_factory = MockFactory()
    >>> controls = Controls()
    >>> panel = Panel(PanelSettings(enabled=True), controls)
    >>> Device.pin_factory.pin(17).drive_low()  # the button is pressed
    >>> controls.poll()
    [<Command.START: 'start'>]
    >>> panel.show("trial"); panel.ready.is_lit
    True
    >>> panel.close(); Device.pin_factory.close()
    """

    def __init__(self, settings: PanelSettings, controls: Controls) -> None:
        from gpiozero import LED, Button  # lazy: the hardware edge

        self.button = Button(settings.button_gpio, pull_up=True, hold_time=2.0)
        self.ready = LED(settings.ready_led_gpio)
        self.fault = LED(settings.fault_led_gpio)
        self.button.when_pressed = lambda: controls.push(Command.START)
        self.button.when_held = lambda: controls.push(Command.ABORT)

    def show(self, state: str) -> None:
        """``ready``, ``rest``, ``countdown``, ``trial``, ``fault`` or ``off``."""
        if state in ("countdown", "trial"):
            self.ready.blink(on_time=0.2 if state == "countdown" else 0.5, off_time=0.2)
        elif state in ("ready", "rest"):
            self.ready.on()
        else:
            self.ready.off()
        if state == "fault":
            self.fault.on()
        elif state != "off":
            self.fault.off()

    def poll(self, controls: Controls) -> None:
        """Button presses arrive by callback; nothing to read here."""

    def close(self) -> None:
        for device in (self.button, self.ready, self.fault):
            device.close()
