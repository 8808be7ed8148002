#!/usr/bin/env bash
# Installs the benchmark's peers from Debian: kcat (librdkafka), kafka-python (the lab's own client, for
# Debian's /usr/bin/python3), Flask (the lab's HTTP API, seed 004) and wrk (the HTTP load generator). Optional: `./kafkalab bench` skips a peer that is missing and says so.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends kcat python3-kafka python3-flask wrk
kcat -V | head -n 1
wrk --version | head -n 1 || true # wrk prints its usage and exits 1
/usr/bin/python3 -c 'import kafka; print("kafka-python", kafka.__version__)'
/usr/bin/python3 -c 'import flask; print("flask", getattr(flask, "__version__", "installed"))'
