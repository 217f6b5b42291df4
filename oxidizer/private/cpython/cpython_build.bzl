"""The `cpython_build` rule: CPython compiled from source by one cacheable action.

Used by the repositories `oxidizer_python_source` generates. The action runs
`build_cpython.sh` (configure, make, PGO training, and `split_libpython.py`'s LTO-linked archive members) with the C toolchain Bazel
resolved; everything it reads is declared: the source tree, the static third-party archives
and headers, the script.
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")

def _cpython_build_impl(ctx):
    version = ctx.attr.version
    libpython = ctx.actions.declare_file(ctx.label.name + "/libpython%s.a" % version)
    inittab = ctx.actions.declare_file(ctx.label.name + "/inittab.json")
    pyconfig = ctx.actions.declare_file(ctx.label.name + "/pyconfig.h")

    # The interpreter finds its standard library by itself: bin/../lib/pythonX.Y/os.py.
    interpreter = ctx.actions.declare_file(ctx.label.name + "/home/bin/python" + version)
    stdlib = ctx.actions.declare_directory(ctx.label.name + "/home/lib/python" + version)
    log = ctx.actions.declare_file(ctx.label.name + "/build.log")

    cc_toolchain = find_cpp_toolchain(ctx)
    source_root = ctx.files.source[0].path.split("/src/")[0] + "/src"
    deps_root = source_root[:-len("src")] + "deps"

    args = ctx.actions.args()
    args.add("src=" + source_root)
    args.add("deps=" + deps_root)
    args.add("cc=" + cc_toolchain.compiler_executable)
    args.add("version=" + version)
    args.add("pgo=%d" % int(ctx.attr.pgo))
    args.add("lto=%d" % int(ctx.attr.lto))
    args.add("disabled=" + ",".join(ctx.attr.disabled_modules))
    args.add("jobs=%d" % ctx.attr.jobs)
    args.add("training=" + ctx.file.training.path)
    args.add("splitter=" + ctx.file.splitter.path)
    args.add("out_archive=" + libpython.path)
    args.add("out_inittab=" + inittab.path)
    args.add("out_pyconfig=" + pyconfig.path)
    args.add("out_interpreter=" + interpreter.path)
    args.add("out_stdlib=" + stdlib.path)
    args.add("out_log=" + log.path)

    ctx.actions.run(
        executable = ctx.executable.script,
        arguments = [args],
        inputs = depset(ctx.files.source + ctx.files.deps + [ctx.file.training, ctx.file.splitter], transitive = [cc_toolchain.all_files]),
        outputs = [libpython, inittab, pyconfig, interpreter, stdlib, log],
        mnemonic = "OxidizerBuildCPython",
        progress_message = "Building CPython %s from source (configure, PGO, LTO) for %s" % (version, ctx.label),
        # The Makefile's tools (sh, make, sed) come from PATH, like the C toolchain's.
        use_default_shell_env = True,
    )
    return [
        DefaultInfo(files = depset([libpython, inittab, pyconfig, interpreter, stdlib])),
        OutputGroupInfo(
            libpython_archive = depset([libpython]),
            inittab = depset([inittab]),
            pyconfig = depset([pyconfig]),
            interpreter = depset([interpreter]),
            stdlib = depset([stdlib]),
            build_log = depset([log]),
        ),
    ]

cpython_build = rule(
    implementation = _cpython_build_impl,
    doc = "Compiles CPython from source (one action). Output groups: `libpython_archive`, `inittab`, `pyconfig`, `interpreter`, `stdlib`, `build_log`.",
    attrs = {
        "source": attr.label(mandatory = True, allow_files = True, doc = "Every file of the CPython source tree (under a `src/` directory)."),
        "deps": attr.label(allow_files = True, doc = "Static archives (`deps/lib`) and headers (`deps/include`) of the third-party libraries."),
        "version": attr.string(mandatory = True, doc = "`X.Y` the source must be."),
        "pgo": attr.bool(default = True, doc = "Profile-guided optimization."),
        "lto": attr.bool(default = True, doc = "Link-time optimization of the archive's members."),
        "disabled_modules": attr.string_list(doc = "Extension modules not built."),
        "jobs": attr.int(default = 2, doc = "Parallel compile jobs (also the action's CPU reservation)."),
        # In the distribution repository (oxidizer_python_source copies it there), so that
        # the action's command line, and so its cache key, is the same in every workspace.
        "script": attr.label(
            mandatory = True,
            executable = True,
            cfg = "exec",
            allow_single_file = True,
            doc = "build_cpython.sh.",
        ),
        "splitter": attr.label(mandatory = True, allow_single_file = [".py"], doc = "split_libpython.py, which makes the libpython archive and its inittab table."),
        "training": attr.label(mandatory = True, allow_single_file = [".py"], doc = "The PGO training script (pgo_training.py)."),
        "_cc_toolchain": attr.label(default = Label("@bazel_tools//tools/cpp:current_cc_toolchain")),
    },
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    incompatible_use_toolchain_transition = True,
)

def _exec_output_impl(ctx):
    files = ctx.attr.src[OutputGroupInfo][ctx.attr.output_group]
    if not ctx.attr.out:
        return [DefaultInfo(files = files)]

    # A copy in this configuration's package, where `includes` can name its directory.
    out = ctx.actions.declare_file(ctx.attr.out)
    ctx.actions.symlink(output = out, target_file = files.to_list()[0])
    return [DefaultInfo(files = depset([out]))]

exec_output = rule(
    implementation = _exec_output_impl,
    doc = "Forwards one output group of a target built in the exec configuration.",
    attrs = {
        "src": attr.label(mandatory = True, cfg = "exec", doc = "The target (built for the exec platform)."),
        "output_group": attr.string(mandatory = True, doc = "The output group forwarded."),
        "out": attr.string(doc = "Path (in this package) of a copy of the group's single file; none when empty."),
    },
)
