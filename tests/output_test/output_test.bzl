"""oxidized_binary_output_test: runs a built binary and compares its output with a checked-in file.

Test-only: `bazel test //examples/...` runs each example this way. Not part of the public API.
"""

def _shell_quote(s):
    # `args` of a test go through Bourne shell tokenization: one element stays one argument.
    return "'" + s.replace("'", "'\\''") + "'"

def oxidized_binary_output_test(
        name,
        binary,
        expected_stdout,
        expected_stderr = None,
        expected_exit_code = 0,
        args = [],
        env = {},
        alone = False,
        size = "small",
        **kwargs):
    """Runs `binary` with `args` and compares its exit status, stdout and stderr.

    Args:
      name: the test's name.
      binary: the executable under test (a `py_oxidized_binary`).
      expected_stdout: a file holding exactly the expected stdout.
      expected_stderr: a file holding exactly the expected stderr; None: stderr must be empty.
      expected_exit_code: the expected exit status.
      args: the binary's arguments, each passed as one argument (Make variables are expanded,
        so write `$$` for `$`).
      env: environment variables for the binary, added to the test's environment, or, with
        `alone`, its whole environment.
      alone: copy the binary alone into an empty directory and run it there with `env` alone
        (as `env -i`): the test fails if the binary ships anything beside itself
        (`<name>_lib/`) or leaves a file in its working directory.
      size: the test's size.
      **kwargs: common test attributes (tags, timeout, ...).
    """
    data = [binary, expected_stdout]
    if expected_stderr:
        data.append(expected_stderr)
    native.sh_test(
        name = name,
        srcs = [Label("//tests/output_test:run_output_test.sh")],
        args = [
            "$(rootpath %s)" % binary,
            str(expected_exit_code),
            "$(rootpath %s)" % expected_stdout,
            "$(rootpath %s)" % expected_stderr if expected_stderr else "-",
            "alone" if alone else "runfiles",
        ] + [_shell_quote("%s=%s" % (k, v)) for k, v in sorted(env.items())] + ["--"] + [_shell_quote(a) for a in args],
        data = data,
        size = size,
        **kwargs
    )
