#!/bin/bash
# Verifies everything Docker-related on a real engine, on a machine that reaches no image registry:
#  1. installs Debian's docker.io, docker-compose and debootstrap when missing, and starts dockerd when none
#     runs (stopping only that dockerd, by PID, at the end);
#  2. builds the stand-in apache/kafka image (docker/standin/build-image.sh);
#  3. runs the Testcontainers backend's tests (ContainerKafkaClusterIT), which must not skip here;
#  4. brings up docker/compose.cluster.yml (the brokers; Kafka UI needs a registry) and runs
#     ./kafkalab lab against it, which must report lost=0;
#  5. builds the apps' image on the local Debian base and runs docker/compose.apps.yml: the producer must
#     exit 0 after 100 acknowledged sends, the HTTP API must accept a message;
#  6. removes everything it created.
# Everything binds 127.0.0.1; containers talk only on the project's own network. Bounded by its caller.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { echo "verify-on-engine: $*"; }
started_dockerd=""
compose() { docker-compose "$@"; }

cleanup() {
  set +e
  compose -f docker/compose.apps.yml down --remove-orphans > /dev/null 2>&1
  compose -f docker/compose.cluster.yml down -v --remove-orphans > /dev/null 2>&1
  ids=$(docker ps -aq --filter label=org.testcontainers=true 2>/dev/null)
  [ -n "$ids" ] && docker rm -f $ids > /dev/null 2>&1
  if [ -n "$started_dockerd" ]; then
    log "stopping the dockerd it started (pid $started_dockerd)"
    kill "$started_dockerd" 2>/dev/null
    for _ in $(seq 1 60); do kill -0 "$started_dockerd" 2>/dev/null || break; sleep 0.5; done
  fi
}
trap cleanup EXIT

# 1. engine
missing=""
command -v dockerd > /dev/null || missing="$missing docker.io"
command -v docker-compose > /dev/null || missing="$missing docker-compose"
command -v debootstrap > /dev/null || missing="$missing debootstrap"
if [ -n "$missing" ]; then
  log "installing$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing > /dev/null
fi
if ! docker info > /dev/null 2>&1; then
  log "starting dockerd"
  dockerd > /tmp/kafkalab-dockerd.log 2>&1 &
  started_dockerd=$!
  for _ in $(seq 1 60); do docker info > /dev/null 2>&1 && break; sleep 0.5; done
  docker info > /dev/null 2>&1 || { tail -20 /tmp/kafkalab-dockerd.log; log "FAILED: dockerd did not start"; exit 1; }
fi
log "engine $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"

# 2. image
bash docker/standin/build-image.sh

# 3. Testcontainers backend. Without a registry: no Ryuk, no start-up checks, and the host is 127.0.0.1 (this
#    machine may look like a container to Testcontainers, which would otherwise pull an image to find out)
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_CHECKS_DISABLE=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
log "container backend tests"
mvn -B -Dstyle.color=never verify -pl kafkalab-testkit/tests -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ContainerKafkaClusterIT -Dfailsafe.failIfNoSpecifiedTests=false -Dkafkalab.require.docker=true

# 4. the compose cluster and the lab against it
log "compose cluster"
compose -f docker/compose.cluster.yml up -d kafka-1 kafka-2 kafka-3
for _ in $(seq 1 90); do
  [ "$(docker ps --filter health=healthy --filter name=kafka- --format '{{.Names}}' | wc -l)" -ge 3 ] && break
  sleep 2
done
[ "$(docker ps --filter health=healthy --filter name=kafka- --format '{{.Names}}' | wc -l)" -ge 3 ] \
  || { docker ps -a; log "FAILED: the brokers did not become healthy"; exit 1; }
out=$(./kafkalab lab --bootstrap-servers 127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094)
summary=$(echo "$out" | tail -n 1)
log "$summary"
case "$summary" in
  *" lost=0 "*) ;;
  *) echo "$out"; log "FAILED: the lab lost messages on the compose cluster"; exit 1 ;;
esac

# 5. the apps' compose file
log "compose apps"
compose -f docker/compose.apps.yml build --build-arg BASE_IMAGE=kafkalab/debian-jre:bookworm > /dev/null
compose -f docker/compose.apps.yml up -d
producer=$(compose -f docker/compose.apps.yml ps -q producer)
for _ in $(seq 1 60); do [ "$(docker inspect -f '{{.State.Status}}' "$producer")" = exited ] && break; sleep 1; done
[ "$(docker inspect -f '{{.State.ExitCode}}' "$producer")" = 0 ] \
  && docker logs "$producer" 2>&1 | grep -q "100 sent, 100 acknowledged, 0 failed" \
  || { docker logs "$producer" 2>&1 | tail -5; log "FAILED: the producer container"; exit 1; }
reply=""
for _ in $(seq 1 30); do
  reply=$(curl -s -H 'Content-Type: application/json' -d '{"message": "hello from verify-on-engine"}' \
    http://127.0.0.1:5000/send_message || true)
  case "$reply" in *'"status":"sent"'*) break ;; esac
  sleep 1
done
case "$reply" in *'"status":"sent"'*) log "http-api: $reply" ;; *) log "FAILED: http-api answered '$reply'"; exit 1 ;; esac
log "OK"
