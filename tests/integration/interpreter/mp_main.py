import json
import multiprocessing
import os
import sys

import mp_lib

if __name__ == "__main__":
    method = multiprocessing.get_start_method()
    with multiprocessing.get_context(method).Pool(2) as pool:
        results = pool.map(mp_lib.square, range(6))
    print(json.dumps({
        "method": method,
        "squares": [r[0] for r in results],
        "child_pids": sorted({r[1] for r in results}),
        "parent_pid": os.getpid(),
        "executable": sys.executable,
    }))
