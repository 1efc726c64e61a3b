"""The vectorized form agrees with the one-contact engine on random portfolios."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amicable.compliance.engine import as_json, decide
from amicable.compliance.scenario import parse_scenario
from amicable.compliance.vectorized import decide_frame

ZONES = ["America/Los_Angeles", "America/New_York", "America/Chicago", "Pacific/Honolulu", "America/Phoenix"]
START = datetime(2025, 3, 1, tzinfo=UTC)
OUTCOMES = ["conversation", "no_answer", "voicemail", "busy", "not_in_service", "dropped"]

moments = st.integers(min_value=0, max_value=14 * 24 * 60).map(lambda m: START + timedelta(minutes=m))
# Candidates also land on the edges of the window in some zone (07:59, 08:00, 21:00, 21:01 local),
# where an off-by-one would show.
edges = st.builds(
    lambda day, zone, clock: datetime.combine(
        (START + timedelta(days=day)).date(), clock, tzinfo=ZoneInfo(zone)
    ).astimezone(UTC),
    st.integers(min_value=5, max_value=12),
    st.sampled_from(ZONES),
    st.sampled_from([time(7, 59), time(8, 0), time(21, 0), time(21, 1)]),
)
# Calls crowd into one week, mostly about one debt and mostly unanswered, so the cap of 7 is reached.
crowded = st.integers(min_value=3 * 24 * 60, max_value=10 * 24 * 60).map(
    lambda m: START + timedelta(minutes=m)
)
events = st.fixed_dictionaries(
    {
        "at": crowded,
        "debt": st.sampled_from(["A", "A", "A", "B"]),
        "direction": st.sampled_from(["outbound", "outbound", "inbound"]),
        "outcome": st.sampled_from([*OUTCOMES, "no_answer", "no_answer", "no_answer", "voicemail"]),
    }
)
debtors = st.fixed_dictionaries(
    {
        "zones": st.lists(st.sampled_from(ZONES), min_size=1, max_size=2, unique=True),
        "calls": st.lists(events, max_size=20),
        "candidates": st.lists(
            st.fixed_dictionaries(
                {
                    "at": st.one_of(crowded, edges, moments),
                    "debt": st.sampled_from(["A", "A", "B"]),
                    "channel": st.sampled_from(["call", "call", "voicemail", "sms", "email", "letter"]),
                    "regulation_f": st.booleans(),
                }
            ),
            min_size=1,
            max_size=4,
        ),
    }
)


def frames(portfolio):
    candidates, zones, history = [], [], []
    for d, debtor in enumerate(portfolio):
        zones += [{"debtor_id": d, "timezone": z} for z in debtor["zones"]]
        history += [{"debtor_id": d, "channel": "call", **call} for call in debtor["calls"]]
        for c, candidate in enumerate(debtor["candidates"]):
            candidates.append(
                {
                    "contact_id": f"{d}-{c}",
                    "debtor_id": d,
                    "purpose": "collection",
                    "home_timezone": debtor["zones"][0],
                    **candidate,
                }
            )
    history_schema = {
        "debtor_id": pl.Int64,
        "channel": pl.String,
        "at": pl.Datetime("us", "UTC"),
        "debt": pl.String,
        "direction": pl.String,
        "outcome": pl.String,
    }
    return (
        pl.DataFrame(candidates),
        pl.DataFrame(zones),
        pl.DataFrame(history, schema=history_schema) if history else pl.DataFrame(schema=history_schema),
    )


def one_by_one(debtor, candidate):
    scenario = {
        "now": candidate["at"].isoformat(),
        "debtor": {"jurisdictions": ["US"], "timezones": debtor["zones"]},
        "creditor": {"role": "debt_collector" if candidate["regulation_f"] else "creditor"},
        "contact": {"channel": candidate["channel"], "debts": [candidate["debt"]], "purpose": "collection"},
        "history": [
            {
                "at": c["at"].isoformat(),
                "channel": "call",
                "direction": c["direction"],
                "debts": [c["debt"]],
                "outcome": c["outcome"],
            }
            for c in debtor["calls"]
        ],
    }
    return as_json(decide(parse_scenario(scenario)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolio=st.lists(debtors, min_size=1, max_size=4))
def test_vectorized_decisions_match_the_one_contact_engine(portfolio):
    candidates, zones, history = frames(portfolio)
    decided = {
        row["contact_id"]: row for row in decide_frame(candidates, zones, history).iter_rows(named=True)
    }
    for d, debtor in enumerate(portfolio):
        for c, candidate in enumerate(debtor["candidates"]):
            expected = one_by_one(debtor, candidate)
            got = decided[f"{d}-{c}"]
            assert got["decision"] == expected["decision"], (candidate, expected)
            if got["rule"] is not None:
                assert got["rule"] in [r["rule"] for r in expected["reasons"]]


def test_a_small_literal_frame():
    at = datetime(2025, 3, 9, 22, tzinfo=UTC)  # 15:00 in Los Angeles, 18:00 in New York
    candidates = pl.DataFrame(
        {
            "contact_id": ["x"],
            "debtor_id": [1],
            "debt": ["A"],
            "channel": ["call"],
            "purpose": ["collection"],
            "at": [at],
            "regulation_f": [True],
            "home_timezone": ["America/Los_Angeles"],
        }
    )
    zones = pl.DataFrame({"debtor_id": [1], "timezone": ["America/Los_Angeles"]})
    history = pl.DataFrame(
        {
            "debtor_id": [1] * 7,
            "debt": ["A"] * 7,
            "channel": ["call"] * 7,
            "direction": ["outbound"] * 7,
            "outcome": ["no_answer"] * 7,
            "at": [datetime(2025, 3, day, 17, tzinfo=UTC) for day in range(3, 10)],
        }
    )
    result = decide_frame(candidates, zones, history).row(0, named=True)
    assert (result["calls_7d"], result["decision"], result["rule"]) == (7, "block", "US-REGF-CALL-7IN7")
