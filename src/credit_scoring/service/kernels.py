"""Kernel lifecycle of the served dashboard: how long a page's kernel lives, and how many may run.

Every page view of the Voilà dashboard runs in its own kernel (a Python process holding the
artifacts). ``SessionKernelManager`` is the kernel manager of both the standalone Voilà server
and of each user's server under JupyterHub. It adds two things to jupyter_server's culling:

- **a disconnect grace**: a kernel's idle time counts from its last message *or from the moment
  its last websocket closed*, so that a page whose network drops for a few seconds is not culled
  (the browser reconnects), while a closed tab is culled ``cull_idle_timeout`` seconds after it
  closed (at most ``cull_idle_timeout + cull_interval``). A kernel whose page never opened the
  websocket (a plain GET, a probe, a link preview) is culled the same way after its render.
- **a cap** (``max_kernels``): past it, starting one more kernel is refused with HTTP 503 instead
  of exhausting the machine's memory and crashing everybody's sessions.

The defaults of the lifecycle (``LIFECYCLE_DEFAULTS``) are the documented settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ensure_async
from tornado import web
from traitlets import Integer

# Measured memory of one dashboard session, used to size the cap when none is given.
# Full Kaggle size, memory-mapped artifacts, through the hub (deploy/measure_sessions.py,
# bench/results/sessions.md): kernel ~270 MB + user server ~127 MB unique, ~400 MB PSS per
# session with 20 open; 450 MB leaves a little margin. The cap is computed from the machine's
# memory and this figure.
DEFAULT_MEMORY_PER_SESSION_MB = 450
# Memory kept for the operating system, the server and the page cache of the artifacts.
RESERVED_MEMORY_MB = 2048
MEMORY_PER_SESSION_ENV = "CREDIT_SCORING_MEMORY_PER_SESSION_MB"


#: Arrow's default allocator keeps freed pages for reuse; with the system one a kernel gives
#: back what loading the artifacts used transiently (measured at the full Kaggle size: 26 MB of
#: unique memory less per kernel).
KERNEL_MEMORY_ENV = {"ARROW_DEFAULT_MEMORY_POOL": "system"}


@dataclass(frozen=True)
class Lifecycle:
    """The kernel lifecycle settings (seconds), with their documented defaults.

    ``cull_idle_timeout``: a kernel without an open page is shut down after this long (also the
    grace a page gets to reconnect after a network interruption). ``cull_interval``: how often
    the culler looks. A closed tab's kernel is gone within the sum of the two (75 s by default).
    """

    cull_idle_timeout: int = 60
    cull_interval: int = 15

    def server_arguments(self) -> list[str]:
        """Command-line options of a jupyter/voila server applying this lifecycle."""
        return [
            f"--MappingKernelManager.cull_idle_timeout={int(self.cull_idle_timeout)}",
            f"--MappingKernelManager.cull_interval={int(self.cull_interval)}",
            # an open page is never culled, however long the manager reads it
            "--MappingKernelManager.cull_connected=False",
        ]


LIFECYCLE_DEFAULTS = Lifecycle()


def total_memory_mb() -> int:
    """Physical memory of this machine, in MB (the cgroup limit is not considered)."""
    try:
        import psutil

        return int(psutil.virtual_memory().total // 2**20)
    except ImportError:  # psutil is a dev extra; sysconf is always there on Linux
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20)


def default_max_sessions(memory_per_session_mb: int | None = None) -> int:
    """How many dashboard sessions fit in this machine's memory (at least 1).

    ``memory_per_session_mb`` defaults to $CREDIT_SCORING_MEMORY_PER_SESSION_MB, else the
    measured full-size figure (``DEFAULT_MEMORY_PER_SESSION_MB``).
    """
    if memory_per_session_mb is None:
        memory_per_session_mb = int(
            os.environ.get(MEMORY_PER_SESSION_ENV, DEFAULT_MEMORY_PER_SESSION_MB)
        )
    available = total_memory_mb() - RESERVED_MEMORY_MB
    return max(1, available // max(1, int(memory_per_session_mb)))


def default_pool_size() -> int:
    """Preheated kernels kept ready: one per two CPU cores, at least one, at most four.

    A preheated kernel has already loaded the artifacts, so the next page is usable at once;
    each one costs a session's memory while it waits.
    """
    return max(1, min(4, (os.cpu_count() or 2) // 2))


class SessionKernelManager(AsyncMappingKernelManager):
    """jupyter_server's kernel manager with a disconnect grace and a cap (see the module doc)."""

    max_kernels = Integer(
        0,
        config=True,
        help="Most kernels running at once (0: no cap). Past it a new kernel is refused (503).",
    )

    def notify_connect(self, kernel_id):
        """A page opened its websocket."""
        super().notify_connect(kernel_id)
        self.log.debug(
            "websocket connected to kernel %s (%s open)",
            kernel_id,
            self._kernel_connections.get(kernel_id),
        )

    def notify_disconnect(self, kernel_id):
        """A page closed its websocket: its idle time starts now (the reconnection grace)."""
        super().notify_disconnect(kernel_id)
        self.log.debug(
            "websocket of kernel %s closed (%s open)",
            kernel_id,
            self._kernel_connections.get(kernel_id),
        )
        if kernel_id in self._kernels and not self._kernel_connections.get(kernel_id, 0):
            from jupyter_server._tz import utcnow

            self._kernels[kernel_id].last_activity = utcnow()

    async def start_kernel(self, *args, **kwargs):
        """Start a kernel unless the cap is reached (then HTTP 503: the service is busy)."""
        if self.max_kernels and len(self._kernels) >= self.max_kernels:
            self.log.warning(
                "kernel cap reached (%d kernels running): refusing a new one", len(self._kernels)
            )
            raise web.HTTPError(503, "the service is busy: too many open dashboards")
        return await ensure_async(super().start_kernel(*args, **kwargs))
