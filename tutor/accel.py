"""Choose where CUDA kernels run: a real GPU, or Numba's CUDA simulator when there is none;
and keep the CPU's thread pools (Numba's, BLAS's) from fighting over the cores.

numba.cuda decides between the two once, when it is first imported, from the setting
NUMBA_ENABLE_CUDASIM. So the choice has to be made before that import; this module makes
it, and is the one place the rest of tutor gets ``numba.cuda`` from. It imports nothing
from numba itself until asked, because importing numba takes a while.
"""

import ctypes.util
import os
import sys
from types import ModuleType

SIMULATOR_ENV = "NUMBA_ENABLE_CUDASIM"
_DEVICE_NODES = ("/dev/nvidia0", "/dev/nvidiactl", "/dev/dxg")  # Linux, and WSL's /dev/dxg


def has_cuda_driver() -> bool:
    """Whether this machine looks able to run CUDA: a driver library (and, on Linux, a
    device node). A cheap test that never loads the driver."""
    if sys.platform.startswith("linux") and not any(map(os.path.exists, _DEVICE_NODES)):
        return False
    if os.environ.get("NUMBA_CUDA_DRIVER"):  # a driver library named explicitly
        return True
    return any(ctypes.util.find_library(name) for name in ("cuda", "nvcuda"))


def _simulated_by_env() -> bool | None:
    value = os.environ.get(SIMULATOR_ENV, "").strip()
    if not value:
        return None
    try:
        return int(value) != 0
    except ValueError:
        return None  # numba would ignore it too


def select_cuda_target() -> str:
    """Decide, before numba.cuda is imported, whether it will drive a GPU or the simulator.

    An explicit NUMBA_ENABLE_CUDASIM is respected; otherwise the simulator is used when no
    CUDA driver is present. Once numba.cuda is imported the choice is fixed, and this only
    reports it. Returns "gpu" or "simulator".
    """
    if "numba.cuda" in sys.modules:
        return _loaded_target()
    simulate = _simulated_by_env()
    if simulate is None:
        simulate = not has_cuda_driver()
        os.environ[SIMULATOR_ENV] = "1" if simulate else "0"
    if "numba" in sys.modules:  # numba read the environment when it was imported
        import numba

        numba.config.reload_config()
    return "simulator" if simulate else "gpu"


def _loaded_target() -> str:
    # numba.cuda pulls in its simulator package only when it chose the simulator
    return "simulator" if "numba.cuda.simulator_init" in sys.modules else "gpu"


def quiet_thread_pools() -> None:
    """Let Numba's parallel loops and NumPy's BLAS take turns on the cores without fighting.

    Both keep threads of their own, and by default each pool's threads spin on their cores
    for a while after their work, waiting for more: OpenBLAS's for about 0.1 s, OpenMP's
    (Numba's) for less. A kernel that alternates the two (a product, then a parallel
    softmax, then a product) finds the other pool's threads still spinning on the cores it
    needs: on 2 cores a convolution ran 2 to 70 times slower with 2 threads than with 1.
    Waiting passively instead costs a few microseconds per wake-up. Each variable is set
    only if the user has not set it, and is read when its library loads: OpenBLAS's when
    NumPy is first imported, OpenMP's at Numba's first parallel loop.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # 2^4 cycles of spinning, the least


def cuda() -> ModuleType:
    """The ``numba.cuda`` module, imported after `select_cuda_target` has had its say."""
    select_cuda_target()
    from numba import cuda as numba_cuda

    return numba_cuda


def cuda_target() -> str:
    """Where kernels launched through `cuda()` run: "gpu" or "simulator"."""
    cuda()
    return _loaded_target()
