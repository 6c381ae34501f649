"""Liveness: is the process up, can it reach its database."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        body = {"status": "error", "database": "unreachable", "detail": type(error).__name__}
        return jsonify(body), 503
    return jsonify(status="ok", database="ok", dialect=db.engine.dialect.name)
