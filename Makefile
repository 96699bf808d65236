# Top-level build for chatd, chat and netprobe.
#
#   make            build bin/chatd, bin/chat, bin/netprobe
#   make check      every test, on a normal build (-Werror) and again under
#                   AddressSanitizer + UndefinedBehaviorSanitizer
#   make check TESTS="chatd_chat lab_"   only the tests whose name contains
#                   one of the words (tests/run.sh --list shows the names);
#                   check-one does the same on one build only
#   make demo       a loopback chatd, two scripted clients, a netprobe run
#   make bench      the benchmark (see docs/benchmarks.md)
#   make install    PREFIX=/usr/local DESTDIR=  (programs, chatd.service,
#                   translations, man pages, the guides in DOCDIR)
#   make uninstall  removes what make install put there
#
# SAN=1 builds the sanitizer variant into build/san/ instead of bin/.
# WERROR=1 turns warnings into errors (make check sets it).

.DEFAULT_GOAL := all

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
# Where make install puts the guides; the programs are built with it
# (-DDOCDIR below) so they can point at the installed copy.
DOCDIR  ?= $(PREFIX)/share/doc/chat

# BUILD moves objects elsewhere (helpers building side by side use it).
BUILD ?= build
ifeq ($(SAN),1)
OBJDIR := $(BUILD)/san/obj
BINDIR ?= $(BUILD)/san/bin
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT := -O1
else
OBJDIR := $(BUILD)/obj
BINDIR ?= bin
SANFLAGS :=
OPT := -O2
endif
TESTDIR := $(patsubst %/obj,%/tests,$(OBJDIR))

# Before anything is compiled, say which build dependencies are missing
# (scripts/deps.sh --check prints them and the command that installs them)
# instead of failing on a missing header.  Goals that install the
# dependencies first (check, demo, bench, lab-tour run deps, then make
# again) or build nothing are not held up.
DEPS_CHECK_SKIP := clean deps check demo bench lab-tour po uninstall
ifneq ($(filter-out $(DEPS_CHECK_SKIP),$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell CC='$(CC)' scripts/deps.sh --check \
         $(if $(filter tests check-one $(TESTDIR)/%,$(MAKECMDGOALS)),--tests) || echo missing),)
$(error build dependencies missing (listed above))
endif
endif

PKGS    := libcjson libpcap
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs libcjson 2>/dev/null)
PCAP_LIBS  := $(shell pkg-config --libs libpcap 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wno-format-nonliteral
ifeq ($(WERROR),1)
WARN += -Werror
endif
CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=gnu11 $(WARN) $(SANFLAGS) -MMD -MP -I. $(PKG_CFLAGS) \
           -DLOCALEDIR='"$(PREFIX)/share/locale"' -DDOCDIR='"$(DOCDIR)"'
LDFLAGS += $(SANFLAGS)
LDLIBS  := $(PKG_LIBS) -lpthread -lm

# Sources are found in every sub-folder, so a new or moved file needs no
# Makefile edit.
find_c = $(sort $(shell find $(1) -name '*.c' 2>/dev/null))
COMMON_OBJ := $(patsubst %.c,$(OBJDIR)/%.o,$(call find_c,common))
COMMON_LIB := $(OBJDIR)/libcommon.a

# Each program is PROG/**/*.c; PROG/main.c holds main() and everything else
# is also linked into that program's tests.
PROGRAMS := chatd chat netprobe
chatd_LIBS    :=
chat_LIBS     := -lreadline
netprobe_LIBS := $(PCAP_LIBS)

define program_rules
$(1)_OBJ    := $$(patsubst %.c,$(OBJDIR)/%.o,$$(call find_c,$(1)))
$(1)_LIBOBJ := $$(filter-out $(OBJDIR)/$(1)/main.o,$$($(1)_OBJ))
$(BINDIR)/$(1): $$($(1)_OBJ) $(COMMON_LIB) | $(BINDIR)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$($(1)_LIBS) $$(LDLIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_rules,$(p))))

BINS := $(foreach p,$(PROGRAMS),$(if $(wildcard $(p)/main.c),$(BINDIR)/$(p)))

# Tests: tests/{unit,integration}/PROG_*.c link PROG's modules (none for
# common_*.c); integration tests also link tests/support/*.c.
UNIT_SRC  := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(TESTDIR)/unit/%,$(UNIT_SRC))
# Integration tests: tests/integration/*.c with tests/support/*.c.
SUPPORT_OBJ := $(patsubst %.c,$(OBJDIR)/%.o,$(call find_c,tests/support))
# Not intermediate: make would delete them after each link.
.SECONDARY: $(SUPPORT_OBJ)
INTEG_SRC  := $(wildcard tests/integration/*.c)
INTEG_BINS := $(patsubst tests/integration/%.c,$(TESTDIR)/integration/%,$(INTEG_SRC))

BENCH_BIN := $(BINDIR)/chatbench

# Message catalogues: po/LANG.po -> .../share/locale/LANG/LC_MESSAGES/chat.mo
# next to the build (common/i18n.c finds them there and when installed).
LOCALE_OUT := $(patsubst %/obj,%/share/locale,$(OBJDIR))
PO_FILES   := $(wildcard po/*.po)
MO_FILES   := $(patsubst po/%.po,$(LOCALE_OUT)/%/LC_MESSAGES/chat.mo,$(PO_FILES))
I18N_SRC    = $(call find_c,common chatd chat netprobe)

.PHONY: all tests check check-one demo bench install uninstall clean deps lab-tour fuzz fuzz-build
all: $(BINS) $(MO_FILES)

$(LOCALE_OUT)/%/LC_MESSAGES/chat.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# Regenerates the template from the sources and merges it into each .po.
.PHONY: po
po:
	xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --add-comments=TRANSLATORS \
	    --package-name=chat --msgid-bugs-address= -o po/chat.pot $(I18N_SRC)
	for p in $(PO_FILES); do msgmerge --quiet --update --backup=none $$p po/chat.pot; done

$(BINDIR) $(OBJDIR):
	mkdir -p $@

$(OBJDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(COMMON_LIB): $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

test_prog = $(firstword $(subst _, ,$(notdir $(1))))
test_objs = $($(call test_prog,$(1))_LIBOBJ)
test_libs = $($(call test_prog,$(1))_LIBS)
ALL_LIBOBJ := $(foreach p,$(PROGRAMS),$($(p)_LIBOBJ))

$(TESTDIR)/unit/%: tests/unit/%.c $(COMMON_LIB) $(ALL_LIBOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(call test_objs,$*) $(COMMON_LIB) \
	    $(CMOCKA_LIBS) $(call test_libs,$*) $(LDLIBS)

$(TESTDIR)/integration/%: tests/integration/%.c $(SUPPORT_OBJ) $(COMMON_LIB) $(ALL_LIBOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(call test_objs,$*) $(SUPPORT_OBJ) $(COMMON_LIB) \
	    $(CMOCKA_LIBS) $(call test_libs,$*) $(LDLIBS)

$(BENCH_BIN): bench/chatbench.c $(COMMON_LIB) | $(BINDIR)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(COMMON_LIB) $(LDLIBS)

tests: all $(UNIT_BINS) $(INTEG_BINS)

deps:
	@scripts/deps.sh

# One pass of the tests against the build selected by SAN=; TESTS= keeps
# the tests whose name contains one of its words (tests/run.sh PATTERN...).
TESTS ?=
check-one: tests
	@BIN_DIR=$(abspath $(BINDIR)) TEST_DIR=$(abspath $(TESTDIR)) SAN=$(SAN) tests/run.sh $(TESTS)

# Builds in parallel, runs the tests one program at a time.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
check: deps
	$(MAKE) -j$(JOBS) WERROR=1 tests
	$(MAKE) WERROR=1 check-one
	$(MAKE) -j$(JOBS) WERROR=1 SAN=1 tests
	$(MAKE) WERROR=1 SAN=1 check-one

demo: deps
	$(MAKE) -j$(JOBS) all
	@scripts/demo.sh $(abspath $(BINDIR))

bench: deps
	$(MAKE) all $(BENCH_BIN)
	@bench/run.sh $(abspath $(BINDIR))

UNITDIR := $(PREFIX)/lib/systemd/system
MAN1DIR := $(PREFIX)/share/man/man1
MAN8DIR := $(PREFIX)/share/man/man8
# The guides a student or a TA reads on a machine without the source tree
# (netprobe's "guide:" line points into them).
DOC_FILES := docs/troubleshooting.md docs/troubleshooting.es.md docs/report.md \
             docs/report.schema.json docs/protocol.md docs/deploy.md docs/deploy.es.md

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	sed 's|@BINDIR@|$(PREFIX)/bin|' scripts/chatd.service.in > $(DESTDIR)$(UNITDIR)/chatd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/chatd.service
	for m in $(MO_FILES); do \
	    lang=$$(basename $$(dirname $$(dirname $$m))); \
	    install -D -m 0644 $$m $(DESTDIR)$(PREFIX)/share/locale/$$lang/LC_MESSAGES/chat.mo; \
	done
	install -d $(DESTDIR)$(MAN1DIR) $(DESTDIR)$(MAN8DIR)
	install -m 0644 $(wildcard man/*.1) $(DESTDIR)$(MAN1DIR)/
	install -m 0644 $(wildcard man/*.8) $(DESTDIR)$(MAN8DIR)/
	@# netprobe's page was in section 8 before it moved to 1 (students run it).
	rm -f $(DESTDIR)$(MAN8DIR)/netprobe.8
	install -d $(DESTDIR)$(DOCDIR)
	install -m 0644 $(DOC_FILES) $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(foreach p,$(PROGRAMS),$(DESTDIR)$(PREFIX)/bin/$(p)) $(DESTDIR)$(UNITDIR)/chatd.service
	rm -f $(foreach m,$(wildcard man/*.1),$(DESTDIR)$(MAN1DIR)/$(notdir $(m))) \
	      $(foreach m,$(wildcard man/*.8),$(DESTDIR)$(MAN8DIR)/$(notdir $(m))) \
	      $(DESTDIR)$(MAN8DIR)/netprobe.8 \
	      $(foreach l,$(patsubst po/%.po,%,$(PO_FILES)),$(DESTDIR)$(PREFIX)/share/locale/$(l)/LC_MESSAGES/chat.mo)
	rm -f $(foreach d,$(DOC_FILES),$(DESTDIR)$(DOCDIR)/$(notdir $(d)))
	@# The guides' folder is ours alone; anything else someone put there stays.
	[ ! -d $(DESTDIR)$(DOCDIR) ] || rmdir --ignore-fail-on-non-empty $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)

# tests/scripts/bench_smoke.sh runs chatbench, so the tests build it too.
tests: $(BENCH_BIN)

# Header dependencies of a side-by-side build (BUILD=...) too, so a changed
# header rebuilds the objects that include it there as well.
ifneq ($(BUILD),build)
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
endif

include fuzz/fuzz.mk

# The fault lab's tour (docs/lab.md): every scenario through netprobe, as a
# table.  Needs root: it builds network namespaces.
lab-tour: deps
	$(MAKE) all
	@BIN_DIR=$(abspath $(BINDIR)) scripts/lab.sh tour
