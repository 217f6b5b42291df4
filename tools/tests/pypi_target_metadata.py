"""The embedded distribution described as a wheel target, shared by the PyPI tool tests."""

# The embedded distribution as a wheel target (tools/oxidizer_tools/pypi): a CPython 3.11 on
# glibc 2.36 x86_64, as oxidizer/private/introspect_python.py describes it in metadata.json.
TARGET_METADATA = {
    "marker_environment": {
        "implementation_name": "cpython",
        "implementation_version": "3.11.2",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "platform_python_implementation": "CPython",
        "platform_release": "6.1.0",
        "platform_system": "Linux",
        "platform_version": "#1 SMP",
        "python_full_version": "3.11.2",
        "python_version": "3.11",
        "sys_platform": "linux",
    },
    "wheel_target": {
        "abiflags": "",
        "glibc_version": "2.36",
        "implementation": "cpython",
        "platform": "linux-x86_64",
        "python_version": "3.11",
        "soabi": "cpython-311-x86_64-linux-gnu",
    },
}
