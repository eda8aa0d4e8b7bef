#!/usr/bin/env bash
# kcat producer: ten keyed records (key:value per line), gzip-compressed, acks=all.
#   BOOTSTRAP=localhost:9092 TOPIC=kcat-example examples/kcat/producer.sh
set -euo pipefail
BOOTSTRAP=${BOOTSTRAP:-localhost:9092}
TOPIC=${TOPIC:-kcat-example}
for i in $(seq 0 9); do echo "user-$((i % 3)):event $i"; done |
  kcat -b "$BOOTSTRAP" -P -t "$TOPIC" -K : -z gzip -X acks=all
echo "sent 10 records to $TOPIC"
