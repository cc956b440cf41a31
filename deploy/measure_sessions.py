"""Measure N concurrent dashboard sessions through the real hub, in Chromium: memory, switches, close.

    .venv/bin/python deploy/measure_sessions.py --artifacts DIR --sessions 1 5 20 \
        [--switches 10] [--think 1.0] [--wave 5] [--close-wait 240] [--out FILE] [--json FILE]

For each N, on a fresh hub on loopback with N manager accounts:

1. **Log in.** N headless Chromium pages (one browser, one context per manager) log in, in waves
   of ``--wave`` at once, until each page's score panel shows a client ("page usable": from the
   login page to the client shown, login, server start, kernel start and render included).
2. **Memory, pages open.** For every kernel and every user's server (found by $JUPYTERHUB_USER),
   USS (memory only this process holds), PSS (shared pages divided among the processes sharing
   them) and RSS, read with psutil's ``memory_full_info``; the machine's used memory
   (``psutil.virtual_memory().used``) before the hub started, with the hub idle, and now.
3. **Switches, all at once.** Every page presses its picker's "next" button ``--switches`` times
   (``--think`` seconds between two), all pages at the same time. Each switch is timed *in the
   page* (``performance.now()``): from the click to the moment the score panel's DOM names another
   client. p50/p95/max over all switches of all pages. The memory is read again after them.
4. **Close.** Every tab is closed, then every 10 s (at most ``--close-wait`` seconds, stopping
   early 30 s after the last kernel is gone) the count of kernels and user servers, their PSS and
   the machine's used memory. (A user's server stops itself 10 minutes after its last kernel, so
   the servers are still there at the end of a short wait: that is said apart from the kernels.)

Prints one Markdown table per run and writes them to --out; --json writes every number.
Loopback only; every loop is bounded; the hub, its servers and the browser are stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psutil

from credit_scoring.service.accounts import add_user
from credit_scoring.service.hub_config import HubSettings, start_hub, stop_hub, wait_for_hub

MB = 2**20
PASSWORD = "a long measurement password"
CHROMIUM = "/usr/bin/chromium"
# several pages of one headless browser must not throttle each other's timers
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
PAGE_TIMEOUT_MS = 300_000
SWITCH_TIMEOUT_MS = 60_000

# Runs in the page: presses "next" n times, timing each switch from the click to the score panel
# naming another client (MutationObserver, with a 20 ms poll as a fallback). Returns at once; the
# results land in window.__csSwitch.
SWITCH_SCRIPT = """
([count, thinkMs, timeoutMs]) => {
  const state = {times: [], clients: [], errors: [], done: false};
  window.__csSwitch = state;
  const label = () => {
    const element = document.querySelector('.cs-score .cs-client-name');
    return element ? element.innerText.trim() : '';
  };
  const changed = (old) => new Promise((resolve) => {
    const target = document.querySelector('.cs-score');
    let finished = false;
    const finish = (value) => {
      if (finished) return;
      finished = true;
      observer.disconnect(); clearInterval(poll); clearTimeout(timer);
      resolve(value);
    };
    const check = () => { const now = label(); if (now && now !== old) finish(performance.now()); };
    const observer = new MutationObserver(check);
    observer.observe(target, {childList: true, subtree: true, characterData: true});
    const poll = setInterval(check, 20);
    const timer = setTimeout(() => finish(null), timeoutMs);
    check();
  });
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  (async () => {
    try {
      for (let i = 0; i < count; i++) {
        const old = label();
        const button = document.querySelector('button.cs-next') || document.querySelector('.cs-next');
        if (!button) { state.errors.push('no next button'); break; }
        const started = performance.now();
        button.click();
        const ended = await changed(old);
        if (ended === null) { state.errors.push(`switch ${i}: no new client within ${timeoutMs} ms`); break; }
        state.times.push(ended - started);
        state.clients.push(label());
        await sleep(thinkMs);
      }
    } catch (error) {
      state.errors.push(String(error));
    }
    state.done = true;
  })();
  return true;
}
"""


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
    """Summed USS, PSS and RSS (MB) of these processes, their count, and each one's USS."""
    totals = {"uss": 0.0, "pss": 0.0, "rss": 0.0}
    each_uss = []
    for process in processes:
        try:
            info = process.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        for key in totals:
            totals[key] += getattr(info, key) / MB
        each_uss.append(info.uss / MB)
    totals["count"] = len(each_uss)
    totals["each_uss"] = each_uss
    return totals


def used_mb() -> float:
    """The machine's used memory (psutil.virtual_memory().used), MB."""
    return psutil.virtual_memory().used / MB


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        parent = psutil.Process(pid)
        return [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def snapshot(users: list[str], hub_pid: int | None = None) -> dict:
    """Memory of the sessions' kernels and servers, of the hub and its proxy, of this script's
    Chromium (the client side, not the service), and of the machine, now."""
    found = session_processes(users)
    sessions = {p.pid for p in found["kernel"] + found["server"]}
    hub = [p for p in _descendants(hub_pid) if p.pid not in sessions] if hub_pid else []
    browser = []
    for process in _descendants(os.getpid())[1:]:
        try:
            if "chrom" in process.name().lower():
                browser.append(process)
        except psutil.NoSuchProcess:
            continue
    return {
        "kernels": memory(found["kernel"]),
        "servers": memory(found["server"]),
        "hub": memory(hub),
        "browser": memory(browser),
        "machine_used_mb": used_mb(),
    }


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def log_in_wave(browser, url: str, users: list[str], results: dict) -> list:
    """Log these users in at once; wait until each page shows a client. Returns the contexts."""
    pending = []
    for user in users:
        context = browser.new_context(viewport={"width": 1400, "height": 1800})
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        started = time.perf_counter()
        page.goto(f"{url}/hub/login")
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", PASSWORD)
        page.click("#login_submit", no_wait_after=True)
        pending.append((user, context, page, started))
    deadline = time.perf_counter() + PAGE_TIMEOUT_MS / 1000
    waiting = list(pending)
    while waiting and time.perf_counter() < deadline:
        for item in list(waiting):
            user, _context, page, started = item
            try:
                shown = page.locator(".cs-score .cs-client-name").count() > 0
                busy = page.locator(".cs-busy").count() > 0
                failed = page.get_by_text("There was an error when executing cell").count() > 0
            except Exception:  # noqa: BLE001 - the page is navigating: look again
                continue
            if shown:
                results["usable_s"].append(time.perf_counter() - started)
                waiting.remove(item)
            elif busy or failed:
                results["errors"].append(
                    f"{user}: " + ("busy page" if busy else "the dashboard failed to render")
                )
                waiting.remove(item)
        time.sleep(0.25)
    for user, *_ in waiting:
        results["errors"].append(f"{user}: no client shown within {PAGE_TIMEOUT_MS / 1000:.0f} s")
    return [(user, context, page) for user, context, page, _ in pending]


def switch_all(pages: list, switches: int, think_s: float) -> dict:
    """Every page switches client ``switches`` times at once; times measured in the pages."""
    for page in pages:
        page.evaluate(SWITCH_SCRIPT, [switches, int(think_s * 1000), SWITCH_TIMEOUT_MS])
    deadline = time.perf_counter() + switches * (SWITCH_TIMEOUT_MS / 1000 + think_s) + 60
    peak_used = used_mb()
    states = [None] * len(pages)
    while time.perf_counter() < deadline:
        for index, page in enumerate(pages):
            if states[index] is None:
                state = page.evaluate("() => window.__csSwitch")
                if state and state["done"]:
                    states[index] = state
        peak_used = max(peak_used, used_mb())
        if all(state is not None for state in states):
            break
        time.sleep(1)
    times = [t / 1000 for state in states if state for t in state["times"]]
    errors = [e for state in states if state for e in state["errors"]]
    errors += [f"page {i}: switches not finished" for i, s in enumerate(states) if s is None]
    return {
        "times_s": times,
        "count": len(times),
        "p50_s": percentile(times, 50),
        "p95_s": percentile(times, 95),
        "max_s": max(times) if times else float("nan"),
        "errors": errors,
        "peak_machine_used_mb": peak_used,
    }


def stop_leftovers(users: list[str]) -> list[int]:
    """Terminate (by pid) any kernel or server of these users still alive after the hub stopped."""
    found = session_processes(users)
    left = [p for p in found["kernel"] + found["server"] if p.is_running()]
    for process in left:
        try:
            process.send_signal(signal.SIGTERM)
        except psutil.NoSuchProcess:
            pass
    _gone, alive = psutil.wait_procs(left, timeout=15)
    for process in alive:
        process.kill()
    return [p.pid for p in left]


def measure(
    artifacts: Path,
    sessions: int,
    switches: int = 10,
    think_s: float = 1.0,
    wave: int = 5,
    close_wait_s: float = 240,
) -> dict:
    """One hub, ``sessions`` managers in Chromium: usable time, memory, switches, close."""
    from playwright.sync_api import sync_playwright

    state = Path(tempfile.mkdtemp(prefix="measure-hub-"))
    users = [f"manager{i}" for i in range(sessions)]
    for user in users:
        add_user(state, user, "manager", PASSWORD)
    settings = HubSettings(
        artifacts_dir=str(artifacts), state_dir=str(state), port=_free_port(), max_sessions=50
    )
    result: dict = {
        "sessions": sessions,
        "artifacts": str(artifacts),
        "switches_per_page": switches,
        "think_s": think_s,
        "wave": wave,
        "usable_s": [],
        "errors": [],
        "machine_used_before_hub_mb": used_mb(),
        "machine_total_mb": psutil.virtual_memory().total / MB,
        "cpu_count": os.cpu_count(),
        "load_before": os.getloadavg(),
    }
    log = open(state / "hub.log", "w")  # noqa: SIM115 - closed in finally
    process = start_hub(settings, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{settings.port}"
    try:
        wait_for_hub(url, process)
        time.sleep(3)
        result["machine_used_hub_idle_mb"] = used_mb()
        result["hub_idle"] = snapshot(users, process.pid)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            try:
                opened = []
                for start in range(0, sessions, max(1, wave)):
                    opened += log_in_wave(browser, url, users[start : start + wave], result)
                time.sleep(5)
                result["open"] = snapshot(users, process.pid)
                pages = [
                    page
                    for _user, _context, page in opened
                    if page.locator(".cs-score .cs-client-name").count() > 0
                ]
                result["usable_pages"] = len(pages)
                result["switch"] = switch_all(pages, switches, think_s)
                time.sleep(3)
                result["after_switches"] = snapshot(users, process.pid)
                result["load_after_switches"] = os.getloadavg()
                closed = time.perf_counter()
                for _user, context, _page in opened:
                    context.close()
            finally:
                browser.close()
        timeline = []
        kernels_gone_at = None
        while True:
            elapsed = time.perf_counter() - closed
            now = snapshot(users)
            timeline.append(
                {
                    "t_s": elapsed,
                    "kernels": now["kernels"]["count"],
                    "kernels_pss_mb": now["kernels"]["pss"],
                    "servers": now["servers"]["count"],
                    "servers_pss_mb": now["servers"]["pss"],
                    "machine_used_mb": now["machine_used_mb"],
                }
            )
            if now["kernels"]["count"] == 0 and kernels_gone_at is None:
                kernels_gone_at = elapsed
            if elapsed >= close_wait_s or (kernels_gone_at and elapsed - kernels_gone_at >= 30):
                break
            time.sleep(10)
        result["close_timeline"] = timeline
        result["kernels_gone_after_s"] = kernels_gone_at
    finally:
        stop_hub(process)
        log.close()
        result["leftover_pids_stopped"] = stop_leftovers(users)
    time.sleep(3)
    result["machine_used_after_hub_stopped_mb"] = used_mb()
    return result


def _each(total: dict, key: str) -> float:
    return total[key] / max(1, total["count"])


def table(results: list[dict]) -> str:
    """The measurements as Markdown: a summary table, then each run's close timeline."""
    lines = [
        "| sessions | kernel USS / PSS / RSS (MB, each) | user server USS / PSS (MB, each) "
        "| sessions' total PSS (MB) | hub + proxy PSS (MB) | Chromium PSS (MB, client side) "
        "| machine used: hub idle → pages open → after switches (MB) "
        "| page usable (s): first / median / last | switches | switch p50 / p95 / max (s) "
        "| kernels gone after tabs closed (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        k, s = r["after_switches"]["kernels"], r["after_switches"]["servers"]
        w = r["switch"]
        usable = sorted(r["usable_s"]) or [float("nan")]
        gone = r["kernels_gone_after_s"]
        lines.append(
            f"| {r['sessions']} ({k['count']} kernels) "
            f"| {_each(k, 'uss'):.0f} / {_each(k, 'pss'):.0f} / {_each(k, 'rss'):.0f} "
            f"| {_each(s, 'uss'):.0f} / {_each(s, 'pss'):.0f} "
            f"| {k['pss'] + s['pss']:.0f} "
            f"| {r['after_switches']['hub']['pss']:.0f} | {r['after_switches']['browser']['pss']:.0f} "
            f"| {r['machine_used_hub_idle_mb']:.0f} → {r['open']['machine_used_mb']:.0f} → "
            f"{r['after_switches']['machine_used_mb']:.0f} "
            f"| {usable[0]:.1f} / {percentile(usable, 50):.1f} / {usable[-1]:.1f} "
            f"| {w['count']} "
            f"| {w['p50_s']:.2f} / {w['p95_s']:.2f} / {w['max_s']:.2f} "
            f"| {'not within the wait' if gone is None else f'{gone:.0f}'} |"
        )
    lines.append("")
    for r in results:
        lines.append(
            f"After the {r['sessions']} tabs closed (hub idle: "
            f"{r['machine_used_hub_idle_mb']:.0f} MB used; after the hub stopped: "
            f"{r['machine_used_after_hub_stopped_mb']:.0f} MB):"
        )
        lines.append("")
        lines.append(
            "| t (s) | kernels | kernels' PSS (MB) | user servers | servers' PSS (MB) "
            "| machine used (MB) |"
        )
        lines.append("|---:|---:|---:|---:|---:|---:|")
        for point in r["close_timeline"]:
            lines.append(
                f"| {point['t_s']:.0f} | {point['kernels']} | {point['kernels_pss_mb']:.0f} "
                f"| {point['servers']} | {point['servers_pss_mb']:.0f} "
                f"| {point['machine_used_mb']:.0f} |"
            )
        if r["errors"] or r["switch"]["errors"]:
            lines.append("")
            lines.append("Errors: " + "; ".join(r["errors"] + r["switch"]["errors"]))
        lines.append("")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Measure and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, required=True)
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--switches", type=int, default=10, help="next-client presses per page")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between two switches")
    parser.add_argument("--wave", type=int, default=5, help="logins started at once")
    parser.add_argument("--close-wait", type=float, default=240, help="seconds, at most")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    results = []
    for n in args.sessions:
        results.append(
            measure(args.artifacts, n, args.switches, args.think, args.wave, args.close_wait)
        )
        if args.json:  # after every run, so a later failure keeps the earlier ones
            args.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    text = table(results)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
