"""The project's own exceptions: errors a user can cause, with a message that says what to do."""


class CreditScoringError(Exception):
    """Base class of every error the project raises on purpose (bad input, missing files...)."""


class DataError(CreditScoringError):
    """A data folder or file is missing, unreadable or not in the Kaggle format."""


class ArtifactError(CreditScoringError):
    """Pipeline artifacts are missing, incomplete or do not match each other."""


class UnknownClientError(CreditScoringError):
    """A client id that is not in the artifacts."""


class EmptyGroupError(CreditScoringError):
    """A filter or a selection leaves no client to show or compare with."""
