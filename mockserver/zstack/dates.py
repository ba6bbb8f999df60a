"""ZStack's JSON date format: Java's US default, e.g. `Dec 28, 2018 6:38:12 PM` (UTC here)."""

from datetime import UTC, datetime

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def format_date(epoch_ms: int) -> str:
    moment = datetime.fromtimestamp(epoch_ms / 1000, UTC)
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return (
        f"{_MONTHS[moment.month - 1]} {moment.day}, {moment.year} "
        f"{hour}:{moment.minute:02d}:{moment.second:02d} {half}"
    )


def parse_date(text: str) -> int | None:
    """Epoch milliseconds of a query value: a number, ZStack's format, or `YYYY-MM-DD HH:MM:SS`."""
    try:
        return int(float(text))
    except ValueError:
        pass
    for pattern in ("%b %d, %Y %I:%M:%S %p", "%Y-%m-%d %H:%M:%S"):
        try:
            moment = datetime.strptime(text, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
        return int(moment.timestamp() * 1000)
    return None
