# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

# Debian packages the parser, renderer and crawler use (browser, office conversion, OCR, fonts)
APT_PACKAGES := chromium libreoffice-writer-nogui libreoffice-calc-nogui antiword catdoc poppler-utils \
                poppler-data fonts-wqy-microhei tesseract-ocr tesseract-ocr-chi-sim

.PHONY: demo test lint bench clean sysdeps

sysdeps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml setup.py extract/pdfium_bulk.c
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: sysdeps $(STAMP)
	$(BIN)/xxgk validate tests/fixtures/seeds
	$(BIN)/xxgk demo --workdir demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: sysdeps $(STAMP) lint
	$(BIN)/pytest -n 2 --dist loadfile -p no:cacheprovider

bench: sysdeps $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis demo build extract/_pdfium_bulk*.so
