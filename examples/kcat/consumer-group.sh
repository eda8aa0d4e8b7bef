#!/usr/bin/env bash
# kcat consumer group (balanced consumer, -G): reads COUNT records (default 10), commits, exits.
#   BOOTSTRAP=localhost:9092 TOPIC=kcat-example GROUP=example-group examples/kcat/consumer-group.sh
set -euo pipefail
BOOTSTRAP=${BOOTSTRAP:-localhost:9092}
TOPIC=${TOPIC:-kcat-example}
GROUP=${GROUP:-example-group}
kcat -b "$BOOTSTRAP" -G "$GROUP" -c "${COUNT:-10}" -X auto.offset.reset=earliest -f '%p:%o %k = %s\n' "$TOPIC"
