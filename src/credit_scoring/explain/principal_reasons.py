"""Principal reasons for a refusal: at most four, specific, each with a stable code.

A client's risk-increasing SHAP contributions are grouped by reason code (several features that
say the same thing, such as the external scores, make one reason; the codes are data, in
reason_codes.json), the codes ranked by the sum of their contributions, and the first four kept.
Each reason names its strongest feature and the client's value, in the reader's language. This is
the list that adverse-action rules ask for (US Regulation B: the specific principal reasons, about
four at most; EU directive 2023/2225 art. 18: a clear explanation).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources

import numpy as np

from credit_scoring.features.catalog import entries_by_name, format_value
from credit_scoring.i18n import check_language, translate

MAX_PRINCIPAL_REASONS = 4
REASON_CODES_FILE = "reason_codes.json"


@dataclass(frozen=True)
class PrincipalReason:
    """One principal reason: its code, its weight and the feature that weighs most in it."""

    code: str
    contribution: float  # sum of the code's risk-increasing contributions (log-odds)
    features: tuple[str, ...]  # the code's risk-increasing features, strongest first
    label: str  # the strongest feature's label
    value: str  # the client's value of it, formatted
    text: str  # the sentence in the requested language

    def to_dict(self) -> dict:
        """Plain dict (JSON, tables)."""
        return asdict(self) | {"features": list(self.features)}


@cache
def reason_code_patterns() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(code, feature-name patterns) in matching order, from reason_codes.json."""
    text = resources.files(__package__).joinpath(REASON_CODES_FILE).read_text(encoding="utf-8")
    return tuple((item["code"], tuple(item["patterns"])) for item in json.loads(text)["codes"])


def reason_code(feature: str, group: str | None = None) -> str:
    """The reason code of a feature: the first code whose pattern matches its name, else the
    code of its catalog group."""
    for code, patterns in reason_code_patterns():
        if any(fnmatch.fnmatchcase(feature, pattern) for pattern in patterns):
            return code
    return f"GROUP_{group or 'identity'}"


def principal_reasons(
    contributions_row,
    feature_names: Sequence[str],
    feature_values,
    catalog,
    lang: str = "fr",
    limit: int = MAX_PRINCIPAL_REASONS,
) -> list[PrincipalReason]:
    """Up to ``limit`` (at most four) principal reasons raising the client's risk, strongest
    first; empty when nothing raises it. ``feature_values`` maps a feature name to the client's
    raw value; ``catalog`` is feature_catalog.json's content."""
    check_language(lang)
    limit = max(0, min(int(limit), MAX_PRINCIPAL_REASONS))
    contributions_row = np.asarray(contributions_row, dtype=np.float64)
    if len(contributions_row) != len(feature_names):
        raise ValueError(
            f"{len(contributions_row)} contributions for {len(feature_names)} feature names"
        )
    entries = entries_by_name(catalog) if "features" in catalog else dict(catalog)
    totals: dict[str, float] = {}
    members: dict[str, list[tuple[float, str]]] = {}
    for index in np.flatnonzero(contributions_row > 0):
        feature = feature_names[index]
        code = reason_code(feature, entries.get(feature, {}).get("group"))
        totals[code] = totals.get(code, 0.0) + float(contributions_row[index])
        members.setdefault(code, []).append((float(contributions_row[index]), feature))
    ranked = sorted(totals, key=lambda code: -totals[code])[:limit]
    reasons = []
    for code in ranked:
        features = tuple(name for _, name in sorted(members[code], key=lambda item: -item[0]))
        strongest = features[0]
        entry = entries.get(strongest) or {"name": strongest, "unit": "number", "decimals": 2}
        label = str(entry.get(f"label_{lang}") or strongest)
        value = format_value(_value_of(feature_values, strongest), entry, lang)
        text = translate(
            "reason_code.sentence",
            lang,
            reason=translate(f"reason_code.{code}", lang),
            label=label,
            value=value,
        )
        reasons.append(PrincipalReason(code, totals[code], features, label, value, text))
    return reasons


def _value_of(feature_values, feature: str):
    if isinstance(feature_values, Mapping) or hasattr(feature_values, "index"):
        return feature_values[feature]
    raise TypeError("feature_values must map feature names to values")
