"""Change-log fixtures: change rows made by hand, and a real local SMTP server."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from app.extensions import db, mail
from app.models import ProjectChange


def make_change(project=None, kind: str = "issuance", **fields) -> ProjectChange:
    """A change row, about ``project`` (a Project) when given."""
    if project is not None:
        fields.setdefault("project_id", project.project_id)
        fields.setdefault("project_name", project.name)
        fields.setdefault("registry", project.registry)
        fields.setdefault("country", project.country)
        fields.setdefault("project_type", project.project_type)
    if kind == "issuance":
        fields.setdefault("quantity", 1000)
        fields.setdefault("vintage", 2021)
    change = ProjectChange(kind=kind, **fields)
    db.session.add(change)
    db.session.commit()
    return change


@dataclass
class Mailbox:
    """What the local SMTP server received."""

    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(parsed)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox(app):
    """A real SMTP server (aiosmtpd) on a local port; the app sends its mail there."""
    port = _free_port()
    box = Mailbox(port=port)
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    mail.init_app(app)  # the mail state is read from the settings when bound
    yield box
    controller.stop()
