"""Serving a team: accounts, the audit trail, the kernel lifecycle and the JupyterHub config.

This layer sits under the dashboard: it never imports ``credit_scoring.dashboard``.
"""
