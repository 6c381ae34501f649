"""Static pictures served by the app: the site's icons at the addresses browsers ask for
without being told (/favicon.ico, /apple-touch-icon.png), the web app manifest that names
the rest, and the world map's country outlines (drawn from world-atlas)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, jsonify, request, send_from_directory, url_for
from flask_babel import gettext

from app.world_map import geometry_document

bp = Blueprint("icons", __name__)

ICONS = Path(__file__).resolve().parents[1] / "static" / "icons"
ONE_WEEK = 7 * 24 * 3600


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(ICONS, "favicon.ico", mimetype="image/x-icon", max_age=ONE_WEEK)


@bp.get("/apple-touch-icon.png")
def apple_touch_icon():
    return send_from_directory(ICONS, "apple-touch-icon.png", max_age=ONE_WEEK)


def _icon(filename: str, sizes: str, mimetype: str) -> dict:
    return {"src": url_for("static", filename=filename), "sizes": sizes, "type": mimetype}


@bp.get("/site.webmanifest")
def manifest():
    response = jsonify(
        name="CarbonScope",
        short_name="CarbonScope",
        description=gettext(
            "Every project of the voluntary carbon market's five big registries, in one "
            "searchable catalogue."
        ),
        start_url=url_for("insights.home"),
        display="browser",
        background_color="#f5f8f6",
        theme_color="#1f6f4a",
        icons=[
            _icon("icons/icon-192.png", "192x192", "image/png"),
            _icon("icons/icon-512.png", "512x512", "image/png"),
            _icon("icons/icon.svg", "any", "image/svg+xml"),
        ],
    )
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/map/countries.svg")
def map_geometry():
    """The outlines every map references (<use href=...#c-076>): the same for every page."""
    response = Response(geometry_document(), mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = ONE_WEEK
    response.add_etag()
    return response.make_conditional(request)
