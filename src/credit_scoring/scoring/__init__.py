"""The one scoring path: raw application rows → features → probability, decision, reasons.

:class:`Scorer` (scorer.py) is used by the explain step (explain_step.py, which writes
scores.parquet and the explanations), ``credit-scoring score`` (batch.py), the dashboard's what-if
and recourse.
"""

from credit_scoring.scoring.scorer import FINAL_MODEL, Scored, Scorer

__all__ = ["FINAL_MODEL", "Scored", "Scorer"]
