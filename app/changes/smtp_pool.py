"""A few persistent SMTP connections, each in a thread of its own: many messages at once.

A digest run sends thousands of messages; one connection spends most of its time waiting
for the server's replies. Each connection here is Flask-Mailman's own, opened once and kept
for every message it is given, and the connections wait in parallel.
"""

from __future__ import annotations

import contextlib
import smtplib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from flask import current_app

from app.extensions import mail


@dataclass(frozen=True)
class Outcome:
    """One message: accepted by the server (``sent``), refused (``error``), or not tried
    because its connection had failed before it (neither)."""

    sent: bool
    error: BaseException | None = None


NOT_TRIED = Outcome(sent=False)


class SmtpPool:
    """``size`` SMTP connections; ``send`` spreads messages over them and waits for all."""

    def __init__(self, size: int):
        self.app = current_app._get_current_object()
        self.connections = [mail.get_connection() for _ in range(size)]
        self.executor = ThreadPoolExecutor(size, thread_name_prefix="smtp")

    def __enter__(self) -> SmtpPool:
        try:
            # Opened here, in order: a server that cannot be reached fails before anything
            # is marked as being sent.
            for connection in self.connections:
                connection.open()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.executor.shutdown(wait=True)
        for connection in self.connections:
            # Closing a connection the server already dropped: nothing to do.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.close()

    def send(self, messages: list) -> list[Outcome]:
        """Each message's outcome, in the order given."""
        size = len(self.connections)
        shares = [list(range(start, len(messages), size)) for start in range(size)]
        futures = [
            (share, self.executor.submit(self._send_share, connection, share, messages))
            for connection, share in zip(self.connections, shares, strict=True)
            if share
        ]
        outcomes: list[Outcome] = [NOT_TRIED] * len(messages)
        for share, future in futures:
            for index, outcome in zip(share, future.result(), strict=True):
                outcomes[index] = outcome
        return outcomes

    def _send_share(self, connection, share: list[int], messages: list) -> list[Outcome]:
        outcomes: list[Outcome] = []
        with self.app.app_context():  # a message reads its charset and sender from the app
            for index in share:
                try:
                    sent = connection.send_messages([messages[index]]) == 1
                except (smtplib.SMTPException, OSError) as error:
                    # The connection may be broken: this share's other messages wait too.
                    outcomes.append(Outcome(sent=False, error=error))
                    break
                outcomes.append(Outcome(sent=sent))
        return outcomes + [NOT_TRIED] * (len(share) - len(outcomes))
