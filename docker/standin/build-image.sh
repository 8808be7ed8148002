#!/bin/bash
# Builds a stand-in for apache/kafka:<kafka.version> without any image registry: a Debian root file system
# from Debian's packages (debootstrap, with a JRE), imported as kafkalab/debian-jre:bookworm, plus the
# project's Kafka jars from Maven Central. Tags it apache/kafka:<kafka.version> so that the compose files and
# the Testcontainers backend use it unchanged. On a machine that can pull the official image, do not use this.
# Needs: root, docker, debootstrap, Maven. Idempotent: reuses what exists.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$root/pom.xml" | head -n 1)"
base=kafkalab/debian-jre:bookworm
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if ! docker image inspect "$base" > /dev/null 2>&1; then
  rootfs="$(mktemp -d /var/tmp/kafkalab-rootfs.XXXXXX)"
  echo "build-image: debootstrap Debian bookworm with a JRE into $rootfs (about a minute)"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,procps bookworm "$rootfs" "$mirror" > "$rootfs.log" 2>&1 \
    || { tail -20 "$rootfs.log"; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import - "$base" > /dev/null
  rm -rf "$rootfs" "$rootfs.log"
fi

echo "build-image: Kafka $version jars from Maven Central"
mvn -B -q -Dstyle.color=never -f "$here/pom.xml" package
docker build -q -t "apache/kafka:$version" -t "kafkalab/kafka-standin:$version" "$here" > /dev/null
echo "build-image: apache/kafka:$version (stand-in) ready"
