"""A sink SMTP handler for the digest bench, run in its own process (as a real server is):

python -m aiosmtpd -n -l 127.0.0.1:8025 -c bench.smtp_counter.Counter FILE

Each message received appends one line (its Message-ID) to FILE.
"""

from __future__ import annotations

from email.parser import BytesHeaderParser


class Counter:
    def __init__(self, path: str):
        self.path = path

    async def handle_DATA(self, server, session, envelope):
        headers = BytesHeaderParser().parsebytes(envelope.content)
        with open(self.path, "a") as received:
            received.write(f"{headers['Message-ID']}\n")
        return "250 OK"

    @classmethod
    def from_cli(cls, parser, *args):
        return cls(*args)
