"""One-shot CLI start-up: wall time of `tutor search` and `tutor grade` as fresh processes.

Each command runs as a new process against an existing index with a warm OS cache (a warm-up
round runs first and is not counted), several times, interleaved with the baseline
`python -c "import numpy"` so that all three see the same machine load. Reported: the median
and the minimum in seconds, and the median as a ratio to the baseline's median.

    python benchmarks/startup.py                 # a throwaway data dir, the guide indexed once
    python benchmarks/startup.py --data-dir DIR  # an existing data dir (its index is used)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SEARCH = ["search", "how does lora work"]
GRADE = ["grade", "-q", "What is LoRA and QLoRA?", "-a", "LoRA trains low-rank adapters"]
TARGETS = {"search": 1.0, "grade": 1.5}  # seconds, from issue 11


def commands() -> dict[str, list[str]]:
    cli = [sys.executable, "-m", "tutor.cli"]
    return {"numpy": [sys.executable, "-c", "import numpy"],
            "search": cli + SEARCH, "grade": cli + GRADE}


def cli_env(data_dir: Path) -> dict[str, str]:
    """The user's environment with our data dir, offline, and the embedded grader (an LLM
    endpoint would time the network, not the start-up)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUTOR_", "OPENAI_"))}
    return env | {"TUTOR_DATA_DIR": str(data_dir), "TUTOR_GRADER": "embedded",
                  "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}


def run_once(argv: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one process; a failing command stops the benchmark with its stderr."""
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv[2:])} failed ({done.returncode}):\n{done.stderr}")
    return seconds


def measure(env: dict[str, str], runs: int) -> dict[str, list[float]]:
    """`runs` rounds of every command, one after the other in each round."""
    argv = commands()
    for name in ("search", "grade"):  # warm-up: index cache written, OS cache filled
        run_once(argv[name], env)
    times: dict[str, list[float]] = {name: [] for name in argv}
    for _ in range(runs):
        for name, command in argv.items():
            times[name].append(run_once(command, env))
    return times


def summary(times: dict[str, list[float]]) -> dict[str, dict[str, float | None]]:
    base = float(np.median(times["numpy"]))
    out: dict[str, dict[str, float | None]] = {}
    for name, values in times.items():
        median = float(np.median(values))
        out[name] = {"median_s": round(median, 3), "min_s": round(float(np.min(values)), 3),
                     "ratio_to_numpy": round(median / base, 2), "target_s": TARGETS.get(name)}
    return out


def machine_load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def prepare(data_dir: Path | None, scratch: Path) -> Path:
    """The data dir to use; a throwaway one (under `scratch`) gets the bundled guide indexed."""
    if data_dir is not None:
        return data_dir
    path = scratch / "data"
    print("indexing the bundled guide into a throwaway data dir ...", file=sys.stderr)
    run_once([sys.executable, "-m", "tutor.cli", "ingest"], cli_env(path))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each command")
    parser.add_argument("--data-dir", type=Path, help="an existing data dir (default: a "
                        "throwaway one with the bundled guide indexed)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tutor-startup-") as scratch:
        data_dir = prepare(args.data_dir, Path(scratch))
        times = measure(cli_env(data_dir), max(1, args.runs))
    result = {"runs": max(1, args.runs), "load": machine_load(), "commands": summary(times)}
    if args.json:
        print(json.dumps(result))
        return
    print(f"one-shot start-up, {result['runs']} runs each, {result['load']}")
    print(f"{'command':8s} {'median s':>9s} {'min s':>7s} {'x numpy':>8s}  target")
    for name, row in result["commands"].items():
        target = row["target_s"]
        verdict = "" if target is None else (
            f"<= {target:.1f} s {'met' if row['median_s'] <= target else 'MISSED'}")
        print(f"{name:8s} {row['median_s']:9.3f} {row['min_s']:7.3f} "
              f"{row['ratio_to_numpy']:8.2f}  {verdict}")


if __name__ == "__main__":
    main()
