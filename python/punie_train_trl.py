#!/usr/bin/env python3
"""Punie's TRL/PEFT trainer: LoRA supervised fine-tuning on chat JSONL (train.jsonl, valid.jsonl).

Started by `punie train` (src/training/trl-runner.ts), under `accelerate launch` for several GPUs. It prints one
JSON object per line prefixed with "PUNIE " so the runner can parse progress. Exit code 3 means packages are
missing; the line {"event": "missing", "packages": [...]} names them.

  punie_train_trl.py train --config run.json [--resume-from-checkpoint DIR]
  punie_train_trl.py merge --base MODEL --adapter DIR --out DIR
"""
import argparse
import importlib
import json
import math
import sys
import time

MISSING_EXIT = 3
PIP_NAMES = {"torch": "torch", "transformers": "transformers", "datasets": "datasets", "peft": "peft", "trl": "trl"}


def emit(event, **fields):
    print("PUNIE " + json.dumps({"event": event, **fields}), flush=True)


def require(names):
    missing = []
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(PIP_NAMES.get(name, name))
    if missing:
        emit("missing", packages=missing, python=sys.executable)
        print(f"missing Python packages: {' '.join(missing)} (pip install {' '.join(missing)})", file=sys.stderr)
        sys.exit(MISSING_EXIT)


def train(args):
    require(["torch", "transformers", "datasets", "peft", "trl"])
    from datasets import load_dataset
    from peft import LoraConfig
    from transformers import TrainerCallback
    from trl import SFTConfig, SFTTrainer

    with open(args.config) as f:
        cfg = json.load(f)
    data = load_dataset(
        "json", data_files={"train": cfg["data"] + "/train.jsonl", "validation": cfg["data"] + "/valid.jsonl"}
    )
    started = time.time()

    class Progress(TrainerCallback):
        def on_train_begin(self, a, state, control, **kw):
            emit("total", steps=state.max_steps)

        def on_log(self, a, state, control, logs=None, **kw):
            logs = logs or {}
            if "loss" in logs:
                loss = logs["loss"]
                emit(
                    "train",
                    step=state.global_step,
                    loss=loss if not math.isnan(loss) else "nan",
                    learning_rate=logs.get("learning_rate"),
                    tokens_per_sec=(state.num_input_tokens_seen or 0) / max(1e-9, time.time() - started),
                )
            if "eval_loss" in logs:
                emit("eval", step=state.global_step, loss=logs["eval_loss"])

        def on_save(self, a, state, control, **kw):
            emit("checkpoint", step=state.global_step, path=f"{a.output_dir}/checkpoint-{state.global_step}")

    lora = LoraConfig(
        r=cfg["rank"],
        lora_alpha=cfg["alpha"],
        lora_dropout=cfg["dropout"],
        target_modules="all-linear",
        task_type="CAUSAL_LM",
    )
    steps = {"max_steps": cfg["iters"]} if cfg.get("iters") else {"num_train_epochs": cfg.get("epochs", 1)}
    sft = SFTConfig(
        output_dir=cfg["output_dir"],
        per_device_train_batch_size=cfg["batch_size"],
        learning_rate=cfg["learning_rate"],
        seed=cfg["seed"],
        max_length=cfg["max_seq_length"],
        logging_steps=cfg["steps_per_report"],
        eval_strategy="steps",
        eval_steps=cfg["steps_per_eval"],
        save_steps=cfg["save_every"],
        include_num_input_tokens_seen=True,
        report_to=[],
        **steps,
    )
    trainer = SFTTrainer(
        model=cfg["base_model"],
        args=sft,
        train_dataset=data["train"],
        eval_dataset=data["validation"],
        peft_config=lora,
        callbacks=[Progress()],
    )
    trainer.train(resume_from_checkpoint=args.resume_from_checkpoint)
    trainer.save_model(cfg["output_dir"])
    emit("done", path=cfg["output_dir"])


def merge(args):
    require(["torch", "transformers", "peft"])
    import torch
    from peft import AutoPeftModelForCausalLM
    from transformers import AutoTokenizer

    model = AutoPeftModelForCausalLM.from_pretrained(args.adapter, torch_dtype=torch.float16)
    merged = model.merge_and_unload()
    merged.save_pretrained(args.out, safe_serialization=True)
    AutoTokenizer.from_pretrained(args.base).save_pretrained(args.out)
    emit("merged", path=args.out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("--config", required=True)
    t.add_argument("--resume-from-checkpoint")
    m = sub.add_parser("merge")
    m.add_argument("--base", required=True)
    m.add_argument("--adapter", required=True)
    m.add_argument("--out", required=True)
    args = parser.parse_args()
    {"train": train, "merge": merge}[args.command](args)


if __name__ == "__main__":
    main()
