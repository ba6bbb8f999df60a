"""The lifecycle of an OSM case: its status codes and who may move it where.

The codes are the vendor's. Which action leads where is only partly documented (cancel leads
to 4, the engineer works a case through 1, 2 and 17); the rest is the mock's choice, spelt out
in specs/huawei-osm-cases.yaml.
"""

TO_BE_PROCESSED = 0
PROCESSING = 1
PENDING_CONFIRMATION = 2
COMPLETED = 3
CANCELLED = 4
PAUSED = 5  # a list filter only: the mock never pauses a case
INVALID = 12
DELETED = 13
PENDING_FEEDBACK = 17

STATUSES = {
    TO_BE_PROCESSED: "to be processed",
    PROCESSING: "processing",
    PENDING_CONFIRMATION: "pending the customer's confirmation",
    COMPLETED: "completed",
    CANCELLED: "cancelled",
    PAUSED: "paused",
    INVALID: "invalid",
    DELETED: "deleted",
    PENDING_FEEDBACK: "pending the customer's feedback",
}
# The statuses counted by default, in the order counts are reported; deleted cases are
# counted, and listed, only when asked for by status.
CASE_STATUSES = (
    TO_BE_PROCESSED,
    PROCESSING,
    PENDING_CONFIRMATION,
    COMPLETED,
    CANCELLED,
    INVALID,
    PENDING_FEEDBACK,
)
OPEN = frozenset({TO_BE_PROCESSED, PROCESSING, PENDING_CONFIRMATION, PENDING_FEEDBACK})
FINISHED = frozenset({COMPLETED, CANCELLED, INVALID})

# The customer's actions (POST /cases/{case_id}/action?action_id=): allowed from, leads to
# (None: the status stays).
CUSTOMER_ACTIONS: dict[str, tuple[frozenset[int], int | None]] = {
    "cancel": (frozenset({TO_BE_PROCESSED, PROCESSING, PENDING_FEEDBACK}), CANCELLED),
    "close": (frozenset({PROCESSING, PENDING_CONFIRMATION, PENDING_FEEDBACK}), COMPLETED),
    "press": (frozenset({TO_BE_PROCESSED, PROCESSING}), None),
    "delete": (FINISHED, DELETED),
}
# A customer message is taken while the case is open; it brings a case that waits on the
# customer (2 or 17) back to the engineer.
MESSAGE_MOVES = {PENDING_CONFIRMATION: PROCESSING, PENDING_FEEDBACK: PROCESSING}
# A case is rated once, when completed.
SCORABLE = frozenset({COMPLETED})

# The engineer's side (the admin API): allowed from, leads to (None: the status stays,
# except that a reply to a case nobody took yet takes it).
ENGINEER_ACTIONS: dict[str, tuple[frozenset[int], int | None]] = {
    "accept": (frozenset({TO_BE_PROCESSED}), PROCESSING),
    "reply": (OPEN, None),
    "request_feedback": (frozenset({TO_BE_PROCESSED, PROCESSING}), PENDING_FEEDBACK),
    "solve": (frozenset({TO_BE_PROCESSED, PROCESSING, PENDING_FEEDBACK}), PENDING_CONFIRMATION),
    "invalidate": (frozenset({TO_BE_PROCESSED, PROCESSING, PENDING_FEEDBACK}), INVALID),
}

# operate_type of the operate-logs [mock]; operator_type 0 is the customer, 1 the engineer.
OPERATE_TYPES = {
    "create": 1,
    "message": 2,
    "cancel": 3,
    "close": 4,
    "press": 5,
    "delete": 6,
    "score": 7,
    "contact_info": 8,
    "extends_param": 9,
    "accept": 10,
    "reply": 11,
    "request_feedback": 12,
    "solve": 13,
    "invalidate": 14,
}
CUSTOMER, ENGINEER = 0, 1


def describe(status: int) -> str:
    return f"{status} ({STATUSES.get(status, 'unknown')})"
