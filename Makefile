# The two commands of the quick start, and the rest of the developer loop.
#   make demo   install what is needed, build, generate a sample image, inventory it
#   make check  install what is needed, build (ASan+UBSan), run every test
#   make bench  vouch against its peers on the same generated images (ratios)
#   make fuzz   run each libFuzzer harness briefly (clang)
# Build directories: build/ (release-ish), build-san/ (sanitizers), build-fuzz/ (libFuzzer).

MESON ?= meson
NINJA ?= ninja
FUZZ_SECONDS ?= 30

.PHONY: all deps deps-build build build-san demo check test bench fuzz clean fixtures format lint

all: build

deps:
	@bash scripts/install-deps.sh all

deps-build:
	@bash scripts/install-deps.sh build

build/build.ninja:
	$(MESON) setup build --buildtype=debugoptimized -Dwerror=true

build: build/build.ninja
	$(NINJA) -C build

build-san/build.ninja:
	CC=clang $(MESON) setup build-san --buildtype=debug -Dwerror=true \
		-Db_sanitize=address,undefined -Db_lundef=false -Dplain_malloc=true

build-san: build-san/build.ninja
	$(NINJA) -C build-san

demo: deps build
	@bash scripts/demo.sh

# Every test: unit, CLI end-to-end, differential, hostile, fuzz-corpus replay, shared
# samples, all under ASan+UBSan; then the gcc build's own suite (warnings are errors in both).
check: deps build build-san
	bash tests/run-all.sh

test: build build-san
	bash tests/run-all.sh

fixtures: deps build
	bash tests/fixtures/make-fixtures.sh

bench: deps build
	bash bench/run.sh

fuzz: deps
	bash fuzz/run.sh $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

lint:
	bash scripts/lint.sh

clean:
	rm -rf build build-san build-fuzz
