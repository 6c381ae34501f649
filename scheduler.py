"""The worker process: `python scheduler.py` (same as `flask --app wsgi worker`).

Scheduled syncs (SYNC_CRON), news (NEWS_CRON) and the admin-queued syncs, one at a
time across all workers; see app/worker.py.
"""

from app import create_app
from app.worker import run_worker

if __name__ == "__main__":
    run_worker(create_app())
