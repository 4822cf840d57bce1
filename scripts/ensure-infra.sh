#!/usr/bin/env bash
# Make sure PostgreSQL, RabbitMQ and Redis answer on 127.0.0.1 (the distributed suite and the
# e2e tests need them). Starts them if installed but stopped; installs them from Debian if
# missing and we are root; otherwise stops with a message saying how.
set -euo pipefail

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-infra: $1 is not reachable on 127.0.0.1 and I am not root to install or start it." >&2
    echo "  Install and start it (sudo apt-get install $2), then run this again." >&2
    exit 1
  fi
}

apt_install() {
  if [ ! -f /var/lib/apt/periodic/ingemplois-updated ]; then
    apt-get update -qq && mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/ingemplois-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # wait_for "description" command...
  local what=$1; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "ensure-infra: $what did not come up within 60 s" >&2; exit 1
}

# PostgreSQL
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  need_root PostgreSQL postgresql
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  version=$(ls /etc/postgresql | sort -V | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432
fi

# RabbitMQ
if ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  need_root RabbitMQ rabbitmq-server
  command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server
  RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 ERL_EPMD_ADDRESS=127.0.0.1 rabbitmq-server -detached || true
  wait_for RabbitMQ rabbitmq-diagnostics -q check_port_connectivity
fi

# Redis
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  need_root Redis redis-server
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for Redis redis-cli -h 127.0.0.1 ping
fi
echo "ensure-infra: PostgreSQL, RabbitMQ and Redis are up."
