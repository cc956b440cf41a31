"""Dashboard speed and memory: page usable time, client-switch latency (server side and in the
browser), kernel memory, and 10 concurrent sessions.

    python bench/bench_dashboard.py --artifacts artifacts [--artifacts /work/fullsize/artifacts]

Each artifacts folder is measured in turn; the results go to bench/results/dashboard.md.
Server-side latency drives the app object in this process (every panel observes the state and
redraws synchronously, so the time to set the client id is the time to update every panel).
Browser numbers come from a real Voilà server (preheated kernels) and headless Chromium.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import psutil

from credit_scoring.dashboard.app import DashboardApp
from credit_scoring.dashboard.data import DashboardData
from credit_scoring.dashboard.serve import free_port, start_voila, stop_voila, wait_until_serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS = Path(__file__).resolve().parent / "results" / "dashboard.md"
USABLE_JS = (
    "() => document.querySelector('.cs-score') && document.querySelector('.cs-gauge svg') && "
    "[...document.querySelectorAll('.cs-waterfall .bargroup rect')]"
    ".some(rect => rect.getBBox().width > 1) && document.querySelector('.cs-position-text')"
)
SWITCHED_JS = (
    "old => { const score = document.querySelector('.cs-score').innerText;"
    " const client = (score.match(/(\\d{5,})/) || [])[1];"
    " return client && client !== old; }"
)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def kernel_pids(server_pid: int) -> list[int]:
    """ipykernel processes started by the Voilà server."""
    found = []
    for child in psutil.Process(server_pid).children(recursive=True):
        try:
            if "ipykernel" in " ".join(child.cmdline()):
                found.append(child.pid)
        except psutil.Error:
            continue
    return found


def server_side(artifacts: Path, switches: int, seed: int = 0) -> dict:
    """Load time, memory, and switch latency of the app object in this process."""
    before = rss_mb(os.getpid())
    started = time.perf_counter()
    data = DashboardData(artifacts)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    app = DashboardApp(data, lang="fr")
    build_seconds = time.perf_counter() - started
    generator = np.random.default_rng(seed)
    rows = generator.choice(data.n_clients, size=switches, replace=False)
    results = {}
    for mode in ("all", "similar", "filtered"):
        app.state.group_mode = mode
        if mode == "filtered":
            app.state.filters = {"SPLIT": "historical"}
        timings = []
        for row in rows:
            started = time.perf_counter()
            app.state.client_id = int(data.client_ids[row])
            timings.append((time.perf_counter() - started) * 1000)
            failed = [type(p).__name__ for p in app.panels if "cs-note-error" in p.message.value]
            if failed:
                raise RuntimeError(f"panels failed during the benchmark: {failed}")
        results[mode] = timings
        app.state.filters = {}
    feature_timings = []
    for feature in app.compare.feature_names[:30]:
        started = time.perf_counter()
        app.state.feature = feature
        feature_timings.append((time.perf_counter() - started) * 1000)
    whatif_timings = []
    for row in rows[:20]:
        app.state.client_id = int(data.client_ids[row])
        app.whatif.inputs["AMT_CREDIT"].value = app.whatif.inputs["AMT_CREDIT"].value * 1.5
        started = time.perf_counter()
        app.whatif.run()
        whatif_timings.append((time.perf_counter() - started) * 1000)
    return {
        "clients": data.n_clients,
        "load_seconds": load_seconds,
        "build_seconds": build_seconds,
        "memory_mb": rss_mb(os.getpid()) - before,
        "switch": results,
        "feature": feature_timings,
        "whatif": whatif_timings,
    }


async def _open(browser, url: str) -> tuple[object, float]:
    page = await browser.new_page(viewport={"width": 1440, "height": 2400})
    started = time.perf_counter()
    await page.goto(url, timeout=600_000)
    await page.wait_for_function(USABLE_JS, timeout=600_000, polling=50)
    return page, time.perf_counter() - started


async def _switches(page, switches: int, timings: list[float]) -> None:
    for _ in range(switches):
        score = await page.inner_text(".cs-score")
        client = next(word for word in score.replace("°", " ").split() if word.isdigit())
        started = time.perf_counter()
        await page.click(".cs-next")
        await page.wait_for_function(SWITCHED_JS, arg=client, timeout=60_000, polling=20)
        timings.append(time.perf_counter() - started)


async def browser_sessions(url: str, sessions: int, switches: int) -> dict:
    """Open ``sessions`` pages one after the other (as people arrive), then let them all switch
    client ``switches`` times at the same time; seconds per switch and per page opening."""
    from playwright.async_api import async_playwright

    timings: list[float] = []
    usable: list[float] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = []
        for _ in range(sessions):
            page, seconds = await _open(browser, url)
            pages.append(page)
            usable.append(seconds)
        await asyncio.gather(*(_switches(page, switches, timings) for page in pages))
        for page in pages:
            await page.close()
        await browser.close()
    return {"switch": timings, "usable": usable}


async def page_loads(url: str, loads: int, pause: float) -> list[float]:
    """Seconds from the request to a usable page (gauge, waterfall and comparison drawn)."""
    from playwright.async_api import async_playwright

    seconds = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(loads):
            await asyncio.sleep(pause)  # let the pool start and run the next preheated kernel
            page = await browser.new_page(viewport={"width": 1440, "height": 2400})
            started = time.perf_counter()
            await page.goto(url, timeout=300_000)
            await page.wait_for_function(USABLE_JS, timeout=300_000, polling=50)
            seconds.append(time.perf_counter() - started)
            await page.close()
        await browser.close()
    return seconds


def with_server(artifacts: Path, pool_size: int, action):
    port = free_port()
    with tempfile.NamedTemporaryFile("w", suffix=".log") as log:
        process = start_voila(
            artifacts, port, pool_size=pool_size, stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_until_serving(url, process, timeout=600)
            return action(url, process)
        finally:
            stop_voila(process)


def browser_side(artifacts: Path, loads: int, switches: int, sessions: int, pause: float) -> dict:
    """Page usable time, switch latency, kernel memory, then concurrent sessions."""
    result = {}

    def single(url, process):
        result["usable"] = asyncio.run(page_loads(url, loads, pause))
        time.sleep(pause)
        one = asyncio.run(browser_sessions(url, 1, switches))
        result["browser_switch"] = one["switch"]
        result["kernel_mb"] = max((rss_mb(pid) for pid in kernel_pids(process.pid)), default=0)

    with_server(artifacts, 1, single)

    def concurrent(url, process):
        time.sleep(pause)
        many = asyncio.run(browser_sessions(url, sessions, switches))
        result["concurrent_switch"] = many["switch"]
        result["concurrent_usable"] = many["usable"]
        result["concurrent_kernels_mb"] = sum(rss_mb(pid) for pid in kernel_pids(process.pid))

    if sessions:
        with_server(artifacts, 1, concurrent)

    def cold(url, process):
        result["cold_usable"] = asyncio.run(page_loads(url, 3, 5.0))

    with_server(artifacts, 0, cold)
    return result


def cell(values: list[float], scale: float = 1.0, digits: int = 0) -> str:
    median = statistics.median(values) * scale
    p95 = percentile(values, 95) * scale
    return f"{median:.{digits}f} / {p95:.{digits}f} / {max(values) * scale:.{digits}f}"


def report(runs: list[tuple[Path, dict, dict]], args) -> str:
    lines = [
        "# Dashboard benchmark",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()}: "
        f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB "
        "(shared with other work), Python "
        f"{platform.python_version()}. Command: `python bench/bench_dashboard.py "
        + " ".join(f"--artifacts {path}" for path, _, _ in runs)
        + f" --switches {args.switches} --loads {args.loads} --sessions {args.sessions}`.",
        "",
        "Cells are median / p95 / max unless said otherwise. Targets (issue 5, full size): page",
        "usable <= 5 s, switch <= 200 ms server-side (p95) and <= 1 s in the browser, kernel",
        "< 1.5 GB, 10 concurrent sessions with every switch < 2 s.",
        "",
        "| measure | " + " | ".join(f"{s['clients']:,} applicants" for _, s, _ in runs) + " |",
        "|---|" + "---|" * len(runs),
    ]

    def row(name, values):
        lines.append(f"| {name} | " + " | ".join(values) + " |")

    row("artifacts load (s), once per kernel", [f"{s['load_seconds']:.2f}" for _, s, _ in runs])
    row("app build, all panels (s)", [f"{s['build_seconds']:.2f}" for _, s, _ in runs])
    row("memory of data + app in process (MB)", [f"{s['memory_mb']:.0f}" for _, s, _ in runs])
    for mode in ("all", "similar", "filtered"):
        row(
            f"client switch, every panel, group '{mode}' (ms, server side)",
            [cell(s["switch"][mode]) for _, s, _ in runs],
        )
    row("feature change in comparison (ms)", [cell(s["feature"]) for _, s, _ in runs])
    row("what-if rescore (ms)", [cell(s["whatif"]) for _, s, _ in runs])
    row("page usable after the request (s)", [cell(b["usable"], 1, 2) for _, _, b in runs])
    row(
        "same without a preheated kernel (pool 0, 3 loads) (s)",
        [cell(b["cold_usable"], 1, 2) for _, _, b in runs],
    )
    row("client switch in the browser (ms)", [cell(b["browser_switch"], 1000) for _, _, b in runs])
    row("kernel memory after the switches (MB RSS)", [f"{b['kernel_mb']:.0f}" for _, _, b in runs])
    if args.sessions:
        row(
            f"{args.sessions} sessions opened in a row: page usable (s)",
            [cell(b["concurrent_usable"], 1, 1) for _, _, b in runs],
        )
        row(
            f"{args.sessions} concurrent sessions: switch in the browser (ms)",
            [cell(b["concurrent_switch"], 1000) for _, _, b in runs],
        )
        row(
            f"{args.sessions} concurrent sessions: all kernels incl. the spare (MB RSS)",
            [f"{b['concurrent_kernels_mb']:.0f}" for _, _, b in runs],
        )
    lines += [
        "",
        f"Server side: {args.switches} random clients per group mode; browser: {args.loads} page",
        f"loads {args.pause:.0f} s apart (so the preheated kernel is ready), then {args.switches}",
        "'next client' clicks, each timed from the click until the score shows the new client.",
        f"Concurrent: {args.sessions} pages opened one after the other in one headless Chromium",
        "(one kernel each; the pool holds one preheated kernel, so later pages wait for a kernel",
        f"to start), then all {args.sessions} click 'next' {args.switches} times at the same time.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, action="append", required=True)
    parser.add_argument("--switches", type=int, default=40)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--pause", type=float, default=15.0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--append", action="store_true", help="add this run to the results file (else replace it)"
    )
    args = parser.parse_args(argv)
    runs = []
    for artifacts in args.artifacts:
        print(f"== {artifacts}", flush=True)
        server = server_side(artifacts, args.switches)
        print("server side done", flush=True)
        browser = browser_side(artifacts, args.loads, args.switches, args.sessions, args.pause)
        print("browser side done", flush=True)
        runs.append((artifacts, server, browser))
    text = report(runs, args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.append and args.out.is_file():
        text = (
            args.out.read_text(encoding="utf-8")
            + "\n"
            + text.replace("# Dashboard benchmark", "## Another run", 1)
        )
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
