"""The sweep's own errors: a bad option (one line naming the flag) and workers that cannot run."""

from __future__ import annotations

from dcplan.models.errors import DcplanError


class SweepInputError(DcplanError, ValueError):
    """A sweep option that cannot be used; the message is one line naming the flag."""


class SweepRunError(RuntimeError):
    """The workers cannot run samples at all (start-up failed); one line."""


class InjectedFailure(RuntimeError):
    """Raised by ``run_sample`` when a spec asks for a failure (testing the retry path)."""
