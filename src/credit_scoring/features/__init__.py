"""Feature engineering over the seven Home Credit tables, and the feature catalog.

One module per source (application, bureau + bureau_balance, previous_application,
POS_CASH_balance, installments_payments, credit_card_balance), each a function from tables to
one row per applicant; :func:`build_features` assembles them with the catalog (labels FR/EN,
units, groups) and :func:`write_feature_artifacts` writes them for the model and the dashboard.
"""

from credit_scoring.features.application import build_application_features
from credit_scoring.features.assembly import (
    FeatureSet,
    build_features,
    combine_applications,
    read_feature_catalog,
    read_features,
    write_feature_artifacts,
)
from credit_scoring.features.bureau import build_bureau_features
from credit_scoring.features.catalog import catalog_problems, format_value
from credit_scoring.features.credit_card import build_credit_card_features
from credit_scoring.features.installments import build_installments_features
from credit_scoring.features.pos_cash import build_pos_cash_features
from credit_scoring.features.previous import build_previous_features

__all__ = [
    "FeatureSet",
    "build_application_features",
    "build_bureau_features",
    "build_credit_card_features",
    "build_features",
    "build_installments_features",
    "build_pos_cash_features",
    "build_previous_features",
    "catalog_problems",
    "combine_applications",
    "format_value",
    "read_feature_catalog",
    "read_features",
    "write_feature_artifacts",
]
