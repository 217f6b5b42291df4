"""The runtime behaviour test: test programs of the runtime, built and checked by Bazel.

`runtime_behaviour_test` builds, for one distribution, the test extension modules
(`runtime/testdata/test_ext.c`), the packed blobs (`runtime/testdata/make_test_blob.py`, run
by the distribution's own interpreter), one program per configuration variant (the runtime
linked with `runtime/tests/runtime_test_config.c` and the blobs), and an `sh_test`
(`runtime/tests/runtime_behaviour_test.sh`) that runs them.
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")
load("@rules_cc//cc:defs.bzl", "cc_binary")
load("@rules_cc//cc/common:cc_common.bzl", "cc_common")
load("@rules_cc//cc/common:cc_info.bzl", "CcInfo")
load("//oxidizer:providers.bzl", "PythonDistributionInfo")

# Test extension modules: module path stem -> dotted module name.
_EXTENSIONS = {
    "runtime_test_both": "runtime_test_both",
    "runtime_test_bothmem": "runtime_test_bothmem",
    "runtime_test_extpkg/__init__": "runtime_test_extpkg",
    "runtime_test_extpkgmem/__init__": "runtime_test_extpkgmem",
    "runtime_test_xpkg/ext": "runtime_test_xpkg.ext",
}

# Program name -> (blobs, -D knobs of runtime_test_config.c).
_PROGRAMS = {
    "probe": (["app", "stdlib"], []),
    "hello": (["app", "stdlib"], ['RUNTIME_TEST_RUN_TARGET="hello"']),
    "command": (["app", "stdlib"], [
        "RUNTIME_TEST_RUN_MODE=OXIDIZER_RUN_COMMAND",
        'RUNTIME_TEST_RUN_TARGET="import sys; print(\\"cmd\\", __name__, sys.argv[1:])"',
    ]),
    "module": (["app", "stdlib"], [
        "RUNTIME_TEST_RUN_MODE=OXIDIZER_RUN_MODULE",
        'RUNTIME_TEST_RUN_TARGET="runtime_test_modmain"',
    ]),
    "repl": (["app", "stdlib"], ["RUNTIME_TEST_RUN_MODE=OXIDIZER_RUN_REPL"]),
    "fsimporter": (["app", "stdlib"], ["RUNTIME_TEST_FS_IMPORTER=1"]),
    "opt2": (["app", "stdlib"], ["RUNTIME_TEST_OPTIMIZE=2"]),
    "site": (["app", "stdlib"], ["RUNTIME_TEST_SITE=1"]),
    "corrupt": (["corrupt"], []),
    "corrupt_payload": (["corrupt_payload", "stdlib"], []),
}

def _root_dir(files, import_root):
    """Exec path of the directory whose runfiles path is `import_root`, from one of `files`."""
    for f in files:
        short = f.short_path[3:] if f.short_path.startswith("../") else f.short_path
        if short == import_root:  # a tree artifact
            return f.path
        if short.startswith(import_root + "/"):
            return f.path[:len(f.path) - len(short) + len(import_root)]
    return None

def _runtime_test_data_impl(ctx):
    dist = ctx.attr.distribution[PythonDistributionInfo]
    interpreter_files = getattr(dist, "interpreter_files", None) or depset()
    stdlib = dist.stdlib.to_list()
    stdlib_dir = _root_dir(stdlib, dist.stdlib_import_root)
    if stdlib_dir == None:
        fail("%s: no standard library file under %s" % (ctx.label, dist.stdlib_import_root))
    lib_dynload = dist.lib_dynload.to_list()
    lib_dynload_dir = _root_dir(lib_dynload, dist.lib_dynload_import_root)

    support = ctx.files.support

    # The directory holding the _oxidized_importer package (whose packed_format writes the blobs).
    support_dir = support[0].path.rsplit("/_oxidized_importer/", 1)[0]

    args = ctx.actions.args()
    args.add_all(["-I", "-S", "-B", ctx.file._script, "stdlib", support_dir, ctx.outputs.stdlib, stdlib_dir])
    if lib_dynload_dir != None:
        args.add(lib_dynload_dir)
    ctx.actions.run(
        executable = dist.interpreter,
        arguments = [args],
        inputs = depset([ctx.file._script] + support, transitive = [dist.stdlib, dist.lib_dynload, interpreter_files]),
        outputs = [ctx.outputs.stdlib],
        mnemonic = "OxidizerRuntimeTestBlob",
        progress_message = "Packing the standard library for %s" % ctx.label,
        env = {"PYTHONHASHSEED": "0"},
    )

    files = ctx.actions.declare_directory(ctx.label.name + "_files")
    args = ctx.actions.args()
    args.add_all(["-I", "-S", "-B", ctx.file._script, "app"])
    args.add_all([ctx.outputs.app, ctx.outputs.corrupt, ctx.outputs.corrupt_payload])
    args.add(files.path)
    args.add(support_dir)
    for target, stem in ctx.attr.extensions.items():
        args.add("%s=%s" % (stem, target.files.to_list()[0].path))
    ctx.actions.run(
        executable = dist.interpreter,
        arguments = [args],
        inputs = depset([ctx.file._script] + support + ctx.files.extensions, transitive = [interpreter_files]),
        outputs = [ctx.outputs.app, ctx.outputs.corrupt, ctx.outputs.corrupt_payload, files],
        mnemonic = "OxidizerRuntimeTestBlob",
        progress_message = "Packing the test application for %s" % ctx.label,
        env = {"PYTHONHASHSEED": "0"},
    )
    return [DefaultInfo(files = depset([files]), runfiles = ctx.runfiles(files = [files]))]

_runtime_test_data = rule(
    implementation = _runtime_test_data_impl,
    doc = "Blobs and files of the runtime behaviour test, made by the distribution's interpreter.",
    attrs = {
        "distribution": attr.label(mandatory = True, providers = [PythonDistributionInfo], cfg = "exec", doc = "The distribution."),
        "extensions": attr.label_keyed_string_dict(allow_files = [".so"], doc = "Test extension module -> its module path stem."),
        "support": attr.label(allow_files = [".py"], doc = "The `_oxidized_importer` package sources (its `packed_format` writes the blobs)."),
        "app": attr.output(mandatory = True, doc = "The test application blob."),
        "stdlib": attr.output(mandatory = True, doc = "The standard library blob."),
        "corrupt": attr.output(mandatory = True, doc = "`app` with an index that overruns."),
        "corrupt_payload": attr.output(mandatory = True, doc = "`app` with a corrupted extraction payload."),
        "_script": attr.label(default = Label("//runtime:testdata/make_test_blob.py"), allow_single_file = True),
    },
)

def _runtime_test_program_impl(ctx):
    cc_toolchain = find_cpp_toolchain(ctx)
    feature_configuration = cc_common.configure_features(
        ctx = ctx,
        cc_toolchain = cc_toolchain,
        requested_features = ctx.features,
        unsupported_features = ctx.disabled_features,
    )
    blobs = ctx.files.blobs
    defines = ["RUNTIME_TEST_BLOB%d=\"%s\"" % (i, blob.path) for i, blob in enumerate(blobs)]
    runtime = ctx.attr.runtime[CcInfo]
    _, compilation_outputs = cc_common.compile(
        name = ctx.label.name,
        actions = ctx.actions,
        feature_configuration = feature_configuration,
        cc_toolchain = cc_toolchain,
        srcs = [ctx.file._config],
        compilation_contexts = [runtime.compilation_context],
        additional_inputs = blobs,
        user_compile_flags = ["-std=c11", "-Wall", "-Wextra", "-Werror"] +
                             ["-D" + d for d in defines + ctx.attr.defines],
    )
    linking_outputs = cc_common.link(
        name = ctx.label.name,
        actions = ctx.actions,
        feature_configuration = feature_configuration,
        cc_toolchain = cc_toolchain,
        compilation_outputs = compilation_outputs,
        linking_contexts = [runtime.linking_context],
        output_type = "executable",
        link_deps_statically = True,
        stamp = 0,
    )
    executable = linking_outputs.executable
    return [DefaultInfo(files = depset([executable]), executable = executable)]

_runtime_test_program = rule(
    implementation = _runtime_test_program_impl,
    doc = "The runtime linked with runtime/tests/runtime_test_config.c and up to two blobs.",
    attrs = {
        "runtime": attr.label(mandatory = True, providers = [CcInfo], doc = "The runtime `cc_library`."),
        "blobs": attr.label_list(allow_files = True, doc = "Packed blobs in search order (at most two)."),
        "defines": attr.string_list(doc = "`NAME=VALUE` knobs of runtime_test_config.c."),
        "_config": attr.label(default = Label("//runtime:tests/runtime_test_config.c"), allow_single_file = True),
        "_cc_toolchain": attr.label(default = Label("@bazel_tools//tools/cpp:current_cc_toolchain")),
    },
    executable = True,
    fragments = ["cpp"],
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
)

def runtime_behaviour_test(name, runtime, distribution, python_headers, lib_dynload = None, **kwargs):
    """The runtime's behaviour with one distribution.

    Start-up, OxidizedFinder, run modes, exit codes, resources, extension modules,
    extraction, corrupt data.

    Args:
      name: name of the `sh_test`; the other targets are prefixed with it.
      runtime: the runtime `cc_library` built against the distribution.
      distribution: its `python_distribution` target.
      python_headers: a `cc_library` of its headers, for the test extension modules.
      lib_dynload: its `lib-dynload` extension modules; None for a distribution that builds
        every extension module in (Bazel rejects `$(rootpaths)` of an empty target).
      **kwargs: other `sh_test` attributes.
    """
    extensions = {}
    for stem, fullname in _EXTENSIONS.items():
        ext = "%s_ext_%s.so" % (name, stem.replace("/", "_"))
        cc_binary(
            name = ext,
            srcs = [Label("//runtime:testdata/test_ext.c")],
            copts = [
                "-std=c11",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-DTEST_EXT_NAME=" + fullname.split(".")[-1],
                "-DTEST_EXT_FULLNAME=" + fullname,
            ],
            linkshared = True,
            deps = [python_headers],
            testonly = True,
        )
        extensions[":" + ext] = stem
    _runtime_test_data(
        name = name + "_data",
        distribution = distribution,
        extensions = extensions,
        support = Label("//runtime/python:support_srcs"),
        app = name + "_app.blob",
        stdlib = name + "_stdlib.blob",
        corrupt = name + "_corrupt.blob",
        corrupt_payload = name + "_corrupt_payload.blob",
        testonly = True,
    )
    for program, (blobs, defines) in _PROGRAMS.items():
        _runtime_test_program(
            name = "%s_%s" % (name, program),
            runtime = runtime,
            blobs = [":%s_%s.blob" % (name, blob) for blob in blobs],
            defines = defines,
            testonly = True,
        )
    native.sh_test(
        name = name,
        srcs = [Label("//runtime:tests/runtime_behaviour_test.sh")],
        args = [
            "$(rootpath :%s_data)" % name,
            "$(rootpath :%s_app.blob)" % name,
        ] + ["%s=$(rootpath :%s_%s)" % (program, name, program) for program in _PROGRAMS] + (
            ["--", "$(rootpaths %s)" % lib_dynload] if lib_dynload else []
        ),
        data = [
            ":%s_data" % name,
            ":%s_app.blob" % name,
        ] + ([lib_dynload] if lib_dynload else []) + [":%s_%s" % (name, program) for program in _PROGRAMS],
        **kwargs
    )
