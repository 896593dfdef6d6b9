#!/usr/bin/env bash
# A real, tiny LoRA step through `punie train`, for a machine with a GPU (CUDA: TRL/PEFT) or Apple silicon
# (mlx-lm). Never run by `npm test`. It needs the trainer installed and a small model it can load:
#   Linux/CUDA: pip install torch transformers datasets peft trl accelerate
#   macOS:      pip install mlx-lm
# Usage: scripts/gpu-smoke.sh [MODEL]   (PUNIE_PYTHON picks the Python; GPUS=2 runs accelerate launch)
# It trains 20 iterations on 40 generated examples, then checks the run is done, the best checkpoint was chosen
# by validation loss and the adapter files are there (the run's own adapter check).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/punie-gpu-smoke.XXXXXX")"
trap 'echo "files kept in $work"' EXIT
if [[ "$(uname -s)" == Darwin ]]; then
  runner=mlx
  model="${1:-mlx-community/Qwen2.5-0.5B-Instruct-4bit}"
  format=openai # mlx-lm reads chat JSONL ({"messages": [...], "tools": [...]}) as it is
else
  runner=trl
  model="${1:-Qwen/Qwen2.5-0.5B-Instruct}"
  format=openai
fi
node -e '
const lines = []
for (let i = 0; i < 40; i++) {
  const direct = i % 3 === 0
  const messages = [{ role: "user", content: `What does file${i}.txt say?` }]
  if (direct) messages.push({ role: "assistant", content: `I would need to read file${i}.txt first.` })
  else messages.push(
    { role: "assistant", content: null, tool_calls: [{ id: `c${i}`, type: "function", function: { name: "read_file", arguments: JSON.stringify({ path: `file${i}.txt` }) } }] },
    { role: "tool", tool_call_id: `c${i}`, content: `line ${i}` },
    { role: "assistant", content: `It says "line ${i}".` })
  lines.push(JSON.stringify({ messages, tools: [{ type: "function", function: { name: "read_file", description: "Read a file", parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } } }] }))
}
require("fs").writeFileSync(process.argv[1], lines.join("\n") + "\n")' "$work/data.jsonl"
cat > "$work/train.yaml" <<YAML
runner: $runner
base_model: $model
dataset: data.jsonl
format: $format
rank: 8
alpha: 16
num_layers: 4
batch_size: 2
iters: 20
steps_per_report: 5
steps_per_eval: 10
save_every: 10
max_seq_length: 512
validation_split: 0.2
gpus: ${GPUS:-1}
YAML
export PUNIE_HOME="$work/home"
node "$here/bin/punie.js" train check --config "$work/train.yaml"
node "$here/bin/punie.js" train run --config "$work/train.yaml" --json | tee "$work/result.json"
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
if (r.status !== "done") { console.error("run " + r.status + ": " + JSON.stringify(r.failure)); process.exit(1) }
if (!r.bestCheckpoint || !r.adapterPath) { console.error("no best checkpoint"); process.exit(1) }
console.log("ok: best checkpoint at iteration " + r.bestCheckpoint.iteration + ", adapter " + r.adapterPath)' "$work/result.json"
