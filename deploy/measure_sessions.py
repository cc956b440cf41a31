"""Measure the memory of N concurrent dashboard sessions through the real hub, in Chromium.

    .venv/bin/python deploy/measure_sessions.py --artifacts DIR --sessions 1 3 [--out FILE]

For each N: a fresh hub on loopback, N manager accounts, N headless Chromium pages logged in
(one per manager) until their dashboard shows a client; then, for every kernel and every
user's server process, USS (memory only this process holds), PSS (shared pages divided among
the processes sharing them) and RSS, read with psutil's memory_full_info. Then the tabs are
closed and the time until every kernel is culled is measured (with the default lifecycle).
Prints a Markdown table (and writes it to --out).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import psutil

from credit_scoring.service.accounts import add_user
from credit_scoring.service.hub_config import HubSettings, start_hub, stop_hub, wait_for_hub

MB = 2**20
PASSWORD = "a long measurement password"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def session_processes(users: list[str]) -> dict[str, list[psutil.Process]]:
    """Kernels and user servers of these hub users (found by $JUPYTERHUB_USER)."""
    found: dict[str, list[psutil.Process]] = {"kernel": [], "server": []}
    for process in psutil.process_iter(["cmdline"]):
        try:
            command = " ".join(process.info["cmdline"] or [])
            if process.environ().get("JUPYTERHUB_USER") not in users:
                continue
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if "ipykernel_launcher" in command:
            found["kernel"].append(process)
        elif "jupyterhub-singleuser" in command:
            found["server"].append(process)
    return found


def memory(processes: list[psutil.Process]) -> dict[str, float]:
    """Summed USS, PSS and RSS (MB) of these processes, and the per-process mean USS."""
    totals = {"uss": 0.0, "pss": 0.0, "rss": 0.0}
    for process in processes:
        info = process.memory_full_info()
        for key in totals:
            totals[key] += getattr(info, key) / MB
    totals["count"] = len(processes)
    return totals


def measure(artifacts: Path, sessions: int) -> dict:
    """One hub, ``sessions`` managers in Chromium; memory with pages open, cull time after."""
    from playwright.sync_api import sync_playwright

    state = Path(tempfile.mkdtemp(prefix="measure-hub-"))
    users = [f"manager{i}" for i in range(sessions)]
    for user in users:
        add_user(state, user, "manager", PASSWORD)
    settings = HubSettings(
        artifacts_dir=str(artifacts), state_dir=str(state), port=_free_port(), max_sessions=50
    )
    log = open(state / "hub.log", "w")  # noqa: SIM115 - closed in finally
    process = start_hub(settings, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{settings.port}"
    result: dict = {"sessions": sessions}
    try:
        wait_for_hub(url, process)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox"], headless=True
            )
            contexts = []
            for user in users:
                context = browser.new_context(viewport={"width": 1400, "height": 1800})
                page = context.new_page()
                started = time.perf_counter()
                page.goto(f"{url}/hub/login")
                page.fill("input[name=username]", user)
                page.fill("input[name=password]", PASSWORD)
                page.click("#login_submit")
                page.wait_for_selector(".cs-score", timeout=300_000)
                result.setdefault("usable_s", []).append(time.perf_counter() - started)
                contexts.append(context)
            time.sleep(5)
            found = session_processes(users)
            result["kernels"] = memory(found["kernel"])
            result["servers"] = memory(found["server"])
            closed = time.perf_counter()
            for context in contexts:
                context.close()
            browser.close()
        while session_processes(users)["kernel"] and time.perf_counter() - closed < 600:
            time.sleep(2)
        result["culled_after_s"] = time.perf_counter() - closed
    finally:
        stop_hub(process)
        log.close()
    return result


def table(results: list[dict]) -> str:
    """The measurements as a Markdown table."""
    lines = [
        "| sessions | kernel USS (MB, each) | kernel PSS (MB, each) | kernel RSS (MB, each) "
        "| user server USS (MB, each) | all sessions PSS (MB) | page usable (s, first) "
        "| kernels gone after tabs closed (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        k, s, n = r["kernels"], r["servers"], max(1, r["kernels"]["count"])
        m = max(1, s["count"])
        lines.append(
            f"| {r['sessions']} | {k['uss'] / n:.0f} | {k['pss'] / n:.0f} | {k['rss'] / n:.0f} "
            f"| {s['uss'] / m:.0f} | {k['pss'] + s['pss']:.0f} | {r['usable_s'][0]:.1f} "
            f"| {r['culled_after_s']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, required=True)
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    results = [measure(args.artifacts, n) for n in args.sessions]
    text = table(results)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
