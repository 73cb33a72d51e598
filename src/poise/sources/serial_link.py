"""A sensor node on a serial port (USB CDC or a Bluetooth serial module) as a live source.

The only module that imports pyserial (lazily). One reader thread reads what
the port has in big chunks, decodes it (:class:`poise.link.LinkReceiver`) and
hands sample blocks to the consumer through a bounded queue: when the consumer
falls behind, blocks are dropped and counted, the reader never stalls. When the
port disappears (cable pulled, Bluetooth out of range) the thread reopens it
until it is back; ``blocks()`` goes on yielding empty blocks meanwhile.

Every byte read can be appended to a capture file, and :class:`CaptureSource`
replays such a file through the same decoder.

Port names are anything pyserial opens: ``/dev/ttyACM0``, ``COM3``, or a URL
such as ``loop://`` or ``socket://host:port``.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poise.checks import check_number
from poise.errors import InputError, PoiseError
from poise.files import writing
from poise.link import Hello, HelloRequest, LinkReceiver, LinkStats, encode
from poise.recording import RecordingMeta
from poise.samples import SampleBlock
from poise.sources import DEFAULT_BLOCK_S, block_length

#: The node's UART default (firmware/config.py); USB CDC ignores the baud rate.
DEFAULT_BAUDRATE = 460_800
HELLO_REQUEST = encode(HelloRequest())


@dataclass(frozen=True)
class SerialLinkSettings:
    """How the host talks to a sensor node.

    Args:
        baudrate: UART speed, baud (ignored by USB CDC); the node's config.py must agree.
            833 Hz needs at least 230400 baud.
        hello_timeout_s: how long opening waits for the node's hello, s.
        queue_blocks: blocks the reader may hold for a slow consumer before dropping.
        reconnect_interval_s: pause between attempts to reopen a lost port, s.
        give_up_s: end the stream when a lost port stays away this long, s (0: never).
    """

    baudrate: int = DEFAULT_BAUDRATE
    hello_timeout_s: float = 3.0
    queue_blocks: int = 500
    reconnect_interval_s: float = 0.2
    give_up_s: float = 0.0

    def __post_init__(self) -> None:
        check_number("baudrate", self.baudrate, 300, 12_000_000)
        check_number("hello_timeout_s", self.hello_timeout_s, 0.1, 60.0)
        check_number("queue_blocks", self.queue_blocks, 1, 1_000_000)
        check_number("reconnect_interval_s", self.reconnect_interval_s, 0.01, 10.0)
        check_number("give_up_s", self.give_up_s, 0.0, 86_400.0)


def import_serial() -> Any:
    try:
        import serial
    except ImportError:
        raise PoiseError("pyserial is not installed: pip install pyserial") from None
    return serial


def open_port(port: str, baudrate: int, timeout_s: float) -> Any:
    serial = import_serial()
    try:
        return serial.serial_for_url(port, baudrate=baudrate, timeout=timeout_s)
    except (serial.SerialException, OSError, ValueError) as e:
        raise PoiseError(f"cannot open serial port {port}: {e}") from None


def _meta(hello: Hello, source: dict[str, Any], placement: str, mounting: str) -> RecordingMeta:
    return RecordingMeta(
        rate_hz=float(hello.odr_hz),
        sensor_model=hello.sensor_model,
        acc_range_g=float(hello.acc_range_g),
        gyr_range_dps=float(hello.gyr_range_dps),
        placement=placement,
        mounting=mounting,
        firmware=hello.firmware,
        source={"kind": "serial", "protocol": hello.version, **source},
    )


class SerialSource:
    """A live sensor node: opens ``port``, waits for the node's hello, streams blocks.

    Args:
        port: serial device or pyserial URL.
        baudrate: UART speed; default ``settings.baudrate`` (see :class:`SerialLinkSettings`).
        capture_path: append every byte received to this file (for :class:`CaptureSource`).
        placement, mounting: where and how the sensor is worn (see ``RecordingMeta``).
        settings: timeouts and queue size.

    Raises :class:`PoiseError` (one line) when the port cannot be opened or no
    hello arrives in time.

    >>> import serial  # a loopback port: what the host writes, it reads back
    >>> from poise.link import Samples
    >>> import numpy as np
    >>> hello = Hello(1, 3, 104.0, 32, 2000, 0.000976, 0.07, 25.0, "LSM6DSO32", "0.1.0")
    >>> class NodeOnLoop(SerialSource):  # plays the node: answers the hello request
    ...     def _on_open(self, port):
    ...         port.write(encode(hello))
    ...         ticks, counts = np.array([400, 784]), np.array([[0, 0, 0, 0, 0, 1024]] * 2)
    ...         port.write(encode(Samples(3, 0, ticks, counts)))
    >>> with NodeOnLoop("loop://") as source:
    ...     block = next(b for b in source.blocks() if len(b))
    >>> source.meta.rate_hz, block.t_s.tolist(), block.acc_g[:, 2].round(6).tolist()
    (104.0, [0.01, 0.0196], [0.999424, 0.999424])
    """

    live = True

    def __init__(
        self,
        port: str,
        baudrate: int | None = None,
        capture_path: str | Path | None = None,
        *,
        placement: str = "unknown",
        mounting: str = "+x+y+z",
        settings: SerialLinkSettings | None = None,
    ) -> None:
        self.port = port
        self.settings = settings or SerialLinkSettings()
        self.baudrate = baudrate or self.settings.baudrate
        self.receiver = LinkReceiver()
        self.connected = False
        self._queue: queue.Queue = queue.Queue(self.settings.queue_blocks)
        self._closing = threading.Event()
        self._hello_seen = threading.Event()
        self._ended = threading.Event()  # the reader stopped: gave up on the port, or failed
        self._failure: str | None = None  # why the reader failed, one line
        self._capture = (
            writing(capture_path, lambda: open(capture_path, "ab"))  # noqa: SIM115
            if capture_path
            else None
        )
        self._port = open_port(port, self.baudrate, 0.05)
        self.connected = True
        self._on_open(self._port)
        self._thread = threading.Thread(target=self._read_loop, name=f"serial {port}", daemon=True)
        self._thread.start()
        self._hello_seen.wait(self.settings.hello_timeout_s)
        if self.receiver.hello is None:
            self.close()
            raise PoiseError(self._failure or self._no_hello())
        self.meta = _meta(
            self.receiver.hello,
            {"port": port, "baudrate": self.baudrate, "stream_id": self.receiver.hello.stream_id},
            placement,
            mounting,
        )

    @property
    def stats(self) -> LinkStats:
        """Link health counters (bytes, frames, errors, losses, reconnects, ...)."""
        return self.receiver.stats

    def _on_open(self, port: Any) -> None:
        """Just after the port opened: ask for a hello (the node may have started long ago)."""
        port.write(HELLO_REQUEST)

    def _no_hello(self) -> str:
        waited = f"within {self.settings.hello_timeout_s:g} s"
        refusal = self.receiver.decoder.refusal
        if refusal:
            return f"no usable hello from the node on {self.port} {waited}: {refusal}"
        return (
            f"no hello from a Poise node on {self.port} {waited} "
            "(is the node's firmware installed and the baud rate right?)"
        )

    def _read_loop(self) -> None:
        """The reader thread: whatever stops it ends the stream, with a reason if it failed."""
        try:
            self._read()
        except Exception as e:  # a bug or a hostile stream must end the stream, never hang it
            first_line = (str(e).splitlines() or [""])[0]
            self._failure = f"the link on {self.port} failed: {type(e).__name__}: {first_line}"
        finally:
            self._ended.set()
            self._hello_seen.set()

    def _read(self) -> None:
        lost_at: float | None = None
        asked_at = time.monotonic()
        while not self._closing.is_set():
            if self._port is None:
                lost_at = lost_at or time.monotonic()
                if not self._reopen(lost_at):
                    return
                lost_at = None
                continue
            try:
                data = self._port.read(max(1, self._port.in_waiting))
            except Exception:  # pyserial raises several types when a device vanishes
                if self._closing.is_set():
                    return
                self._lost()
                continue
            now = time.monotonic()
            if self.receiver.decoder.needs_hello and now - asked_at > 1.0:
                asked_at = now
                self._write(HELLO_REQUEST)
            if data:
                self._take(data, now)

    def _take(self, data: bytes, now: float) -> None:
        if self._capture:
            self._capture.write(data)
            self._capture.flush()
        block = self.receiver.feed(data, now)
        if self.receiver.hello is not None:
            self._hello_seen.set()
        if len(block):
            try:
                self._queue.put_nowait(block)
            except queue.Full:
                self.stats.queue_overflows += 1
                self.stats.samples_dropped += len(block)

    def _write(self, data: bytes) -> None:
        try:
            self._port.write(data)
        except Exception:
            self._lost()

    def _lost(self) -> None:
        self.stats.io_errors += 1
        self.connected = False
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(Exception):
                port.close()
        self.receiver.decoder.drop_partial()

    def _reopen(self, lost_at: float) -> bool:
        """Try to reopen the port until it is back (True) or closed / given up (False)."""
        while not self._closing.wait(self.settings.reconnect_interval_s):
            try:
                self._port = open_port(self.port, self.baudrate, 0.05)
            except PoiseError:
                give_up = self.settings.give_up_s
                if give_up and time.monotonic() - lost_at > give_up:
                    return False
                continue
            self.connected = True
            self.stats.reconnects += 1
            self._write(HELLO_REQUEST)
            return True
        return False

    def blocks(self) -> Iterator[SampleBlock]:
        """Sample blocks as they arrive; an empty block after 0.1 s without samples.

        Ends when the source is closed, or when a lost port stayed away longer
        than ``settings.give_up_s``. Raises :class:`PoiseError` (one line) when
        the reader thread failed, once the blocks it read are delivered.
        """
        while not self._closing.is_set():
            try:
                items = [self._queue.get(timeout=0.1)]
            except queue.Empty:
                if self._ended.is_set() and self._queue.empty():
                    if self._failure:
                        raise PoiseError(self._failure) from None
                    return
                yield SampleBlock.empty()
                continue
            while len(items) < 64:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            yield SampleBlock.concat(items)

    def close(self) -> None:
        self._closing.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)
        if self._port is not None:
            self._port.close()
            self._port = None
        self.connected = False
        if self._capture:
            self._capture.close()
            self._capture = None

    def __enter__(self) -> SerialSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CaptureSource:
    """A capture file (raw bytes from :class:`SerialSource`) replayed through the same decoder.

    Not live: blocks of ``block_s`` come as fast as they are read, no empty
    blocks, and the iterator ends at the end of the file. ``stats`` gives the
    same counters as the live link.
    """

    live = False

    def __init__(
        self,
        path: str | Path,
        *,
        placement: str = "unknown",
        mounting: str = "+x+y+z",
        block_s: float = DEFAULT_BLOCK_S,
        chunk_bytes: int = 1 << 16,
    ) -> None:
        self.path = Path(path)
        self.receiver = LinkReceiver()
        self.block_s = block_s
        self._chunk_bytes = chunk_bytes
        try:
            self._file = open(self.path, "rb")  # noqa: SIM115
        except OSError as e:
            raise InputError(path, e.strerror or str(e)) from None
        self._first: list[SampleBlock] = []
        while self.receiver.hello is None:
            data = self._file.read(chunk_bytes)
            if not data:
                self._file.close()
                refusal = self.receiver.decoder.refusal
                raise InputError(
                    path,
                    f"no usable hello in the capture: {refusal}"
                    if refusal
                    else "no hello message from a Poise node in the capture",
                )
            self._first.append(self.receiver.feed(data, 0.0))
        self.meta = _meta(self.receiver.hello, {"capture": str(path)}, placement, mounting)

    @property
    def stats(self) -> LinkStats:
        return self.receiver.stats

    def blocks(self) -> Iterator[SampleBlock]:
        n = block_length(self.meta.rate_hz, self.block_s)
        pending = SampleBlock.concat([b for b in self._first if len(b)])
        self._first = []
        while True:
            data = self._file.read(self._chunk_bytes)
            if data:
                pending = SampleBlock.concat([pending, self.receiver.feed(data, 0.0)])
            whole = len(pending) - len(pending) % n if data else len(pending)
            yield from pending[:whole].split(n) if whole else ()
            pending = pending[whole:]
            if not data:
                self._file.close()
                return

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> CaptureSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
