"""The local pool's workers while they start up: a Ctrl-C to the build's process group or a ``kill -9`` of the
build before a worker got its task must not print a worker's traceback into the build's output (seen under
load in the kill/interrupt test: ``KeyboardInterrupt`` in multiprocessing's ``prepare``, ``EOFError`` reading
the task).  A real spawned process, started the way the pool starts its workers."""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import multiprocessing, os, signal, sys, time
    from pathlib import Path

    from reviewkit.pipeline.runner import _workers_starting, die_with_parent


    def worker(parent):
        die_with_parent(parent)  # the pool's initializer
        os.kill(os.getpid(), signal.SIGINT)  # a Ctrl-C to the process group: the build's to handle
        time.sleep(0.2)
        print("survived the Ctrl-C", flush=True)
        raise RuntimeError("what a worker interrupted while it starts up prints")


    if __name__ == "__main__":
        with _workers_starting(Path(sys.argv[1])):
            p = multiprocessing.get_context("spawn").Process(target=worker, args=(os.getpid(),))
            p.start()
        print("build stderr line", file=sys.stderr, flush=True)
        p.join()
        print("exit code", p.exitcode)
    """
)


def test_a_worker_ignores_ctrl_c_and_writes_its_traceback_to_its_log_not_the_build_output(tmp_path):
    script = tmp_path / "spawn_a_worker.py"
    script.write_text(SCRIPT, encoding="utf-8")
    log = tmp_path / "work" / "workers.log"
    proc = subprocess.run([sys.executable, str(script), str(log)], capture_output=True, text=True, timeout=120)
    assert proc.stdout.splitlines() == ["survived the Ctrl-C", "exit code 1"], proc.stdout + proc.stderr
    assert proc.stderr == "build stderr line\n"  # the build's own standard error is back after the spawn
    worker = log.read_text(encoding="utf-8")  # the worker's traceback went to the log
    assert "Traceback" in worker and "RuntimeError: what a worker interrupted while it starts up prints" in worker
