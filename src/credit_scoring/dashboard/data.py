"""Read-only access to the pipeline's artifacts for the dashboard, loaded once per kernel.

Everything a client switch needs is held as numpy arrays (one per feature, the scores, the
filter codes) so that per-client work is a few array lookups; contributions are memory-mapped.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from credit_scoring import artifacts as names
from credit_scoring.artifacts import (
    FAMILIARITY,
    TO_BUILD,
    read_json_artifact,
    read_parquet_artifact,
)
from credit_scoring.errors import ArtifactError, UnknownClientError
from credit_scoring.explain.client_tables import MISSING_CODE, ClientTables, text_codes
from credit_scoring.explain.familiarity import describe_familiarity
from credit_scoring.features.catalog import format_value, level_text
from credit_scoring.i18n import translate
from credit_scoring.model.threshold import RISK_BAND_CUTS, RISK_BANDS, decide, risk_bands
from credit_scoring.scoring import Scorer

#: Application columns offered as filters (raw Kaggle columns with readable levels).
CATEGORY_FILTERS = (
    "NAME_CONTRACT_TYPE",
    "CODE_GENDER",
    "NAME_INCOME_TYPE",
    "NAME_EDUCATION_TYPE",
    "NAME_FAMILY_STATUS",
    "NAME_HOUSING_TYPE",
)
#: Filters computed here (age band) or read from the scores (risk band, decision, split).
DERIVED_FILTERS = ("AGE_BAND", "risk_band", "decision", "SPLIT")
FILTERS = CATEGORY_FILTERS + DERIVED_FILTERS
AGE_BAND_EDGES = (0, 25, 35, 45, 55, 65, 200)
AGE_BAND_LEVELS = ("<25", "25-34", "35-44", "45-54", "55-64", "65+")
#: Raw application values a client may discuss in the what-if panel.
WHAT_IF_COLUMNS = (
    "AMT_INCOME_TOTAL",
    "AMT_CREDIT",
    "AMT_ANNUITY",
    "AMT_GOODS_PRICE",
    "CNT_CHILDREN",
)


class DashboardData:
    """Everything the dashboard reads, loaded once: arrays by feature, scores, filters, catalog.

    Rows are in the artifacts' order (features.parquet); ``row_of(client_id)`` finds a row.
    """

    def __init__(self, artifacts_dir: str | Path, verify: bool = True) -> None:
        self.artifacts_dir = Path(artifacts_dir)
        if not self.artifacts_dir.is_dir():
            raise ArtifactError(
                f"artifacts folder {self.artifacts_dir} does not exist: build it with "
                "`make artifacts` or pass --artifacts to the folder the pipeline wrote"
            )
        if verify:
            from credit_scoring.manifest import verify_artifacts

            self.manifest = verify_artifacts(self.artifacts_dir)
        else:
            self.manifest = read_json_artifact(self.artifacts_dir, names.MANIFEST, TO_BUILD)
        self._load()

    # ----- loading ---------------------------------------------------------------------------
    def _load(self) -> None:
        folder = self.artifacts_dir
        catalog = read_json_artifact(folder, names.FEATURE_CATALOG, TO_BUILD)
        self.groups: dict[str, dict[str, str]] = catalog["groups"]
        self.catalog: dict = catalog
        self.entries: dict[str, dict] = {entry["name"]: entry for entry in catalog["features"]}

        # Columns are read-only views of memory-mapped files, shared by every kernel.
        self.tables = ClientTables.open(folder)
        self.client_ids = self.tables.column("SK_ID_CURR")
        self.n_clients = len(self.client_ids)
        self._id_order = np.argsort(self.client_ids, kind="stable")
        self._sorted_ids = self.client_ids[self._id_order]
        # ids as sorted bytes for completion (12 bytes each; numpy's str would take 84)
        self._sorted_id_texts = np.sort(self.client_ids.astype("S20"))

        self.is_historical = self.tables.column("is_historical")
        self.target = self.tables.column("TARGET")
        self.probability = self.tables.column("default_probability")
        self.raw_score = self.tables.column("raw_score")
        self.base_value = self.tables.column("base_value")

        self.feature_names = self.tables.feature_names()
        self.numeric: dict[str, np.ndarray] = {}
        self.categorical: dict[str, tuple[np.ndarray, list[str]]] = {}
        for name in self.feature_names:
            if name in self.tables.levels:
                self.categorical[name] = (self.tables.column(name), self.tables.levels[name])
            else:
                self.numeric[name] = self.tables.column(name)
        for name in self.feature_names:
            self.entries.setdefault(
                name,
                {
                    "name": name,
                    "label_fr": name,
                    "label_en": name,
                    "unit": "category" if name in self.categorical else "number",
                    "decimals": 2,
                    "source": "application",
                    "group": "identity",
                    "kind": "categorical" if name in self.categorical else "numeric",
                },
            )

        applications = self.tables.applications
        self.application_columns: list[str] = list(applications.column_names)
        self.filter_codes: dict[str, np.ndarray] = {}
        self.filter_levels: dict[str, list[str]] = {}
        for column in CATEGORY_FILTERS:
            if column in self.categorical:  # the feature's codes: already shared, XNA missing
                self.filter_codes[column], self.filter_levels[column] = self.categorical[column]
            elif column in self.application_columns:
                values = applications.column(column).to_pandas()
                codes, levels = text_codes(values.where(values != "XNA"))
                self.filter_codes[column], self.filter_levels[column] = codes, levels
        if "AGE_YEARS" in self.numeric:
            age = self.numeric["AGE_YEARS"]
        elif "DAYS_BIRTH" in self.application_columns:
            days = applications.column("DAYS_BIRTH").to_numpy(zero_copy_only=False)
            age = -np.asarray(days, dtype=np.float64) / 365.25
        else:
            age = None
        if age is not None:
            band = np.digitize(age, AGE_BAND_EDGES[1:-1]).astype(np.int16)
            band[np.isnan(age)] = MISSING_CODE
            self.filter_codes["AGE_BAND"] = band
            self.filter_levels["AGE_BAND"] = list(AGE_BAND_LEVELS)
        self.filter_codes["SPLIT"] = np.where(self.is_historical, 1, 0).astype(np.int16)
        self.filter_levels["SPLIT"] = ["new", "historical"]

        meta = read_json_artifact(self.artifacts_dir, names.CONTRIBUTIONS_META, TO_BUILD)
        if isinstance(meta, dict):
            meta = meta.get("feature_names", meta.get("features", []))
        self.model_features: list[str] = [str(name) for name in meta]
        self.contributions = np.load(self.artifacts_dir / names.CONTRIBUTIONS, mmap_mode="r")
        if self.contributions.shape != (self.n_clients, len(self.model_features)):
            raise ArtifactError(
                f"{names.CONTRIBUTIONS} has shape {self.contributions.shape}, expected "
                f"({self.n_clients}, {len(self.model_features)}): rebuild the artifacts"
            )
        self.global_importance: list[dict] = read_json_artifact(
            self.artifacts_dir, names.GLOBAL_IMPORTANCE, TO_BUILD
        )
        # The one scoring path (what-if, recourse); the manifest was verified above.
        self.scorer = Scorer.from_artifacts(self.artifacts_dir, verify=False)
        self.threshold = self.scorer.threshold
        self.set_decision_threshold(self.threshold)
        self.importance_order = [item["feature"] for item in self.global_importance]
        # Unfamiliar clients (explain/familiarity.py): a flag per client, reasons for the few.
        # (read column by column: the reasons of the few, not a text column per client)
        flags = read_parquet_artifact(self.artifacts_dir, FAMILIARITY, ["SK_ID_CURR", "unfamiliar"])
        if not np.array_equal(flags["SK_ID_CURR"].to_numpy(np.int64), self.client_ids):
            raise ArtifactError(f"{FAMILIARITY} lists other clients: {TO_BUILD} again")
        self.unfamiliar = flags["unfamiliar"].to_numpy(bool)
        flagged = pd.read_parquet(
            self.artifacts_dir / FAMILIARITY, filters=[("unfamiliar", "==", True)]
        )
        self._familiarity = flagged.set_index(np.flatnonzero(self.unfamiliar))
        self.similar_space  # noqa: B018 - load the neighbour space and build its tree once, now

    def set_decision_threshold(self, threshold: float) -> None:
        """Decision and risk-band filters at ``threshold`` (the model's, or a simulated one)."""
        self.decision_threshold = float(threshold)  # the threshold of the filters now
        self.filter_codes["decision"] = (self.probability >= threshold).astype(np.int16)
        self.filter_levels["decision"] = ["granted", "refused"]
        bands = np.searchsorted(np.array(RISK_BAND_CUTS) * threshold, self.probability, "right")
        self.filter_codes["risk_band"] = bands.astype(np.int16)  # very low .. very high
        self.filter_levels["risk_band"] = list(RISK_BANDS)

    def decision_of(self, row: int, threshold: float | None = None) -> str:
        """The client's decision at ``threshold`` (the model's by default)."""
        return decide(self.probability[row], self.threshold if threshold is None else threshold)

    def risk_band_of(self, row: int, threshold: float | None = None) -> str:
        """The client's risk band at ``threshold`` (the model's by default)."""
        return risk_bands(self.probability[row], self.threshold if threshold is None else threshold)

    @property
    def decision(self) -> np.ndarray:
        """Every client's decision at the model's threshold."""
        return decide(self.probability, self.threshold)

    @property
    def risk_band(self) -> np.ndarray:
        """Every client's risk band at the model's threshold."""
        return risk_bands(self.probability, self.threshold)

    def familiarity_warning(self, row: int, lang: str) -> str | None:
        """The plain-words warning for a client unlike the training population, else None."""
        if not self.unfamiliar[row]:
            return None
        found = self._familiarity.loc[row]
        named = [name for name in str(found["outside_range_features"]).split(", ") if name]
        return describe_familiarity(found, lang, {name: self.label(name, lang) for name in named})

    def application(self, row: int) -> pd.DataFrame:
        """The client's raw application row (one-row DataFrame of Kaggle columns)."""
        return self.tables.application(row)

    def application_value(self, column: str, row: int):
        """One raw application value of the client (None when missing)."""
        value = self.tables.applications.column(column)[int(row)].as_py()
        return value

    def calibration(self, raw_score: np.ndarray | float) -> np.ndarray:
        """Displayed probabilities of raw scores (log-odds), in the shape given."""
        return self.scorer.probability(raw_score).reshape(np.shape(raw_score))

    # ----- clients ---------------------------------------------------------------------------
    def row_of(self, client_id: int | str) -> int:
        """Row of a client id; UnknownClientError when it is not in the artifacts."""
        try:
            value = int(str(client_id).strip())
        except ValueError:
            raise UnknownClientError(
                f"'{client_id}' is not a client number: type the digits of SK_ID_CURR"
            ) from None
        position = int(np.searchsorted(self._sorted_ids, value))
        if position >= self.n_clients or self._sorted_ids[position] != value:
            raise UnknownClientError(
                f"client {value} is not in these artifacts: "
                "check the number or pick one from the list"
            )
        return int(self._id_order[position])

    def complete_ids(
        self, typed: str, limit: int = 20, rows: np.ndarray | None = None
    ) -> list[str]:
        """Up to ``limit`` client ids (text) starting with what was typed (within ``rows``)."""
        prefix = "".join(ch for ch in str(typed) if ch.isdigit()).encode()
        if rows is not None:
            pool = np.sort(self.client_ids[rows].astype("S20"))
        else:
            pool = self._sorted_id_texts
        start = int(np.searchsorted(pool, prefix, side="left"))
        matches = pool[start : start + limit]
        return [text.decode() for text in matches.tolist() if text.startswith(prefix)]

    def filter_rows(self, filters: dict[str, str | None]) -> np.ndarray:
        """Rows (ascending) of the clients matching every chosen filter level."""
        mask = np.ones(self.n_clients, dtype=bool)
        for column, level in filters.items():
            if level is None or level == "":
                continue
            if column not in self.filter_codes:
                continue
            levels = self.filter_levels[column]
            code = levels.index(level) if level in levels else -2
            mask &= self.filter_codes[column] == code
        return np.flatnonzero(mask)

    # ----- values for people -----------------------------------------------------------------
    def label(self, feature: str, lang: str) -> str:
        """The plain-words label of a feature in ``lang``."""
        entry = self.entries.get(feature)
        if entry is None:
            return feature
        return entry.get(f"label_{lang}") or entry.get("label_en") or feature

    def value(self, feature: str, row: int):
        """The client's value of a feature (float, or level text / None for categories)."""
        if feature in self.numeric:
            return float(self.numeric[feature][row])
        codes, levels = self.categorical[feature]
        code = int(codes[row])
        return None if code < 0 else levels[code]

    def display_value(self, feature: str, value, lang: str) -> str:
        """A feature value formatted for people (units, separators; category levels translated)."""
        if isinstance(value, str):
            return level_text(feature, value, lang)
        return format_value(value, self.entries[feature], lang)

    def contributions_of(self, row: int) -> np.ndarray:
        """The client's SHAP contributions (log-odds), one per model feature."""
        return np.asarray(self.contributions[row], dtype=np.float64)

    # ----- similar clients -------------------------------------------------------------------
    @cached_property
    def similar_space(self):
        """The neighbour space of the artifacts, its KD-tree built once (on first use)."""
        from credit_scoring.explain.neighbours import load_similar_space

        space = load_similar_space(self.artifacts_dir / names.SIMILAR_CLIENTS)
        space.tree  # noqa: B018 - build the tree now, not during a client switch
        self._similar_row_of_id = pd.Index(self.client_ids)
        return space

    def similar_rows(self, row: int, k: int) -> np.ndarray:
        """Rows of the k known-outcome clients most similar to the client (never the client)."""
        from credit_scoring.explain.neighbours import find_similar

        space = self.similar_space
        values = [
            self.numeric[name][row] if name in self.numeric else np.nan
            for name in space.feature_names
        ]
        ids = find_similar(
            space, space.standardize(values), int(k), exclude_id=int(self.client_ids[row])
        )
        rows = self._similar_row_of_id.get_indexer(ids)
        return rows[rows >= 0]


def filter_level_text(column: str, level: str, lang: str) -> str:
    """Words for a filter level (risk bands, decisions, splits, age bands and Kaggle levels)."""
    if column == "AGE_BAND":
        return translate(f"age_band.{level}", lang)
    if column == "risk_band":
        return translate(f"risk_band.{level}", lang)
    if column == "decision":
        return translate(f"decision.{level}", lang)
    if column == "SPLIT":
        return translate(f"split.{level}", lang)
    return level_text(column, level, lang)
