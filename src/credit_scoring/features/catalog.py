"""The feature catalog: for every feature, words a non-expert reads (in every language), a unit,
a display format, its source table and its group; and how to show a feature value to people.

The catalog written to ``feature_catalog.json`` is ``{"groups": {group: {lang: label}},
"features": [entry, ...]}`` with a ``label_<lang>`` per language in each entry (``label_fr``,
``label_en``...; see :mod:`credit_scoring.artifacts`). The words are data, in
``credit_scoring/i18n/<lang>/``: feature labels (``features.json``, ``feature.<NAME>``), group
labels (``groups.json``, ``group.<group>``), unit words and yes/no/not provided (``units.json``);
numbers are formatted for each language by Babel (:mod:`credit_scoring.i18n.formatting`).

Units and the values they expect:

- ``years``, ``months``, ``days``: a positive duration ("35 ans", "3 months");
- ``amount``: money, in the currency of the data ("202 500" / "202,500");
- ``ratio``: a plain number such as 3.2 (credit is 3.2 times the income);
- ``percentage``: a *fraction* between 0 and 1, shown times 100 ("12,5 %" / "12.5%");
- ``score``: an external score between 0 and 1, shown with its decimals;
- ``count``: a whole number of things; ``number``: any other number;
- ``flag``: 1/0 (or "Y"/"N"), shown as "oui"/"non", "yes"/"no";
- ``category``: a text level, shown as it is (XNA and XAP mean "not provided").
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from credit_scoring.artifacts import read_json_artifact, write_json_artifact
from credit_scoring.data.schema import PLACEHOLDER_CATEGORIES
from credit_scoring.errors import ArtifactError, CreditScoringError
from credit_scoring.i18n import catalog as all_words
from credit_scoring.i18n import check_language, languages, translate
from credit_scoring.i18n.formatting import format_number, format_percent, translate_plural

UNITS = (
    "years",
    "months",
    "days",
    "amount",
    "ratio",
    "percentage",
    "score",
    "count",
    "flag",
    "category",
    "number",
)
KINDS = ("numeric", "categorical")

#: The groups a relationship manager sees, in display order (labels: ``group.<name>`` words).
GROUP_NAMES = (
    "identity",
    "family",
    "income",
    "employment",
    "credit_requested",
    "external_scores",
    "bureau",
    "previous_applications",
    "payment_behaviour",
)
#: Units shown with a word that agrees in number ("1 an", "2 ans"): ``unit.<unit>.<category>``.
WORDED_UNITS = ("years", "months", "days")
TRUE_TEXTS = frozenset({"1", "y", "yes", "true", "oui"})
FALSE_TEXTS = frozenset({"0", "n", "no", "false", "non"})


def group_labels() -> dict[str, dict[str, str]]:
    """Every group's label by language, groups in display order."""
    return {
        group: {lang: translate(f"group.{group}", lang) for lang in languages()}
        for group in GROUP_NAMES
    }


#: The groups in display order with their labels by language (as found at import).
GROUPS: dict[str, dict[str, str]] = group_labels()


def label_fields() -> tuple[str, ...]:
    """The label fields of a catalog entry, one per language: ("label_fr", "label_en"...)."""
    return tuple(f"label_{lang}" for lang in languages())


#: The language-neutral fields of a catalog entry, after its name and labels.
_FACT_FIELDS = ("unit", "decimals", "source", "group", "kind")


def entry_fields() -> tuple[str, ...]:
    """Every field of a catalog entry as written in feature_catalog.json, in order."""
    return ("name", *label_fields(), *_FACT_FIELDS)


@dataclass(frozen=True)
class CatalogEntry:
    """The catalog entry of one feature (see the module docstring for the units).

    Its labels are words, not code: ``feature.<name>`` in each language's ``features.json``.
    A label may hold ``str.format`` fields (``{months}``, the recent window of the side
    tables), whose values the entry carries in ``fields``. Build entries with
    :meth:`from_words`, which checks that every language has the words.
    """

    name: str
    unit: str
    decimals: int
    source: str
    group: str
    kind: str = "numeric"
    #: The values of the label's ``{fields}``, as sorted (field, value) pairs.
    fields: tuple[tuple[str, object], ...] = ()

    @classmethod
    def from_words(
        cls,
        name: str,
        unit: str,
        decimals: int,
        source: str,
        group: str,
        kind: str = "numeric",
        **fields: object,
    ) -> CatalogEntry:
        """The entry of a feature whose labels are ``feature.<name>`` in the words files, with
        the values of their ``{fields}`` (``months=12``); a clear error when a language lacks
        the words or they name a field not given."""
        entry = cls(name, unit, decimals, source, group, kind, tuple(sorted(fields.items())))
        for lang in languages():
            entry.label(lang)
        return entry

    def to_dict(self) -> dict[str, object]:
        """The entry as written in feature_catalog.json: a ``label_<lang>`` per language."""
        facts = {key: value for key, value in asdict(self).items() if key in _FACT_FIELDS}
        return {
            "name": self.name,
            **{f"label_{lang}": self.label(lang) for lang in languages()},
            **facts,
        }

    def label(self, lang: str) -> str:
        """The label in ``lang``: the ``feature.<name>`` words, their fields filled in."""
        key = f"feature.{self.name}"
        text = translate(key, lang)
        try:
            return text.format(**dict(self.fields))
        except (KeyError, IndexError, ValueError) as error:
            given = ", ".join(f"{{{field}}}" for field, _ in self.fields) or "none"
            raise CreditScoringError(
                f"the words '{key}' in language '{lang}' hold a field this feature does not "
                f"give ({error}); its fields: {given}. Keep the {{fields}} of the other languages"
            ) from error


def is_missing(value: object) -> bool:
    """True for None, NaN, pandas NA/NaT, empty text and the XNA/XAP placeholders."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == "" or value.strip() in PLACEHOLDER_CATEGORIES
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # array-likes are not one missing value
        return False


def _entry_field(entry: CatalogEntry | Mapping[str, object], name: str) -> object:
    if isinstance(entry, CatalogEntry):
        return getattr(entry, name)
    return entry[name]


def _as_flag(value: object) -> bool | None:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in TRUE_TEXTS:
            return True
        if text in FALSE_TEXTS:
            return False
        return None
    try:
        return float(value) != 0
    except (TypeError, ValueError):
        return None


def format_value(
    value: object, entry: CatalogEntry | Mapping[str, object], lang: str = "fr"
) -> str:
    """Show a feature value to people, by the unit of its catalog entry and the language.

    ``entry`` is a :class:`CatalogEntry` or its dict (as read from feature_catalog.json).
    Missing values (None, NaN, XNA, XAP) read "non renseigné" / "not provided".
    Examples: years 35 → "35 ans" / "35 years"; amount 202500 → "202 500" / "202,500";
    percentage 0.125 (1 decimal) → "12,5 %" / "12.5%"; flag 1 → "oui" / "yes".
    """
    check_language(lang)
    if is_missing(value):
        return translate("value.missing", lang)
    unit = str(_entry_field(entry, "unit"))
    decimals = int(_entry_field(entry, "decimals") or 0)
    if unit == "category" or isinstance(value, str) and unit != "flag":
        return level_text(str(_entry_field(entry, "name")), str(value), lang)
    if unit == "flag":
        flag = _as_flag(value)
        if flag is None:
            return str(value)
        return translate("value.yes" if flag else "value.no", lang)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    if unit == "percentage":
        return format_percent(number, lang, decimals)
    text = format_number(number, decimals, lang)
    if unit in WORDED_UNITS:
        # The word agrees with the number shown, by the language's CLDR plural rules: French
        # takes the singular below 2 ("1,5 an"), English only for 1 ("1 year", "1.5 years").
        word = translate_plural(f"unit.{unit}", round(number, decimals), lang)
        return f"{text} {word}"
    return text


def level_words(feature: str, level: str, lang: str) -> str | None:
    """A category level (a Kaggle text value) in words of ``lang`` (``level.<feature>.<level>``,
    ``level.<level>``, or a numbered pattern such as "Business Entity Type 3"); None when the
    words do not know it."""
    words = all_words()[check_language(lang)]
    for key in (f"level.{feature}.{level}", f"level.{level}"):
        if key in words:
            return words[key]
    match = re.fullmatch(r"(.+?)\s*(\d+)", level)
    if match and f"level_pattern.{match.group(1)}" in words:
        return words[f"level_pattern.{match.group(1)}"].format(n=match.group(2))
    return None


def level_text(feature: str, level: str, lang: str) -> str:
    """A category level in words of ``lang`` when the words know it, else as stored."""
    words = level_words(feature, level, lang)
    return level if words is None else words


def catalog_problems(catalog: Mapping[str, object], feature_names: Iterable[str]) -> list[str]:
    """Every way the catalog fails to describe ``feature_names`` (empty when it is complete).

    ``catalog`` is the dict written to feature_catalog.json. A feature is complete when it has
    exactly one entry with every field filled: a non-empty label in every language, a known
    unit, group and kind, and a whole number of decimals.
    """
    problems: list[str] = []
    labels_of_entry = label_fields()
    groups = catalog.get("groups", {}) if isinstance(catalog, Mapping) else {}
    for group in GROUP_NAMES:
        labels = groups.get(group, {}) if isinstance(groups, Mapping) else {}
        for lang in languages():
            if not str(labels.get(lang, "")).strip():
                problems.append(f"group '{group}' has no {lang} label")
    entries: dict[str, Mapping[str, object]] = {}
    for entry in catalog.get("features", []) if isinstance(catalog, Mapping) else []:
        name = str(entry.get("name", ""))
        if name in entries:
            problems.append(f"feature '{name}' has two catalog entries")
        entries[name] = entry
    for name in feature_names:
        entry = entries.get(name)
        if entry is None:
            problems.append(f"feature '{name}' has no catalog entry")
            continue
        for field_name in entry_fields():
            if field_name not in entry or entry[field_name] is None:
                problems.append(f"feature '{name}': '{field_name}' is missing")
        for field_name in (*labels_of_entry, "source"):
            if not str(entry.get(field_name) or "").strip():
                problems.append(f"feature '{name}': '{field_name}' is empty")
        if entry.get("unit") not in UNITS:
            problems.append(f"feature '{name}': unknown unit {entry.get('unit')!r}")
        if entry.get("group") not in GROUP_NAMES:
            problems.append(f"feature '{name}': unknown group {entry.get('group')!r}")
        if entry.get("kind") not in KINDS:
            problems.append(f"feature '{name}': unknown kind {entry.get('kind')!r}")
        decimals = entry.get("decimals")
        if not isinstance(decimals, int) or isinstance(decimals, bool) or decimals < 0:
            problems.append(f"feature '{name}': decimals must be a whole number >= 0")
        if any(entry.get(field_name) == name for field_name in labels_of_entry):
            problems.append(f"feature '{name}': its label is its technical name")
    return problems


def catalog_as_dict(entries: Iterable[CatalogEntry]) -> dict[str, object]:
    """The catalog of ``entries`` in the feature_catalog.json layout."""
    return {
        "groups": group_labels(),
        "features": [entry.to_dict() for entry in entries],
    }


def write_catalog(catalog: Mapping[str, object], path: Path) -> Path:
    """Write the catalog as UTF-8 JSON (accents kept readable)."""
    path = Path(path)
    return write_json_artifact(path.parent, path.name, catalog)


def read_catalog_file(path: Path) -> dict[str, object]:
    """Read a feature_catalog.json written by :func:`write_catalog` (ArtifactError when it is
    missing, unreadable or not a catalog)."""
    path = Path(path)
    to_build = "run the features step first (credit-scoring pipeline --steps features)"
    catalog = read_json_artifact(path.parent, path.name, to_build)
    if not isinstance(catalog, dict) or "features" not in catalog or "groups" not in catalog:
        raise ArtifactError(
            f"{path} is not a feature catalog (no 'groups' and 'features'): rebuild it with the "
            "features step"
        )
    return catalog


def entries_by_name(catalog: Mapping[str, object]) -> dict[str, dict[str, object]]:
    """The catalog's feature entries keyed by feature name."""
    return {str(entry["name"]): dict(entry) for entry in catalog.get("features", [])}
