"""The progression store: athletes, sessions, trials and their headline metrics, in SQLite.

``Store.open(path)`` gives a store whose writes are transactions (nothing is
ever half-written); each trial's raw recording lives beside the store in
``recordings/`` and is hashed (SHA-256) when the trial ends. ``check_store``
says, before a session starts, whether the store can take it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from poise.store.paths import StoreSettings, data_dir, default_store_path
    from poise.store.preflight import check_store
    from poise.store.sqlite import Store, Trial, TrialRow

#: Where each name lives. They are imported when first used, so that the command
#: line's parser (which adds ``poise store``) does not load SQLite, NumPy and the
#: readers just to print its help.
_HOMES = {
    "Store": "poise.store.sqlite",
    "Trial": "poise.store.sqlite",
    "TrialRow": "poise.store.sqlite",
    "StoreSettings": "poise.store.paths",
    "data_dir": "poise.store.paths",
    "default_store_path": "poise.store.paths",
    "check_store": "poise.store.preflight",
}

__all__ = [
    "Store",
    "StoreSettings",
    "Trial",
    "TrialRow",
    "check_store",
    "data_dir",
    "default_store_path",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'poise.store' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
