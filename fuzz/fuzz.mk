# fuzz/fuzz.mk - libFuzzer targets for every parser of untrusted bytes
# (docs/fuzzing.md).  Included by the top-level Makefile.
#
#   make fuzz                     build every target, run each FUZZ_SECONDS
#   make fuzz FUZZ_SECONDS=600    longer
#   make fuzz FUZZ_TARGETS=common_utf8
#   make fuzz FUZZ_JOBS=2         run two targets at once (each niced)
#   make fuzz-build               only build them (build/fuzz/NAME)
#
# fuzz/PROG_NAME.c is one target; like the tests it links PROG's modules
# (none for common_*), all of common/ and fuzz/support/.  Everything is
# compiled again with clang into build/fuzz/obj, instrumented for libFuzzer
# and ASan+UBSan, so the normal and SAN=1 builds are left alone.  A finding
# fails the run and leaves its reproducer in build/fuzz/ (fuzz/run.sh).

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_OBJDIR  := $(FUZZ_DIR)/obj
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=gnu11 -g -O1 $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP -I. \
                $(PKG_CFLAGS) -DLOCALEDIR='"$(PREFIX)/share/locale"'

FUZZ_SRC     := $(wildcard fuzz/*.c)
FUZZ_ALL     := $(patsubst fuzz/%.c,%,$(FUZZ_SRC))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_BINS    := $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))

fuzz_obj = $(patsubst %.c,$(FUZZ_OBJDIR)/%.o,$(1))
# An archive, so a target links only the support code it calls.
FUZZ_SUPPORT_OBJ := $(call fuzz_obj,$(call find_c,fuzz/support))
FUZZ_SUPPORT_LIB := $(FUZZ_OBJDIR)/libfuzzsupport.a
FUZZ_COMMON_OBJ  := $(call fuzz_obj,$(call find_c,common))
$(foreach p,$(PROGRAMS),$(eval FUZZ_$(p)_OBJ := \
    $(filter-out $(FUZZ_OBJDIR)/$(p)/main.o,$(call fuzz_obj,$(call find_c,$(p))))))
FUZZ_PROG_OBJ := $(foreach p,$(PROGRAMS),$(FUZZ_$(p)_OBJ))
.SECONDARY: $(FUZZ_SUPPORT_OBJ) $(FUZZ_COMMON_OBJ) $(FUZZ_PROG_OBJ)

$(FUZZ_SUPPORT_LIB): $(FUZZ_SUPPORT_OBJ)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_OBJDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

# A target links its own program's modules only (test_prog is the tests'
# rule: the word before the first '_'), so it waits for no other program.
define fuzz_target_rule
$(FUZZ_DIR)/$(1): fuzz/$(1).c $(FUZZ_SUPPORT_LIB) $(FUZZ_COMMON_OBJ) $(FUZZ_$(call test_prog,$(1))_OBJ)
	@mkdir -p $$(dir $$@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $$@ $$< $(FUZZ_SUPPORT_LIB) \
	    $(FUZZ_$(call test_prog,$(1))_OBJ) $(FUZZ_COMMON_OBJ) $(call test_libs,$(1)) $(LDLIBS)
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call fuzz_target_rule,$(t))))

fuzz-build: $(FUZZ_BINS)

fuzz: deps fuzz-build
	@FUZZ_DIR=$(abspath $(FUZZ_DIR)) FUZZ_JOBS=$(FUZZ_JOBS) fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)
