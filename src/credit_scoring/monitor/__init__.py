"""Monitoring: drift of new applicants against the training population (PSI, tests, verdicts),
the HTML report and monitoring.json (``credit-scoring monitor``, notebooks/05_monitor.ipynb)."""

from credit_scoring.monitor.drift import (
    VariableDrift,
    categorical_drift,
    numeric_drift,
    psi,
    psi_band,
)
from credit_scoring.monitor.monitoring import (
    EXIT_DRIFT,
    MONITORING,
    MonitoringResult,
    compare_populations,
    monitor_new_applicants,
    read_monitoring,
)
from credit_scoring.monitor.run import run_monitoring

__all__ = [
    "EXIT_DRIFT",
    "MONITORING",
    "MonitoringResult",
    "VariableDrift",
    "categorical_drift",
    "compare_populations",
    "monitor_new_applicants",
    "numeric_drift",
    "psi",
    "psi_band",
    "read_monitoring",
    "run_monitoring",
]
