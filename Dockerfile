# The webhook service alone (no devstack, no UI): its wheel is built in one stage and installed,
# with the dependencies the wheel declares, into a slim runtime stage that runs as an unprivileged
# user. Nothing secret is baked in: every setting comes from the environment at run time (see
# docs/deploy.md), and .dockerignore keeps local stacks, keys and virtualenvs out of the context.

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY webhook_service ./webhook_service
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/social-link-metrics
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin social-link
USER 10001
EXPOSE 8000
# Runs inside the container, where curl is absent: the image's own Python asks /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=4)"]
CMD ["python", "-m", "webhook_service"]
