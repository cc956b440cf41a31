"""Progress of the long steps (generator, features, training folds, explanations), with tqdm.

One setting, three ways to show it:

- ``bar``: tqdm's bar, redrawn in place (a terminal; a Jupyter notebook renders it in place too);
- ``lines``: one plain line per update, at most every ``LINE_INTERVAL`` seconds, plus the first
  and the last (CI logs, files, the executed notebooks of a non-interactive run);
- ``off``: nothing (``--quiet``).

The setting comes from the environment variable ``CREDIT_SCORING_PROGRESS`` when it is set: the
pipeline sets it for the notebooks' kernels, which cannot see the terminal themselves. Otherwise it
is ``bar`` when stderr is a terminal or a Jupyter kernel, ``lines`` else. Progress goes to stderr,
so that what a command prints on stdout (a CSV, JSON) stays clean.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from tqdm import tqdm

from credit_scoring.errors import CreditScoringError

#: Environment variable that sets the progress display: "bar", "lines" or "off".
PROGRESS_VARIABLE = "CREDIT_SCORING_PROGRESS"
MODES = ("bar", "lines", "off")
#: Seconds between two plain lines of the same task.
LINE_INTERVAL = 15.0


def in_jupyter_kernel() -> bool:
    """True inside a Jupyter kernel (its stderr is not a terminal but renders tqdm's bar)."""
    return "ipykernel" in sys.modules and type(sys.stderr).__name__ == "OutStream"


def progress_mode() -> str:
    """The progress display in force: the environment variable's value, else bar or lines."""
    mode = os.environ.get(PROGRESS_VARIABLE, "").strip().lower()
    if mode:
        if mode not in MODES:
            raise CreditScoringError(
                f"{PROGRESS_VARIABLE}={mode!r} is not a progress setting: use one of "
                f"{', '.join(MODES)}"
            )
        return mode
    stderr_is_terminal = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    return "bar" if stderr_is_terminal or in_jupyter_kernel() else "lines"


def terminal_mode(quiet: bool = False) -> str:
    """The display the pipeline hands to its notebooks: off when quiet, bar when this process
    writes to a terminal, lines else."""
    if quiet:
        return "off"
    return "bar" if hasattr(sys.stderr, "isatty") and sys.stderr.isatty() else "lines"


class _WholeLines:
    """A stream that passes on whole lines only (tqdm's own separators are dropped)."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, text: str) -> None:
        if text.endswith("\n") and text.strip():
            self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


class LineProgress(tqdm):
    """tqdm that writes each refresh as a plain line (no carriage return), at most every
    ``mininterval`` seconds, and the last state when it closes."""

    def __init__(self, *args, file=None, **kwargs) -> None:
        super().__init__(*args, file=_WholeLines(file or sys.stderr), **kwargs)

    def display(self, msg=None, pos=None):  # noqa: ARG002 - tqdm's signature
        if self.n == getattr(self, "_last_line_n", None):
            return True  # closing without anything new since the last line
        self._last_line_n = self.n
        self.fp.write(self.format_meter(**self.format_dict) + "\n")
        self.fp.flush()
        return True


def progress(
    total: int | None,
    description: str,
    unit: str = "it",
    mode: str | None = None,
    **options,
) -> tqdm:
    """A progress bar for ``total`` steps of ``unit`` (use it as a context manager and call
    ``update``; ``set_postfix_str`` adds a state, such as the validation metric)."""
    mode = mode or progress_mode()
    common = {
        "total": total,
        "desc": description,
        "unit": unit,
        "file": sys.stderr,
        "disable": mode == "off",
        "dynamic_ncols": True,
        "unit_scale": unit != "it" and (total or 0) >= 10_000,
    } | options
    if mode == "lines":
        return LineProgress(mininterval=LINE_INTERVAL, ascii=True, **common)
    return tqdm(mininterval=0.5, **common)


def track(items: Sequence, description: str, unit: str = "it", show_item: bool = True) -> Iterator:
    """Iterate over ``items`` while showing the progress (one step per item, the item being
    worked on shown beside the bar)."""
    with progress(len(items), description, unit) as bar:
        for item in items:
            if show_item:
                bar.set_postfix_str(str(item), refresh=False)
            yield item
            bar.update(1)


@contextmanager
def progress_setting(mode: str):
    """Set the progress display of this process and the processes it starts (kernels), for the
    duration of the ``with`` block."""
    if mode not in MODES:
        raise CreditScoringError(f"progress must be one of {', '.join(MODES)}, not {mode!r}")
    previous = os.environ.get(PROGRESS_VARIABLE)
    os.environ[PROGRESS_VARIABLE] = mode
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(PROGRESS_VARIABLE, None)
        else:
            os.environ[PROGRESS_VARIABLE] = previous
