"""Link health counters: what the decoder and the source saw, counted, never hidden."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class LinkStats:
    """Counters of one link since it was opened (all cumulative).

    Args:
        bytes: bytes received.
        frames: frames that passed COBS, CRC and length checks.
        samples: samples delivered (after duplicates were dropped).
        crc_errors: frames whose CRC did not match.
        cobs_errors: frames that were not valid COBS.
        length_errors: frames with a good CRC and a length that does not fit their
            type, or too short to hold a type and a CRC.
        oversize: runs of more than the longest frame without a delimiter (discarded).
        unknown_types: frames with a good CRC and a type (or version) this host does not read.
        discarded_bytes: bytes thrown away in bad frames, oversize runs and cut-off
            partial frames.
        hellos_refused: hellos with a good CRC whose fields do not fit the chip they name
            (:mod:`poise.link.hello_check`); the decoder keeps the reason.
        time_faults: sample frames whose own timestamps do not step one sample period
            at a time (dropped).
        resyncs: times the decoder found its way back to a good frame after bad data.
        seq_gaps: jumps forward in the sequence numbers.
        samples_lost: samples missing in those jumps.
        duplicates: frames (or parts) whose samples had been delivered already (dropped).
        jumps: sample frames whose sequence number and timestamp jumped away from the
            stream (backwards, absurdly far, or not together); each is held until the
            next frame and dropped unless that frame follows it.
        stream_resets: jumps the next frame confirmed: the stream was re-based on them
            (a long gap seen whole, or a reboot that drew the same stream id).
        restarts: times the node restarted (a new stream id).
        foreign_frames: frames of a stream id other than the one followed (dropped).
        other_nodes: other nodes found streaming on the same port (a stream id that
            kept interrupting the one followed); their frames are dropped, never merged.
        overruns: the node's FIFO overruns, as the node reported them.
        i2c_errors: the node's I2C errors, as the node reported them.
        io_errors: read errors on the port (the source reconnects after each).
        reconnects: times the port was opened again after being lost.
        queue_overflows: blocks the source dropped because its consumer fell behind.
        samples_dropped: samples in those dropped blocks.
    """

    bytes: int = 0
    frames: int = 0
    samples: int = 0
    crc_errors: int = 0
    cobs_errors: int = 0
    length_errors: int = 0
    oversize: int = 0
    unknown_types: int = 0
    discarded_bytes: int = 0
    hellos_refused: int = 0
    time_faults: int = 0
    resyncs: int = 0
    seq_gaps: int = 0
    samples_lost: int = 0
    duplicates: int = 0
    jumps: int = 0
    stream_resets: int = 0
    restarts: int = 0
    foreign_frames: int = 0
    other_nodes: int = 0
    overruns: int = 0
    i2c_errors: int = 0
    io_errors: int = 0
    reconnects: int = 0
    queue_overflows: int = 0
    samples_dropped: int = 0

    @property
    def bad_frames(self) -> int:
        """Frames rejected for any reason."""
        return (
            self.crc_errors
            + self.cobs_errors
            + self.length_errors
            + self.oversize
            + self.unknown_types
            + self.hellos_refused
            + self.time_faults
        )

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    def summary(self) -> str:
        """One line for the live display.

        >>> LinkStats(frames=10, samples=80).summary()
        'link: 80 samples in 10 frames; 0 bad frames, 0 lost, 0 resyncs, 0 overruns, 0 reconnects'
        """
        line = (
            f"link: {self.samples} samples in {self.frames} frames; {self.bad_frames} bad frames, "
            f"{self.samples_lost} lost, {self.resyncs} resyncs, {self.overruns} overruns, "
            f"{self.reconnects} reconnects"
        )
        if self.other_nodes:
            line += f", {self.other_nodes + 1} nodes on one port (only the first followed)"
        extras = (  # (count, one, more)
            (self.hellos_refused, "hello refused", "hellos refused"),
            (self.time_faults, "time fault", "time faults"),
            (self.jumps, "jump", "jumps"),
            (self.stream_resets, "stream reset", "stream resets"),
            (self.duplicates, "duplicate", "duplicates"),
            (self.restarts, "restart", "restarts"),
            (self.foreign_frames, "frame of another node", "frames of another node"),
            (self.i2c_errors, "I2C error", "I2C errors"),
            (self.samples_dropped, "dropped by a slow consumer", "dropped by a slow consumer"),
        )
        return line + "".join(f", {n} {one if n == 1 else more}" for n, one, more in extras if n)
