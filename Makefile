# ktsnap top-level driver.  Two commands matter (see README):
#   make demo   install missing packages, build, run the main job
#   make check  install missing packages, build with ASan+UBSan (and the
#               bridge stress test with TSan), run the whole test suite,
#               and build once more with gcc in Release with warnings as
#               errors (compile only), so a plain gcc build stays clean;
#               the sources must be formatted (make format-check)
JOBS    ?= $(shell nproc)
BUILD   ?= build
CHECK   ?= build-check
TSAN    ?= build-tsan
GCCREL  ?= build-gcc
CMAKE   ?= cmake

.PHONY: all deps build demo check check-asan check-tsan check-gcc format format-check bench clean

all: build

deps:
	@sh scripts/install-deps.sh

# Quiet unless it fails: `make demo` should show the demo, not the compiler.
build: deps
	@$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@echo "building in $(BUILD)/ (log: $(BUILD)/build.log)"
	@$(CMAKE) --build $(BUILD) -j $(JOBS) >$(BUILD)/build.log 2>&1 || \
		{ tail -n 40 $(BUILD)/build.log; echo "build failed; see $(BUILD)/build.log"; exit 1; }

demo: build
	@./$(BUILD)/cli/ktsnap demo

check: format-check check-asan check-tsan check-gcc

# clang-format 14 settles some macro continuations only on a second pass
format: deps
	@sh scripts/format.sh && sh scripts/format.sh

format-check: deps
	@sh scripts/format.sh --check

check-asan: deps
	@CC=clang $(CMAKE) -S . -B $(CHECK) -DCMAKE_BUILD_TYPE=Debug \
		-DKTSNAP_SANITIZE=address -DKTSNAP_WERROR=ON >/dev/null
	@$(CMAKE) --build $(CHECK) -j $(JOBS)
	@cd $(CHECK) && ctest --output-on-failure -LE tsan -j 1

check-tsan: deps
	@CC=clang $(CMAKE) -S . -B $(TSAN) -DCMAKE_BUILD_TYPE=Debug \
		-DKTSNAP_SANITIZE=thread -DKTSNAP_WERROR=ON >/dev/null
	@$(CMAKE) --build $(TSAN) -j $(JOBS) --target tsan_tests
	@cd $(TSAN) && ctest --output-on-failure -L tsan

# gcc -O2 finds what clang -O0 does not (maybe-uninitialized, format-truncation)
check-gcc: deps
	@CC=gcc $(CMAKE) -S . -B $(GCCREL) -DCMAKE_BUILD_TYPE=Release -DKTSNAP_WERROR=ON >/dev/null
	@echo "gcc Release build, warnings are errors, in $(GCCREL)/"
	@$(CMAKE) --build $(GCCREL) -j $(JOBS)

bench: build
	@$(CMAKE) --build $(BUILD) -j $(JOBS) --target benches
	@sh bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(CHECK) $(TSAN) $(GCCREL)
