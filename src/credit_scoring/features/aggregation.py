"""Per-applicant aggregation of side tables, declared once and run by a swappable engine.

Each side-table module prepares one row-wise frame (indicators, masked columns for the recent
window...) and declares its aggregations as :class:`Aggregation` objects, which give the catalog
entry of the feature they produce (its labels are words: ``feature.<NAME>`` in each language's
``features.json``). :func:`aggregate` runs them with plain pandas ``groupby`` or with DuckDB
(pandas at the edges); both give the same values (tested), the benchmark compares them.

pandas is the default: at every size measured it was faster than DuckDB on this 2-core machine
(bench/results/features.md). Semantics, identical in both engines:

- ``size``: the number of rows of the group; ``count``: non-missing values; ``nunique``: distinct
  non-missing values;
- ``sum``, ``mean``, ``min``, ``max``: over non-missing values, missing when the group has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from credit_scoring.data.schema import APPLICANT_KEY
from credit_scoring.errors import CreditScoringError
from credit_scoring.features.catalog import CatalogEntry

FUNCTIONS = ("size", "count", "nunique", "sum", "mean", "min", "max")
ENGINES = ("pandas", "duckdb")
DEFAULT_ENGINE = "pandas"

#: Days in an average month, to turn a recent window in months into days.
DAYS_PER_MONTH = 365.25 / 12
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Aggregation:
    """One feature computed per group: ``function`` of ``column`` (None for ``size``).

    Its labels are words: ``feature.<name>`` in each language's ``features.json``.
    """

    name: str
    column: str | None
    function: str
    unit: str
    decimals: int = 0
    #: Value for an applicant with no row in the table: 0 for counts, else missing.
    zero_without_history: bool | None = None

    def __post_init__(self) -> None:
        if self.function not in FUNCTIONS:
            raise ValueError(f"unknown aggregation function {self.function!r}")

    @property
    def fills_zero(self) -> bool:
        if self.zero_without_history is not None:
            return self.zero_without_history
        return self.unit == "count"

    def entry(self, source: str, group: str, **fields: object) -> CatalogEntry:
        """The catalog entry of the feature this aggregation produces, its labels from the
        words with their ``{fields}`` filled in (``months=12``)."""
        return CatalogEntry.from_words(self.name, self.unit, self.decimals, source, group, **fields)


#: A side table's feature computed from its aggregates: (name, unit, decimals).
Derived = tuple[str, str, int]


def side_catalog_entries(
    aggregations: Sequence[Aggregation],
    derived: Sequence[Derived],
    source: str,
    group: str,
    recent_months: int,
) -> list[CatalogEntry]:
    """The catalog entries of a side table's ``aggregations``, then of its ``derived`` features;
    their labels are the words ``feature.<name>``, with ``{months}`` the recent window."""
    entries = [a.entry(source, group, months=recent_months) for a in aggregations]
    entries += [
        CatalogEntry.from_words(name, unit, decimals, source, group, months=recent_months)
        for name, unit, decimals in derived
    ]
    return entries


def check_engine(engine: str) -> str:
    """Return ``engine`` when known, else raise a clear error."""
    if engine not in ENGINES:
        raise CreditScoringError(
            f"unknown aggregation engine {engine!r}: choose one of {', '.join(ENGINES)}"
        )
    return engine


def _aggregate_pandas(
    frame: pd.DataFrame, keys: list[str], aggregations: Sequence[Aggregation], sort: bool = True
) -> pd.DataFrame:
    grouped = frame.groupby(keys, sort=sort, observed=True)
    results: dict[str, pd.Series] = {}
    counts: dict[str, pd.Series] = {}
    for aggregation in aggregations:
        column, function = aggregation.column, aggregation.function
        if function == "size":
            results[aggregation.name] = grouped.size()
            continue
        values = grouped[column]
        if function == "sum":
            if column not in counts:
                counts[column] = values.count()
            summed = values.sum()
            results[aggregation.name] = summed.where(counts[column] > 0)
        else:
            results[aggregation.name] = getattr(values, function)()
    return pd.DataFrame(results)


def _aggregate_duckdb(
    frame: pd.DataFrame, keys: list[str], aggregations: Sequence[Aggregation], sort: bool = True
) -> pd.DataFrame:
    import duckdb

    sql_functions = {
        "count": "COUNT({})",
        "nunique": "COUNT(DISTINCT {})",
        "sum": "SUM({})",
        "mean": "AVG({})",
        "min": "MIN({})",
        "max": "MAX({})",
    }
    columns = [f'"{key}"' for key in keys]
    for aggregation in aggregations:
        if aggregation.function == "size":
            expression = "COUNT(*)"
        else:
            expression = sql_functions[aggregation.function].format(f'"{aggregation.column}"')
        columns.append(f'{expression} AS "{aggregation.name}"')
    used = list(dict.fromkeys(keys + [a.column for a in aggregations if a.column is not None]))
    source = frame[used]  # noqa: F841  (scanned by DuckDB through its Python variable name)
    group_by = ", ".join(f'"{key}"' for key in keys)
    query = f"SELECT {', '.join(columns)} FROM source GROUP BY {group_by}"
    connection = duckdb.connect()
    try:
        connection.execute("SET threads TO 2")
        connection.register("source", source)
        result = connection.execute(query).df()
    finally:
        connection.close()
    result = result.set_index(keys)
    return result.sort_index() if sort else result


def aggregate(
    frame: pd.DataFrame,
    keys: str | Sequence[str],
    aggregations: Sequence[Aggregation],
    engine: str = DEFAULT_ENGINE,
    *,
    sort: bool = True,
) -> pd.DataFrame:
    """Aggregate ``frame`` by ``keys``: one row per group, one float64 column per aggregation,
    named after it. Groups are sorted by key unless ``sort`` is False (then in any order)."""
    check_engine(engine)
    keys = [keys] if isinstance(keys, str) else list(keys)
    if frame.empty:
        empty = frame[keys].drop_duplicates().set_index(keys)
        return empty.assign(**{a.name: np.float64(np.nan) for a in aggregations})
    if engine == "pandas":
        result = _aggregate_pandas(frame, keys, aggregations, sort)
    else:
        result = _aggregate_duckdb(frame, keys, aggregations, sort)
    return result.astype("float64")


def per_applicant(
    aggregated: pd.DataFrame, aggregations: Sequence[Aggregation], applicant_ids: pd.Index
) -> pd.DataFrame:
    """Reindex aggregates on ``applicant_ids``: applicants with no history get 0 for counts and
    missing values for the rest."""
    result = aggregated.reindex(applicant_ids)
    without_history = ~applicant_ids.isin(aggregated.index)
    for aggregation in aggregations:
        if aggregation.fills_zero and aggregation.name in result:
            result.loc[without_history, aggregation.name] = 0.0
    return result


def aggregate_per_applicant(
    prepared: pd.DataFrame,
    aggregations: Sequence[Aggregation],
    applicant_ids: pd.Index | None = None,
    engine: str = DEFAULT_ENGINE,
) -> pd.DataFrame:
    """Aggregate prepared rows by SK_ID_CURR, one row per applicant of ``applicant_ids`` (when
    None, per applicant that has rows); see :func:`per_applicant` for those without."""
    aggregated = aggregate(prepared, APPLICANT_KEY, aggregations, engine)
    ids = aggregated.index if applicant_ids is None else pd.Index(applicant_ids)
    return per_applicant(aggregated, aggregations, ids)


def feature_table(features: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """The ``names`` columns of ``features``, as float32, indexed by SK_ID_CURR."""
    table = features[list(names)].astype("float32")
    table.index.name = APPLICANT_KEY
    return table


def safe_ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, missing where the denominator is 0 or missing."""
    denominator = denominator.where(denominator != 0)
    return numerator / denominator


def level_values(values: pd.Series, mapping: dict[str, float]) -> np.ndarray:
    """Map text levels to numbers (missing for any other level), as float64.

    Fast on categoricals (the loader's dtype): the mapping is applied to the few categories,
    then spread by the codes; plain text columns work too.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = values.cat.categories.astype("str")
        by_category = np.array([mapping.get(c, np.nan) for c in categories], dtype="float64")
        codes = values.cat.codes.to_numpy()
        return np.where(codes >= 0, by_category[codes] if len(by_category) else np.nan, np.nan)
    return values.astype("object").map(mapping).to_numpy(dtype="float64", na_value=np.nan)


def is_level(values: pd.Series, *levels: str) -> np.ndarray:
    """Boolean array: is each value one of ``levels`` (missing values are not)."""
    return level_values(values, dict.fromkeys(levels, 1.0)) == 1.0
