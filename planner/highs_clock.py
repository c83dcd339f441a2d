"""HiGHS runs: the one place that knows how HiGHS 1.16 counts a time limit and sizes its threads."""

from __future__ import annotations

from typing import Any


def run_time_limit_s(highs: Any, limit_s: float) -> float:
    """HiGHS's ``time_limit`` for a run of at most ``limit_s`` seconds [s] on ``highs``.

    HiGHS 1.16 checks an LP's run against the clock of every run of this Highs so far
    (ERGO-Code/HiGHS#1477: ``getRunTime()`` keeps growing), a MIP's against the MIP's own
    start: so an LP gets ``getRunTime() + limit_s``, a MIP ``limit_s``. Without this a pooled
    child that had run for longer than a later LP's limit stopped that LP at once ("time
    limit reached" after 1 ms: the marginal values' LP lost every estimate).
    """
    import highspy

    integrality = highs.getLp().integrality_
    if any(v != highspy.HighsVarType.kContinuous for v in integrality):
        return limit_s
    return float(highs.getRunTime()) + limit_s


def run_highs(highs: Any) -> Any:
    """``highs.run()``, once more after ``Highs.resetGlobalScheduler`` when HiGHS refused to start.

    HiGHS 1.16 keeps one thread scheduler per process, sized by the first run: a later run
    whose ``threads`` option differs returns kError with model status kNotset before doing
    anything (a default-threads run, then a ``threads = 1`` one, in the same process or the
    same pooled child). Without the retry that run read as "no plan within the time limit".
    """
    import highspy

    status = highs.run()
    if status == highspy.HighsStatus.kError and highs.getModelStatus() == highspy.HighsModelStatus.kNotset:
        highspy.Highs.resetGlobalScheduler(True)
        status = highs.run()
    return status
