import sys

import tb_lib

if len(sys.argv) > 1 and sys.argv[1] == "ok":
    print("traceback binary ok")
    sys.exit(0)
tb_lib.explode(3)  # marker: tb_main call line
