"""bzlmod front-end (Bazel 7+; never loaded by Bazel 4)."""

load("//oxidizer:repositories.bzl", "CPYTHON_SOURCES")
load("//oxidizer/private:python_distribution_repo.bzl", "oxidizer_python_distribution")
load("//oxidizer/private:python_source_repo.bzl", "oxidizer_python_source")
load("//oxidizer/private:zstd_repo.bzl", "oxidizer_zstd_repository")

_python_distribution = tag_class(
    doc = "Declares a CPython installation with a static libpython as a repository.",
    attrs = {
        "name": attr.string(mandatory = True, doc = "Repository name, e.g. `oxidizer_python`."),
        "interpreter": attr.string(default = "/usr/bin/python3.11", doc = "Absolute path of the interpreter."),
        "static_library": attr.string(doc = "Path of `libpython3.X.a` when sysconfig does not find it."),
        "include_dir": attr.string(doc = "Directory holding `Python.h`."),
        "stdlib_dir": attr.string(doc = "Directory of the standard library."),
    },
)

_python_source = tag_class(
    doc = "Declares CPython built from source by Bazel (`oxidizer_python_source`), by default Debian's pinned source of `python_version`.",
    attrs = {
        "name": attr.string(mandatory = True, doc = "Repository name, e.g. `oxidizer_python`."),
        "python_version": attr.string(default = "3.11", doc = "`3.11` or `3.13`; picks Debian's pinned source when `urls` is empty."),
        "urls": attr.string_list(doc = "Source archive URLs (instead of Debian's pinned source)."),
        "sha256": attr.string(doc = "SHA-256 of the archive (with `urls`)."),
        "strip_prefix": attr.string(doc = "Prefix stripped from the archive (with `urls`)."),
        "pgo": attr.bool(default = True, doc = "Profile-guided optimization."),
        "lto": attr.bool(default = True, doc = "Link-time optimization (once per member of the libpython archive)."),
        "enable_modules": attr.string_list(doc = "Modules left out by default to build in anyway (`_gdbm`: GPL-3.0)."),
    },
)

def _oxidizer_impl(module_ctx):
    # Debian's static libzstd for the runtime (rules_oxidizer's own use_repo).
    oxidizer_zstd_repository(name = "oxidizer_zstd")
    for mod in module_ctx.modules:
        for src in mod.tags.python_source:
            pinned = CPYTHON_SOURCES[src.python_version]
            oxidizer_python_source(
                name = src.name,
                urls = src.urls or pinned.urls,
                sha256 = src.sha256 if src.urls else pinned.sha256,
                strip_prefix = src.strip_prefix if src.urls else pinned.strip_prefix,
                python_version = src.python_version,
                pgo = src.pgo,
                lto = src.lto,
                enable_modules = src.enable_modules,
            )
        for dist in mod.tags.python_distribution:
            oxidizer_python_distribution(
                name = dist.name,
                interpreter = dist.interpreter,
                static_library = dist.static_library,
                include_dir = dist.include_dir,
                stdlib_dir = dist.stdlib_dir,
            )

oxidizer = module_extension(
    implementation = _oxidizer_impl,
    tag_classes = {"python_distribution": _python_distribution, "python_source": _python_source},
    doc = "Creates `oxidizer_python_source` and `oxidizer_python_distribution` repositories for bzlmod users.",
)
