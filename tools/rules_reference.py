"""Renders the rule reference of docs/rules.md from the rules' own docstrings.

Stardoc is not available to Bazel 4.2.3 offline, so this tool does its job for the public
`.bzl` files: it evaluates their top level with Python (Starlark's syntax is a subset of
Python's) against recording stand-ins of Bazel's builtins (`rule`, `repository_rule`,
`attr.*`, `provider`, `tag_class`, `module_extension`, `struct`, `Label`, ...), so
attribute dicts built by helper functions or `dict(...)` merges come out exactly as Bazel
sees them. `load()` follows labels of the main repository to the files given with
`--file`; symbols of other repositories (`@rules_python`, `@rules_cc`, `@bazel_tools`)
are opaque. Implementation functions are never called.

Output: one section per documented symbol, each between
`<!-- BEGIN GENERATED: reference-NAME -->` and `<!-- END GENERATED: reference-NAME -->`
lines (docs/generated_section.sh puts them into docs/rules.md): the signature, the
docstring and the attribute, parameter, field or tag-class tables, in stardoc's layout.

    rules_reference --file=oxidizer/defs.bzl=PATH ... --public=//oxidizer:defs.bzl \\
        --symbol=//runtime:defs.bzl%oxidizer_runtime --out=reference.md
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import textwrap
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

# ---------------------------------------------------------------------------------------
# Stand-ins of Bazel's builtins.


class StarlarkError(Exception):
    """A .bzl file could not be evaluated (names the file), or `fail()` was called."""


@dataclasses.dataclass(frozen=True)
class LabelValue:
    """`Label("//pkg:name")`, resolved against the repository of the file that made it."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclasses.dataclass
class Attribute:
    """What `attr.<kind>(...)` was called with."""

    kind: str
    kwargs: dict[str, Any]

    @property
    def doc(self) -> str:
        return str(self.kwargs.get("doc", ""))

    @property
    def mandatory(self) -> bool:
        return bool(self.kwargs.get("mandatory", False))


@dataclasses.dataclass
class RuleValue:
    """`rule(...)`, `repository_rule(...)` or `tag_class(...)`."""

    kind: str  # "rule", "repository_rule" or "tag_class"
    doc: str
    attrs: dict[str, Attribute]


@dataclasses.dataclass
class ProviderValue:
    doc: str
    fields: dict[str, str]


@dataclasses.dataclass
class ModuleExtensionValue:
    doc: str
    tag_classes: dict[str, RuleValue]


class Opaque:
    """A value whose contents do not matter here (another repository's symbol, `select`, ...)."""

    def __init__(self, what: str) -> None:
        self._what = what

    def __call__(self, *args: Any, **kwargs: Any) -> "Opaque":
        return Opaque(self._what + "()")

    def __getattr__(self, name: str) -> "Opaque":
        if name.startswith("__"):
            raise AttributeError(name)
        return Opaque(self._what + "." + name)

    def __repr__(self) -> str:
        return "<%s>" % self._what


class Struct:
    """Starlark's `struct`."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    def fields(self) -> dict[str, Any]:
        return dict(self.__dict__)


_ATTR_KINDS = [
    "bool",
    "int",
    "int_list",
    "label",
    "label_keyed_string_dict",
    "label_list",
    "output",
    "output_list",
    "string",
    "string_dict",
    "string_list",
    "string_list_dict",
]


def _attr_module() -> Struct:
    def make(kind: str) -> Callable[..., Attribute]:
        return lambda **kwargs: Attribute(kind, kwargs)

    return Struct(**{kind: make(kind) for kind in _ATTR_KINDS})


_STARLARK_TYPES = {
    bool: "bool",
    int: "int",
    str: "string",
    list: "list",
    tuple: "tuple",
    dict: "dict",
    type(None): "NoneType",
    Struct: "struct",
}


def _starlark_type(value: Any) -> str:
    return _STARLARK_TYPES.get(type(value), type(value).__name__)


def _fail(*args: Any) -> None:
    raise StarlarkError(" ".join(str(a) for a in args))


def _rule(doc: str = "", attrs: Mapping[str, Attribute] | None = None, **_: Any) -> RuleValue:
    return RuleValue("rule", doc, dict(attrs or {}))


def _repository_rule(doc: str = "", attrs: Mapping[str, Attribute] | None = None, **_: Any) -> RuleValue:
    return RuleValue("repository_rule", doc, dict(attrs or {}))


def _tag_class(doc: str = "", attrs: Mapping[str, Attribute] | None = None) -> RuleValue:
    return RuleValue("tag_class", doc, dict(attrs or {}))


def _provider(doc: str = "", fields: Any = None, **_: Any) -> ProviderValue:
    if isinstance(fields, dict):
        return ProviderValue(doc, dict(fields))
    return ProviderValue(doc, {name: "" for name in fields or []})


def _module_extension(
    implementation: Any = None, tag_classes: Mapping[str, RuleValue] | None = None, doc: str = "", **_: Any
) -> ModuleExtensionValue:
    return ModuleExtensionValue(doc, dict(tag_classes or {}))


_BUILTINS: dict[str, Any] = {
    name: getattr(__builtins__, name) if not isinstance(__builtins__, dict) else __builtins__[name]
    for name in [
        "abs",
        "all",
        "any",
        "bool",
        "dict",
        "enumerate",
        "getattr",
        "hasattr",
        "int",
        "len",
        "list",
        "max",
        "min",
        "range",
        "repr",
        "reversed",
        "sorted",
        "str",
        "tuple",
        "zip",
        "True",
        "False",
        "None",
    ]
}


# Builtins whose values only matter to Bazel (rule implementations and their providers).
_OPAQUE_BUILTINS = [
    "DefaultInfo",
    "OutputGroupInfo",
    "RunEnvironmentInfo",
    "InstrumentedFilesInfo",
    "CcInfo",
    "cc_common",
    "PyInfo",
    "aspect",
    "analysis_test_transition",
    "config",
    "config_common",
    "depset",
    "json",
    "native",
    "platform_common",
    "select",
    "testing",
    "transition",
]

# ---------------------------------------------------------------------------------------
# Evaluation of .bzl files.


def _label_path(label: str, current: str) -> str | None:
    """The workspace-relative path of a main-repository `.bzl` label, or None for another repository's."""
    for prefix in ("@rules_oxidizer//", "@//"):
        if label.startswith(prefix):
            label = "//" + label[len(prefix) :]
    if label.startswith("@"):
        return None
    if label.startswith(":"):
        return str(Path(current).parent / label[1:]) if "/" in current else label[1:]
    if not label.startswith("//"):
        raise StarlarkError(f"{current}: cannot load {label!r}: not a label")
    package, _, name = label[2:].partition(":")
    return f"{package}/{name}" if package else name


def _canonical_label(label: str, current: str) -> str:
    """`Label(...)`'s text: absolute, in the main repository `@rules_oxidizer`."""
    if label.startswith("@"):
        return label
    if label.startswith(":"):
        package = str(Path(current).parent) if "/" in current else ""
        return f"@rules_oxidizer//{package}{label}"
    return "@rules_oxidizer" + label


class Evaluator:
    """Evaluates `.bzl` files (workspace-relative paths) read from `files`, each once."""

    def __init__(self, files: Mapping[str, Path], opaque: Sequence[str] = ()) -> None:
        self._files = dict(files)
        # Main-repository files whose symbols are opaque, like other repositories' (not given).
        self._opaque = {_label_path(label, "") for label in opaque}
        self._modules: dict[str, dict[str, Any]] = {}
        self._loading: list[str] = []

    def module(self, path: str) -> dict[str, Any]:
        """The global names of the `.bzl` file at `path` after its top level ran."""
        if path in self._modules:
            return self._modules[path]
        if path in self._loading:
            raise StarlarkError("load cycle: " + " -> ".join(self._loading + [path]))
        if path not in self._files:
            raise StarlarkError(f"{path}: not given (pass --file={path}=PATH)")
        source = self._files[path].read_text(encoding="utf-8")
        try:
            tree = ast.parse(source, filename=path)
        except SyntaxError as e:
            raise StarlarkError(f"{path}:{e.lineno}: cannot parse: {e.msg}") from e
        scope = self._globals(path)
        injected = {n: v for n, v in scope.items() if n != "__loaded__"}
        self._loading.append(path)
        try:
            exec(compile(tree, path, "exec"), scope)  # noqa: S102 - the repository's own .bzl files
        except StarlarkError:
            raise
        except Exception as e:  # noqa: BLE001 - any evaluation error names the file
            raise StarlarkError(f"{path}: evaluating its top level failed: {type(e).__name__}: {e}") from e
        finally:
            self._loading.pop()
        # What the file defined: not the builtins it was given, nor what it loaded (a loaded
        # name is local to its file in Starlark).
        loaded = scope.pop("__loaded__")
        defined = {
            n: v for n, v in scope.items() if n not in loaded and (n not in injected or v is not injected[n])
        }
        self._modules[path] = defined
        return defined

    def symbol(self, label: str, name: str) -> Any:
        path = _label_path(label, "")
        assert path is not None
        scope = self.module(path)
        if name not in scope:
            raise StarlarkError(f"{label} has no symbol {name!r}")
        return scope[name]

    def _globals(self, path: str) -> dict[str, Any]:
        """The builtins a `.bzl` file at `path` sees; `load` writes into the returned dict."""
        loaded: set[str] = set()
        scope: dict[str, Any] = {"__loaded__": loaded}

        def load(label: str, *names: str, **aliases: str) -> None:
            target = _label_path(label, path)
            wanted = {n: n for n in names}
            wanted.update(aliases)
            loaded.update(wanted)
            if target is None or target in self._opaque:
                scope.update({local: Opaque(f"{label}%{remote}") for local, remote in wanted.items()})
                return
            module = self.module(target)
            for local, remote in wanted.items():
                if remote not in module:
                    raise StarlarkError(f"{path}: {label} has no symbol {remote!r}")
                scope[local] = module[remote]

        def label(text: str) -> LabelValue:
            return LabelValue(_canonical_label(text, path))

        scope.update(
            {
                "__builtins__": dict(_BUILTINS, type=_starlark_type, print=lambda *a, **k: None),
                "load": load,
                "fail": _fail,
                "struct": Struct,
                "Label": label,
                "attr": _attr_module(),
                "rule": _rule,
                "repository_rule": _repository_rule,
                "tag_class": _tag_class,
                "provider": _provider,
                "module_extension": _module_extension,
            }
        )
        for name in _OPAQUE_BUILTINS:
            scope[name] = Opaque(name)
        return scope


# ---------------------------------------------------------------------------------------
# What to document.


@dataclasses.dataclass
class Symbol:
    name: str
    value: Any


def public_symbols(evaluator: Evaluator, label: str) -> list[Symbol]:
    """The names a public `.bzl` file exports (not starting with `_`), in definition order."""
    path = _label_path(label, "")
    assert path is not None
    return [Symbol(n, v) for n, v in evaluator.module(path).items() if not n.startswith("_")]


# ---------------------------------------------------------------------------------------
# Rendering (stardoc's markdown layout).

_LABEL_LINK = '<a href="https://bazel.build/concepts/labels">{}</a>'
_DICT_LINK = '<a href="https://bazel.build/rules/lib/dict">{}</a>'
_TYPE_NAMES = {
    "bool": "Boolean",
    "int": "Integer",
    "int_list": "List of integers",
    "label": _LABEL_LINK.format("Label"),
    "label_keyed_string_dict": _DICT_LINK.format("Dictionary: Label -> String"),
    "label_list": _LABEL_LINK.format("List of labels"),
    "output": _LABEL_LINK.format("Label"),
    "output_list": _LABEL_LINK.format("List of labels"),
    "string": "String",
    "string_dict": "Dictionary: String -> String",
    "string_list": "List of strings",
    "string_list_dict": _DICT_LINK.format("Dictionary: String -> List of strings"),
}
_EMPTY_DEFAULTS = {
    "bool": False,
    "int": 0,
    "int_list": [],
    "label": None,
    "label_keyed_string_dict": {},
    "label_list": [],
    "output": None,
    "output_list": [],
    "string": "",
    "string_dict": {},
    "string_list": [],
    "string_list_dict": {},
}
_NAME_TYPE = '<a href="https://bazel.build/concepts/labels#target-names">Name</a>'
_NAME_DOC = {
    "rule": "A unique name for this target.",
    "repository_rule": "A unique name for this repository.",
}
_REPO_MAPPING_DOC = (
    "A dictionary from local repository name to global repository name. This allows controls over "
    "workspace dependency resolution for dependencies of this repository.<p>For example, an entry "
    '`"@foo": "@bar"` declares that, for any time this repository depends on `@foo` (such as a '
    "dependency on `@foo//some:target`), it should actually resolve that dependency within "
    "globally-declared `@bar` (`@bar//some:target`)."
)
_TABLE_HEAD = "| Name  | Description | Type | Mandatory | Default |\n" + "| :------------- " * 5 + "|"


def starlark_repr(value: Any) -> str:
    """A value as Starlark source (double-quoted strings, labels as their text)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, LabelValue):
        return starlark_repr(value.text)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(starlark_repr(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{starlark_repr(k)}: {starlark_repr(v)}" for k, v in value.items()) + "}"
    if isinstance(value, int):
        return repr(value)
    raise StarlarkError(f"no Starlark form for a default value {value!r}")


def _cell(text: str) -> str:
    """Markdown text as one table cell: paragraphs joined by `<br><br>`, `|` escaped."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip())]
    return "<br><br>".join(p for p in paragraphs if p).replace("|", "\\|")


def _signature(name: str, params: Sequence[str], anchor: str, width: int = 100) -> str:
    """`name(a, b, ...)` with each parameter linked to its row, wrapped at `width` visible characters."""
    indent = " " * (len(name) + 1)
    lines: list[str] = []
    line, visible = name + "(", len(name) + 1
    for i, param in enumerate(params):
        text = param + (", " if i < len(params) - 1 else "")
        if visible + len(text) > width and visible > len(indent):
            lines.append(line.rstrip())
            line, visible = indent, len(indent)
        line += f'<a href="#{anchor}-{param}">{param}</a>' + text[len(param) :]
        visible += len(text)
    lines.append(line + ")")
    return "<pre>\n" + "\n".join(lines) + "\n</pre>"


def _documented_attrs(rule: RuleValue, owner: str) -> list[tuple[str, Attribute]]:
    """Attributes as stardoc lists them: `name` first, then alphabetically, without `_*` ones.

    Rules and repository rules get their implicit `name` (and `repo_mapping`) attributes.
    """
    implicit = {}
    if rule.kind in _NAME_DOC:
        implicit["name"] = Attribute("name", {"doc": _NAME_DOC[rule.kind], "mandatory": True})
    if rule.kind == "repository_rule":
        implicit["repo_mapping"] = Attribute("string_dict", {"doc": _REPO_MAPPING_DOC})
    for name in implicit:
        if name in rule.attrs:
            raise StarlarkError(f"{owner}: attribute {name!r} is implicit and cannot be declared")
    attrs = {n: a for n, a in rule.attrs.items() if not n.startswith("_")}
    attrs.update(implicit)
    return sorted(attrs.items(), key=lambda item: (item[0] != "name", item[0]))


def _attr_rows(anchor: str, rule: RuleValue, owner: str, linked: Mapping[str, str]) -> list[str]:
    rows = []
    for name, attribute in _documented_attrs(rule, owner):
        if not attribute.doc.strip() and name not in linked:
            raise StarlarkError(f"{owner}: attribute {name!r} has no doc")
        doc = linked[name] if name in linked else _cell(attribute.doc)
        kind = _NAME_TYPE if attribute.kind == "name" else _TYPE_NAMES[attribute.kind]
        cell = f'<a id="{anchor}-{name}"></a>{name}'
        if attribute.mandatory:
            rows.append(f"| {cell} |  {doc}   | {kind} | required |  |")
        else:
            default = attribute.kwargs.get("default", _EMPTY_DEFAULTS[attribute.kind])
            rows.append(f"| {cell} |  {doc}   | {kind} | optional | `{starlark_repr(default)}` |")
    return rows


def _attr_names(rule: RuleValue, owner: str) -> list[str]:
    return [n for n, _ in _documented_attrs(rule, owner)]


def render_rule(name: str, rule: RuleValue, linked: Mapping[str, str] = {}) -> str:
    """A rule's or repository rule's section: signature, doc and attribute table."""
    if not rule.doc.strip():
        raise StarlarkError(f"{rule.kind} {name} has no doc")
    heading = "**ATTRIBUTES**"
    return "\n".join(
        [
            _signature(name, _attr_names(rule, name), name),
            "",
            rule.doc.strip(),
            "",
            heading,
            "",
            _TABLE_HEAD,
            *_attr_rows(name, rule, name, linked),
        ]
    )


def render_provider(name: str, provider: ProviderValue) -> str:
    if not provider.doc.strip():
        raise StarlarkError(f"provider {name} has no doc")
    rows = []
    for field, doc in provider.fields.items():
        if not doc.strip():
            raise StarlarkError(f"provider {name}: field {field!r} has no doc")
        rows.append(f'| <a id="{name}-{field}"></a>{field} |  {_cell(doc)}    |')
    return "\n".join(
        [
            _signature(name, list(provider.fields), name),
            "",
            provider.doc.strip(),
            "",
            "**FIELDS**",
            "",
            "| Name  | Description |",
            "| :------------- | :------------- |",
            *rows,
        ]
    )


def _split_docstring(name: str, doc: str) -> tuple[str, dict[str, str]]:
    """A function docstring's text before `Args:`, and its parameter docs."""
    doc = inspect.cleandoc(doc)
    lines = doc.splitlines()
    params: dict[str, str] = {}
    for i, line in enumerate(lines):
        if line.strip() == "Args:":
            body = lines[i + 1 :]
            lines = lines[:i]
            current = None
            for arg_line in body:
                match = re.match(r"^ {2,4}(\*{0,2}\w+):\s*(.*)$", arg_line)
                if match:
                    current = match.group(1).lstrip("*")
                    params[current] = match.group(2)
                elif arg_line.strip() and current:
                    params[current] += " " + arg_line.strip()
                elif arg_line.strip():
                    raise StarlarkError(f"macro {name}: cannot read its Args line {arg_line!r}")
            break
    return "\n".join(lines).strip(), params


def render_macro(name: str, function: Callable[..., Any]) -> str:
    """A macro's section: signature, docstring and parameter table (from its `Args:`)."""
    if not function.__doc__ or not function.__doc__.strip():
        raise StarlarkError(f"macro {name} has no docstring")
    text, docs = _split_docstring(name, function.__doc__)
    parameters = list(inspect.signature(function).parameters.values())
    names = [p.name for p in parameters]
    for documented in docs:
        if documented not in names:
            raise StarlarkError(f"macro {name}: its docstring documents {documented!r}, which is no parameter")
    parts = [_signature(name, names, name), "", text]
    if parameters:
        parts += ["", "**PARAMETERS**", "", "| Name  | Description | Default Value |", "| :------------- | :------------- | :------------- |"]
        for p in parameters:
            if p.name not in docs:
                raise StarlarkError(f"macro {name}: parameter {p.name!r} is not in its docstring's Args")
            default = "none" if p.default is inspect.Parameter.empty else f"`{starlark_repr(p.default)}`"
            parts.append(f'| <a id="{name}-{p.name}"></a>{p.name} |  {_cell(docs[p.name])}   |  {default} |')
    return "\n".join(parts)


def render_module_extension(name: str, extension: ModuleExtensionValue, load_from: str) -> str:
    lines = [f'{name} = use_extension("{load_from}", "{name}")']
    for tag, tag_class in sorted(extension.tag_classes.items()):
        names = _attr_names(tag_class, f"{name}.{tag}")
        lines.append(_signature(f"{name}.{tag}", names, f"{name}.{tag}", width=10_000)[6:-7])
    parts = ["<pre>", *lines, "</pre>", "", extension.doc.strip(), "", "**TAG CLASSES**"]
    for tag, tag_class in sorted(extension.tag_classes.items()):
        anchor = f"{name}.{tag}"
        rows = _attr_rows(anchor, tag_class, anchor, {})
        parts += [
            "",
            f'<a id="{anchor}"></a>',
            "",
            f"### {tag}",
            "",
            tag_class.doc.strip(),
            "",
            "**Attributes**",
            "",
            _TABLE_HEAD,
            *rows,
        ]
    return "\n".join(parts)


def render_constant(name: str, value: Any) -> str:
    """A constant: a dict of structs as a table (key, then each field), anything else as its value."""
    if isinstance(value, dict) and value and all(isinstance(v, Struct) for v in value.values()):
        fields = list(next(iter(value.values())).fields())
        rows = [
            "| Key | " + " | ".join(f"`{f}`" for f in fields) + " |",
            "| :--- |" + " :--- |" * len(fields),
        ]
        for key, entry in value.items():
            cells = []
            for f in fields:
                v = entry.fields()[f]
                shown = ", ".join(v) if isinstance(v, list) else str(v)
                cells.append(f"`{shown}`")
            rows.append(f"| `{starlark_repr(key)}` | " + " | ".join(cells) + " |")
        shape = "struct(" + ", ".join(fields) + ")"
        return "\n".join([f"<pre>\n{name} = {{KEY: {shape}, ...}}\n</pre>", "", *rows])
    return f"<pre>\n{name} = {starlark_repr(value)}\n</pre>"


def render(symbol: Symbol, load_from: str, linked: Mapping[str, str]) -> str:
    value = symbol.value
    if isinstance(value, RuleValue):
        return render_rule(symbol.name, value, linked)
    if isinstance(value, ProviderValue):
        return render_provider(symbol.name, value)
    if isinstance(value, ModuleExtensionValue):
        return render_module_extension(symbol.name, value, load_from)
    if inspect.isfunction(value):
        return render_macro(symbol.name, value)
    return render_constant(symbol.name, value)


def linked_settings(evaluator: Evaluator, spec: str) -> dict[str, str]:
    """Attribute descriptions pointing at the settings table: `LABEL%SYMBOL` names a list of structs with `name`."""
    label, _, symbol = spec.partition("%")
    return {
        s.name: f"Interpreter setting [`{s.name}`](#setting-{s.name})." for s in evaluator.symbol(label, symbol)
    }


def reference(
    files: Mapping[str, Path],
    public: Sequence[str],
    symbols: Sequence[str] = (),
    settings: str | None = None,
    opaque: Sequence[str] = (),
) -> str:
    """The generated sections: every public symbol of the `public` files, then each `LABEL%NAME` of `symbols`."""
    evaluator = Evaluator(files, opaque)
    linked = linked_settings(evaluator, settings) if settings else {}
    chosen: dict[str, tuple[Symbol, str]] = {}
    for label in public:
        load_from = "@rules_oxidizer" + label if label.startswith("//") else label
        for symbol in public_symbols(evaluator, label):
            if symbol.name in chosen:
                if chosen[symbol.name][0].value is not symbol.value:
                    raise StarlarkError(f"{label}: {symbol.name} differs from the one of another public file")
                continue
            chosen[symbol.name] = (symbol, load_from)
    for spec in symbols:
        label, _, name = spec.partition("%")
        chosen[name] = (Symbol(name, evaluator.symbol(label, name)), label)
    sections = []
    for name, (symbol, load_from) in chosen.items():
        body = render(symbol, load_from, linked)
        sections.append(
            f"<!-- BEGIN GENERATED: reference-{name} -->\n{body}\n<!-- END GENERATED: reference-{name} -->\n"
        )
    return "".join(sections)


def _parse_files(values: Sequence[str]) -> dict[str, Path]:
    files = {}
    for value in values:
        short, sep, path = value.partition("=")
        if not sep:
            raise ValueError(f"--file={value}: expected SHORT_PATH=PATH")
        files[short] = Path(path)
    return files


def main(argv: Sequence[str]) -> None:
    from absl import flags

    del argv
    out = Path(flags.FLAGS.out)
    out.write_text(
        reference(_parse_files(flags.FLAGS.file), flags.FLAGS.public, flags.FLAGS.symbol, flags.FLAGS.settings, flags.FLAGS.opaque),
        encoding="utf-8",
    )


if __name__ == "__main__":
    from absl import app, flags

    flags.DEFINE_multi_string("file", [], "SHORT_PATH=PATH of a .bzl file loads may name.")
    flags.DEFINE_multi_string("public", [], "Label of a public .bzl file: each of its public symbols is documented.")
    flags.DEFINE_multi_string("symbol", [], "LABEL%NAME: one more symbol to document.")
    flags.DEFINE_string("settings", None, "LABEL%NAME of the interpreter settings list (their rows link to its table).")
    flags.DEFINE_multi_string("opaque", [], "Label of a .bzl file whose symbols are opaque (not given with --file).")
    flags.DEFINE_string("out", None, "Output markdown file.", required=True)
    app.run(main)
