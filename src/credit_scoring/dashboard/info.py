"""Client information: key facts, or the fields of a chosen group, formatted for people."""

from __future__ import annotations

import ipywidgets as widgets

from credit_scoring.dashboard import formatting as fmt
from credit_scoring.dashboard.data import DashboardData
from credit_scoring.dashboard.state import DashboardState, Panel, safe
from credit_scoring.features.catalog import GROUP_NAMES

#: Raw application columns that make the key facts when the features keep them.
KEY_FACT_CANDIDATES = (
    "CODE_GENDER",
    "NAME_FAMILY_STATUS",
    "CNT_CHILDREN",
    "NAME_EDUCATION_TYPE",
    "NAME_INCOME_TYPE",
    "OCCUPATION_TYPE",
    "NAME_HOUSING_TYPE",
    "AMT_INCOME_TOTAL",
    "NAME_CONTRACT_TYPE",
    "AMT_CREDIT",
    "AMT_ANNUITY",
    "AMT_GOODS_PRICE",
)
KEY_FACTS_LIMIT = 14


def key_facts(data: DashboardData) -> list[str]:
    """The features of the card: age and job seniority, the main application facts, top drivers."""
    chosen: list[str] = []
    for group in ("identity", "employment"):
        for name, entry in data.entries.items():
            if (
                entry.get("group") == group
                and entry.get("unit") == "years"
                and name in data.numeric
            ):
                chosen.append(name)
                break
    chosen += [
        name for name in KEY_FACT_CANDIDATES if name in data.entries and name in data.feature_names
    ]
    for name in data.importance_order:
        if len(chosen) >= KEY_FACTS_LIMIT:
            break
        if name not in chosen and name in data.feature_names:
            chosen.append(name)
    return chosen[:KEY_FACTS_LIMIT]


def features_of_group(data: DashboardData, group: str) -> list[str]:
    """Features of a catalog group, in catalog order."""
    return [name for name in data.feature_names if data.entries[name].get("group") == group]


class ClientInfoPanel(Panel):
    """Card of key facts and a field filter by group (identity, family, income...)."""

    def __init__(self, state: DashboardState, data: DashboardData) -> None:
        super().__init__(state)
        self.data = data
        self.key_features = key_facts(data)
        self.title = widgets.HTML()
        self.card = widgets.HTML()
        self.card.add_class("cs-card")
        groups = [group for group in GROUP_NAMES if features_of_group(data, group)]
        groups += [g for g in data.groups if g not in groups and features_of_group(data, g)]
        self.group_names = groups
        self.group_choice = widgets.Dropdown(
            layout=widgets.Layout(width="100%"), style={"description_width": "40%"}
        )
        self.group_choice.add_class("cs-field-group")
        self.search = widgets.Text(
            layout=widgets.Layout(width="100%"),
            style={"description_width": "40%"},
            continuous_update=True,
        )
        self.group_choice.observe(self._redraw_fields, "value")
        self.search.observe(self._redraw_fields, "value")
        self.widget = widgets.VBox(
            [self.title, self.group_choice, self.search, self.card, self.message],
            layout=widgets.Layout(width="100%"),
        )
        self.widget.add_class("cs-panel")
        state.observe(self.redraw, "lang")
        state.observe(self._redraw_fields, "client_id")
        self.redraw()

    def _group_label(self, group: str) -> str:
        labels = self.data.groups.get(group, {})
        return labels.get(self.state.lang) or group

    @safe
    def redraw(self, _change=None) -> None:
        """Draw the words, the group choice and the fields in the current language."""
        self.title.value = f"<h3>{self.words('info.title')}</h3>"
        self.group_choice.description = self.words("info.group")
        self.search.description = self.words("info.search")
        self.search.placeholder = self.words("info.search_placeholder")
        current = self.group_choice.value or ""
        # new options move the choice to the first one for a moment (ipywidgets): the fields
        # drawn meanwhile are drawn again for the group chosen before
        self.group_choice.options = [(self.words("info.key_facts"), "")] + [
            (self._group_label(group), group) for group in self.group_names
        ]
        self.group_choice.value = current if current in self.group_names else ""
        self._redraw_fields()

    def shown_rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs of the field list as shown."""
        return [
            (self.data.label(name, self.state.lang), self._formatted(name))
            for name in self._chosen_fields()
        ]

    def card_rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs of the key-facts card as shown."""
        return [
            (self.data.label(name, self.state.lang), self._formatted(name))
            for name in self.key_features
        ]

    def _chosen_fields(self) -> list[str]:
        group = self.group_choice.value or ""
        names = features_of_group(self.data, group) if group else list(self.key_features)
        typed = fmt.fold_text(self.search.value)
        if typed:  # accents and case do not matter: "age" finds "Âge"
            pool = names if group else self.data.feature_names
            names = [n for n in pool if typed in fmt.fold_text(self.data.label(n, self.state.lang))]
        return names

    def _formatted(self, name: str) -> str:
        row = self.data.row_of(self.state.client_id)
        return self.data.display_value(name, self.data.value(name, row), self.state.lang)

    @safe
    def _redraw_fields(self, _change=None) -> None:
        if self.state.client_id is None:
            self.card.value = ""
            return
        names = self._chosen_fields()
        if not names:
            self.card.value = f"<p>{self.words('info.no_field')}</p>"
            return
        self.card.value = self._table(names, css="cs-facts")

    def _table(self, names: list[str], css: str) -> str:
        rows = "".join(
            f"<tr><th>{fmt.escape(self.data.label(name, self.state.lang))}</th>"
            f"<td>{fmt.escape(self._formatted(name))}</td></tr>"
            for name in names
        )
        return f'<table class="{css}">{rows}</table>'
