"""Plain-language reasons for a decision, from one applicant's SHAP contributions.

Used by the dashboard, the client report and ``credit-scoring score``. A reason names a feature in
the catalog's words, shows the applicant's value as people read it, and says whether it raised or
lowered the estimated risk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from credit_scoring.features.catalog import entries_by_name, format_value
from credit_scoring.i18n import check_language, translate

INCREASES_RISK = "increases_risk"
DECREASES_RISK = "decreases_risk"


@dataclass(frozen=True)
class Reason:
    """One feature's part in a decision."""

    feature: str
    label: str
    value: str
    contribution: float
    direction: str  # "increases_risk" | "decreases_risk"

    def to_dict(self) -> dict:
        """Plain dict (JSON, tables)."""
        return asdict(self)


def _entries(catalog) -> dict[str, Mapping]:
    """Catalog entries by feature name, from the catalog dict or a name → entry mapping."""
    if isinstance(catalog, Mapping) and "features" in catalog:
        return entries_by_name(catalog)
    return dict(catalog or {})


def _fallback_entry(feature: str) -> dict:
    return {"name": feature, "label_fr": feature, "label_en": feature, "unit": "number",
            "decimals": 2}  # fmt: skip


def top_reasons(
    contributions_row,
    feature_names: Sequence[str],
    feature_values,
    catalog,
    n: int = 3,
    lang: str = "fr",
) -> list[Reason]:
    """The ``n`` features with the largest absolute contribution, largest first.

    ``feature_values`` maps feature name → raw value (a dict or a pandas Series), or is a sequence
    aligned with ``feature_names``; ``catalog`` is feature_catalog.json's content (or a name →
    entry mapping). Features with a zero contribution are never reasons.
    """
    check_language(lang)
    contributions_row = np.asarray(contributions_row, dtype=np.float64)
    if len(contributions_row) != len(feature_names):
        raise ValueError(
            f"{len(contributions_row)} contributions for {len(feature_names)} feature names"
        )
    if not isinstance(feature_values, Mapping | pd.Series):
        feature_values = dict(zip(feature_names, feature_values, strict=True))
    entries = _entries(catalog)
    order = np.argsort(-np.abs(contributions_row), kind="stable")
    reasons = []
    for index in order[: max(n, 0)]:
        contribution = float(contributions_row[index])
        if contribution == 0.0:
            break
        feature = feature_names[index]
        entry = entries.get(feature) or _fallback_entry(feature)
        reasons.append(
            Reason(
                feature=feature,
                label=str(entry.get(f"label_{lang}") or feature),
                value=format_value(feature_values[feature], entry, lang),
                contribution=contribution,
                direction=INCREASES_RISK if contribution > 0 else DECREASES_RISK,
            )
        )
    return reasons


def _join(reasons: Sequence[Reason], lang: str) -> str:
    items = [translate("reason_item", lang, label=r.label, value=r.value) for r in reasons]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + translate("reason_and", lang) + items[-1]


def summarize_reasons(reasons: Sequence[Reason], decision: str, lang: str = "fr") -> str:
    """One or two sentences a non-expert understands: what pushed the decision, and (when there
    is one) the main element that pulled the other way."""
    check_language(lang)
    if decision not in ("granted", "refused"):
        raise ValueError(f"decision must be 'granted' or 'refused', not {decision!r}")
    supporting = INCREASES_RISK if decision == "refused" else DECREASES_RISK
    main = [reason for reason in reasons if reason.direction == supporting]
    counter = [reason for reason in reasons if reason.direction != supporting]
    if not main:
        text = translate(f"summary_{decision}_none", lang)
    else:
        text = translate(f"summary_{decision}_main", lang, reasons=_join(main, lang))
    if counter:
        text += " " + translate(
            f"summary_{decision}_counter", lang, reasons=_join(counter[:1], lang)
        )
    return text
