"""Tests of tools/rules_reference.py: evaluating .bzl declarations and rendering the reference."""

from __future__ import annotations

from pathlib import Path

import pytest

import rules_reference
from rules_reference import StarlarkError, reference

_REPO = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    out = {}
    for short, text in files.items():
        path = tmp_path / short
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out[short] = path
    return out


def test_merged_and_helper_built_attrs_are_evaluated(tmp_path: Path) -> None:
    files = _write(
        tmp_path,
        {
            "x/private/common.bzl": (
                'COMMON = {"flag": attr.bool(default = False, doc = "Common flag."), "_tool": attr.label()}\n'
                "def made(names):\n"
                '    return {n: attr.string(default = n.upper(), doc = "Made %s." % n) for n in names}\n'
            ),
            "x/private/rule.bzl": (
                'load("@other//:defs.bzl", "OtherInfo")\n'
                'load(":common.bzl", "COMMON", "made")\n'
                "def _impl(ctx):\n    pass\n"
                "my_rule = rule(implementation = _impl, doc = 'Does it.', attrs = dict(COMMON, **dict(made(['b', 'a']), **{\n"
                '    "flag": attr.bool(default = True, doc = "Overridden flag."),\n'
                '    "deps": attr.label_list(providers = [OtherInfo], mandatory = True, doc = "Deps | pipes."),\n'
                '    "dist": attr.label(default = Label("//x:dist"), doc = "A label."),\n'
                "})))\n"
            ),
            "x/defs.bzl": 'load("//x/private:rule.bzl", _my_rule = "my_rule")\nmy_rule = _my_rule\n',
        },
    )
    text = reference(files, ["//x:defs.bzl"])
    assert text.startswith("<!-- BEGIN GENERATED: reference-my_rule -->\n<pre>\nmy_rule(")
    # name first, then alphabetical; no private attribute.
    assert [line.split("</a>")[1].split(" ")[0] for line in text.splitlines() if line.startswith("| <a id=")] == [
        "name",
        "a",
        "b",
        "deps",
        "dist",
        "flag",
    ]
    assert '| <a id="my_rule-flag"></a>flag |  Overridden flag.   | Boolean | optional | `True` |' in text
    assert '| <a id="my_rule-a"></a>a |  Made a.   | String | optional | `"A"` |' in text
    assert "Deps \\| pipes." in text and "| required |  |" in text
    assert '`"@rules_oxidizer//x:dist"`' in text
    assert "_tool" not in text
    assert text.endswith("<!-- END GENERATED: reference-my_rule -->\n")


def test_macro_provider_repository_rule_and_loaded_names(tmp_path: Path) -> None:
    files = _write(
        tmp_path,
        {
            "x/defs.bzl": (
                'load("@bazel_tools//tools/build_defs/repo:utils.bzl", "maybe")\n'
                'Info = provider(doc = "An info.", fields = {"f": ":type: File\\n\\nThe file."})\n'
                "def mac(name, version = \"3.11\", **kwargs):\n"
                '    """Makes things.\n\n    More text.\n\n    Args:\n      name: the name.\n'
                "      version: a version,\n        on two lines.\n      **kwargs: the rest.\n    \"\"\"\n"
                "    maybe(name)\n"
                'repo = repository_rule(implementation = None, doc = "A repo.", attrs = {"u": attr.string_list(doc = "URLs.")})\n'
            ),
        },
    )
    text = reference(files, ["//x:defs.bzl"])
    assert "reference-maybe" not in text  # loaded names are local to their file
    assert "| <a id=\"Info-f\"></a>f |  :type: File<br><br>The file.    |" in text
    assert "| <a id=\"mac-version\"></a>version |  a version, on two lines.   |  `\"3.11\"` |" in text
    assert "| <a id=\"mac-kwargs\"></a>kwargs |  the rest.   |  none |" in text
    assert "Makes things.\n\nMore text.\n" in text and "Args:" not in text
    assert '<a id="repo-repo_mapping"></a>repo_mapping' in text


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('r = rule(implementation = None, doc = "D.", attrs = {"a": attr.string()})\n', "attribute 'a' has no doc"),
        ('r = rule(implementation = None, attrs = {})\n', "rule r has no doc"),
        ('def m(name, extra):\n    """M.\n\n    Args:\n      name: n.\n    """\n', "parameter 'extra' is not in"),
        ('load(":missing.bzl", "x")\n', "x/missing.bzl: not given"),
        ('P = provider(doc = "P.", fields = {"f": ""})\n', "field 'f' has no doc"),
        ('X = fail("broken")\n', "broken"),
    ],
)
def test_missing_docs_and_bad_files_fail(tmp_path: Path, source: str, message: str) -> None:
    files = _write(tmp_path, {"x/defs.bzl": source})
    with pytest.raises(StarlarkError, match=message):
        reference(files, ["//x:defs.bzl"])


def test_the_repository_s_public_files() -> None:
    """Every public symbol gets a section; py_oxidized_binary lists every attribute, settings included."""
    files = {str(p.relative_to(_REPO)): p for p in (_REPO / "oxidizer").glob("**/*.bzl")}
    files["runtime/defs.bzl"] = _REPO / "runtime" / "defs.bzl"
    text = reference(
        files,
        ["//oxidizer:defs.bzl", "//oxidizer:repositories.bzl", "//oxidizer:pip.bzl", "//oxidizer:extensions.bzl"],
        ["//runtime:defs.bzl%oxidizer_runtime"],
        "//oxidizer/private:interpreter_settings.bzl%INTERPRETER_SETTINGS",
    )
    for name in ["py_oxidized_binary", "oxidized_resources", "OxidizedResourcesInfo", "CPYTHON_SOURCES", "oxidizer"]:
        assert f"<!-- BEGIN GENERATED: reference-{name} -->" in text
    evaluator = rules_reference.Evaluator(files)
    binary = evaluator.symbol("//oxidizer/private:py_oxidized_binary.bzl", "py_oxidized_binary")
    public = [n for n in binary.attrs if not n.startswith("_")]
    assert len(public) > 58
    for name in public + ["name"]:
        assert f'<a id="py_oxidized_binary-{name}"></a>' in text
    assert "Interpreter setting [`fast_exit`](#setting-fast_exit)." in text
