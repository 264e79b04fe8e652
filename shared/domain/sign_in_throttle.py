"""Sign-in throttling: per account and per source address.

The rule (docs/security.md, "Sign-in throttling"):

- an account (the email signed in with) gets at most ``ACCOUNT_LIMIT`` failed attempts per
  ``WINDOW_SECONDS`` window: sign-in with a wrong password, a wrong authenticator code, a wrong
  reset code;
- a source address gets at most ``SOURCE_LIMIT`` failed attempts per window, whatever accounts
  they name (password spraying from one address);
- past either limit the API answers 429 ``too_many_requests`` with ``Retry-After`` (the seconds
  left in the window) without asking the user pool, so a correct password does not help either.

Each attempt takes a slot before the user pool is asked (a conditional counter, so parallel
guesses cannot overshoot), and a successful one gives its slot back: only failures count.
Cognito's own lockout stays behind this as a second line.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from chalicelib.domain.errors import TooManyRequests, Unauthenticated, WrongCode

if TYPE_CHECKING:
    from .ports.directory import SignInAttempts

WINDOW_SECONDS = 15 * 60
ACCOUNT_LIMIT = 5
SOURCE_LIMIT = 100
# What counts as a failed attempt; anything else (a weak new password, a network error) gives the slot back.
FAILURES = (Unauthenticated, WrongCode)


class SignInThrottle:
    def __init__(self, attempts: SignInAttempts, clock: Callable[[], float] = time.time, *,
                 account_limit: int = ACCOUNT_LIMIT, source_limit: int = SOURCE_LIMIT) -> None:
        self._attempts = attempts
        self._clock = clock
        self._limits = {"account": account_limit, "source": source_limit}

    @contextmanager
    def attempt(self, email: str, source: str) -> Iterator[None]:
        """Around one sign-in step: refuses with 429 when the account or the source is over its limit."""
        now = int(self._clock())
        window = now - now % WINDOW_SECONDS
        retry_after = window + WINDOW_SECONDS - now
        taken: list[str] = []
        for kind, key in (("source", source), ("account", email)):
            if not self._attempts.take(kind, key, window, WINDOW_SECONDS, self._limits[kind]):
                for earlier in taken:
                    self._attempts.give_back(earlier, source, window)
                whom = "this account" if kind == "account" else "your network address"
                raise TooManyRequests(f"too many failed sign-in attempts for {whom}: try again in "
                                      f"{_minutes(retry_after)}", retry_after=retry_after)
            taken.append(kind)
        try:
            yield
        except FAILURES:
            raise
        except BaseException:
            self._give_back(email, source, window)
            raise
        self._give_back(email, source, window)

    def _give_back(self, email: str, source: str, window: int) -> None:
        self._attempts.give_back("source", source, window)
        self._attempts.give_back("account", email, window)


def _minutes(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
