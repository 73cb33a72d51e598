"""The progression store: athletes, sessions, trials and their headline metrics, in SQLite.

``Store.open(path)`` gives a store whose writes are transactions (nothing is
ever half-written); each trial's raw recording lives beside the store in
``recordings/`` and is hashed (SHA-256) when the trial ends. ``check_store``
says, before a session starts, whether the store can take it.
"""

from __future__ import annotations

from poise.store.paths import StoreSettings, data_dir, default_store_path
from poise.store.preflight import check_store
from poise.store.sqlite import Store, Trial, TrialRow

__all__ = [
    "Store",
    "StoreSettings",
    "Trial",
    "TrialRow",
    "check_store",
    "data_dir",
    "default_store_path",
]
