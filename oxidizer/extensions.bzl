"""bzlmod front-end (Bazel 7+; never loaded by Bazel 4)."""

load("//oxidizer/private:python_distribution_repo.bzl", "oxidizer_python_distribution")

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

def _oxidizer_impl(module_ctx):
    for mod in module_ctx.modules:
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
    tag_classes = {"python_distribution": _python_distribution},
    doc = "Creates `oxidizer_python_distribution` repositories for bzlmod users.",
)
