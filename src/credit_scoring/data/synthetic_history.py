"""Synthetic credit history: the six side tables of a block of applicants, in Kaggle's format.

For a block of applicants (ids, hidden risk, age, income) this draws their credit bureau records
and monthly bureau statuses, their previous Home Credit applications and, for the approved ones,
the monthly POS/cash balances, the instalment payments and the monthly credit-card balances.
The hidden risk leaves traces: bureau overdue amounts and bad monthly statuses, refused
applications, late or short instalment payments, days past due on POS and card balances.
Everything is vectorized over rows (see ``synthetic_common.expand``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from credit_scoring.data import schema
from credit_scoring.data.synthetic_common import (
    DAYS_PER_MONTH,
    beta_quantile,
    category_column,
    draw_category,
    expand,
    float_column,
    int_column,
    round_to,
    with_missing,
)

PLACEHOLDER = float(schema.DAYS_PLACEHOLDER)
#: Monthly tables go back at most 96 months, as in Kaggle.
OLDEST_MONTH = -96

CREDIT_ACTIVE = ("Closed", "Active", "Sold", "Bad debt")
CURRENCIES = (
    ("currency 1", "currency 2", "currency 3", "currency 4"),
    (0.99918, 0.00072, 0.00008, 0.000002),
)
#: Bureau credit types: (probability, risk effect, median amount / income, median days).
CREDIT_TYPES = {
    "Consumer credit": (0.7296, 0.0, 0.55, 420),
    "Credit card": (0.2350, -0.05, 0.9, 1400),
    "Car loan": (0.0161, -0.3, 3.0, 1500),
    "Mortgage": (0.0107, -0.5, 10.0, 5000),
    "Microloan": (0.0072, 1.0, 0.12, 120),
    "Loan for business development": (0.0012, 0.0, 2.0, 900),
    "Another type of loan": (0.0006, 0.0, 1.0, 700),
    "Unknown type of loan": (0.0003, 0.3, 0.8, 700),
    "Loan for working capital replenishment": (0.00028, 0.3, 2.5, 700),
    "Cash loan (non-earmarked)": (0.00003, 0.3, 1.0, 700),
    "Real estate loan": (0.00002, -0.3, 8.0, 3000),
    "Loan for the purchase of equipment": (0.00001, 0.0, 2.0, 900),
    "Loan for purchase of shares (margin lending)": (0.000002, 0.0, 2.0, 500),
    "Mobile operator loan": (0.000001, 0.3, 0.1, 300),
    "Interbank credit": (0.000001, 0.0, 2.0, 500),
}
BUREAU_STATUSES = ("0", "1", "2", "3", "4", "5", "C", "X")

PREVIOUS_CONTRACT_TYPES = (
    ("Consumer loans", "Cash loans", "Revolving loans", "XNA"),
    (0.437, 0.447, 0.116, 0.0002),
)
PREVIOUS_STATUSES = (
    ("Approved", "Canceled", "Refused", "Unused offer"),
    (0.63, 0.185, 0.17, 0.016),
    (-0.15, 0.05, 0.75, 0.0),
)
WEEKDAYS = (
    ("TUESDAY", "WEDNESDAY", "MONDAY", "FRIDAY", "THURSDAY", "SATURDAY", "SUNDAY"),
    (0.153, 0.153, 0.152, 0.151, 0.149, 0.144, 0.098),
)
CASH_LOAN_PURPOSES = (
    (
        "XNA",
        "Repairs",
        "Other",
        "Urgent needs",
        "Buying a used car",
        "Building a house or an annex",
        "Everyday expenses",
        "Medicine",
        "Payments on other loans",
        "Education",
        "Journey",
        "Purchase of electronic equipment",
        "Buying a new car",
        "Wedding / gift / holiday",
        "Buying a home",
        "Car repairs",
        "Furniture",
        "Buying a holiday home / land",
        "Business development",
        "Gasification / water supply",
        "Buying a garage",
        "Hobby",
        "Money for a third person",
        "Refusal to name the goal",
    ),
    (
        0.908,
        0.0317,
        0.0208,
        0.0186,
        0.0065,
        0.0060,
        0.0054,
        0.0046,
        0.0040,
        0.0027,
        0.0026,
        0.0021,
        0.0011,
        0.0014,
        0.0009,
        0.0009,
        0.0008,
        0.0006,
        0.0006,
        0.0002,
        0.0002,
        0.0001,
        0.0001,
        0.00003,
    ),
)
CASH_LOAN_PURPOSE_LEVELS = ("XAP", *CASH_LOAN_PURPOSES[0])
PAYMENT_TYPES = (
    "Cash through the bank",
    "Non-cash from your account",
    "Cashless from the account of the employer",
    "XNA",
)
REJECT_REASONS = (
    ("HC", "LIMIT", "SCO", "SCOFR", "XNA", "VERIF", "SYSTEM"),
    (0.60, 0.19, 0.13, 0.044, 0.019, 0.012, 0.005),
)
REJECT_REASON_LEVELS = ("XAP", *REJECT_REASONS[0], "CLIENT")
SUITES = (
    (
        "Unaccompanied",
        "Family",
        "Spouse, partner",
        "Children",
        "Other_B",
        "Other_A",
        "Group of people",
    ),
    (0.60, 0.25, 0.079, 0.036, 0.02, 0.0108, 0.0014),
)
CLIENT_TYPES = ("Repeater", "New", "Refreshed", "XNA")
GOODS_CATEGORIES = (
    (
        "Mobile",
        "Consumer Electronics",
        "Computers",
        "Audio/Video",
        "Furniture",
        "Photo / Cinema Equipment",
        "Construction Materials",
        "Clothing and Accessories",
        "Auto Accessories",
        "Jewelry",
        "Homewares",
        "Medical Supplies",
        "Vehicles",
        "Sport and Leisure",
        "Gardening",
        "Other",
        "Office Appliances",
        "Tourism",
        "Medicine",
        "Direct Sales",
        "Fitness",
        "Additional Service",
        "Education",
        "Weapon",
        "Insurance",
        "House Construction",
        "Animals",
    ),
    (
        0.262,
        0.149,
        0.146,
        0.121,
        0.058,
        0.035,
        0.034,
        0.026,
        0.0083,
        0.0069,
        0.0064,
        0.0043,
        0.0040,
        0.0034,
        0.0030,
        0.0029,
        0.0030,
        0.0018,
        0.0014,
        0.0005,
        0.0003,
        0.0001,
        0.0001,
        0.0001,
        0.0001,
        0.00001,
        0.00001,
    ),
)
GOODS_CATEGORY_LEVELS = ("XNA", *GOODS_CATEGORIES[0])
PORTFOLIOS = ("POS", "Cash", "XNA", "Cards")
PRODUCT_TYPES = ("XNA", "x-sell", "walk-in")
CHANNELS = (
    "Credit and cash offices",
    "Country-wide",
    "Stone",
    "Regional / Local",
    "Contact center",
    "AP+ (Cash loan)",
    "Channel of corporate sales",
    "Car dealer",
)
#: Channel probabilities for consumer, cash and revolving contracts.
CHANNEL_PROBABILITIES = (
    (0.0, 0.55, 0.30, 0.14, 0.0, 0.0, 0.0, 0.01),
    (0.80, 0.0, 0.0, 0.02, 0.09, 0.08, 0.01, 0.0),
    (0.45, 0.22, 0.2, 0.1, 0.02, 0.0, 0.01, 0.0),
)
SELLER_INDUSTRIES = (
    (
        "Consumer electronics",
        "Connectivity",
        "Furniture",
        "Construction",
        "Clothing",
        "Industry",
        "Auto technology",
        "Jewelry",
        "MLM partners",
        "Tourism",
    ),
    (0.42, 0.30, 0.07, 0.048, 0.03, 0.03, 0.012, 0.005, 0.0015, 0.0012),
)
SELLER_INDUSTRY_LEVELS = ("XNA", *SELLER_INDUSTRIES[0])
YIELD_GROUPS = ("XNA", "middle", "high", "low_normal", "low_action")
#: Monthly interest rate of each yield group.
YIELD_RATES = np.array([0.0, 0.018, 0.027, 0.011, 0.005])
POS_COMBINATIONS = (
    (
        "POS household with interest",
        "POS mobile with interest",
        "POS industry with interest",
        "POS household without interest",
        "POS mobile without interest",
        "POS other with interest",
        "POS industry without interest",
        "POS others without interest",
    ),
    (0.36, 0.22, 0.12, 0.1, 0.09, 0.07, 0.025, 0.0015),
)
CASH_COMBINATIONS = (
    (
        "Cash X-Sell: middle",
        "Cash X-Sell: low",
        "Cash X-Sell: high",
        "Cash Street: high",
        "Cash Street: middle",
        "Cash Street: low",
    ),
    (0.29, 0.25, 0.16, 0.12, 0.1, 0.08),
)
#: Yield group code of each cash combination (middle, low_normal, high...).
CASH_COMBINATION_YIELDS = np.array([1, 3, 2, 2, 1, 3])
COMBINATION_LEVELS = (
    *POS_COMBINATIONS[0],
    "Cash",
    *CASH_COMBINATIONS[0],
    "Card Street",
    "Card X-Sell",
)
POS_STATUSES = (
    "Active",
    "Completed",
    "Signed",
    "Demand",
    "Returned to the store",
    "Approved",
    "Amortized debt",
    "Canceled",
    "XNA",
)
CARD_STATUSES = ("Active", "Completed", "Signed", "Demand", "Sent proposal", "Refused", "Approved")


@dataclass
class HistoryIds:
    """The next free SK_ID_BUREAU and SK_ID_PREV, carried from one block to the next."""

    next_bureau_id: int = 5_000_000
    next_previous_id: int = 1_000_000


def _month_of(days: np.ndarray) -> np.ndarray:
    return np.floor(days / DAYS_PER_MONTH).astype(np.int64)


def _negative_binomial(rng, mean: np.ndarray, dispersion: float) -> np.ndarray:
    return rng.negative_binomial(dispersion, dispersion / (dispersion + mean))


def _money(rng, values: np.ndarray, round_share: float, step: float) -> np.ndarray:
    """Amounts: some round (a multiple of ``step``), the others with cents (3 decimals)."""
    rounded = rng.random(values.size) < round_share
    return np.where(rounded, round_to(values, step), np.round(values, 3))


def _bureau(rng, ids, risk, age_years, income, next_id):
    n = ids.size
    has_bureau = rng.random(n) < np.clip(0.76 + 0.2 * (age_years - 20) / 25, 0, 0.93)
    mean = 3.5 * np.clip(0.55 + (age_years - 20) / 30, 0.55, 1.4)
    count = np.where(has_bureau, 1 + _negative_binomial(rng, mean, 1.6), 0)
    parent, _ = expand(count)
    rows = parent.size
    z = risk[parent]
    names = list(CREDIT_TYPES)
    spec = np.array(list(CREDIT_TYPES.values()))
    credit_type = draw_category(rng, spec[:, 0], rows, z, spec[:, 1])
    days_credit = -np.floor(2922 * beta_quantile(rng.random(rows), 1.0, 1.9))
    duration = spec[credit_type, 3] * np.exp(0.6 * rng.standard_normal(rows))
    end = np.floor(days_credit + duration)
    runs_late = rng.random(rows) < 0.05 * np.exp(0.7 * z)
    active = np.where(end > 0, rng.random(rows) < 0.8, runs_late)
    status = np.where(active, 1, 0)
    sold = rng.random(rows) < 0.004 * np.exp(0.9 * z)
    status = np.where(sold, 2, status)
    status = np.where(rng.random(rows) < 2e-5 * np.exp(1.5 * z), 3, status)
    closed = status != 1
    fact = np.floor(days_credit + (np.minimum(end, 0) - days_credit) * rng.uniform(0.55, 1, rows))
    fact = np.minimum(fact, 0.0)
    amount = income[parent] * spec[credit_type, 2] * np.exp(0.9 * rng.standard_normal(rows))
    amount = _money(rng, np.clip(amount, 0, 1e8), 0.5, 4500.0)
    amount[rng.random(rows) < 0.035] = 0.0
    remaining = np.clip(end / np.maximum(duration, 1), 0, 1) * rng.uniform(0.6, 1, rows)
    debt = np.where(closed, 0.0, np.round(amount * np.where(end > 0, remaining, 0.3), 3))
    is_card = credit_type == 1
    limit = np.where(is_card & ~closed, np.round(np.maximum(amount - debt, 0), 3), 0.0)
    overdue_now = ~closed & (rng.random(rows) < 0.004 * np.exp(1.3 * z))
    overdue_amount = np.where(overdue_now, np.round(debt * rng.uniform(0.02, 0.3, rows), 3), 0.0)
    day_overdue = np.where(overdue_now, 1 + rng.geometric(1 / 40, rows), 0)
    ever_overdue = rng.random(rows) < 0.12 * np.exp(0.9 * z)
    max_overdue = np.where(ever_overdue, np.round(amount * 0.05 * rng.lognormal(0, 1, rows), 3), 0)
    max_overdue = np.maximum(max_overdue, overdue_amount)
    update = np.where(closed, fact + rng.integers(0, 60, rows), -rng.geometric(1 / 25, rows))
    update = np.minimum(update, 0)
    annuity = np.where(
        rng.random(rows) < 0.3, 0.0, np.round(amount / np.maximum(duration, 30) * DAYS_PER_MONTH, 3)
    )
    columns = {
        "SK_ID_CURR": int_column(ids[parent]),
        "SK_ID_BUREAU": int_column(next_id + np.arange(rows)),
        "CREDIT_ACTIVE": category_column(status, CREDIT_ACTIVE),
        "CREDIT_CURRENCY": category_column(draw_category(rng, CURRENCIES[1], rows), CURRENCIES[0]),
        "DAYS_CREDIT": int_column(days_credit),
        "CREDIT_DAY_OVERDUE": int_column(day_overdue),
        "DAYS_CREDIT_ENDDATE": float_column(with_missing(end, rng.random(rows) < 0.06)),
        "DAYS_ENDDATE_FACT": float_column(with_missing(fact, ~closed)),
        "AMT_CREDIT_MAX_OVERDUE": float_column(with_missing(max_overdue, rng.random(rows) < 0.65)),
        "CNT_CREDIT_PROLONG": int_column(rng.binomial(2, 0.0028, rows)),
        "AMT_CREDIT_SUM": float_column(amount),
        "AMT_CREDIT_SUM_DEBT": float_column(with_missing(debt, rng.random(rows) < 0.15)),
        "AMT_CREDIT_SUM_LIMIT": float_column(with_missing(limit, rng.random(rows) < 0.345)),
        "AMT_CREDIT_SUM_OVERDUE": float_column(overdue_amount),
        "CREDIT_TYPE": category_column(credit_type, names),
        "DAYS_CREDIT_UPDATE": int_column(update),
        "AMT_ANNUITY": float_column(with_missing(annuity, rng.random(rows) < 0.71)),
    }
    table = pa.table({name: columns[name] for name in schema.BUREAU_COLUMNS})

    # Monthly statuses for about half of the credits, from the opening month to now.
    has_balance = rng.random(rows) < 0.48
    months = np.where(has_balance, np.minimum(-_month_of(days_credit), -OLDEST_MONTH) + 1, 0)
    credit, rank = expand(months)
    month = -rank
    bz = z[credit]
    size = credit.size
    bad_rate = np.clip(0.009 * np.exp(1.2 * bz), 0, 0.5)
    draw = rng.random(size)
    status_code = np.zeros(size, dtype=np.int16)
    status_code[draw < bad_rate] = 1
    status_code[draw < bad_rate * 0.1] = 2
    status_code[draw < bad_rate * 0.04] = 3
    status_code[draw < bad_rate * 0.025] = 4
    written_off = np.isin(status, (2, 3)) & (rng.random(rows) < 0.5)
    status_code[written_off[credit] & (month > _month_of(fact)[credit] - 6)] = 5
    status_code[closed[credit] & (month > _month_of(fact)[credit]) & ~written_off[credit]] = 6
    unknown_before = np.where(rng.random(rows) < 0.35, -months * rng.random(rows), -1000)
    status_code[(month < unknown_before[credit]) | (rng.random(size) < 0.04)] = 7
    balance = pa.table(
        {
            "SK_ID_BUREAU": int_column(next_id + credit),
            "MONTHS_BALANCE": int_column(month),
            "STATUS": category_column(status_code, BUREAU_STATUSES),
        }
    )
    return table, balance, next_id + rows


def _previous(rng, ids, risk, income, next_id):
    n = ids.size
    has_previous = rng.random(n) < 0.95
    count = np.where(has_previous, 1 + _negative_binomial(rng, np.full(n, 3.93), 1.3), 0)
    parent, rank = expand(count)
    rows = parent.size
    z = risk[parent]
    contract = draw_category(rng, PREVIOUS_CONTRACT_TYPES[1], rows)
    consumer, cash, revolving = contract == 0, (contract == 1) | (contract == 3), contract == 2
    status = draw_category(rng, PREVIOUS_STATUSES[1], rows, z, PREVIOUS_STATUSES[2])
    status = np.where(cash & (status == 0) & (rng.random(rows) < 0.12), 1, status)
    status = np.where(consumer & (status == 1) & (rng.random(rows) < 0.85), 0, status)
    status = np.where(revolving & (status == 1) & (rng.random(rows) < 0.5), 0, status)
    approved, canceled, refused = status == 0, status == 1, status == 2
    unused = status == 3
    empty_cash = cash & canceled  # a cancelled cash application carries no amounts
    decision = -1 - np.floor(2921 * beta_quantile(rng.random(rows), 0.75, 1.7))
    person_income = income[parent]

    goods_consumer = person_income * 0.45 * np.exp(0.95 * rng.standard_normal(rows))
    goods_consumer = np.clip(_money(rng, goods_consumer, 0.45, 450.0), 2000, 4_000_000)
    has_down = consumer & (rng.random(rows) < 0.52)
    down_rate = np.where(has_down, np.clip(beta_quantile(rng.random(rows), 1.3, 8.0), 0, 0.9), 0)
    down_payment = np.round(goods_consumer * down_rate, 3)
    cash_amount = round_to(
        np.clip(person_income * 1.4 * np.exp(0.75 * rng.standard_normal(rows)), 18_000, 4_500_000),
        4500.0,
    )
    card_line = round_to(
        np.clip(person_income * np.exp(0.5 * rng.standard_normal(rows)), 22_500, 1_350_000),
        22_500.0,
    )
    application = np.select([consumer, cash & ~empty_cash], [goods_consumer, cash_amount], 0.0)
    insured_cash = cash & (rng.random(rows) < 0.55)
    credit = np.select(
        [consumer, cash & ~empty_cash, revolving],
        [
            goods_consumer - down_payment,
            np.round(cash_amount * (1 + insured_cash * rng.uniform(0.05, 0.14, rows)) * 2) / 2,
            np.where(refused & (rng.random(rows) < 0.5), 0.0, card_line),
        ],
        0.0,
    )
    goods_price = np.select([consumer, cash & ~empty_cash], [goods_consumer, cash_amount], np.nan)

    combination = np.where(
        consumer,
        draw_category(rng, POS_COMBINATIONS[1], rows),
        np.where(
            empty_cash,
            8,
            np.where(
                cash,
                9 + draw_category(rng, CASH_COMBINATIONS[1], rows),
                15 + (rng.random(rows) < 0.4),
            ),
        ),
    ).astype(np.int16)
    interest_free = np.isin(combination, (3, 4, 6, 7))
    pos_yield = draw_category(rng, (0.33, 0.31, 0.27, 0.09), rows) + 1
    cash_yield = CASH_COMBINATION_YIELDS[np.clip(combination - 9, 0, 5)]
    yield_group = np.select(
        [consumer & interest_free, consumer, cash & ~empty_cash], [4, pos_yield, cash_yield], 0
    ).astype(np.int16)
    consumer_term = np.array([6, 8, 10, 12, 18, 24, 30, 36])[
        draw_category(rng, (0.16, 0.06, 0.16, 0.3, 0.08, 0.12, 0.04, 0.08), rows)
    ]
    cash_term = np.array([12, 18, 24, 30, 36, 48, 60])[
        draw_category(rng, (0.28, 0.08, 0.2, 0.06, 0.22, 0.08, 0.08), rows)
    ]
    term = np.select([consumer, cash & ~empty_cash, revolving], [consumer_term, cash_term, 0], -1)
    has_term = term >= 0
    rate = YIELD_RATES[yield_group]
    safe_term = np.maximum(term, 1)
    safe_rate = np.where(rate > 0, rate, 0.01)
    annuity = np.where(
        rate > 0, credit * safe_rate / (1 - (1 + safe_rate) ** -safe_term), credit / safe_term
    )
    annuity = np.where(revolving, np.where(rng.random(rows) < 0.5, card_line * 0.05, 0.0), annuity)
    annuity = np.where(has_term, np.round(annuity, 3), np.nan)
    has_goods = consumer | (cash & ~empty_cash)
    product_type = np.where(cash & ~empty_cash, 1 + (rng.random(rows) < 0.3), 0)
    product_type = np.where(revolving & (rng.random(rows) < 0.4), 1, product_type)
    channel = np.select(
        [consumer, cash],
        [
            draw_category(rng, CHANNEL_PROBABILITIES[0], rows),
            draw_category(rng, CHANNEL_PROBABILITIES[1], rows),
        ],
        draw_category(rng, CHANNEL_PROBABILITIES[2], rows),
    ).astype(np.int16)
    seller_area = np.where(
        consumer, np.minimum(np.floor(rng.lognormal(np.log(60), 1.4, rows)), 4_000_000), -1
    )
    portfolio = np.select([consumer, cash & ~empty_cash, revolving], [0, 1, 3], 2)
    purpose = np.where(cash, 1 + draw_category(rng, CASH_LOAN_PURPOSES[1], rows), 0)
    payment_type = np.where(
        approved | (rng.random(rows) < 0.25), draw_category(rng, (0.985, 0.011, 0.004), rows), 3
    )
    payment_type = np.where(empty_cash, 3, payment_type)
    reject = np.where(refused, 1 + draw_category(rng, REJECT_REASONS[1], rows), 0)
    reject = np.where(unused, len(REJECT_REASON_LEVELS) - 1, reject)
    client_type = np.where(rank == 0, np.where(rng.random(rows) < 0.55, 1, 0), 0)
    client_type = np.where((rank > 0) & (rng.random(rows) < 0.085), 2, client_type)
    suite = draw_category(rng, SUITES[1], rows)
    suite[rng.random(rows) < 0.49] = -1
    down_missing = ~consumer | (rng.random(rows) < 0.03)
    rate_interest = rng.random(rows) < 0.0036
    interest_primary = np.round(rng.uniform(0.03, 0.3, rows), 6)
    interest_privileged = np.round(rng.uniform(0.37, 0.87, rows), 6)

    # Dates of approved contracts; the placeholder means "did not happen".
    first_due = np.where(
        revolving,
        np.where(rng.random(rows) < 0.75, decision + rng.integers(20, 60, rows), PLACEHOLDER),
        decision + rng.integers(25, 40, rows),
    )
    first_drawing = np.where(
        revolving & (first_due != PLACEHOLDER),
        np.minimum(decision + rng.integers(0, 20, rows), -1),
        PLACEHOLDER,
    )
    # A first due date still to come is written as the placeholder, as in Kaggle.
    written_first_due = np.where(first_due >= 0, PLACEHOLDER, first_due)
    planned_last = np.where(revolving, PLACEHOLDER, first_due + 30 * (np.maximum(term, 1) - 1))
    early = ~revolving & (rng.random(rows) < 0.25)
    paid_terms = np.where(early, np.ceil(np.maximum(term, 1) * rng.uniform(0.2, 1, rows)), term)
    actual_last = first_due + 30 * (np.maximum(paid_terms, 1) - 1)
    card_closed = revolving & (rng.random(rows) < 0.05)
    card_end = np.minimum(decision + np.floor(rng.uniform(60, 1500, rows)), -1)
    last_due = np.select(
        [revolving & card_closed & (first_due != PLACEHOLDER), revolving, actual_last < 0],
        [card_end, PLACEHOLDER, actual_last],
        PLACEHOLDER,
    )
    termination = np.where(
        last_due == PLACEHOLDER, PLACEHOLDER, np.minimum(last_due + rng.integers(0, 12, rows), -1)
    )
    not_approved = ~approved

    columns = {
        "SK_ID_PREV": int_column(next_id + np.arange(rows)),
        "SK_ID_CURR": int_column(ids[parent]),
        "NAME_CONTRACT_TYPE": category_column(contract, PREVIOUS_CONTRACT_TYPES[0]),
        "AMT_ANNUITY": float_column(annuity),
        "AMT_APPLICATION": float_column(application),
        "AMT_CREDIT": float_column(credit),
        "AMT_DOWN_PAYMENT": float_column(with_missing(down_payment, down_missing)),
        "AMT_GOODS_PRICE": float_column(with_missing(goods_price, ~has_goods)),
        "WEEKDAY_APPR_PROCESS_START": category_column(
            draw_category(rng, WEEKDAYS[1], rows), WEEKDAYS[0]
        ),
        "HOUR_APPR_PROCESS_START": int_column(
            np.clip(np.round(12.5 + 3.3 * rng.standard_normal(rows)), 0, 23)
        ),
        "FLAG_LAST_APPL_PER_CONTRACT": category_column(
            (rng.random(rows) < 0.995).astype(np.int16), ("N", "Y")
        ),
        "NFLAG_LAST_APPL_IN_DAY": int_column(rng.random(rows) < 0.9965),
        "RATE_DOWN_PAYMENT": float_column(with_missing(down_rate, down_missing)),
        "RATE_INTEREST_PRIMARY": float_column(with_missing(interest_primary, ~rate_interest)),
        "RATE_INTEREST_PRIVILEGED": float_column(with_missing(interest_privileged, ~rate_interest)),
        "NAME_CASH_LOAN_PURPOSE": category_column(purpose, CASH_LOAN_PURPOSE_LEVELS),
        "NAME_CONTRACT_STATUS": category_column(status, PREVIOUS_STATUSES[0]),
        "DAYS_DECISION": int_column(decision),
        "NAME_PAYMENT_TYPE": category_column(payment_type, PAYMENT_TYPES),
        "CODE_REJECT_REASON": category_column(reject, REJECT_REASON_LEVELS),
        "NAME_TYPE_SUITE": category_column(suite, SUITES[0]),
        "NAME_CLIENT_TYPE": category_column(client_type, CLIENT_TYPES),
        "NAME_GOODS_CATEGORY": category_column(
            np.where(consumer, 1 + draw_category(rng, GOODS_CATEGORIES[1], rows), 0),
            GOODS_CATEGORY_LEVELS,
        ),
        "NAME_PORTFOLIO": category_column(portfolio, PORTFOLIOS),
        "NAME_PRODUCT_TYPE": category_column(product_type, PRODUCT_TYPES),
        "CHANNEL_TYPE": category_column(channel, CHANNELS),
        "SELLERPLACE_AREA": int_column(seller_area),
        "NAME_SELLER_INDUSTRY": category_column(
            np.where(consumer, 1 + draw_category(rng, SELLER_INDUSTRIES[1], rows), 0),
            SELLER_INDUSTRY_LEVELS,
        ),
        "CNT_PAYMENT": float_column(with_missing(term, ~has_term)),
        "NAME_YIELD_GROUP": category_column(yield_group, YIELD_GROUPS),
        "PRODUCT_COMBINATION": category_column(combination, COMBINATION_LEVELS),
        "DAYS_FIRST_DRAWING": float_column(with_missing(first_drawing, not_approved)),
        "DAYS_FIRST_DUE": float_column(with_missing(written_first_due, not_approved)),
        "DAYS_LAST_DUE_1ST_VERSION": float_column(with_missing(planned_last, not_approved)),
        "DAYS_LAST_DUE": float_column(with_missing(last_due, not_approved)),
        "DAYS_TERMINATION": float_column(with_missing(termination, not_approved)),
        "NFLAG_INSURED_ON_APPROVAL": float_column(
            with_missing((rng.random(rows) < 0.33 + 0.3 * insured_cash).astype(float), not_approved)
        ),
    }
    table = pa.table({name: columns[name] for name in schema.PREVIOUS_APPLICATION_COLUMNS})
    loans = {
        "parent": parent,
        "previous_id": next_id + np.arange(rows),
        "approved": approved,
        "revolving": revolving,
        "term": term,
        "paid_terms": paid_terms,
        "annuity": np.nan_to_num(annuity),
        "credit": credit,
        "card_line": card_line,
        "decision": decision,
        "first_due": first_due,
        "last_due": last_due,
        "risk": z + 0.6 * rng.standard_normal(rows),  # each loan's own luck
    }
    return table, loans, next_id + rows


def _pos_and_instalments(rng, ids, loans):
    instalment_loans = loans["approved"] & ~loans["revolving"] & (loans["first_due"] < 0)
    index = np.flatnonzero(instalment_loans)
    first_due = loans["first_due"][index]
    paid_terms = loans["paid_terms"][index]
    term = loans["term"][index]
    risk = loans["risk"][index]
    prev_ids = loans["previous_id"][index]
    curr_ids = ids[loans["parent"][index]]
    annuity = loans["annuity"][index]

    # POS / cash monthly balance: from the decision month to the month after the last payment.
    start_month = np.maximum(_month_of(loans["decision"][index]), OLDEST_MONTH)
    last_payment_day = first_due + 30 * (np.maximum(paid_terms, 1) - 1)
    finished = last_payment_day < -1
    end_month = np.where(finished, np.minimum(_month_of(last_payment_day) + 1, -1), -1)
    # Kaggle's POS table covers fewer loans than its instalments table.
    recorded = rng.random(index.size) < 0.78
    months = np.where(recorded, np.maximum(end_month - start_month + 1, 1), 0)
    loan, rank = expand(months)
    month = start_month[loan] + rank
    elapsed = month - _month_of(first_due)[loan]
    future = np.clip(term[loan] - np.maximum(elapsed, 0), 0, None).astype(np.float64)
    completed = finished[loan] & (month == end_month[loan])
    future = np.where(completed, 0.0, future)
    size = loan.size
    status = np.where(completed, 1, 0)
    status = np.where((rank == 0) & (rng.random(size) < 0.05), 2, status)
    status = np.where(
        (status == 0) & (rng.random(size) < 0.0012),
        3 + draw_category(rng, (0.3, 0.5, 0.1, 0.05, 0.02, 0.03), size),
        status,
    )
    troubled = rng.random(index.size) < 0.025 * np.exp(1.1 * risk)
    trouble_start = np.floor(rng.random(index.size) * months)
    behind = troubled[loan] & (rank >= trouble_start[loan])
    dpd = np.where(behind, (rank - trouble_start[loan]) * 30 + rng.integers(1, 30, size), 0)
    small_late = rng.random(size) < 0.012 * np.exp(0.8 * risk[loan])
    dpd = np.where((dpd == 0) & small_late, rng.integers(1, 12, size), dpd)
    dpd = np.where(completed & ~behind, 0, dpd)
    dpd_def = np.where(rng.random(size) < 0.55, dpd, 0)
    cnt_missing = rng.random(size) < 0.0026
    pos = pa.table(
        {
            "SK_ID_PREV": int_column(prev_ids[loan]),
            "SK_ID_CURR": int_column(curr_ids[loan]),
            "MONTHS_BALANCE": int_column(month),
            "CNT_INSTALMENT": float_column(with_missing(term[loan], cnt_missing)),
            "CNT_INSTALMENT_FUTURE": float_column(with_missing(future, cnt_missing)),
            "NAME_CONTRACT_STATUS": category_column(status, POS_STATUSES),
            "SK_DPD": int_column(dpd),
            "SK_DPD_DEF": int_column(dpd_def),
        }
    )

    # Instalments due so far; late and short payments trace the loan's risk.
    due_count = np.minimum(paid_terms, np.floor((-1 - first_due) / 30) + 1).astype(np.int64)
    due_count = np.maximum(due_count, 0)
    loan, rank = expand(due_count)
    size = loan.size
    number = rank + 1
    days_due = first_due[loan] + 30 * rank
    amount = annuity[loan].copy()
    last_early = (number == due_count[loan]) & (paid_terms[loan] < term[loan])
    amount = np.where(last_early, annuity[loan] * (term[loan] - paid_terms[loan] + 1), amount)
    loan_risk = risk[loan]
    late = rng.random(size) < 0.045 * np.exp(1.0 * loan_risk)
    delay = np.where(late, 1 + rng.geometric(1 / 9, size), -np.floor(rng.exponential(9, size)))
    paid_day = days_due + delay
    short = rng.random(size) < 0.03 * np.exp(1.1 * loan_risk)
    payment = np.where(short, np.round(amount * rng.uniform(0.05, 0.95, size), 3), amount)
    unpaid = paid_day > -1
    version = np.where(rng.random(size) < 0.03, 2.0, 1.0)
    instalments = _instalment_table(
        prev_ids[loan],
        curr_ids[loan],
        version,
        number,
        days_due,
        paid_day,
        amount,
        payment,
        unpaid,
        rng,
    )
    return pos, instalments


def _instalment_table(
    prev_ids, curr_ids, version, number, days_due, paid_day, amount, payment, unpaid, rng
) -> pa.Table:
    # About 12% of instalments are paid in two parts (two rows of the same instalment).
    size = prev_ids.size
    split = (rng.random(size) < 0.12) & ~unpaid
    copies = 1 + split
    row, part = expand(copies)
    share = np.where(split[row], np.where(part == 0, 0.6, 0.4), 1.0)
    paid_amount = np.round(payment[row] * share, 3)
    entry = paid_day[row] - np.where(part == 1, rng.integers(1, 15, row.size), 0)
    return pa.table(
        {
            "SK_ID_PREV": int_column(prev_ids[row]),
            "SK_ID_CURR": int_column(curr_ids[row]),
            "NUM_INSTALMENT_VERSION": float_column(version[row]),
            "NUM_INSTALMENT_NUMBER": int_column(number[row]),
            "DAYS_INSTALMENT": float_column(days_due[row]),
            "DAYS_ENTRY_PAYMENT": float_column(with_missing(entry, unpaid[row])),
            "AMT_INSTALMENT": float_column(np.round(amount[row], 3)),
            "AMT_PAYMENT": float_column(with_missing(paid_amount, unpaid[row])),
        }
    )


def _credit_cards(rng, ids, loans):
    cards = loans["approved"] & loans["revolving"]
    index = np.flatnonzero(cards)
    prev_ids = loans["previous_id"][index]
    curr_ids = ids[loans["parent"][index]]
    risk = loans["risk"][index]
    line = np.where(loans["credit"][index] > 0, loans["credit"][index], loans["card_line"][index])
    start_month = np.maximum(_month_of(loans["decision"][index]), OLDEST_MONTH)
    last_due = loans["last_due"][index]
    closed = last_due != PLACEHOLDER
    end_month = np.where(closed, np.minimum(_month_of(last_due) + 1, -1), -1)
    months = np.maximum(end_month - start_month + 1, 1)
    card, rank = expand(months)
    size = card.size
    month = start_month[card] + rank
    card_risk = risk[card]
    user = rng.random(index.size) < 0.45 + 0.1 * np.tanh(risk)
    limit = np.where(rng.random(size) < 0.2, 0.0, line[card])
    in_use = user[card] & (limit > 0) & (rng.random(size) < 0.9)
    usage = np.clip(beta_quantile(rng.random(size), 1.2, 1.6) + 0.12 * card_risk, 0.01, 1.05)
    balance = np.where(in_use, np.round(limit * usage, 3), 0.0)
    drawing = in_use & (rng.random(size) < 0.4)
    drawn = np.where(drawing, np.round(limit * 0.08 * rng.lognormal(0, 0.8, size), 3), 0.0)
    atm_share = np.where(rng.random(size) < 0.5, 1.0, np.where(rng.random(size) < 0.8, 0.0, 0.5))
    atm = round_to(drawn * atm_share, 4500.0)
    pos_drawn = np.round(np.maximum(drawn - atm, 0), 3)
    drawn_total = atm + pos_drawn
    atm_count = np.where(atm > 0, 1 + rng.poisson(0.6, size), 0)
    pos_count = np.where(pos_drawn > 0, 1 + rng.poisson(2.5, size), 0)
    detail_missing = ~in_use & (rng.random(size) < 0.45)
    minimum = np.round(balance * 0.05, 3)
    paying = balance > 0
    short = rng.random(size) < 0.06 * np.exp(1.0 * card_risk)
    paid = np.where(
        paying,
        np.round(
            np.where(
                short,
                minimum * rng.uniform(0, 0.9, size),
                np.maximum(minimum, balance * rng.uniform(0.05, 0.6, size)),
            ),
            3,
        ),
        0.0,
    )
    payment_missing = ~paying & (rng.random(size) < 0.7)
    regularity_missing = rng.random(size) < 0.08
    troubled = rng.random(index.size) < 0.03 * np.exp(1.1 * risk)
    trouble_start = np.floor(rng.random(index.size) * months)
    behind = troubled[card] & (rank >= trouble_start[card]) & in_use
    dpd = np.where(behind, (rank - trouble_start[card]) * 30 + rng.integers(1, 30, size), 0)
    completed = closed[card] & (month == end_month[card])
    status = np.where(completed, 1, 0)
    status = np.where(
        (status == 0) & (rng.random(size) < 0.002),
        2 + draw_category(rng, (0.6, 0.1, 0.2, 0.05, 0.05), size),
        status,
    )
    columns = {
        "SK_ID_PREV": int_column(prev_ids[card]),
        "SK_ID_CURR": int_column(curr_ids[card]),
        "MONTHS_BALANCE": int_column(month),
        "AMT_BALANCE": float_column(balance),
        # Kaggle writes the credit limit without a decimal point.
        "AMT_CREDIT_LIMIT_ACTUAL": int_column(limit),
        "AMT_DRAWINGS_ATM_CURRENT": float_column(with_missing(atm, detail_missing)),
        "AMT_DRAWINGS_CURRENT": float_column(drawn_total),
        "AMT_DRAWINGS_OTHER_CURRENT": float_column(with_missing(np.zeros(size), detail_missing)),
        "AMT_DRAWINGS_POS_CURRENT": float_column(with_missing(pos_drawn, detail_missing)),
        "AMT_INST_MIN_REGULARITY": float_column(with_missing(minimum, regularity_missing)),
        "AMT_PAYMENT_CURRENT": float_column(with_missing(paid, payment_missing)),
        "AMT_PAYMENT_TOTAL_CURRENT": float_column(paid),
        "AMT_RECEIVABLE_PRINCIPAL": float_column(np.round(balance * 0.96, 3)),
        "AMT_RECIVABLE": float_column(balance),
        "AMT_TOTAL_RECEIVABLE": float_column(balance),
        "CNT_DRAWINGS_ATM_CURRENT": float_column(with_missing(atm_count, detail_missing)),
        "CNT_DRAWINGS_CURRENT": int_column(atm_count + pos_count),
        "CNT_DRAWINGS_OTHER_CURRENT": float_column(with_missing(np.zeros(size), detail_missing)),
        "CNT_DRAWINGS_POS_CURRENT": float_column(with_missing(pos_count, detail_missing)),
        "CNT_INSTALMENT_MATURE_CUM": float_column(
            with_missing(np.floor(rank * user[card]).astype(float), regularity_missing)
        ),
        "NAME_CONTRACT_STATUS": category_column(status, CARD_STATUSES),
        "SK_DPD": int_column(dpd),
        "SK_DPD_DEF": int_column(np.where(rng.random(size) < 0.4, dpd, 0)),
    }
    return pa.table({name: columns[name] for name in schema.CREDIT_CARD_BALANCE_COLUMNS})


def generate_history(
    rng: np.random.Generator,
    ids: np.ndarray,
    risk: np.ndarray,
    age_years: np.ndarray,
    income: np.ndarray,
    history_ids: HistoryIds,
) -> dict[str, pa.Table]:
    """The six side tables of one block of applicants, keyed by Kaggle table name.

    ``history_ids`` gives the first free bureau and previous-application ids and is advanced past
    the ids used here, so that blocks drawn one after the other never share an id.
    """
    bureau, bureau_balance, history_ids.next_bureau_id = _bureau(
        rng, ids, risk, age_years, income, history_ids.next_bureau_id
    )
    previous, loans, history_ids.next_previous_id = _previous(
        rng, ids, risk, income, history_ids.next_previous_id
    )
    pos, instalments = _pos_and_instalments(rng, ids, loans)
    cards = _credit_cards(rng, ids, loans)
    return {
        "bureau": bureau,
        "bureau_balance": bureau_balance,
        "previous_application": previous,
        "POS_CASH_balance": pos,
        "installments_payments": instalments,
        "credit_card_balance": cards,
    }
