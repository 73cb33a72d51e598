"""The serial link between a sensor node and the host: framing, messages, decoding.

Pure code (no serial port here): :mod:`poise.sources.serial_link` moves the bytes.
The byte layout and the reasons for it are in docs/link-protocol.md.
"""

from __future__ import annotations

from poise.link.decoder import LinkDecoder, SampleRun
from poise.link.messages import (
    PROTOCOL_VERSION,
    Hello,
    HelloRequest,
    Samples,
    Status,
    encode,
)
from poise.link.receiver import LinkReceiver, runs_to_block
from poise.link.stats import LinkStats

__all__ = [
    "PROTOCOL_VERSION",
    "Hello",
    "HelloRequest",
    "LinkDecoder",
    "LinkReceiver",
    "LinkStats",
    "SampleRun",
    "Samples",
    "Status",
    "encode",
    "runs_to_block",
]
