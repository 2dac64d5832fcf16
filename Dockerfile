# syntax=docker/dockerfile:1
# leadershipchat in a container: see docs/hosting.md ("Running with Docker").
#   docker build -t leadershipchat .
#   docker run -d --name leadershipchat -e DISCORD_TOKEN \
#     -v leadershipchat-data:/data -v "$PWD/config:/config:ro" leadershipchat
# The database, recap files and backups live in the /data volume; the config (and prompts/) is
# mounted at /config. The token comes from the DISCORD_TOKEN environment variable, never a file.

ARG PYTHON_IMAGE=python:3.12-slim-bookworm

# --- build: one wheel for the bot and one per dependency, at the versions CI tested -----------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md requirements.lock ./
COPY bot ./bot
RUN python -m pip wheel --wheel-dir /wheels --require-hashes -r requirements.lock \
    && python -m pip wheel --wheel-dir /wheels --no-deps .

# --- runtime: slim, non-root, installed from the wheels only ---------------------------------
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    MPLCONFIGDIR=/tmp/matplotlib

# tzdata: chat times are computed from zone names; tini: PID 1 that passes SIGTERM on.
# Debian package versions are not pinned: a pinned version disappears from the mirror.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata tini \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 leadershipchat \
    && useradd --system --uid 10001 --gid leadershipchat --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin leadershipchat \
    && mkdir -p /data /config \
    && chown leadershipchat:leadershipchat /data \
    && chmod 0700 /data

RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m pip install --no-index --find-links=/wheels /wheels/leadershipchat-*.whl

USER 10001:10001
WORKDIR /data
VOLUME ["/data"]

# `docker stop` sends SIGTERM: the bot finishes what it is writing, closes its Discord session
# and its database, and exits.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=90s --retries=3 \
    CMD ["leadershipchat", "--config", "/config/config.yaml", "health"]
ENTRYPOINT ["tini", "--", "leadershipchat", "--config", "/config/config.yaml"]
CMD ["run"]
