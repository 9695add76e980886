"""The assessment engine (综合考核): pure functions from profile, channels and observations to
verdicts, scores, ranks and changes. No I/O: callers load the snapshots and store the results."""

from mgov.assess.aggregate import MODES, aggregate, mode_of
from mgov.assess.inputs import (
                                ChannelInput,
                                DailyFinding,
                                ManualInput,
                                Observation,
                                ProbeWeek,
                                RatingCounts,
                                UsageFigures,
)
from mgov.assess.rank import compare, rank
from mgov.assess.results import Change, ChannelResult, IndicatorResult, Outcome, Rank
from mgov.assess.score import assess, assess_channel, indicator_results

__all__ = ["MODES", "Change", "ChannelInput", "ChannelResult", "DailyFinding", "IndicatorResult", "ManualInput",
           "Observation", "Outcome", "ProbeWeek", "Rank", "RatingCounts", "UsageFigures", "aggregate", "assess",
           "assess_channel", "compare", "indicator_results", "mode_of", "rank"]
