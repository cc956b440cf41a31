"""One monitoring run, as the command and the notebook do it: compare, then write the outputs."""

from __future__ import annotations

from pathlib import Path

from credit_scoring.artifacts import FEATURE_CATALOG, read_json_artifact
from credit_scoring.monitor.monitoring import (
    DEFAULT_TOP_COUNT,
    MONITORING,
    MonitoringResult,
    monitor_new_applicants,
)
from credit_scoring.monitor.report import write_report


def monitoring_json_path(artifacts_dir: Path | str, html_path: Path | str | None) -> Path:
    """Where monitoring.json goes: beside the HTML report when there is one, else in the
    artifacts folder."""
    if html_path is not None:
        return Path(html_path).parent / MONITORING
    return Path(artifacts_dir) / MONITORING


def english_labels(artifacts_dir: Path | str) -> dict[str, str]:
    """Feature name → its English label, from the feature catalog."""
    catalog = read_json_artifact(artifacts_dir, FEATURE_CATALOG)
    return {entry["name"]: entry.get("label_en", "") for entry in catalog.get("features", [])}


def run_monitoring(
    artifacts_dir: Path | str,
    data_dir: Path | str,
    html_path: Path | str | None = None,
    top_count: int = DEFAULT_TOP_COUNT,
) -> tuple[MonitoringResult, dict[str, Path]]:
    """Monitor the new applicants of ``data_dir`` against ``artifacts_dir``; write
    monitoring.json (see monitoring_json_path) and the HTML report when ``html_path`` is given.
    Returns the result and the written paths."""
    result = monitor_new_applicants(artifacts_dir, data_dir, top_count=top_count)
    written = write_report(
        result,
        monitoring_json_path(artifacts_dir, html_path),
        html_path,
        english_labels(artifacts_dir),
    )
    return result, written
