"""The Voilà dashboard for relationship managers: state, data access, panels and app assembly."""

from credit_scoring.dashboard.app import build_app

__all__ = ["build_app"]
