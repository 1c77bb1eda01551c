# skald — one Makefile for the library, the tools and the tests.
#
# Knobs (make VAR=value):
#   CUDA=0|1     build the CUDA backend (lib/compute/cuda/*.cu); default: 1 when nvcc is found
#   NVCC=path    the CUDA compiler (default: nvcc on PATH, else /usr/local/cuda/bin/nvcc)
#   CUDA_ARCH=   nvcc -gencode list (default: sm_80 and sm_90, plus PTX for newer GPUs)
#   NCCL=0|1     multi-GPU all-reduce with NCCL (default: 1 when CUDA=1 and nccl.h is found)
#   MPI=0|1      multi-node launch through Open MPI (default: 1 when mpicc is found)
#   OPT=-O2      optimisation flags     SANITIZE=address,undefined   V=1  show commands
#
# Targets: all (default), test, test-gpu, test-emu, bench, clean, deps (the found/missing summary).
# Every .c in lib/<layer>/ goes into lib/libskald.a; every .c in featbin/ nnetbin/ bin/ is a tool
# built next to its source; every tests/unit/<module>.c becomes tests/unit/<module>.t (TAP).

CC       ?= cc
OPT      ?= -O2
PKGS     := openblas fftw3f sndfile
CPPFLAGS += -Ilib -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS   += -std=c11 $(OPT) -g -march=x86-64-v2 -Wall -Wextra -Werror -MMD -MP -pthread
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread
LDFLAGS  += -pthread -Wl,--as-needed
ifneq ($(SANITIZE),)
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS  += -fsanitize=$(SANITIZE)
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

# ---- optional parts -------------------------------------------------------
# CUDA_EMU=1 (used by `make test-emu` in build/emu): the CUDA backend compiled as C++ against
# the CPU emulator of the CUDA runtime, cuBLAS and NCCL in tests/gpu/emu (tests only).
ifeq ($(CUDA_EMU),1)
CUDA     := 1
NCCL     := 1
CU_SRCS  := $(wildcard lib/compute/cuda/*.cu)
EMU_OBJS := tests/gpu/emu/emu.o
CPPFLAGS += -DSK_HAVE_CUDA=1 -DSK_HAVE_NCCL=1 -DSK_CUDA_EMU=1 -Itests/gpu/emu/include
CXX      ?= g++
EMUCXX    = $(CXX) -x c++ -std=c++17 $(OPT) -g -march=x86-64-v2 -Wall -Wextra -Werror -MMD -MP \
            -pthread $(CPPFLAGS)
else
NVCC ?= $(shell command -v nvcc 2>/dev/null || { test -x /usr/local/cuda/bin/nvcc && echo /usr/local/cuda/bin/nvcc; })
ifeq ($(origin CUDA),undefined)
CUDA := $(if $(NVCC),1,0)
endif
CUDA_HOME ?= $(patsubst %/bin/nvcc,%,$(NVCC))
CUDA_ARCH ?= -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 \
             -gencode arch=compute_90,code=compute_90
ifeq ($(CUDA),1)
ifeq ($(origin NCCL),undefined)
NCCL := $(if $(wildcard $(CUDA_HOME)/include/nccl.h /usr/include/nccl.h),1,0)
endif
else
NCCL := 0
endif

CU_SRCS  := $(if $(filter 1,$(CUDA)),$(wildcard lib/compute/cuda/*.cu))
EMU_OBJS :=
ifeq ($(CUDA),1)
CPPFLAGS += -DSK_HAVE_CUDA=1 -I$(CUDA_HOME)/include
LDLIBS   += -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcublas -lcudart
# --fmad=false: no a*b+c contracted into one FMA, so elementwise kernels round as cpu.c does
# (they are memory-bound; the GEMMs are cuBLAS and unaffected)
NVCCFLAGS ?= -O2 -std=c++17 $(CUDA_ARCH) --fmad=false -Ilib -Xcompiler -Wall,-Wextra,-Werror,-fPIC -Werror all-warnings
endif
ifeq ($(NCCL),1)
CPPFLAGS += -DSK_HAVE_NCCL=1
LDLIBS   += -lnccl
endif
endif
ifeq ($(origin MPI),undefined)
MPI := $(if $(shell command -v mpicc 2>/dev/null),1,0)
endif
ifeq ($(MPI),1)
CPPFLAGS += -DSK_HAVE_MPI=1 $(shell mpicc --showme:compile 2>/dev/null)
LDLIBS   += $(shell mpicc --showme:link 2>/dev/null)
endif

# ---- sources --------------------------------------------------------------
# Layers, lowest first; a layer may include only layers to its left (tests/tools/layers.t checks).
LAYERS   := base io matrix feat hmm compute nnet fst lat
LIB_SRCS := $(foreach l,$(LAYERS),$(wildcard lib/$(l)/*.c))
LIB_OBJS := $(LIB_SRCS:.c=.o) $(CU_SRCS:.cu=.o) $(EMU_OBJS)
TOOLS    := $(patsubst %.c,%,$(wildcard featbin/*.c nnetbin/*.c bin/*.c))
UNITS    := $(patsubst %.c,%.t,$(wildcard tests/unit/*.c))
GPUTESTS := $(patsubst %.c,%.bin.t,$(wildcard tests/gpu/*.c))
FUZZ     := $(wildcard tests/fuzz/*.c)

all: deps-summary lib/libskald.a $(TOOLS) $(UNITS) $(GPUTESTS)

lib/libskald.a: $(LIB_OBJS)
	@echo "  AR    $@"
	$(Q)rm -f $@ && ar rcs $@ $^

%.o: %.c
	@echo "  CC    $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

ifeq ($(CUDA_EMU),1)
lib/compute/cuda/%.o: lib/compute/cuda/%.cu
	@echo "  CXX   $@ (emulated CUDA)"
	$(Q)$(EMUCXX) -c -o $@ $<

tests/gpu/emu/%.o: tests/gpu/emu/%.cc
	@echo "  CXX   $@"
	$(Q)$(EMUCXX) -c -o $@ $<
else
lib/compute/cuda/%.o: lib/compute/cuda/%.cu
	@echo "  NVCC  $@"
	$(Q)$(NVCC) $(NVCCFLAGS) $(filter -D%,$(CPPFLAGS)) -MMD -MP -c -o $@ $<
endif

$(TOOLS): %: %.o lib/libskald.a
	@echo "  LD    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< lib/libskald.a $(LDLIBS) $(if $(CU_SRCS),-lstdc++)

tests/unit/%.t: tests/unit/%.o lib/libskald.a
	@echo "  LD    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< lib/libskald.a $(LDLIBS) $(if $(CU_SRCS),-lstdc++)

tests/gpu/%.bin.t: tests/gpu/%.o lib/libskald.a
	@echo "  LD    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< lib/libskald.a $(LDLIBS) $(if $(CU_SRCS),-lstdc++)

# ---- tests ----------------------------------------------------------------
PROVE ?= prove
TEST_FILES = $(UNITS) $(sort $(wildcard tests/tools/*.t)) $(sort $(wildcard tests/conformance/*.t))

# GPU tests (tests/gpu/*.t: C programs from tests/gpu/*.c and shell scripts): `make test` runs
# them on the GPU when tests/gpu/have-gpu finds one; otherwise on the CPU emulator of the CUDA
# runtime, cuBLAS and NCCL (tests/gpu/emu), built in a copy of the tree under build/emu so that
# this build is untouched. `make test-gpu` runs them here regardless; `make test-emu` runs them
# on the emulator only.
GPU_TEST_FILES = $(sort $(GPUTESTS) $(wildcard tests/gpu/*.t))
EMU_BUILD := build/emu
EMU_TEST_FILES = $(addprefix $(EMU_BUILD)/,$(GPU_TEST_FILES))
test: all
	$(Q)if tests/gpu/have-gpu; then \
	    echo "GPU found: tests/gpu run on it"; \
	    $(PROVE) -j2 --exec '' $(TEST_FILES) $(GPU_TEST_FILES); \
	else \
	    echo "# no GPU visible: tests/gpu run on the CPU emulator of CUDA ($(EMU_BUILD))"; \
	    $(MAKE) --no-print-directory emu-build && \
	    $(PROVE) -j2 --exec '' $(TEST_FILES) $(EMU_TEST_FILES); \
	fi

test-gpu: all
	$(PROVE) --exec '' $(GPU_TEST_FILES)

test-emu: emu-build
	$(PROVE) -j2 --exec '' $(EMU_TEST_FILES)

# The emulator build: the tracked and new source files copied (unchanged ones keep their
# times, so the build there is incremental), built with CUDA_EMU=1; tests/gpu/.emulated tells
# tests/gpu/have-gpu there that the emulator is the GPU.
emu-build: deps-summary
	@mkdir -p $(EMU_BUILD)
	$(Q)git ls-files -co --exclude-standard > $(EMU_BUILD).files || \
	    { echo "ERROR: the emulator build copies the tree with git: not a git checkout"; exit 1; }
	$(Q)grep -v '^build/' $(EMU_BUILD).files | tar --ignore-failed-read -cf - -T - 2>/dev/null | \
	    tar -xf - -C $(EMU_BUILD)
	@echo "  MAKE  $(EMU_BUILD) (CUDA_EMU=1; log in $(EMU_BUILD)/build.log)"
	$(Q)$(MAKE) --no-print-directory -C $(EMU_BUILD) CUDA_EMU=1 all > $(EMU_BUILD)/build.log 2>&1 || \
	    { tail -n 30 $(EMU_BUILD)/build.log; exit 1; }
	$(Q)touch $(EMU_BUILD)/tests/gpu/.emulated

bench: all
	@for b in tests/bench/*.sh; do echo "== $$b"; sh $$b || exit 1; done

# ---- found / missing summary ---------------------------------------------
# "found" when built in; "off" when turned off on the command line; else "missing"
mark = $(if $(filter 1,$($(1))),found,$(if $(filter command line,$(origin $(1))),off ($(1)=0),missing))
pkgmark = $(if $(shell pkg-config --exists $(1) 2>/dev/null && echo y),found,MISSING (see INSTALL))
deps-summary:
	@echo "skald build:"
	@echo "  openblas  $(call pkgmark,openblas)"
	@echo "  fftw3f    $(call pkgmark,fftw3f)"
	@echo "  sndfile   $(call pkgmark,sndfile)"
	@echo "  CUDA      $(call mark,CUDA) $(if $(filter 1,$(CUDA_EMU)),(CPU emulator, tests only),$(if $(filter 1,$(CUDA)),($(NVCC)),(CPU only)))"
	@echo "  NCCL      $(call mark,NCCL)"
	@echo "  MPI       $(call mark,MPI)"
	@for p in $(PKGS); do pkg-config --exists $$p || { echo "ERROR: $$p not found: see INSTALL"; exit 1; }; done

deps: deps-summary

clean:
	rm -f lib/libskald.a $(LIB_OBJS) $(TOOLS) $(addsuffix .o,$(TOOLS)) $(UNITS) \
	      $(UNITS:.t=.o) $(GPUTESTS) $(GPUTESTS:.bin.t=.o) $(shell find lib featbin nnetbin bin tests -name '*.d' 2>/dev/null)
	rm -rf $(EMU_BUILD) $(EMU_BUILD).files

.PHONY: all test test-gpu test-emu emu-build bench clean deps deps-summary
.SECONDARY:

-include $(shell find lib featbin nnetbin bin tests -name '*.d' 2>/dev/null)
