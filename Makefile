# ocx — top-level build. Every component is a static library built from
# <component>/src/*.c (platform: platform/*/src/*.c); binaries keep a thin main.c.
# Unit tests are <component>/tests/test-*.c (cmocka), one binary each.

CC      ?= gcc
BUILD   ?= build
PKGS    := libmicrohttpd libcjson yaml-0.1 libcurl sqlite3 libcap libseccomp libselinux libarchive gnutls
WARN    := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla -Werror -Wno-format-truncation
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu17 -D_GNU_SOURCE $(WARN) -D_FORTIFY_SOURCE=2 -fstack-protector-strong -pthread -MMD -MP \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
           -Ilib/include -Iscc/include -Ipolicies/include -Iimagestreams/include \
           -Iplatform/include -Icli/include -Irouter/include
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lh2o-evloop -lssl -lcrypto -lcrypt -lcmocka -lm -lpthread
SAN     ?=
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -O1 -U_FORTIFY_SOURCE
LDFLAGS += -fsanitize=address,undefined
BUILD   := build-asan
endif

COMPONENTS := lib scc policies imagestreams platform cli router
src_of = $(if $(filter platform,$(1)),$(wildcard platform/*/src/*.c),$(wildcard $(1)/src/*.c))
obj_of = $(patsubst %.c,$(BUILD)/obj/%.o,$(call src_of,$(1)))
LIBNAME_lib := ocx
obj_of_policies_extra := $(BUILD)/obj/gen/policy-data.o
$(foreach c,$(COMPONENTS),$(eval LIB_$(c) := $(BUILD)/lib$(or $(LIBNAME_$(c)),$(c)).a))
ALL_LIBS := $(foreach c,platform cli router scc policies imagestreams lib,$(if $(call src_of,$(c))$(obj_of_$(c)_extra),$(LIB_$(c))))
LINK_LIBS := -Wl,--start-group $(ALL_LIBS) -Wl,--end-group

BINS := $(BUILD)/ocxd $(BUILD)/ocx $(if $(wildcard router/main.c),$(BUILD)/ocx-router)
TEST_SRCS := $(wildcard */tests/test-*.c platform/*/tests/test-*.c)
TEST_BINS := $(patsubst %.c,$(BUILD)/%,$(TEST_SRCS))
FUZZ_SRCS := $(wildcard */fuzz/fuzz-*.c platform/*/fuzz/fuzz-*.c)
FUZZ_BINS := $(patsubst %.c,$(BUILD)/%,$(FUZZ_SRCS))
HELPER_SRCS := $(wildcard e2e/helpers/*.c)
HELPER_BINS := $(patsubst e2e/helpers/%.c,$(BUILD)/e2e/%,$(HELPER_SRCS))

.PHONY: all deps run test unit e2e asan lint fuzz bench clean
all: $(BINS) $(TEST_BINS) $(FUZZ_BINS) $(HELPER_BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"; $(CC) $(CFLAGS) -c -o $@ $<

# policy data files are compiled into libpolicies (tools/embed.sh)
POLICY_DATA := $(sort $(wildcard policies/*/*.json policies/*/*.yaml))
$(BUILD)/gen/policy-data.c: $(POLICY_DATA) tools/embed.sh
	@mkdir -p $(dir $@)
	@tools/embed.sh $@ policies $(POLICY_DATA)
$(BUILD)/obj/gen/policy-data.o: $(BUILD)/gen/policy-data.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"; $(CC) $(CFLAGS) -c -o $@ $<

$(foreach c,$(COMPONENTS),$(eval $(LIB_$(c)): $(call obj_of,$(c)) $(obj_of_$(c)_extra) ; @mkdir -p $$(dir $$@); rm -f $$@; ar rcs $$@ $$^))

# unit tests link only their component and what it depends on
DEPS_lib := lib
DEPS_scc := scc lib
DEPS_policies := policies lib
DEPS_imagestreams := imagestreams lib
DEPS_router := router lib
DEPS_cli := cli imagestreams lib
DEPS_platform := platform scc policies imagestreams lib
comp_of = $(word 1,$(subst /, ,$(patsubst $(BUILD)/%,%,$(1))))
libs_for = $(foreach c,$(DEPS_$(call comp_of,$(1))),$(if $(call src_of,$(c))$(obj_of_$(c)_extra),$(LIB_$(c))))
.SECONDEXPANSION:
$(TEST_BINS): $(BUILD)/%: $(BUILD)/obj/%.o $$(call libs_for,$$@)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< -Wl,--start-group $(call libs_for,$@) -Wl,--end-group $(LDLIBS)
$(BUILD)/ocxd: $(BUILD)/obj/platform/main.o $$(call libs_for,platform)
	$(CC) $(LDFLAGS) -o $@ $< -Wl,--start-group $(call libs_for,platform) -Wl,--end-group $(LDLIBS)
$(BUILD)/ocx: $(BUILD)/obj/cli/main.o $$(call libs_for,cli)
	$(CC) $(LDFLAGS) -o $@ $< -Wl,--start-group $(call libs_for,cli) -Wl,--end-group $(LDLIBS)
$(BUILD)/ocx-router: $(BUILD)/obj/router/main.o $$(call libs_for,router)
	$(CC) $(LDFLAGS) -o $@ $< -Wl,--start-group $(call libs_for,router) -Wl,--end-group $(LDLIBS)
# fuzz entry points are linked with a standalone replay driver (tools/fuzz-replay.c)
$(FUZZ_BINS): $(BUILD)/%: $(BUILD)/obj/%.o $(BUILD)/obj/tools/fuzz-replay.o $$(call libs_for,$$@)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/obj/tools/fuzz-replay.o -Wl,--start-group $(call libs_for,$@) -Wl,--end-group $(LDLIBS)
$(BUILD)/e2e/%: e2e/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -static -o $@ $<

deps:
	@tools/deps.sh

run: deps all
	@OCX_BIN=$(abspath $(BUILD)) tools/run.sh

test: deps all
	@BUILD=$(abspath $(BUILD)) tools/test.sh

unit: all
	@BUILD=$(abspath $(BUILD)) tools/test.sh unit

e2e: all
	@BUILD=$(abspath $(BUILD)) tools/test.sh e2e

asan:
	@tools/deps.sh
	$(MAKE) SAN=1 all
	@BUILD=$(abspath build-asan) ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 LSAN_OPTIONS=suppressions=$(abspath tools/lsan.supp) tools/test.sh

lint:
	@tools/lint.sh

fuzz:
	@tools/fuzz-build.sh

bench: all
	@for b in e2e/bench/*.sh; do OCX_BIN=$(abspath $(BUILD)) $$b; done

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
