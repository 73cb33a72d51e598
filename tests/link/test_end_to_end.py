"""End to end: the node firmware under MicroPython writes into a real pty, SerialSource reads it.

The samples SerialSource yields, in Poise units, must equal the simulated ones.
"""

from __future__ import annotations

import os
import subprocess
import tty

import numpy as np
import pytest
from node_host import (
    micropython,
    micropython_missing,
    simulated_counts,
    start_node,
    write_chip_data,
)

from poise.chips import LSM6DSO32
from poise.samples import SampleBlock
from poise.sources.serial_link import SerialSource

RATE_HZ = 833.0


@pytest.mark.skipif(micropython() is None, reason=micropython_missing())
def test_firmware_to_serial_source_through_a_pty(tmp_path):
    ticks, counts = simulated_counts(RATE_HZ, 1.5)
    # Paced at twice real time: the fake chip fills its FIFO as the real one would.
    chip = write_chip_data(tmp_path, ticks, counts, speed=2.0, odr_hz=RATE_HZ)
    master, slave = os.openpty()
    tty.setraw(slave)
    tty.setraw(master)
    port = os.ttyname(slave)
    node = start_node(chip, {"ODR_HZ": 833}, stdin=master, stdout=master, stderr=subprocess.PIPE)
    blocks = []
    try:
        with SerialSource(port) as source:
            assert source.meta.rate_hz == RATE_HZ and source.meta.firmware == "0.1.0"
            for block in source.blocks():
                blocks.append(block)
                done = sum(len(b) for b in blocks) >= len(counts)
                if done or (node.poll() is not None and not len(block)):
                    break
            stats = source.stats
    finally:
        node.kill()
        node.wait()
        os.close(master)
        os.close(slave)
    got = SampleBlock.concat([b for b in blocks if len(b)])
    np.testing.assert_array_equal(got.seq, np.arange(len(counts)))
    np.testing.assert_array_equal(got.t_s, ticks * LSM6DSO32.timestamp_lsb_s)
    np.testing.assert_array_equal(got.acc_g, counts[:, 3:] * LSM6DSO32.acc_lsb_g[32.0])
    np.testing.assert_array_equal(got.gyr_dps, counts[:, :3] * LSM6DSO32.gyr_lsb_dps[2000.0])
    assert stats.bad_frames == stats.samples_lost == stats.overruns == 0
