#!/usr/bin/env bash
# Times start and close of a 3-broker cluster with a dedicated controller: in this JVM (EmbeddedKafkaCluster)
# beside forked ones (ForkedKafkaCluster, the project's kafka.version and 3.9.1, every node a child JVM). Builds the testkit
# (no tests), then runs ClusterStartStopMain. Figures drift with whatever else runs on the machine.
#   scripts/time-forked-cluster.sh [runs]     (default 5; the first run is cold, the medians are of the others)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
cd "$root"
cp="$(mktemp)"
trap 'rm -f "$cp"' EXIT
# -am: the tests' build-order dependencies on brokers/* resolve only in the reactor; kafkalab-testkit-tests (the
# testkit's own tests, where ClusterStartStopMain lives), last, writes "$cp"
mvn -B -q -o -pl kafkalab-testkit/tests -am test-compile dependency:build-classpath -DskipTests -Dfuzz.skip=true \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp"
dists="$root/kafkalab-testkit/brokers/kafka-current/target/lib:$root/kafkalab-testkit/brokers/kafka-3.9.1/target/lib"
java -Xmx1g -Dkafkalab.kafka.distributions="$dists" \
  -cp "$root/kafkalab-testkit/tests/target/test-classes:$(cat "$cp")" \
  io.kafkalab.testkit.ClusterStartStopMain "$runs"
