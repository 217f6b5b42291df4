"""Exit behaviour probe: argv[1] names a scenario (tests/integration/test_fast_exit.py)."""

import atexit
import os
import sys
import threading
import time


class Noisy:
    """Writes to fd 1 when finalized (works even after sys.stdout is gone)."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __del__(self) -> None:
        os.write(1, f"del {self.label}\n".encode())


def worker() -> None:
    print("worker ran", flush=True)


def main(scenario: str, arg: str) -> int:
    if scenario == "threads":
        def late() -> None:
            time.sleep(0.3)
            print("thread done")
        threading.Thread(target=late).start()
        threading.Thread(target=lambda: time.sleep(60), daemon=True).start()
        print("main done")
        return 0
    if scenario == "atexit":
        atexit.register(print, "atexit second")
        atexit.register(print, "atexit first")
        atexit.register(lambda: 1 / 0)
        print("main done")
        return 0
    if scenario == "print":
        print("x" * 100)
        return 0
    if scenario == "files":
        # Held by another module, and in a reference cycle: never closed by the program.
        held = open(os.path.join(arg, "held.txt"), "w", encoding="utf-8")
        held.write("held text")
        sys.oxidizer_probe_held = held
        raw = open(os.path.join(arg, "cycle.bin"), "wb")
        raw.write(b"cycle bytes")
        cycle = [raw]
        cycle.append(cycle)
        rw = open(os.path.join(arg, "random.bin"), "w+b")
        rw.write(b"random bytes")
        sys.oxidizer_probe_rw = rw
        return 0
    if scenario == "main_dict":
        import tempfile
        globals()["tmp"] = tempfile.NamedTemporaryFile(prefix="probe-", dir=arg)
        globals()["noisy"] = Noisy("main")
        print("tmp", globals()["tmp"].name, flush=True)
        return 0
    if scenario == "held_elsewhere":
        import json
        json.oxidizer_probe_noisy = Noisy("held")
        return 0
    if scenario == "c_stdio":
        import ctypes
        libc = ctypes.CDLL(None)
        libc.printf(b"from C stdio\n")
        return 0
    if scenario == "keyboard_interrupt":
        raise KeyboardInterrupt
    if scenario == "exit_int":
        sys.exit(int(arg))
    if scenario == "exit_str":
        sys.exit(arg)
    if scenario == "exit_none":
        sys.exit(None)
    if scenario == "thread_exit":
        t = threading.Thread(target=sys.exit, args=(5,))
        t.start()
        t.join()
        print("main continues")
        return 0
    if scenario == "multiprocessing":
        import multiprocessing
        for method in ("fork", "spawn"):
            p = multiprocessing.get_context(method).Process(target=worker)
            p.start()
            p.join()
            print(method, p.exitcode, flush=True)
        return 0
    if scenario == "modules":
        import json  # noqa: F401
        return 0
    if scenario == "frozen":
        import gc
        print("freeze_count", gc.get_freeze_count() > 0)
        import os.path as osp
        print("loader", getattr(os.__loader__, "__name__", type(os.__loader__).__name__))
        print("origin", os.__spec__.origin, osp.__name__)
        os.makedirs(arg)
        return 0
    print(f"unknown scenario {scenario!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""))
