"""check_store before a session: real read-only stores and file systems, real full disks.

Permission bits do not bind root (CI runs as root), so the read-only store is
checked by a child process that, when run as root, drops to the unprivileged
uid 65534 ("nobody") before checking a root-owned store. A read-only file
system and a genuinely full disk are made, without privileges, as a tiny
tmpfs mounted inside a user and mount namespace (``unshare --user
--map-root-user --mount``); those tests skip, saying why, where the kernel
does not allow unprivileged namespaces. A loop-mounted image would need real
root (losetup) and is not used.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from store_children import run_child

from poise.errors import PoiseError
from poise.store import Store, check_store
from poise.store.preflight import DEFAULT_RESERVE_BYTES, recording_bytes

NOBODY = 65534
#: Prints check_store's message (or "ok") for the store in folder argv[1] needing argv[2]
#: bytes with argv[3] in reserve; with a fourth argument, as uid 65534 when run as root.
CHECK = """
    import os, sys
    from pathlib import Path
    from poise.errors import PoiseError
    from poise.store import check_store
    # Imports first: this Python's own files may be readable by root only.
    if os.getuid() == 0 and len(sys.argv) > 4:
        os.setgid(65534)
        os.setuid(65534)
    try:
        check_store(Path(sys.argv[1]) / "poise.sqlite3", int(sys.argv[2]), int(sys.argv[3]))
    except PoiseError as e:
        print(e)
    else:
        print("ok")
"""
CREATE = """
    import sys
    from pathlib import Path
    from poise.store import Store
    Store.open(Path(sys.argv[1]) / "poise.sqlite3").close()
"""


def test_a_new_store_in_a_new_folder_passes(tmp_path):
    check_store(tmp_path / "a" / "b" / "poise.sqlite3", 1000)
    assert (tmp_path / "a" / "b").is_dir()
    assert list((tmp_path / "a" / "b").iterdir()) == []  # the probe file is gone


def test_too_little_free_space_is_refused_before_the_session(tmp_path):
    stats = os.statvfs(tmp_path)
    free = stats.f_bavail * stats.f_frsize
    check_store(tmp_path / "poise.sqlite3", free - DEFAULT_RESERVE_BYTES - 10**6)
    with pytest.raises(PoiseError) as err:
        check_store(tmp_path / "poise.sqlite3", free - DEFAULT_RESERVE_BYTES + 10**6)
    message = str(err.value)
    assert message.startswith(f"{tmp_path}: ") and "\n" not in message
    assert "MB free; a session needs" in message and "64.0 MB kept in reserve" in message


def test_recording_size_bound_covers_a_real_recording(tmp_path):
    from poise.formats.poise_csv import write_recording
    from poise.recording import RecordingMeta
    from poise.samples import SampleBlock

    n = 1000
    extreme = [[-31.999999, -31.999999, -31.999999]] * n
    samples = SampleBlock(
        [99_999.0 + i * 1e-6 for i in range(n)],
        [9_999_999_000 + i for i in range(n)],
        extreme,
        [[-1999.9999] * 3] * n,
    )
    path = tmp_path / "r.csv"
    write_recording(path, samples, RecordingMeta(rate_hz=1000.0))
    header = sum(len(line) + 1 for line in path.read_text().splitlines() if line[0] in "#s")
    assert path.stat().st_size - header <= recording_bytes(1000.0, n / 1000.0)


@pytest.fixture
def shared_folder():
    """A folder under the system temporary folder that uid 65534 can enter (pytest's is 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="poise-preflight-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o700 if path.is_dir() else 0o600)
    shutil.rmtree(folder)


def test_a_read_only_store_is_refused(shared_folder):
    Store.open(shared_folder / "poise.sqlite3").close()
    shared_folder.chmod(0o777)  # the folder is writable: only the store file is not
    for path in shared_folder.iterdir():
        path.chmod(0o444)
    child = run_child(CHECK, str(shared_folder), "1000", "0", "as-nobody")
    assert child.stdout == (
        f"{shared_folder / 'poise.sqlite3'}: the store cannot be written: permission denied\n"
    ), child.stderr


def test_a_folder_that_cannot_be_written_is_refused(shared_folder):
    (shared_folder / "store").mkdir(mode=0o555)
    child = run_child(CHECK, str(shared_folder / "store"), "1000", "0", "as-nobody")
    assert child.stdout == (
        f"{shared_folder / 'store'}: cannot write the store's folder: permission denied\n"
    ), child.stderr
    child = run_child(CHECK, str(shared_folder / "store" / "sub"), "1000", "0", "as-nobody")
    assert "cannot write the store's folder: permission denied" in child.stdout, child.stderr


def test_a_file_that_is_not_a_poise_store_is_refused(tmp_path):
    path = tmp_path / "poise.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE songs (title)")
    with pytest.raises(PoiseError, match=r"poise\.sqlite3: not a Poise store"):
        check_store(path, 0, 0)
    path.write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(PoiseError, match=r"poise\.sqlite3: not a Poise store"):
        check_store(path, 0, 0)


def test_a_corrupt_store_is_refused(tmp_path):
    path = tmp_path / "poise.sqlite3"
    with Store.open(path) as store:
        session = store.start_session("Ana", {"kind": "sim"}, {"pad": "x" * 20_000})
        store.end_session(session)
    check_store(path, 0, 0)
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page * 2 : page * 3] = b"\xff" * page  # scribble over a b-tree page
    path.write_bytes(bytes(data))
    with pytest.raises(PoiseError, match=r"poise\.sqlite3: the store is corrupt"):
        check_store(path, 0, 0)


def _namespace_tmpfs_works() -> str | None:
    """None if an unprivileged tmpfs mount works here, else why not."""
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    with tempfile.TemporaryDirectory() as folder:
        probe = subprocess.run(
            [
                "unshare",
                "--user",
                "--map-root-user",
                "--mount",
                "mount",
                "-t",
                "tmpfs",
                "tmpfs",
                folder,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if probe.returncode:
        return f"no unprivileged user+mount namespace here: {probe.stderr.strip()}"
    return None


@pytest.fixture
def tiny_fs(tmp_path):
    """``tiny_fs(steps)``: run shell ``steps`` in a namespace with a 1 MB tmpfs at $D.

    $PY is this Python; $CREATE and $CHECK are the scripts above. Returns the
    output (CHECK's lines), the mount point written as ``$D``.
    """
    reason = _namespace_tmpfs_works()
    if reason:
        pytest.skip(reason)
    mount = tmp_path / "tiny"
    mount.mkdir()

    def run(steps: str) -> str:
        env = dict(
            os.environ,
            D=str(mount),
            PY=sys.executable,
            CREATE=textwrap.dedent(CREATE),
            CHECK=textwrap.dedent(CHECK),
        )
        shell = 'mount -t tmpfs -o size=1m tmpfs "$D" && ' + steps
        done = subprocess.run(
            ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", shell],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.replace(str(mount), "$D")

    return run


def test_a_store_on_a_read_only_file_system_is_refused(tiny_fs):
    out = tiny_fs(
        '"$PY" -c "$CREATE" "$D" && "$PY" -c "$CHECK" "$D" 0 0 && '
        'mount -o remount,ro "$D" && "$PY" -c "$CHECK" "$D" 0 0'
    )
    assert out.splitlines() == ["ok", "$D: cannot write the store's folder: read-only file system"]


def test_a_full_disk_is_refused(tiny_fs):
    """The same check passes on the 1 MB file system, then fails once it is really full."""
    out = tiny_fs(
        '"$PY" -c "$CREATE" "$D" && "$PY" -c "$CHECK" "$D" 100000 0 && '
        '"$PY" -c "$CHECK" "$D" 2000000 0 && '
        '{ dd if=/dev/zero of="$D/fill" bs=64k 2>/dev/null; true; } && '
        '"$PY" -c "$CHECK" "$D" 100000 0'
    )
    ok, too_much, full = out.splitlines()
    assert ok == "ok"
    # The 1 MB file system less the new store's own pages.
    assert re.match(r"\$D: (0\.9|1\.0) MB free; a session needs 2\.0 MB plus 0\.0 MB", too_much)
    assert full == "$D: 0.0 MB free; a session needs 0.1 MB plus 0.0 MB kept in reserve; " + (
        "free some space"
    )


def test_the_longest_row_a_recording_can_have_fits_the_estimate():
    from poise.formats.poise_csv import ROW_FORMAT
    from poise.store.preflight import MAX_ROW_BYTES

    longest = ROW_FORMAT % (9_999_999_999, 99999.999999, *[-32.0] * 3, *[-2000.0] * 3)
    assert len(longest) == MAX_ROW_BYTES
