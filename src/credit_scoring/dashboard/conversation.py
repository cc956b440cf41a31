"""The conversation with the client: why a refusal, what would change the decision, and the
manager's review of the decision (EU directive 2023/2225, art. 18).

- The principal reasons of a refusal (at most four, with their codes and sentences) come from
  the Scorer, on the client's own contributions.
- What would change the decision is :func:`credit_scoring.scoring.recourse.find_recourse` at
  the page's threshold, on demand (a button: the search scores a few hundred variants, a tenth
  of a second or more, which a client switch should not pay). Each option's button asks the
  what-if panel to simulate it by setting ``state.whatif_edits``: panels never call each other.
- The review (confirm, or override with a reason, and the client's view) is recorded with who,
  when, the model version and the score, in the team service's audit trail
  ($CREDIT_SCORING_STATE/audit.sqlite) or, for a standalone dashboard, in a local file
  (``service.reviews.local_state_dir()``); the latest review is shown on the page.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import ipywidgets as widgets

from credit_scoring.dashboard import formatting as fmt
from credit_scoring.dashboard.audit import STATE_ENV, current_user
from credit_scoring.dashboard.data import DashboardData
from credit_scoring.dashboard.formatting import escape
from credit_scoring.dashboard.state import DashboardState, Panel, log, safe
from credit_scoring.explain.principal_reasons import PrincipalReason
from credit_scoring.i18n import translate
from credit_scoring.i18n.formatting import format_date
from credit_scoring.scoring.recourse import Recourse, RecourseBounds, find_recourse
from credit_scoring.service.audit import AuditError, audit_path, model_version
from credit_scoring.service.reviews import (
    CONFIRMED,
    LOCAL_REVIEWS_FILE,
    OUTCOMES,
    OVERRIDDEN,
    Review,
    ReviewError,
    ReviewStore,
    local_state_dir,
)

_STORES: dict[Path, ReviewStore] = {}


# ----- data in, data out (tested without widgets) -------------------------------------------
def review_store_path() -> tuple[Path, bool]:
    """Where this page keeps its reviews, and whether that is the service's audit trail:
    $CREDIT_SCORING_STATE/audit.sqlite under the team service (or a dashboard given --state),
    else a local file."""
    folder = os.environ.get(STATE_ENV)
    if folder:
        return audit_path(folder), True
    return local_state_dir() / LOCAL_REVIEWS_FILE, False


def page_review_store() -> ReviewStore:
    """The review store of this kernel (opened once per file)."""
    path, _ = review_store_path()
    path = path.resolve()
    if path not in _STORES:
        _STORES[path] = ReviewStore(path)
    return _STORES[path]


def page_latest_review(client_id: int) -> Review | None:
    """The client's latest review in this page's store; None when there is none (a store not
    created yet is not created by reading it)."""
    path, _ = review_store_path()
    if not path.is_file():
        return None
    return page_review_store().latest(client_id)


def principal_reasons_of(data: DashboardData, row: int, lang: str) -> list[PrincipalReason]:
    """The client's principal reasons raising the risk (at most four), from their own
    contributions, by the Scorer's rule (the same as ``credit-scoring score``)."""
    scorer = data.scorer
    contributions = data.contributions_of(row)
    position = {name: index for index, name in enumerate(data.model_features)}
    ordered = [contributions[position[name]] for name in scorer.feature_names]
    values = {name: data.value(name, row) for name in scorer.feature_names}
    return scorer.principal_reasons(ordered, values, lang)


def recourse_of(
    data: DashboardData, row: int, threshold: float | None = None, bounds=None
) -> Recourse:
    """What would change the client's decision at ``threshold`` (the model's by default)."""
    stored = {name: data.value(name, row) for name in data.model_features}
    return find_recourse(
        data.scorer, data.application(row), stored, bounds or RecourseBounds(), threshold
    )


def record_page_review(
    store: ReviewStore,
    data: DashboardData,
    row: int,
    outcome: str,
    reason: str = "",
    client_view: str = "",
    user: str | None = None,
) -> Review:
    """Record a review of the model's decision on the client of ``row``, with the page's score
    and the model's threshold and version; ReviewError for an override without a reason."""
    return store.record(
        user=user or current_user(),
        client_id=int(data.client_ids[row]),
        outcome=outcome,
        model_decision=data.decision_of(row),
        default_probability=float(data.probability[row]),
        threshold=float(data.threshold),
        model_version=model_version(data.manifest),
        reason=reason,
        client_view=client_view,
    )


def review_lines(review: Review | None, lang: str) -> list[str]:
    """The review in sentences: who, when, outcome and decision; the reason; the client's view;
    the score at the time. One sentence saying there is none when ``review`` is None."""
    if review is None:
        return [translate("review.none", lang)]
    moment = datetime.fromisoformat(review.reviewed_at.replace("Z", "+00:00"))
    lines = [
        translate(
            "review.by",
            lang,
            user=review.user,
            date=format_date(moment, lang),
            time=moment.strftime("%H:%M"),
            outcome=translate(f"review.outcome.{review.outcome}", lang),
            decision=translate(f"decision.{review.final_decision}_long", lang).lower(),
        )
    ]
    if review.reason:
        lines.append(translate("review.reason_line", lang, reason=review.reason))
    if review.client_view:
        lines.append(translate("review.client_view_line", lang, view=review.client_view))
    lines.append(
        translate(
            "review.score_line",
            lang,
            probability=fmt.percent(review.default_probability, lang),
            threshold=fmt.percent(review.threshold, lang),
            version=review.model_version,
        )
    )
    return lines


# ----- the panel ----------------------------------------------------------------------------
class ConversationPanel(Panel):
    """Reasons, feasible changes (each one click away from the what-if) and the review."""

    def __init__(self, state: DashboardState, data: DashboardData) -> None:
        super().__init__(state)
        self.data = data
        self.recourse: Recourse | None = None
        self.title = widgets.HTML()
        self.support = widgets.HTML()
        self.support.add_class("cs-support")
        self.reasons = widgets.HTML()
        self.reasons.add_class("cs-principal-reasons")
        self.changes_title = widgets.HTML()
        self.search_button = widgets.Button(layout=widgets.Layout(width="auto"))
        self.search_button.add_class("cs-recourse-search")
        self.search_button.on_click(lambda _button: self.search())
        self.changes_text = widgets.HTML()
        self.changes_text.add_class("cs-recourse-text")
        self.options = widgets.VBox()
        self.options.add_class("cs-recourse-options")
        self.apply_buttons: list[widgets.Button] = []
        self.applied = False  # a suggestion was sent to the what-if (said under the options)
        self.applied_note = widgets.HTML()

        self.review_title = widgets.HTML()
        self.model_decision = widgets.HTML()
        self.outcome = widgets.ToggleButtons(
            options=self._outcome_options(), value=CONFIRMED, style={"button_width": "200px"}
        )
        self.outcome.add_class("cs-review-outcome")
        self.reason = widgets.Textarea(layout=widgets.Layout(width="98%", height="60px"))
        self.reason.add_class("cs-review-reason")
        self.client_view = widgets.Textarea(layout=widgets.Layout(width="98%", height="60px"))
        self.client_view.add_class("cs-review-client-view")
        self.save_button = widgets.Button(
            button_style="primary", layout=widgets.Layout(width="auto")
        )
        self.save_button.add_class("cs-review-save")
        self.save_button.on_click(lambda _button: self.save_review())
        self.latest = widgets.HTML()
        self.latest.add_class("cs-review-latest")
        self.where = widgets.HTML()

        self.widget = widgets.VBox(
            [
                self.title,
                self.support,
                self.reasons,
                self.changes_title,
                self.search_button,
                self.changes_text,
                self.options,
                self.applied_note,
                self.review_title,
                self.model_decision,
                self.outcome,
                self.reason,
                self.client_view,
                widgets.HBox([self.save_button]),
                self.message,
                self.latest,
                self.where,
            ],
            layout=widgets.Layout(width="100%"),
        )
        self.widget.add_class("cs-panel")
        self.widget.add_class("cs-conversation")
        state.observe(self._client_changed, "client_id")
        state.observe(self._threshold_changed, "threshold")
        state.observe(self._relabel, "lang")
        state.observe(self._show_review, "reviews_recorded")
        self._relabel()
        self._client_changed()

    # ----- drawing ---------------------------------------------------------------------------
    @safe
    def _relabel(self, _change=None) -> None:
        self.title.value = f"<h3>{escape(self.words('conversation.title'))}</h3>"
        self.support.value = (
            f'<div class="cs-note cs-note-info">{escape(self.words("conversation.support"))}</div>'
        )
        self.changes_title.value = (
            f"<h4>{escape(self.words('conversation.changes_title'))}</h4>"
            f'<div class="cs-hint">{escape(self.words("conversation.changes_hint"))}</div>'
        )
        self.search_button.description = self.words("conversation.search")
        self.review_title.value = (
            f"<h4>{escape(self.words('review.title'))}</h4>"
            f'<div class="cs-hint">{escape(self.words("review.intro"))}</div>'
        )
        chosen = self.outcome.value
        self.outcome.options = self._outcome_options()
        self.outcome.value = chosen
        self.reason.placeholder = self.words("review.reason_placeholder")
        self.client_view.placeholder = self.words("review.client_view_placeholder")
        self.save_button.description = self.words("review.save")
        path, in_audit = review_store_path()
        self.where.value = '<div class="cs-hint">{}</div>'.format(
            escape(
                self.words("review.stored_audit")
                if in_audit
                else self.words("review.stored_local", path=str(path))
            )
        )
        self._draw()

    def _outcome_options(self) -> list[tuple[str, str]]:
        labels = {CONFIRMED: "review.confirm", OVERRIDDEN: "review.override"}
        return [(self.words(labels[value]), value) for value in OUTCOMES]

    def _draw(self) -> None:
        """Reasons, options (already searched) and the review, in the current language."""
        self._show_reasons()
        self._show_options()
        self._show_review()

    @safe
    def _client_changed(self, _change=None) -> None:
        self.recourse = None
        self.state.whatif_edits = {}
        self.reason.value = ""
        self.client_view.value = ""
        self.outcome.value = CONFIRMED
        self.show_message("")
        self._draw()

    @safe
    def _threshold_changed(self, _change=None) -> None:
        self.recourse = None  # searched at the old threshold: search again
        self._show_reasons()
        self._show_options()

    def _show_reasons(self) -> None:
        if self.state.client_id is None:
            self.reasons.value = ""
            return
        lang, threshold = self.state.lang, self.state.threshold
        row = self.data.row_of(self.state.client_id)
        parts = []
        if abs(threshold - self.data.threshold) > 1e-9:
            parts.append(
                '<div class="cs-note cs-note-warning">{}</div>'.format(
                    escape(
                        self.words(
                            "conversation.simulated",
                            threshold=fmt.percent(threshold, lang),
                            model_threshold=fmt.percent(self.data.threshold, lang),
                        )
                    )
                )
            )
        if self.data.decision_of(row, threshold) == "granted":
            text = self.words("conversation.no_refusal", threshold=fmt.percent(threshold, lang))
            parts.append(f"<p>{escape(text)}</p>")
        else:
            reasons = principal_reasons_of(self.data, row, lang)
            parts.append(f"<h4>{escape(self.words('conversation.reasons_title'))}</h4>")
            if reasons:
                items = "".join(
                    f'<li data-code="{escape(reason.code)}">{escape(reason.text)}</li>'
                    for reason in reasons
                )
                parts.append(
                    f"<p>{escape(self.words('conversation.reasons_intro'))}</p><ol>{items}</ol>"
                )
            else:
                parts.append(f"<p>{escape(self.words('conversation.no_reasons'))}</p>")
        self.reasons.value = "".join(parts)

    def _show_options(self) -> None:
        lang = self.state.lang
        recourse = self.recourse
        self.search_button.layout.display = "none" if recourse is not None else None
        self.applied_note.value = (
            f'<div class="cs-note cs-note-info">{escape(self.words("conversation.applied"))}</div>'
            if recourse is not None and self.applied
            else ""
        )
        if recourse is None:
            self.changes_text.value = ""
            self.options.children = ()
            self.apply_buttons = []
            return
        if not recourse.options:  # the honest "nothing within the lender's bounds works"
            self.changes_text.value = f"<p><b>{escape(recourse.text(lang))}</b></p>"
        elif recourse.decision == "refused":
            self.changes_text.value = f"<p><b>{escape(self.words('report.changes_intro'))}</b></p>"
        else:
            self.changes_text.value = ""
        rows, buttons = [], []
        for number, option in enumerate(recourse.options):
            score = self.words(
                "conversation.option_score",
                probability=fmt.percent(option.default_probability, lang),
                decision=self.words(f"decision.{option.decision}_long").lower(),
            )
            text = widgets.HTML(
                f"<div>{escape(option.text(lang))} → {escape(score)}</div>",
                layout=widgets.Layout(width="70%"),
            )
            button = widgets.Button(
                description=self.words("conversation.apply"),
                layout=widgets.Layout(width="auto"),
                tooltip=option.text(lang),
            )
            button.add_class("cs-recourse-apply")
            button.on_click(lambda _button, number=number: self.apply(number))
            buttons.append(button)
            rows.append(widgets.HBox([text, button], layout=widgets.Layout(align_items="center")))
        self.options.children = tuple(rows)
        self.apply_buttons = buttons

    @safe
    def _show_review(self, _change=None) -> None:
        if self.state.client_id is None:
            self.latest.value = ""
            return
        lang = self.state.lang
        row = self.data.row_of(self.state.client_id)
        decision = self.data.decision_of(row)
        self.model_decision.value = "<p>{}</p>".format(
            escape(
                self.words(
                    "review.model_decision",
                    threshold=fmt.percent(self.data.threshold, lang),
                    decision=self.words(f"decision.{decision}_long"),
                    probability=fmt.percent(float(self.data.probability[row]), lang),
                )
            )
        )
        try:
            review = page_latest_review(self.state.client_id)
        except AuditError as error:
            log.error("reviews: %s", error)
            self.latest.value = (
                f'<div class="cs-note cs-note-error">{escape(self.words("review.error.store"))}'
                "</div>"
            )
            return
        lines = review_lines(review, lang)
        body = "".join(f"<div>{escape(line)}</div>" for line in lines)
        self.latest.value = f'<div class="cs-summary-text">{body}</div>'

    # ----- actions ---------------------------------------------------------------------------
    @safe
    def search(self) -> None:
        """Search what would change the decision of the client on screen, at the page's
        threshold, and show each option with its button."""
        if self.state.client_id is None:
            return
        row = self.data.row_of(self.state.client_id)
        self.recourse = recourse_of(self.data, row, self.state.threshold)
        self.applied = False
        self.show_message("")
        self._show_options()

    @safe
    def apply(self, number: int) -> None:
        """Ask the what-if panel to simulate option ``number`` (its changes, in one click)."""
        option = self.recourse.options[number]
        self.state.whatif_edits = {}  # the same suggestion applied twice notifies again
        self.state.whatif_edits = dict(option.changes)
        self.applied = True
        self._show_options()

    @safe
    def save_review(self) -> Review | None:
        """Record the review written on the page; a clear message when it cannot be."""
        if self.state.client_id is None:
            return None
        row = self.data.row_of(self.state.client_id)
        try:
            review = record_page_review(
                page_review_store(),
                self.data,
                row,
                self.outcome.value,
                self.reason.value,
                self.client_view.value,
            )
        except ReviewError as error:
            self.say(error.key, kind="error")
            return None
        except AuditError as error:
            log.error("reviews: %s", error)
            self.say("review.error.store", kind="error")
            return None
        self.reason.value = ""
        self.client_view.value = ""
        self.say("review.saved", kind="info")
        self.state.reviews_recorded += 1
        return review
