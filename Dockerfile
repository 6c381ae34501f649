# CarbonScope image: front-end assets from npm in one stage, the app on gunicorn in the other.
# Build: docker build -t carbonscope:<version> .   Run: see compose.yaml and docs/DEPLOY.md.
# No settings or secrets are baked in: every setting comes from the environment at run time.

FROM node:20.19.5-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund \
    && mkdir -p vendor/world-atlas vendor/swagger-ui \
    && cp node_modules/htmx.org/dist/htmx.min.js vendor/htmx.min.js \
    && cp node_modules/world-atlas/countries-110m.json node_modules/world-atlas/LICENSE vendor/world-atlas/ \
    && cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
          node_modules/swagger-ui-dist/LICENSE vendor/swagger-ui/

FROM python:3.11.14-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN groupadd --system --gid 10001 carbonscope \
    && useradd --system --uid 10001 --gid carbonscope --home-dir /app \
       --shell /usr/sbin/nologin carbonscope
WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY app ./app
COPY migrations ./migrations
COPY *.py ./
COPY --from=assets /build/vendor/ app/static/vendor/
# The interface's catalogues are compiled at build time (the .mo files are not in git).
RUN pybabel compile --statistics -d app/translations
# Flask's instance folder (raw-data archive when RAW_BUCKET is unset) is the only writable place.
RUN mkdir -p instance && chown carbonscope:carbonscope instance

USER carbonscope:carbonscope
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
CMD ["gunicorn", "wsgi:app"]
