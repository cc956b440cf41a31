"""What several benchmarks share: Kaggle's row counts and the resident-memory measures.

The benchmarks run as scripts (``python bench/bench_x.py``), so this folder is on ``sys.path``
and they import ``from _common import ...``.
"""

from __future__ import annotations

import os
import resource
import threading
import time

#: Rows of each table of the real Kaggle competition, the full size of the benchmarks.
KAGGLE_ROWS = {
    "application_train": 307_511,
    "application_test": 48_744,
    "bureau": 1_716_428,
    "bureau_balance": 27_299_925,
    "previous_application": 1_670_214,
    "POS_CASH_balance": 10_001_358,
    "installments_payments": 13_605_401,
    "credit_card_balance": 3_840_312,
}

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes() -> int:
    """Current resident set size of this process."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE


def kernel_peak_bytes() -> int:
    """Peak resident set size of this process so far, as the kernel counts it (ru_maxrss)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class MemorySampler:
    """Samples this process's resident set size every ``interval`` seconds in a thread;
    ``peak`` since the start or the last ``reset``, and at the exit of the ``with`` block."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, resident_bytes())
            time.sleep(self.interval)

    def reset(self) -> None:
        self.peak = resident_bytes()

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, resident_bytes())
