# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
# Set-up output (apt, pip) goes to setup.log; it is shown only when a step fails.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
LOG     := setup.log

# Debian packages the parser, renderer and crawler use (browser, office conversion, OCR, fonts)
APT_PACKAGES := chromium libreoffice-writer-nogui libreoffice-calc-nogui antiword catdoc poppler-utils \
                poppler-data fonts-wqy-microhei tesseract-ocr tesseract-ocr-chi-sim

# run a set-up step quietly: its output to $(LOG), the log's tail on failure
quiet = { $(1); } >>$(LOG) 2>&1 || { echo "失败，见 $(LOG) 的末尾："; tail -n 30 $(LOG); exit 1; }

.PHONY: demo test lint bench fuzz clean sysdeps

sysdeps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "安装系统软件包：$$(echo $$missing)（约 1–2 分钟，输出见 $(LOG)）"; \
	  $(call quiet,apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing); \
	fi

$(STAMP): pyproject.toml setup.py extract/pdfium_bulk.c
	@echo "创建 Python 环境 $(VENV)/ 并安装 xxgk（约 1–2 分钟，输出见 $(LOG)）"
	@$(call quiet,test -x $(BIN)/python || $(PY) -m venv $(VENV))
	@$(call quiet,$(BIN)/python -m pip install -U pip)
	@$(call quiet,$(BIN)/python -m pip install -e '.[dev]')
	@touch $(STAMP)

demo: sysdeps $(STAMP)
	@echo "检查五份样例报告："
	@$(BIN)/xxgk validate --brief tests/fixtures/seeds
	@$(BIN)/xxgk demo --workdir demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: sysdeps $(STAMP) lint
	$(BIN)/pytest -n 2 --dist loadfile -p no:cacheprovider

bench: sysdeps $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# 100,000 mutated reports through decode → parse → validate: 0 unhandled exceptions, each within 2 s and 300 MB
fuzz: sysdeps $(STAMP)
	$(BIN)/python bench/fuzz_parse.py --inputs 100000

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis demo build extract/_pdfium_bulk*.so $(LOG)
