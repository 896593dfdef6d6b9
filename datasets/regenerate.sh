#!/bin/sh
# Regenerates datasets/punie-tools-sample.jsonl from datasets/workspace: the same 20 tasks (seed 13) in each
# tool mode's offer. Run from the repository root after `npm run build`; then hand-check the diff.
set -eu
out=datasets/punie-tools-sample.jsonl
tmp="$out.tmp"
: > "$tmp"
for mode in both direct code; do
  node bin/punie.js dataset generate --workspace datasets/workspace -n 20 --seed 13 \
    --tool-mode "$mode" --display-root /workspace >> "$tmp"
done
mv "$tmp" "$out"
