"""gunicorn settings for the container; `gunicorn wsgi:app` reads this file from /app.

Workers come from WEB_CONCURRENCY, which gunicorn reads itself (default 1).
GUNICORN_CMD_ARGS overrides any of these (e.g. ``--bind 127.0.0.1:8001``), and
FORWARDED_ALLOW_IPS names the proxies whose X-Forwarded-* headers are trusted.
"""

import gunicorn.http.wsgi

# gunicorn names itself in every response's Server header; no client needs to know the software.
gunicorn.http.wsgi.SERVER = "carbonscope"

bind = "0.0.0.0:8000"  # inside the container; the host publishes the port
timeout = 60  # a request that takes longer is a bug; syncs run in the worker
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then, so a slow leak never grows
max_requests_jitter = 200
worker_tmp_dir = "/dev/shm"  # noqa: S108 - heartbeat files in memory, off the overlay disk
accesslog = "-"
errorlog = "-"
