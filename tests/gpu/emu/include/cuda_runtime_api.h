/* cuda_runtime_api.h — skald's CUDA emulator: see cuda_runtime.h. */
#include "cuda_runtime.h"
