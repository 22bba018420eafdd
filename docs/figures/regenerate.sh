#!/usr/bin/env bash
# Redraws the study's figures shown in docs/calibration.md from the shipped experiments.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cargo run --release --quiet -- run experiments/paper-streaming.toml --quiet --out "$out/streaming"
cargo run --release --quiet -- run experiments/paper-capi.toml --quiet --out "$out/capi"
for f in latency_box resources; do
  cp "$out/streaming/plots/$f.png" "docs/figures/paper-streaming-$f.png"
done
cp "$out/capi/plots/provisioning_time.png" docs/figures/paper-capi-provisioning_time.png
