"""Credit scoring and explanations for Prêt à dépenser."""

__version__ = "0.1.0"
