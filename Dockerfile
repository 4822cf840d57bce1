# syntax=docker/dockerfile:1
#
# One image for the whole suite: every built service, the gateway, the contracts and the two
# vendor files the gateway serves. A Kubernetes manifest picks the process with `command:`
# (web, worker, migrate, gateway); see deploy/k8s/ and docs/operations.md.
#
#   docker build -t <registry>/ingemplois:<version> .
#
# Layout inside the image mirrors the repository (/app/services/<name>/src/<package>,
# /app/services/<name>/migrations, /app/contracts, /app/node_modules): the composition roots find
# their Alembic folder at `Path(__file__).parents[...] / "migrations"`, so each local package is
# installed (non-editable, from its built wheel, with only the files its pyproject declares) into
# its own `src` folder with `pip install --target`, and that folder is put on PYTHONPATH.
#
# Adding a service: its COPY into the build stage, its `pip install --target`, its migrations
# COPY, its PYTHONPATH entry (both stages), its `pybabel compile` if it has catalogs;
# deploy/tests/test_manifests.py fails until they are here (docs/adding-a-service.md).

ARG PYTHON_IMAGE=python:3.11-slim
ARG NODE_IMAGE=node:20-bookworm-slim

# --- front-end packages (package-lock.json pins them) ----------------------------------------
FROM ${NODE_IMAGE} AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

# --- Python: third-party requirements in a venv, local packages in the repository layout -----
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /src
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY libs/plumbing libs/plumbing
COPY gateway gateway
COPY services/catalog-billing services/catalog-billing
COPY services/company-portal services/company-portal
COPY services/identity services/identity
COPY services/mailer services/mailer
COPY services/moderation services/moderation
COPY services/offers services/offers
RUN pip install --no-deps --target /app/libs/plumbing/src ./libs/plumbing \
 && pip install --no-deps --target /app/gateway/src ./gateway \
 && pip install --no-deps --target /app/services/catalog-billing/src ./services/catalog-billing \
 && pip install --no-deps --target /app/services/company-portal/src ./services/company-portal \
 && pip install --no-deps --target /app/services/identity/src ./services/identity \
 && pip install --no-deps --target /app/services/mailer/src ./services/mailer \
 && pip install --no-deps --target /app/services/moderation/src ./services/moderation \
 && pip install --no-deps --target /app/services/offers/src ./services/offers

# Compiled catalogs (.mo) are not in git and the services' package data lists only the .po
# files, so compile them where they were installed.
RUN pybabel compile -d /app/libs/plumbing/src/plumbing/translations \
 && pybabel compile -d /app/services/catalog-billing/src/catalog_billing/translations \
 && pybabel compile -d /app/services/company-portal/src/company_portal/translations \
 && pybabel compile -d /app/services/identity/src/identity/translations \
 && pybabel compile -d /app/services/mailer/src/mailer/translations \
 && pybabel compile -d /app/services/moderation/src/moderation/translations \
 && pybabel compile -d /app/services/offers/src/offers/translations

ENV PYTHONPATH=/app/libs/plumbing/src:/app/gateway/src:/app/services/catalog-billing/src:/app/services/company-portal/src:/app/services/identity/src:/app/services/mailer/src:/app/services/moderation/src:/app/services/offers/src
# Every declared dependency of the local packages is satisfied by requirements.txt.
RUN pip check

# --- runtime ---------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app/libs/plumbing/src:/app/gateway/src:/app/services/catalog-billing/src:/app/services/company-portal/src:/app/services/identity/src:/app/services/mailer/src:/app/services/moderation/src:/app/services/offers/src \
    HOME=/tmp \
    INGEMPLOIS_MODE=distributed \
    INGEMPLOIS_VAR=/tmp/ingemplois \
    CONTRACTS_DIR=/app/contracts \
    GATEWAY_VENDOR_DIR=/app/node_modules \
    FORWARDED_ALLOW_IPS=""
# FORWARDED_ALLOW_IPS empty: gunicorn/uvicorn never take the client address from X-Forwarded-For
# (their default trusts it from loopback); the gateway applies its own rule (GATEWAY_TRUST_PROXY).
RUN groupadd --system --gid 10001 ingemplois \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin ingemplois

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY services/catalog-billing/migrations /app/services/catalog-billing/migrations
COPY services/company-portal/migrations /app/services/company-portal/migrations
COPY services/identity/migrations /app/services/identity/migrations
COPY services/mailer/migrations /app/services/mailer/migrations
COPY services/moderation/migrations /app/services/moderation/migrations
COPY services/offers/migrations /app/services/offers/migrations
COPY contracts /app/contracts
COPY --from=assets /src/node_modules/@picocss/pico/css/pico.min.css /app/node_modules/@picocss/pico/css/pico.min.css
COPY --from=assets /src/node_modules/htmx.org/dist/htmx.min.js /app/node_modules/htmx.org/dist/htmx.min.js

# Code and files belong to root and are read-only for the process (read-only root fs in k8s;
# /tmp is an emptyDir there).
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# No default process: the manifests give the command. This prints the worker/migrate usage.
CMD ["python", "-m", "plumbing.entry", "--help"]
