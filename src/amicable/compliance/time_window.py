"""Is a moment convenient for a debtor, in every time zone they may be in, and if not, when next?

US-REGF-TIME (12 CFR 1006.6(b)(1)(i)): no contact before 08:00 or after 21:00 local time; where the
debtor may be in several time zones (the area code says one, the address another), only when it is
convenient in all of them. Times the debtor has said are inconvenient are excluded too.
Creditors may narrow the window (stricter settings always win); they cannot widen it past the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class DailyWindow:
    """Local hours when contact is allowed, both ends included: 08:00 to 21:00 allows 21:00:00
    itself and nothing after it ("not after 9 p.m.")."""

    start: time = time(8, 0)
    end: time = time(21, 0)

    def contains(self, local: time) -> bool:
        return self.start <= local <= self.end


@dataclass(frozen=True, slots=True)
class Interval:
    """A daily stretch of local time, [start, end); it may run past midnight (22:00 to 07:00)."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


REGULATION_F_WINDOW = DailyWindow()


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(at: datetime, zone: str) -> time:
    return at.astimezone(_zone(zone)).time().replace(tzinfo=None)


def is_convenient(
    at: datetime,
    timezones: Sequence[str],
    window: DailyWindow = REGULATION_F_WINDOW,
    inconvenient: Iterable[Interval] = (),
) -> bool:
    """True when `at` is inside the window, and outside every inconvenient time, in every zone."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    if not timezones:
        raise ValueError("a debtor needs at least one time zone")
    inconvenient = tuple(inconvenient)
    for zone in timezones:
        local = _local(at, zone)
        if not window.contains(local) or any(i.contains(local) for i in inconvenient):
            return False
    return True


def _boundaries(
    after: datetime,
    until: datetime,
    timezones: Sequence[str],
    window: DailyWindow,
    inconvenient: Sequence[Interval],
) -> list[datetime]:
    """Every instant in (after, until] where a moment can become convenient: the window opening and
    the end of each inconvenient time, in each zone, on each local day. The first convenient moment
    after an inconvenient one is always one of these."""
    local_times = {window.start, *(interval.end for interval in inconvenient)}
    instants = []
    for zone_name in timezones:
        zone = _zone(zone_name)
        day = after.astimezone(zone).date() - timedelta(days=1)
        last = until.astimezone(zone).date() + timedelta(days=1)
        while day <= last:
            for local in local_times:
                instant = datetime.combine(day, local, tzinfo=zone)
                if after < instant <= until:
                    instants.append(instant)
            day += timedelta(days=1)
    return sorted(instants)


def next_convenient(
    at: datetime,
    timezones: Sequence[str],
    window: DailyWindow = REGULATION_F_WINDOW,
    inconvenient: Iterable[Interval] = (),
    horizon: timedelta = timedelta(days=14),
) -> datetime | None:
    """`at` itself if it is convenient, else the first convenient moment after it within the
    horizon, else None (the debtor's stated times leave no window at all)."""
    inconvenient = tuple(inconvenient)
    if is_convenient(at, timezones, window, inconvenient):
        return at
    for instant in _boundaries(at, at + horizon, timezones, window, inconvenient):
        if is_convenient(instant, timezones, window, inconvenient):
            return instant.astimezone(at.tzinfo)
    return None
