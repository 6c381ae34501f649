"""The worker's jobs: crons from settings, the poll, the scheduled sync and the news job."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from app.extensions import db
from app.models import SyncRun
from app.worker import build_scheduler, cron_trigger, fetch_news, queue_scheduled_sync


def test_jobs_follow_sync_cron_news_cron_and_poll_every_two_seconds(sqlite_app):
    sqlite_app.config.update(SYNC_CRON="30 4 * * 1", NEWS_CRON="5 * * * *")
    scheduler = build_scheduler(sqlite_app, BackgroundScheduler)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    registries = {f"registry-{key}" for key in ("verra", "acr", "car", "art", "reconcile")}
    assert set(jobs) == {"sync", "news", "poll", *registries}
    after = datetime(2026, 1, 1, tzinfo=UTC)  # a Thursday
    assert jobs["sync"].trigger.get_next_fire_time(None, after) == datetime(
        2026, 1, 5, 4, 30, tzinfo=UTC
    )
    assert jobs["news"].trigger.get_next_fire_time(None, after) == datetime(
        2026, 1, 1, 0, 5, tzinfo=UTC
    )
    assert jobs["poll"].trigger.interval.total_seconds() == 2
    assert jobs["poll"].max_instances == 1


def test_the_scheduled_sync_queues_one_run_for_the_poll(sqlite_app):
    queue_scheduled_sync(sqlite_app)
    queue_scheduled_sync(sqlite_app)
    runs = db.session.query(SyncRun).all()
    assert [(run.status, run.trigger) for run in runs] == [("queued", "schedule")]


def test_the_news_job_calls_fetch_all_feeds(sqlite_app, monkeypatch):
    calls = []
    monkeypatch.setattr("app.news.fetch_all_feeds", lambda: calls.append("fetched"))
    fetch_news(sqlite_app)
    assert calls == ["fetched"]


def next_days(expression: str, count: int = 7) -> list[str]:
    trigger = cron_trigger(expression)
    moment, days = datetime(2026, 1, 1, tzinfo=UTC), []  # a Thursday
    for _ in range(count):
        moment = trigger.get_next_fire_time(None, moment)
        days.append(moment.strftime("%a"))
        moment = moment.replace(hour=23, minute=59)
    return days


def test_crontab_weekday_numbers_mean_what_cron_means():
    assert next_days("0 3 * * 1", 1) == ["Mon"]
    assert next_days("0 3 * * 0", 1) == ["Sun"]
    assert next_days("0 3 * * 7", 1) == ["Sun"]
    assert next_days("0 3 * * 1-5", 5) == ["Thu", "Fri", "Mon", "Tue", "Wed"]
    assert next_days("0 3 * * 0-2", 3) == ["Sun", "Mon", "Tue"]
    assert next_days("0 3 * * 5-7", 3) == ["Fri", "Sat", "Sun"]
    assert next_days("0 3 * * sat,1", 2) == ["Sat", "Mon"]
    assert next_days("0 3 * * *", 3) == ["Thu", "Fri", "Sat"]
