"""Commands that run code: the lesson's experiment and the race of its kernels."""

from typing import Any

import click

from ..schema import LessonError
from .base import (
    check_jail,
    cli,
    console,
    fail,
    find_exercise,
    find_lesson,
    jail_option,
    open_store,
    show_notices,
    workspace,
)


@cli.command()
@click.argument("lesson_id", metavar="LESSON")
@click.option("--reference", is_flag=True, help="Use the reference even if yours pass.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Change a parameter of the experiment (repeatable).")
@jail_option
@click.pass_context
def run(ctx: click.Context, lesson_id: str, reference: bool, overrides: tuple[str, ...],
        jail: str) -> None:
    """Run LESSON's experiment: with each of your functions once it passes."""
    from rich.live import Live

    from .. import experiment
    from ..sandbox.supervisor import Limits

    lesson = find_lesson(ctx, lesson_id)
    check_jail(jail)
    if not lesson.has_module("experiment"):
        fail(f"lesson {lesson.id!r} has no experiment")
    try:
        params = experiment.parse_params(lesson, overrides)
    except LessonError:
        raise  # a broken experiment.py: reported by main() as the lesson's problem
    except ValueError as e:
        fail(str(e))
    ws = workspace()
    store = open_store(ws)
    setup = experiment.setup(lesson, ws.solution_path(lesson) if ws else None, store, reference,
                             Limits(jail=jail))
    show_notices()
    out = console()
    module = lesson.module("experiment")
    out.print(f"[bold]{getattr(module, 'TITLE', lesson.title)}[/] — with {setup.who} "
              f"[dim]({setup.reason})[/]")
    last = None
    try:
        if out.is_terminal:
            with Live(console=out, auto_refresh=False, transient=False) as live:
                for frame in experiment.frames(lesson, setup.ops, params):
                    live.update(frame, refresh=True)
                    last = frame
        else:
            for frame in experiment.frames(lesson, setup.ops, params):
                last = frame
            if last is not None:
                out.print(last)
    except experiment.LearnerError as e:
        fail(f"the experiment stopped: {e}", code=1)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as e:
        if setup.sandbox is not None:  # an unusable value from the learner, or a parameter
            fail(f"the experiment stopped with your functions and "
                 f"{params or 'its defaults'}: {type(e).__name__}: {e}. If your functions "
                 "returned something it cannot use, `--reference` runs it with the "
                 "reference", code=1)
        fail(f"the experiment failed with {params or 'its defaults'}: "
             f"{type(e).__name__}: {e}", code=1)
    finally:
        setup.close()
        show_notices()
        if store:
            store.close()
    if last is None:
        out.print("The experiment had nothing to show with these settings.")


@cli.command()
@click.argument("target", metavar="LESSON.FUNCTION")
@click.option("--size", type=click.IntRange(1, 100_000_000), default=None,
              help="Problem size (the lesson's race_inputs decide what it scales); by "
                   "default a realistic one from the lesson's BENCHMARKS, or a small one "
                   "under the simulator.")
@click.option("--repeat", type=click.IntRange(1, 1000), default=5, show_default=True)
@click.option("--simulator", is_flag=True,
              help="Also race the CUDA kernels under the simulator when there is no GPU "
                   "(correctness only: very slow, keep --size small).")
@click.pass_context
def race(ctx: click.Context, target: str, size: int | None, repeat: int,
         simulator: bool) -> None:
    """Race the lesson's NumPy, Numba and CUDA versions of a function on the same inputs."""
    from .. import accel

    accel.quiet_thread_pools()  # before NumPy's BLAS starts its threads
    import numpy as np

    from ..race import Mismatch, default_size
    from ..race import race as run_race

    lesson, exercise = find_exercise(ctx, target)
    if exercise is None:
        fail("give a function, e.g. `tutor race backprop.affine_forward`")
    if exercise.kernel is not None:
        _race_kernel(lesson, exercise, size, repeat)
        return
    cases = lesson.module("cases")
    make = getattr(cases, "race_inputs", None)
    if make is None:
        fail(f"lesson {lesson.id!r} has no race_inputs in its cases.py")
    backends = ["numpy", "numba"]
    out = console()
    gpu = accel.select_cuda_target() == "gpu"
    if gpu or simulator:
        backends.append("cuda")
    else:
        out.print("[dim]No GPU found: the CUDA kernels are left out (--simulator runs them "
                  "under the simulator, for correctness only).[/]")
    simulated = "cuda" in backends and not gpu
    if size is None:
        size = default_size(cases, exercise.name, quick=simulated)
    with out.status("compiling and timing…"):
        try:
            args = make(exercise.name, np.random.default_rng(0), *([size] if size else []))
            timings = run_race(lesson, exercise.name, args, backends, repeat)
        except Mismatch as e:
            fail(str(e), code=1)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as e:  # too big for memory, or a lesson's race inputs that fail
            fail(f"the race failed at size {size}: {type(e).__name__}: {e}", code=1)
    out.print(_race_table(exercise.id, size, timings, repeat, gpu))


def _race_table(name: str, size: int | None, timings: list, repeat: int, gpu: bool) -> Any:
    """The race's times, the first call's extra time (JIT compilation) apart, and a note
    on what compiling cost and what the cache saves."""
    import numba
    from rich.table import Table

    from ..race import break_even_calls

    base = next(t.seconds for t in timings if t.backend == "numpy")
    table = Table(title=f"{name}" + (f", size {size}" if size else ""),
                  caption=f"Numba threads: {numba.get_num_threads()}; each time is the "
                          f"best of {repeat} calls after the first.")
    for col in ("backend", "time", "vs NumPy", "first call", "compile", "max rel error"):
        table.add_column(col, justify="left" if col == "backend" else "right")
    for t in timings:
        how = " (compiled)" if t.compiled else " (from cache)" if t.loaded else ""
        table.add_row(t.backend + (" (simulator)" if t.backend == "cuda" and not gpu else ""),
                      _ms(t.seconds), f"{base / t.seconds:.2f}x", _ms(t.first_seconds),
                      (_ms(t.compile_seconds) + how) if t.backend != "numpy" else "-",
                      f"{t.max_rel_error:.1e}")
    numba_timing = next((t for t in timings if t.backend == "numba"), None)
    if numba_timing is None or not (numba_timing.compiled or numba_timing.loaded):
        return table
    from rich.console import Group
    from rich.text import Text

    calls = break_even_calls(numba_timing.compile_seconds, base, numba_timing.seconds)
    note = (f"Numba compiled the kernels on the first call and saved them to its cache; "
            f"later runs load them. The compile time pays for itself after about "
            f"{calls} calls." if numba_timing.compiled and calls is not None else
            "Numba compiled the kernels on the first call and saved them to its cache; "
            "later runs load them." if numba_timing.compiled else
            "Numba loaded the kernels it compiled in an earlier run from its cache.")
    return Group(table, Text(note, style="dim"))


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _race_kernel(lesson: Any, exercise: Any, size: int | None, repeat: int) -> None:
    """A kernel exercise: your kernel from the workspace against the reference kernel and
    PyTorch, on the GPU only."""
    from rich.table import Table

    from .. import kernel_race

    ws = workspace()
    solution = ws.solution_path(lesson) if ws else None
    if solution is None or not solution.is_file():
        fail(f"no {lesson.id}.py here: run it in your workspace (tutor init makes one)")
    out = console()
    try:
        with out.status("compiling and timing on the GPU…"):
            entries, peak, args = kernel_race.race(lesson, exercise, solution, size, repeat)
    except kernel_race.NoGpu:
        fail(f"`tutor race {exercise.id}` times kernels on a GPU, and this machine has none "
             "(no CUDA driver or device). The CUDA simulator is never timed: it runs one "
             f"Python thread per CUDA thread. `tutor check {lesson.id}` grades your kernels "
             "without a GPU.", code=1)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as e:
        fail(f"the race failed: {type(e).__name__}: {e}", code=1)
    flops, nbytes = kernel_race.work(exercise, args)
    shapes = " x ".join(str(a.shape) for a in args if hasattr(a, "shape"))
    table = Table(title=f"{exercise.id} on {peak.name}: {shapes}")
    for col in ("kernel", "time", "GFLOP/s", "GB/s", "of peak", "max rel error"):
        table.add_column(col, justify="left" if col == "kernel" else "right")
    for entry in entries:
        seconds = entry.seconds
        gflops = flops / seconds / 1e9 if flops else None
        gbs = nbytes / seconds / 1e9
        share = (flops / seconds / peak.flops if flops and peak.flops else
                 nbytes / seconds / peak.bytes if not flops and peak.bytes else None)
        table.add_row(entry.who, f"{seconds * 1e3:.3f} ms",
                      f"{gflops:,.0f}" if gflops is not None else "-", f"{gbs:,.0f}",
                      f"{share:.0%}" if share is not None else "?",
                      f"{entry.max_rel_error:.1e}")
    out.print(table)
    what = "float64 arithmetic" if flops else "memory bandwidth"
    out.print(f"[dim]Best of {repeat} launches after a first that compiles; the share of "
              f"peak is of the device's {what}; GB/s counts each array read or written once.[/]")
