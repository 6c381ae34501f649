"""A local scale-out: gunicorn instances behind nginx, on PostgreSQL and Memcached nodes.

Used by tests/deploy/test_scaleout.py (correctness across instances) and
bench/bench_scaleout.py (throughput through nginx). Loopback only; every process it
starts is stopped when the ``cluster`` block ends.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MEMCACHED = shutil.which("memcached") or "/usr/bin/memcached"
NGINX_TEMP_DIRS = ("body", "proxy", "fastcgi", "uwsgi", "scgi")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_config(folder: Path, port: int, upstreams: list[int]) -> str:
    """nginx as the load balancer: round robin over the instances, one X-Forwarded-For hop."""
    servers = "\n".join(f"    server 127.0.0.1:{upstream};" for upstream in upstreams)
    temp = {
        name: folder / f"nginx-{name}" for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")
    }
    return f"""
worker_processes 1;
daemon off;
pid {folder / "nginx.pid"};
error_log {folder / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {temp["body"]};
  proxy_temp_path {temp["proxy"]};
  fastcgi_temp_path {temp["fastcgi"]};
  uwsgi_temp_path {temp["uwsgi"]};
  scgi_temp_path {temp["scgi"]};
  upstream carbonscope {{
{servers}
    keepalive 64;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://carbonscope;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}
"""


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (http only)
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s")
        time.sleep(0.2)


@dataclass
class Cluster:
    folder: Path
    env: dict[str, str]
    nginx_url: str = ""
    instance_urls: list[str] = field(default_factory=list)
    memcached_servers: list[str] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("w")
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def start_worker(self, name: str, **env: str) -> subprocess.Popen:
        """A sync worker (scheduler.py) on the cluster's database and cache."""
        return self.start(name, [sys.executable, "scheduler.py"], self.env | env)

    def logs(self, prefix: str) -> str:
        return "\n".join(path.read_text() for path in sorted(self.folder.glob(f"{prefix}*.log")))

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def cluster(
    folder: Path,
    settings: dict[str, str],
    instances: int = 3,
    extra_memcached_nodes: int = 1,
    shared_memcached: str = "127.0.0.1:11211",
    web_concurrency: int = 1,
) -> Iterator[Cluster]:
    """``instances`` gunicorn instances (the image's command and gunicorn.conf.py) behind nginx.

    Memcached: the shared node plus ``extra_memcached_nodes`` started here; the app spreads
    keys over all of them by consistent hashing (pymemcache's HashClient).
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name in NGINX_TEMP_DIRS:
        (folder / f"nginx-{name}").mkdir(exist_ok=True)
    extra_ports = [free_port() for _ in range(extra_memcached_nodes)]
    servers = [shared_memcached, *(f"127.0.0.1:{port}" for port in extra_ports)]
    env = {
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
        "HOME": str(folder),
        "MEMCACHED_SERVERS": ",".join(servers),
        "TRUSTED_PROXY_COUNT": "1",
        "WEB_CONCURRENCY": str(web_concurrency),
        "RAW_ARCHIVE_DIR": str(folder / "raw"),
        "NEWS_FEEDS": "http://127.0.0.1:9/none.xml",
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    running = Cluster(folder=folder, env=env, memcached_servers=servers)
    with ExitStack() as stack:
        stack.callback(running.stop)
        for number, port in enumerate(extra_ports):
            command = [MEMCACHED, "-u", "nobody", "-l", "127.0.0.1", "-p", str(port), "-m", "64"]
            running.start(f"memcached-{number}", command, env)
        ports = [free_port() for _ in range(instances)]
        for number, port in enumerate(ports):
            running.start(
                f"web-{number}",
                [str(BIN / "gunicorn"), "wsgi:app", "--bind", f"127.0.0.1:{port}"],
                env,
            )
        running.instance_urls = [f"http://127.0.0.1:{port}" for port in ports]
        nginx_port = free_port()
        config = folder / "nginx.conf"
        config.write_text(nginx_config(folder, nginx_port, ports))
        running.start("nginx", [NGINX, "-c", str(config), "-p", str(folder), "-e", "stderr"], env)
        running.nginx_url = f"http://127.0.0.1:{nginx_port}"
        for url in [*running.instance_urls, running.nginx_url]:
            wait_until_up(f"{url}/healthz")
        yield running
