"""Explanations: SHAP contributions, plain-language reasons, population summaries and similar
clients, all precomputed for the dashboard."""
