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
# Targets: all (default), test, test-gpu, bench, clean, deps (the found/missing summary).
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
ifeq ($(origin MPI),undefined)
MPI := $(if $(shell command -v mpicc 2>/dev/null),1,0)
endif

CU_SRCS  := $(if $(filter 1,$(CUDA)),$(wildcard lib/compute/cuda/*.cu))
ifeq ($(CUDA),1)
CPPFLAGS += -DSK_HAVE_CUDA=1 -I$(CUDA_HOME)/include
LDLIBS   += -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcublas -lcudart
NVCCFLAGS ?= -O2 -std=c++17 $(CUDA_ARCH) -Ilib -Xcompiler -Wall,-Wextra,-Werror,-fPIC -Werror all-warnings
endif
ifeq ($(NCCL),1)
CPPFLAGS += -DSK_HAVE_NCCL=1
LDLIBS   += -lnccl
endif
ifeq ($(MPI),1)
CPPFLAGS += -DSK_HAVE_MPI=1 $(shell mpicc --showme:compile 2>/dev/null)
LDLIBS   += $(shell mpicc --showme:link 2>/dev/null)
endif

# ---- sources --------------------------------------------------------------
# Layers, lowest first; a layer may include only layers to its left (tests/tools/layers.t checks).
LAYERS   := base io matrix feat hmm compute nnet fst lat
LIB_SRCS := $(foreach l,$(LAYERS),$(wildcard lib/$(l)/*.c))
LIB_OBJS := $(LIB_SRCS:.c=.o) $(CU_SRCS:.cu=.o)
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

lib/compute/cuda/%.o: lib/compute/cuda/%.cu
	@echo "  NVCC  $@"
	$(Q)$(NVCC) $(NVCCFLAGS) $(filter -D%,$(CPPFLAGS)) -MMD -MP -c -o $@ $<

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

# GPU tests (tests/gpu/*.t: C programs from tests/gpu/*.c and shell scripts) run in `make test`
# only when tests/gpu/have-gpu finds a usable GPU; `make test-gpu` runs them regardless.
GPU_TEST_FILES = $(sort $(GPUTESTS) $(wildcard tests/gpu/*.t))
test: all
	@if tests/gpu/have-gpu; then echo "GPU found: running tests/gpu too"; \
	 else echo "# no GPU visible: tests/gpu skipped (make test-gpu runs them on a GPU machine)"; fi
	$(PROVE) -j2 --exec '' $(TEST_FILES) $$(tests/gpu/have-gpu && echo $(GPU_TEST_FILES))

test-gpu: all
	$(PROVE) --exec '' $(GPU_TEST_FILES)

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
	@echo "  CUDA      $(call mark,CUDA) $(if $(filter 1,$(CUDA)),($(NVCC)),(CPU only))"
	@echo "  NCCL      $(call mark,NCCL)"
	@echo "  MPI       $(call mark,MPI)"
	@for p in $(PKGS); do pkg-config --exists $$p || { echo "ERROR: $$p not found: see INSTALL"; exit 1; }; done

deps: deps-summary

clean:
	rm -f lib/libskald.a $(LIB_OBJS) $(TOOLS) $(addsuffix .o,$(TOOLS)) $(UNITS) \
	      $(UNITS:.t=.o) $(GPUTESTS) $(GPUTESTS:.bin.t=.o) $(shell find lib featbin nnetbin bin tests -name '*.d' 2>/dev/null)

.PHONY: all test test-gpu bench clean deps deps-summary
.SECONDARY:

-include $(shell find lib featbin nnetbin bin tests -name '*.d' 2>/dev/null)
