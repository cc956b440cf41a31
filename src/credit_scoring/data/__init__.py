"""The Home Credit data layer: the Kaggle tables' schema, loading, validation, synthetic data."""

from __future__ import annotations

from credit_scoring.data.loading import LoadedTables, load_table, load_tables
from credit_scoring.data.schema import SIDE_TABLES, TABLES
from credit_scoring.data.validation import ValidationReport, validate_source, validate_tables

__all__ = [
    "SIDE_TABLES",
    "TABLES",
    "LoadedTables",
    "ValidationReport",
    "generate_dataset",
    "load_table",
    "load_tables",
    "validate_source",
    "validate_tables",
]


def __getattr__(name: str):
    # The generator is imported on first use: it is heavier, and the package must import without it.
    if name == "generate_dataset":
        from credit_scoring.data.synthetic import generate_dataset

        return generate_dataset
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
