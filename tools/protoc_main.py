"""Runs protoc from grpcio-tools (a PyPI wheel), so generating code needs no system protoc."""

import sys

from grpc_tools import protoc

if __name__ == "__main__":
    sys.exit(protoc.main(["protoc"] + sys.argv[1:]))
