#!/usr/bin/env bash
# kcat (librdkafka) has no admin commands: it lists metadata. Topics are created by the broker on
# first use (auto.create.topics.enable=true), or with `tafka topic create`.
#   BOOTSTRAP=localhost:9092 TOPIC=kcat-example examples/kcat/admin.sh
set -euo pipefail
BOOTSTRAP=${BOOTSTRAP:-localhost:9092}
TOPIC=${TOPIC:-kcat-example}
kcat -b "$BOOTSTRAP" -L -t "$TOPIC"
