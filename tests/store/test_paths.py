"""Where the store lives: $POISE_DATA_DIR, else $XDG_DATA_HOME/poise, else ~/.local/share/poise."""

from __future__ import annotations

from pathlib import Path

import pytest

from poise.store import StoreSettings, data_dir, default_store_path
from poise.store.paths import recordings_dir


def test_data_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("POISE_DATA_DIR", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "home" / ".local" / "share" / "poise"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    assert data_dir() == tmp_path / "home" / ".local" / "share" / "poise"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "poise"
    monkeypatch.setenv("POISE_DATA_DIR", str(tmp_path / "mine"))
    assert default_store_path() == tmp_path / "mine" / "poise.sqlite3"
    assert StoreSettings().store_path() == tmp_path / "mine" / "poise.sqlite3"
    assert recordings_dir(default_store_path()) == tmp_path / "mine" / "recordings"


def test_store_settings(tmp_path):
    settings = StoreSettings(path=str(tmp_path / "s.sqlite3"), reserve_mb=1.5)
    assert settings.store_path() == Path(tmp_path / "s.sqlite3")
    assert settings.reserve_bytes == 1_500_000
    with pytest.raises(ValueError, match="reserve_mb must be a number from 0 to"):
        StoreSettings(reserve_mb=-1.0)
