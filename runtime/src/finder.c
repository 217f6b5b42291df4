/* OxidizedFinder: the meta path finder and loader (find_spec, exec_module,
 * get_code/get_source, create_module, get_data, iter_modules), its
 * construction and its type. See oxidized_importer.c for the behaviour.
 */
#include "oxidized_importer_internal.h"

/* ------------------------------------------------------------------------ */
/* OxidizedFinder                                                           */

/* The virtual __file__ of an in-memory module (virtual_module_file):
 * <exe dir>/a/b/__init__.py for package a.b, <exe dir>/a/b.py for module
 * a.b. */
static PyObject *
virtual_file(const OxidizedFinder *self, const oxr_resource *r)
{
    return oxi_join_path_suffix(self->exe_path, self->exe_dir_len,
                                r->name.data, r->name.len, 1,
                                (r->flags & OXR_FLAG_IS_PACKAGE)
                                    ? "/__init__.py"
                                    : ".py");
}

/* ModuleSpec subclass for specs with a virtual origin, made on first use:
 * ModuleSpec.cached would derive a __pycache__ path from the origin, but no
 * bytecode file exists, so `cached` is always None here (and the module
 * gets no __cached__). */
static PyObject *virtual_spec_type;

static PyObject *
return_none(PyObject *unused, PyObject *const *args, Py_ssize_t nargs)
{
    (void)unused;
    (void)args;
    (void)nargs;
    Py_RETURN_NONE;
}

static PyMethodDef return_none_def = {
    "_none", (PyCFunction)(void (*)(void))return_none, METH_FASTCALL, NULL};

static PyObject *
get_virtual_spec_type(void)
{
    if (virtual_spec_type != NULL) {
        return virtual_spec_type;
    }
    PyObject *fn = PyCFunction_New(&return_none_def, NULL);
    if (fn == NULL) {
        return NULL;
    }
    /* property(fget=None-returning, fset=ignoring): ModuleSpec.__init__ and
     * importlib may assign `cached`; the value stays None. */
    PyObject *prop = PyObject_CallFunctionObjArgs((PyObject *)&PyProperty_Type,
                                                  fn, fn, NULL);
    Py_DECREF(fn);
    if (prop == NULL) {
        return NULL;
    }
    virtual_spec_type = PyObject_CallFunction(
        (PyObject *)&PyType_Type, "s(O){sOss}", "OxidizedModuleSpec",
        oxi_module_spec_type, "cached", prop, "__module__",
        "oxidized_importer");
    Py_DECREF(prop);
    return virtual_spec_type;
}

/* Puts the finder's path_hook first on sys.path_hooks, once, so pkgutil can
 * resolve the virtual __path__ entries of in-memory packages. Done when the
 * first package spec is made (nothing to resolve before): starting the
 * interpreter costs one list insertion, and no Python code runs. */
static int
register_path_hook(OxidizedFinder *self)
{
    if (!self->wants_path_hook || self->path_hook_registered) {
        return 0;
    }
    PyObject *hooks = PySys_GetObject("path_hooks"); /* borrowed */
    if (hooks == NULL || !PyList_Check(hooks)) {
        return 0; /* not set up yet: retried at the next package */
    }
    PyObject *hook = PyObject_GetAttrString((PyObject *)self, "path_hook");
    if (hook == NULL) {
        return -1;
    }
    int rc = PySequence_Contains(hooks, hook);
    if (rc == 0) {
        rc = PyList_Insert(hooks, 0, hook);
    }
    Py_DECREF(hook);
    if (rc < 0) {
        return -1;
    }
    self->path_hook_registered = 1;
    return 0;
}

#define DUNDER_INIT ".__init__"
#define DUNDER_INIT_LEN (sizeof(DUNDER_INIT) - 1)

/* `pkg.__init__` names a module of its own in CPython: FileFinder finds
 * pkg/__init__.py under that name and runs it again, not as a package
 * (`from .__init__ import x`). Returns the resource of `pkg` when name is
 * `pkg.__init__` and pkg is a regular package with Python code, else NULL. */
static const oxr_resource *
dunder_init_package(OxidizedFinder *self, const char *name, size_t len)
{
    if (len <= DUNDER_INIT_LEN
        || memcmp(name + len - DUNDER_INIT_LEN, DUNDER_INIT, DUNDER_INIT_LEN)
               != 0) {
        return NULL;
    }
    const oxr_resource *r = oxi_finder_lookup(self, name,
                                              len - DUNDER_INIT_LEN);
    if (r == NULL || !(r->flags & OXR_FLAG_IS_PACKAGE)
        || (r->flags & OXR_FLAG_IS_NAMESPACE_PACKAGE)) {
        return NULL;
    }
    enum oxi_resource_kind kind = oxi_resource_kind(r, self->optimize);
    return kind == KIND_MEMORY || kind == KIND_SOURCE_FILE
                   || kind == KIND_BYTECODE_FILE
               ? r
               : NULL;
}

/* Whether fullname is `<r's name>.__init__`, the module that
 * dunder_init_package() maps to package r. */
static int
is_dunder_init_of(PyObject *fullname, const oxr_resource *r)
{
    Py_ssize_t len;
    if (PyUnicode_AsUTF8AndSize(fullname, &len) == NULL) {
        PyErr_Clear();
        return 0;
    }
    return (size_t)len == r->name.len + DUNDER_INIT_LEN;
}

/* Looks up fullname (a str); `pkg.__init__` finds package pkg (see
 * dunder_init_package()). Returns NULL without an exception when absent;
 * NULL with an exception when fullname is not a str. */
const oxr_resource *
oxi_lookup_object(OxidizedFinder *self, PyObject *fullname)
{
    if (!PyUnicode_Check(fullname)) {
        PyErr_Format(PyExc_TypeError, "module name must be str, not %.100s",
                     Py_TYPE(fullname)->tp_name);
        return NULL;
    }
    Py_ssize_t len;
    const char *name = PyUnicode_AsUTF8AndSize(fullname, &len);
    if (name == NULL) {
        /* Lone surrogates: cannot be in the index. */
        PyErr_Clear();
        return NULL;
    }
    const oxr_resource *r = oxi_finder_lookup(self, name, (size_t)len);
    return r != NULL ? r : dunder_init_package(self, name, (size_t)len);
}

static const oxr_resource *
lookup_or_import_error(OxidizedFinder *self, PyObject *fullname)
{
    const oxr_resource *r = oxi_lookup_object(self, fullname);
    if (r == NULL && !PyErr_Occurred()) {
        PyObject *msg = PyUnicode_FromFormat("%R is not known to OxidizedFinder",
                                             fullname);
        if (msg != NULL) {
            PyErr_SetImportError(msg, fullname, NULL);
            Py_DECREF(msg);
        }
    }
    return r;
}

/* spec_from_file_location(name, path, loader=LoaderType(name, path)) */
static PyObject *
file_spec(PyObject *fullname, PyObject *path, PyObject *loader_type)
{
    PyObject *args[3] = {fullname, path, NULL};
    PyObject *loader = PyObject_Vectorcall(loader_type, args, 2, NULL);
    if (loader == NULL) {
        return NULL;
    }
    args[2] = loader;
    PyObject *spec = PyObject_Vectorcall(oxi_spec_from_file_location, args, 2,
                                         oxi_kwnames_loader);
    Py_DECREF(loader);
    return spec;
}

/* spec.submodule_search_locations = [location]; steals location, which may
 * be NULL after a failure. */
static int
set_search_location(PyObject *spec, PyObject *location)
{
    if (location == NULL) {
        return -1;
    }
    PyObject *locations = PyList_New(1);
    if (locations == NULL) {
        Py_DECREF(location);
        return -1;
    }
    PyList_SET_ITEM(locations, 0, location); /* steals location */
    int rc = PyObject_SetAttr(spec, oxi_str_search_locations, locations);
    Py_DECREF(locations);
    return rc;
}

/* The directory part of a str path ("/a/b/c.so" -> "/a/b"), new reference. */
static PyObject *
parent_directory(PyObject *path)
{
    Py_ssize_t len = PyUnicode_GET_LENGTH(path);
    Py_ssize_t slash = PyUnicode_FindChar(path, '/', 0, len, -1);
    if (slash < -1) {
        return NULL;
    }
    if (slash <= 0) {
        return PyUnicode_FromString(slash == 0 ? "/" : ".");
    }
    return PyUnicode_Substring(path, 0, slash);
}

/* An in-memory package's spec gets the virtual __path__ `<exe>/<name>`, which
 * our path hook answers (submodules, pkgutil). Steals spec (may be NULL);
 * returns it, or NULL with an exception set. */
static PyObject *
with_virtual_path(OxidizedFinder *self, PyObject *spec, const oxr_resource *r)
{
    if (spec == NULL) {
        return NULL;
    }
    if (register_path_hook(self) < 0
        || set_search_location(
               spec, oxi_join_path(self->exe_path, self->exe_path_len,
                                   r->name.data, r->name.len, 1))
               < 0) {
        Py_DECREF(spec);
        return NULL;
    }
    return spec;
}

/* Builds the spec for resource r of kind `kind` (not KIND_NONE). */
static PyObject *
finder_make_spec(OxidizedFinder *self, PyObject *fullname,
                 const oxr_resource *r, enum oxi_resource_kind kind)
{
    if (kind == KIND_MEMORY || kind == KIND_NAMESPACE) {
        int is_package = (oxi_resource_is_package(r) || kind == KIND_NAMESPACE)
                         && !is_dunder_init_of(fullname, r);
        /* Namespace packages are loaded by us too (exec_module does
         * nothing): importlib's NamespaceLoader would serve
         * importlib.resources from real directories, and their __path__ is
         * virtual. origin stays None, as for any namespace package. */
        PyObject *spec;
        int extracted = kind == KIND_MEMORY && oxi_is_extracted_module(r);
        if (extracted || (kind == KIND_MEMORY && self->virtual_module_file)) {
            /* Extracted: __file__ is the extracted source (bytecode still
             * comes from memory); else the virtual file. */
            PyObject *spec_type = get_virtual_spec_type();
            const oxr_bytes *source = &r->relative_path_module_source;
            PyObject *origin = spec_type == NULL ? NULL
                               : extracted ? oxi_resource_join(self, r, source)
                                           : virtual_file(self, r);
            if (origin == NULL) {
                return NULL;
            }
            if (extracted && is_package) {
                /* A real directory: the package's files are there. */
                PyObject *args[4] = {fullname, (PyObject *)self, origin,
                                     Py_True};
                spec = PyObject_Vectorcall(spec_type, args, 2,
                                           oxi_kwnames_origin_is_package);
                if (spec != NULL
                    && (PyObject_SetAttrString(spec, "has_location", Py_True)
                            < 0
                        || set_search_location(spec,
                                               parent_directory(origin))
                               < 0)) {
                    Py_CLEAR(spec);
                }
                Py_DECREF(origin);
                return spec;
            }
            PyObject *args[4] = {fullname, (PyObject *)self, origin,
                                 is_package ? Py_True : Py_False};
            spec = PyObject_Vectorcall(spec_type, args, 2,
                                       oxi_kwnames_origin_is_package);
            Py_DECREF(origin);
            if (spec != NULL
                && PyObject_SetAttrString(spec, "has_location", Py_True)
                       < 0) {
                Py_CLEAR(spec);
            }
        }
        else {
            PyObject *args[3] = {fullname, (PyObject *)self,
                                 is_package ? Py_True : Py_False};
            spec = PyObject_Vectorcall(oxi_module_spec_type, args, 2,
                                       oxi_kwnames_is_package);
        }
        return is_package ? with_virtual_path(self, spec, r) : spec;
    }

    if (kind == KIND_EXTENSION_MEMORY) {
        /* We load it (create_module); no origin: it has no file. A compiled
         * package (pkg/__init__.<suffix>) gets the virtual __path__ of an
         * in-memory package. */
        int is_package = oxi_resource_is_package(r);
        PyObject *args[3] = {fullname, (PyObject *)self,
                             is_package ? Py_True : Py_False};
        PyObject *spec = PyObject_Vectorcall(oxi_module_spec_type, args, 2,
                                             oxi_kwnames_is_package);
        return is_package ? with_virtual_path(self, spec, r) : spec;
    }
    if (oxi_ensure_external() < 0) {
        return NULL;
    }
    const oxr_bytes *rel;
    PyObject *loader_type;
    switch (kind) {
    case KIND_SOURCE_FILE:
        rel = &r->relative_path_module_source;
        loader_type = oxi_source_file_loader;
        break;
    case KIND_BYTECODE_FILE:
        rel = oxi_relative_bytecode(r, self->optimize);
        if (rel == NULL) {
            return oxi_missing_level_error(fullname, r, self->optimize);
        }
        loader_type = oxi_sourceless_file_loader;
        break;
    case KIND_EXTENSION_FILE:
        rel = &r->relative_path_extension_module;
        loader_type = oxi_extension_file_loader;
        break;
    default:
        Py_RETURN_NONE;
    }
    PyObject *path = oxi_resource_join(self, r, rel);
    if (path == NULL) {
        return NULL;
    }
    PyObject *spec = file_spec(fullname, path, loader_type);
    if (spec != NULL && kind == KIND_EXTENSION_FILE
        && oxi_resource_is_package(r)
        && set_search_location(spec, parent_directory(path)) < 0) {
        /* A compiled package (pkg/__init__.<suffix>): its directory, as
         * CPython's FileFinder gives it, whatever the file is called. */
        Py_CLEAR(spec);
    }
    Py_DECREF(path);
    return spec;
}

static PyObject *find_spec_name(OxidizedFinder *self, PyObject *fullname);

/* find_spec(fullname, path, target=None) */
static PyObject *
finder_find_spec(OxidizedFinder *self, PyObject *const *args,
                 Py_ssize_t nargs, PyObject *kwnames)
{
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    if (nargs + nkw < 1 || nargs + nkw > 3) {
        PyErr_SetString(PyExc_TypeError,
                        "find_spec() takes from 1 to 3 arguments");
        return NULL;
    }
    PyObject *fullname = NULL;
    if (nargs >= 1) {
        fullname = args[0];
    }
    for (Py_ssize_t i = 0; i < nkw; i++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, i);
        if (PyUnicode_CompareWithASCIIString(key, "fullname") == 0
            && fullname == NULL) {
            fullname = args[nargs + i];
        }
        else if (PyUnicode_CompareWithASCIIString(key, "path") != 0
                 && PyUnicode_CompareWithASCIIString(key, "target") != 0) {
            PyErr_Format(PyExc_TypeError,
                         "find_spec() got an unexpected keyword argument %R",
                         key);
            return NULL;
        }
    }
    if (fullname == NULL) {
        PyErr_SetString(PyExc_TypeError,
                        "find_spec() missing required argument 'fullname'");
        return NULL;
    }
    return find_spec_name(self, fullname);
}

/* find_module(fullname, path=None): the loader, or None (deprecated API). */
static PyObject *
finder_find_module(OxidizedFinder *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"fullname", "path", NULL};
    PyObject *fullname;
    PyObject *path = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:find_module", kwlist,
                                     &fullname, &path)) {
        return NULL;
    }
    PyObject *spec = find_spec_name(self, fullname);
    if (spec == NULL || spec == Py_None) {
        return spec;
    }
    PyObject *loader = PyObject_GetAttrString(spec, "loader");
    Py_DECREF(spec);
    return loader;
}

static PyObject *
find_spec_name(OxidizedFinder *self, PyObject *fullname)
{
    PyObject *interpreter_spec = oxi_call_interpreter_module(
        self, oxi_str_find_spec, fullname);
    if (interpreter_spec != NULL || PyErr_Occurred()) {
        return interpreter_spec;
    }
    const oxr_resource *r = oxi_lookup_object(self, fullname);
    if (r == NULL) {
        if (PyErr_Occurred()) {
            return NULL;
        }
        return oxi_builtin_spec(self, fullname);
    }
    if (r->flags & INTERPRETER_FLAGS) {
        /* Indexed by index_interpreter_*(): served by the interpreter's own
         * importers, so a finder alone on sys.meta_path imports them too. */
        return oxi_call_interpreter_importer(r, "find_spec", fullname);
    }
    enum oxi_resource_kind kind = oxi_resource_kind(r, self->optimize);
    if (kind == KIND_NONE) {
        return oxi_builtin_spec(self, fullname);
    }
    return finder_make_spec(self, fullname, r, kind);
}

/* Returns a new reference to the code object of an in-memory module, or
 * Py_None when it has none (namespace packages, file-backed resources). */
static PyObject *
resource_code(OxidizedFinder *self, PyObject *fullname, const oxr_resource *r)
{
    if (oxi_is_extension_kind(oxi_resource_kind(r, self->optimize))) {
        /* Compiled: no code object, like ExtensionFileLoader.get_code(). */
        Py_RETURN_NONE;
    }
    if (oxi_has_memory_bytecode(r, self->optimize)) {
        /* Plain bytecode is unmarshalled in place; compressed bytecode
         * (0x22-0x24) is decompressed now, for this module only. */
        const oxr_bytes *bc = oxi_memory_bytecode(r, self->optimize);
        PyObject *unpacked = NULL;
        const char *data;
        Py_ssize_t len;
        if (bc != NULL) {
            if (bc->len > PY_SSIZE_T_MAX) {
                return PyErr_NoMemory();
            }
            data = (const char *)bc->data;
            len = (Py_ssize_t)bc->len;
        }
        else {
            unpacked = oxi_memory_bytecode_bytes(r, self->optimize);
            if (unpacked == NULL) {
                return NULL;
            }
            data = PyBytes_AS_STRING(unpacked);
            len = PyBytes_GET_SIZE(unpacked);
        }
        PyObject *code = PyMarshal_ReadObjectFromString(data, len);
        Py_XDECREF(unpacked);
        if (code == NULL) {
            return NULL;
        }
        if (!PyCode_Check(code)) {
            Py_DECREF(code);
            PyObject *msg = PyUnicode_FromFormat(
                "bytecode of %R is not a code object", fullname);
            if (msg != NULL) {
                PyErr_SetImportError(msg, fullname, NULL);
                Py_DECREF(msg);
            }
            return NULL;
        }
        return code;
    }
    if (oxi_has_memory_source(r)) {
        /* Like importlib's source_to_code(): compile the bytes so the
         * tokenizer honours a PEP 263 coding cookie and BOM. The copy gives
         * the tokenizer its NUL terminator. */
        PyObject *source = oxi_memory_source(r);
        if (source == NULL) {
            return NULL;
        }
        if (memchr(PyBytes_AS_STRING(source), '\0',
                   (size_t)PyBytes_GET_SIZE(source)) != NULL) {
            Py_DECREF(source);
            PyErr_SetString(PyExc_SyntaxError,
                            "source code string cannot contain null bytes");
            return NULL;
        }
        PyCompilerFlags flags = _PyCompilerFlags_INIT;
        PyObject *code = Py_CompileStringObject(
            PyBytes_AS_STRING(source), fullname, Py_file_input, &flags,
            self->optimize);
        Py_DECREF(source);
        return code;
    }
    /* A module installed next to the executable: its file loader reads,
     * validates and compiles it exactly as for the import itself. */
    const oxr_bytes *rel = oxi_relative_bytecode(r, self->optimize);
    if (rel == NULL && r->relative_path_module_source.data != NULL) {
        rel = &r->relative_path_module_source;
    }
    if (rel != NULL) {
        if (oxi_ensure_external() < 0) {
            return NULL;
        }
        /* Looked up only now: the classes are cached by
         * oxi_ensure_external(). */
        PyObject *loader_type = rel == &r->relative_path_module_source
                                    ? oxi_source_file_loader
                                    : oxi_sourceless_file_loader;
        PyObject *path = oxi_resource_join(self, r, rel);
        if (path == NULL) {
            return NULL;
        }
        PyObject *loader = PyObject_CallFunctionObjArgs(loader_type, fullname,
                                                        path, NULL);
        Py_DECREF(path);
        if (loader == NULL) {
            return NULL;
        }
        PyObject *code = PyObject_CallMethod(loader, "get_code", "O",
                                             fullname);
        Py_DECREF(loader);
        return code;
    }
    if (oxi_bytecode_levels(r, 0) | oxi_bytecode_levels(r, 1)) {
        return oxi_missing_level_error(fullname, r, self->optimize);
    }
    Py_RETURN_NONE;
}


/* exec_module(module) */
static PyObject *
finder_exec_module(OxidizedFinder *self, PyObject *module)
{
    PyObject *name;
    PyObject *spec = PyObject_GetAttr(module, oxi_str_spec);
    if (spec == NULL) {
        return NULL;
    }
    if (spec != Py_None) {
        name = PyObject_GetAttr(spec, oxi_str_name);
    }
    else {
        name = PyObject_GetAttr(module, oxi_str_dunder_name);
    }
    Py_DECREF(spec);
    if (name == NULL) {
        return NULL;
    }
    const oxr_resource *r = lookup_or_import_error(self, name);
    if (r == NULL) {
        Py_DECREF(name);
        return NULL;
    }
    if (oxi_resource_kind(r, self->optimize) == KIND_EXTENSION_MEMORY) {
        Py_DECREF(name);
        /* create_module() loaded it; run its multi-phase exec slots. */
        return PyObject_CallMethod(oxi_imp_module, "exec_dynamic", "O",
                                   module);
    }
    PyObject *code = resource_code(self, name, r);
    /* PyOxidizer registers itself with setuptools' pkg_resources when it
     * executes that module (_oxidized_importer/pkg_resources.py). */
    int is_pkg_resources =
        PyUnicode_CompareWithASCIIString(name, "pkg_resources") == 0;
    Py_DECREF(name);
    if (code == NULL) {
        return NULL;
    }
    if (code == Py_None) {
        /* Namespace package: nothing to execute. */
        return code;
    }
    PyObject *dict;
    if (PyModule_Check(module)) {
        dict = PyModule_GetDict(module); /* borrowed */
        Py_INCREF(dict);
    }
    else {
        dict = PyObject_GetAttrString(module, "__dict__");
        if (dict == NULL) {
            Py_DECREF(code);
            return NULL;
        }
    }
    /* Like exec(): the module namespace must carry __builtins__, code that
     * later runs with these globals (e.g. PyImport_Import()) looks it up. */
    if (PyDict_Check(dict)
        && PyDict_SetDefault(dict, oxi_str_builtins, PyEval_GetBuiltins())
               == NULL) {
        Py_DECREF(dict);
        Py_DECREF(code);
        return NULL;
    }
    self->exec_depth++;
    PyObject *result = PyEval_EvalCode(code, dict, dict);
    self->exec_depth--;
    Py_DECREF(dict);
    Py_DECREF(code);
    if (result == NULL) {
        return NULL;
    }
    Py_DECREF(result);
    if (is_pkg_resources) {
        result = oxi_call_support("_oxidized_importer.pkg_resources",
                                  "register_pkg_resources_with_module", "(O)",
                                  module);
        if (result == NULL) {
            return NULL;
        }
        Py_DECREF(result);
    }
    if (self->gc_freeze != NULL && self->exec_depth == 0) {
        /* freeze_imports: what the import created moves to the permanent
         * generation, so later collections do not traverse it again. */
        result = PyObject_CallNoArgs(self->gc_freeze);
        if (result == NULL) {
            return NULL;
        }
        Py_DECREF(result);
    }
    Py_RETURN_NONE;
}



/* A resource name or path as str. Names are valid UTF-8 (the parser checks);
 * surrogateescape keeps any other bytes round-trippable. */
PyObject *
oxi_str_of(const oxr_bytes *b)
{
    return PyUnicode_DecodeUTF8((const char *)b->data, (Py_ssize_t)b->len,
                                "surrogateescape");
}


static PyObject *
finder_create_module(OxidizedFinder *self, PyObject *spec)
{
    PyObject *name = PyObject_GetAttr(spec, oxi_str_name);
    if (name == NULL) {
        return NULL;
    }
    const oxr_resource *r = oxi_lookup_object(self, name);
    PyObject *result = NULL;
    if (r != NULL
        && oxi_resource_kind(r, self->optimize) == KIND_EXTENSION_MEMORY) {
        result = oxi_create_memory_extension(self, name, r);
    }
    else if (!PyErr_Occurred()) {
        result = Py_NewRef(Py_None);
    }
    Py_DECREF(name);
    return result;
}

/* get_code(fullname): None for names the finder does not know, as
 * PyOxidizer's (and importlib's InspectLoader) does. */
static PyObject *
finder_get_code(OxidizedFinder *self, PyObject *fullname)
{
    PyObject *interpreter_code = oxi_call_interpreter_module(
        self, oxi_str_get_code, fullname);
    if (interpreter_code != NULL || PyErr_Occurred()) {
        return interpreter_code;
    }
    const oxr_resource *r = oxi_lookup_object(self, fullname);
    if (r == NULL) {
        return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
    }
    if (r->flags & INTERPRETER_FLAGS) {
        return oxi_call_interpreter_importer(r, "get_code", fullname);
    }
    return resource_code(self, fullname, r);
}

static PyObject *read_file_bytes(PyObject *path);

/* get_source(fullname): None for names the finder does not know. */
static PyObject *
finder_get_source(OxidizedFinder *self, PyObject *fullname)
{
    const oxr_resource *r = oxi_lookup_object(self, fullname);
    if (r == NULL) {
        return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
    }
    enum oxi_resource_kind kind = oxi_resource_kind(r, self->optimize);
    int extracted = kind == KIND_MEMORY && oxi_is_extracted_module(r);
    if ((!oxi_has_memory_source(r) && !extracted)
        || oxi_is_extension_kind(kind)) {
        Py_RETURN_NONE;
    }
    if (oxi_ensure_external() < 0) {
        return NULL;
    }
    PyObject *source;
    if (oxi_has_memory_source(r)) {
        source = oxi_memory_source(r);
    }
    else {
        /* An extracted module: its source is the extracted file. */
        PyObject *path = oxi_resource_join(self, r,
                                           &r->relative_path_module_source);
        source = path == NULL ? NULL : read_file_bytes(path);
        Py_XDECREF(path);
    }
    if (source == NULL) {
        return NULL;
    }
    PyObject *text = PyObject_CallOneArg(oxi_decode_source, source);
    Py_DECREF(source);
    return text;
}

static PyObject *
finder_is_package(OxidizedFinder *self, PyObject *fullname)
{
    const oxr_resource *r = lookup_or_import_error(self, fullname);
    if (r == NULL) {
        return NULL;
    }
    return PyBool_FromLong(oxi_resource_is_package(r)
                           && !is_dunder_init_of(fullname, r));
}

static PyObject *
finder_get_filename(OxidizedFinder *self, PyObject *fullname)
{
    const oxr_resource *r = lookup_or_import_error(self, fullname);
    if (r == NULL) {
        return NULL;
    }
    const oxr_bytes *rel = NULL;
    switch (oxi_resource_kind(r, self->optimize)) {
    case KIND_SOURCE_FILE:
        rel = &r->relative_path_module_source;
        break;
    case KIND_BYTECODE_FILE:
        rel = oxi_relative_bytecode(r, self->optimize);
        break;
    case KIND_EXTENSION_FILE:
        rel = &r->relative_path_extension_module;
        break;
    default:
        break;
    }
    if (rel == NULL && oxi_resource_kind(r, self->optimize) == KIND_MEMORY
        && oxi_is_extracted_module(r)) {
        rel = &r->relative_path_module_source;
    }
    else if (rel == NULL && self->virtual_module_file
             && oxi_resource_kind(r, self->optimize) == KIND_MEMORY) {
        return virtual_file(self, r);
    }
    if (rel == NULL) {
        PyObject *msg = PyUnicode_FromFormat(
            "%R is loaded from memory and has no filename", fullname);
        if (msg != NULL) {
            PyErr_SetImportError(msg, fullname, NULL);
            Py_DECREF(msg);
        }
        return NULL;
    }
    return oxi_resource_join(self, r, rel);
}

static PyObject *
finder_get_resource_reader(OxidizedFinder *self, PyObject *fullname)
{
    const oxr_resource *r = oxi_lookup_object(self, fullname);
    if (r == NULL) {
        if (PyErr_Occurred()) {
            return NULL;
        }
        Py_RETURN_NONE;
    }
    if (!oxi_resource_is_package(r)) {
        Py_RETURN_NONE;
    }
    OxidizedResourceReader *reader = PyObject_New(
        OxidizedResourceReader, &OxidizedResourceReader_Type);
    if (reader == NULL) {
        return NULL;
    }
    Py_INCREF(self);
    reader->finder = self;
    reader->resource = r;
    return (PyObject *)reader;
}

/* The entry called `name`; the last one when the name repeats (later data
 * wins, as in a dict built from the entries). */
const oxr_named *
oxi_find_named(const oxr_named_list *list, const char *name, size_t len)
{
    for (size_t i = list->count; i-- > 0;) {
        const oxr_named *e = &list->entries[i];
        if (e->name.len == len && memcmp(e->name.data, name, len) == 0) {
            return e;
        }
    }
    return NULL;
}

/* Visits, in index order, each resource that `wanted` accepts and whose
 * name no resource visited before it had: the first index wins, as for
 * imports. Returns 0, or -1 with an exception set. */
int
oxi_first_resources_each(OxidizedFinder *self, oxi_resource_wanted wanted,
                         oxi_resource_visit visit, void *arg)
{
    PyObject *seen = PySet_New(NULL);
    if (seen == NULL) {
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < self->index_count; i++) {
        const oxr_index *ix = &self->indexes[i];
        for (size_t j = 0; rc == 0 && j < ix->count; j++) {
            const oxr_resource *r = &ix->resources[j];
            if (wanted != NULL && !wanted(r)) {
                continue;
            }
            PyObject *name = oxi_str_of(&r->name);
            if (name == NULL) {
                rc = -1;
                break;
            }
            int found = PySet_Contains(seen, name);
            if (found < 0
                || (found == 0
                    && (PySet_Add(seen, name) < 0
                        || visit(r, name, arg) < 0))) {
                rc = -1;
            }
            Py_DECREF(name);
        }
    }
    Py_DECREF(seen);
    return rc;
}

/* Calls visit(entry, arg) for each entry of list, in order, and stops at
 * the first call that fails: the walk every loop over a resource's named
 * entries shares. Returns 0, or -1 with the visitor's exception set. */
int
oxi_named_each(const oxr_named_list *list, oxi_named_visit visit, void *arg)
{
    for (size_t i = 0; i < list->count; i++) {
        if (visit(&list->entries[i], arg) < 0) {
            return -1;
        }
    }
    return 0;
}

struct set_items_arg {
    PyObject *dict;
    oxi_named_value value;
    void *arg;
};

static int
set_item_visit(const oxr_named *e, void *arg)
{
    struct set_items_arg *a = arg;
    PyObject *key = oxi_str_of(&e->name);
    PyObject *value = key == NULL ? NULL : a->value(e, a->arg);
    int rc = key == NULL || value == NULL
                 ? -1
                 : PyDict_SetItem(a->dict, key, value);
    Py_XDECREF(key);
    Py_XDECREF(value);
    return rc;
}

/* dict[str(entry name)] = value(entry, arg) for each entry of list, in
 * order (a repeated name keeps the later value). Returns 0, or -1 with an
 * exception set. */
int
oxi_named_set_items(PyObject *dict, const oxr_named_list *list,
                    oxi_named_value value, void *arg)
{
    struct set_items_arg a = {dict, value, arg};
    return oxi_named_each(list, set_item_visit, &a);
}

void
oxi_set_not_found(PyObject *filename)
{
    PyObject *exc = PyObject_CallFunction(PyExc_FileNotFoundError, "isO",
                                          ENOENT, "resource not found",
                                          filename);
    if (exc != NULL) {
        PyErr_SetObject(PyExc_FileNotFoundError, exc);
        Py_DECREF(exc);
    }
}

static PyObject *
read_file_bytes(PyObject *path)
{
    if (oxi_ensure_external() < 0) {
        return NULL;
    }
    PyObject *f = PyObject_CallFunction(oxi_io_open, "Os", path, "rb");
    if (f == NULL) {
        return NULL;
    }
    PyObject *data = PyObject_CallMethod(f, "read", NULL);
    PyObject *closed = PyObject_CallMethod(f, "close", NULL);
    Py_DECREF(f);
    if (closed == NULL) {
        Py_XDECREF(data);
        return NULL;
    }
    Py_DECREF(closed);
    return data;
}

/* In-memory source of the module whose virtual __file__ is
 * <exe dir>/<rest> (rest NUL-terminated), or NULL without an exception (with
 * one when its compressed source is invalid). */
static PyObject *
virtual_file_source(OxidizedFinder *self, const char *rest, size_t rest_len)
{
    static const char init_suffix[] = "/__init__.py";
    size_t name_len;
    if (rest_len > sizeof(init_suffix) - 1
        && strcmp(rest + rest_len - (sizeof(init_suffix) - 1), init_suffix)
               == 0) {
        name_len = rest_len - (sizeof(init_suffix) - 1);
    }
    else if (rest_len > 3 && strcmp(rest + rest_len - 3, ".py") == 0) {
        name_len = rest_len - 3;
    }
    else {
        return NULL;
    }
    char *name = PyMem_Malloc(name_len + 1);
    if (name == NULL) {
        return PyErr_NoMemory();
    }
    for (size_t i = 0; i < name_len; i++) {
        /* A '.' in the path is not part of a module path. */
        name[i] = rest[i] == '/' ? '.' : rest[i] == '.' ? '/' : rest[i];
    }
    const oxr_resource *r = oxi_finder_lookup(self, name, name_len);
    PyMem_Free(name);
    if (r == NULL || !oxi_has_memory_source(r)
        || ((r->flags & OXR_FLAG_IS_PACKAGE) != 0)
               != (name_len == rest_len - (sizeof(init_suffix) - 1))) {
        return NULL;
    }
    return oxi_memory_source(r);
}

/* get_data(path): ResourceLoader, see manual section 6.7.3. path is
 * <exe>/<pkg/path>/<resource> for in-memory resources and
 * <origin>/<pkg/path>/<resource> for filesystem-relative ones. Beyond the
 * manual, <exe dir>/<pkg/path>/<resource> also names in-memory resources
 * (and <exe dir>/<module path>.py the module's source): that is where the
 * virtual __file__ of in-memory modules points, so code that joins
 * dirname(__file__) with a resource name (pkgutil.get_data()) works. */
static PyObject *
finder_get_data(OxidizedFinder *self, PyObject *path)
{
    PyObject *encoded = NULL;
    if (!PyUnicode_FSConverter(path, &encoded)) {
        return NULL;
    }
    const char *p = PyBytes_AS_STRING(encoded);
    size_t plen = (size_t)PyBytes_GET_SIZE(encoded);
    /* A file in an extraction directory (where the __file__ of
     * filesystem-extracted modules points) is a real file. */
    for (size_t i = 0; i < self->extraction_count; i++) {
        const struct extraction *x = &self->extractions[i];
        if (plen > x->dir_len + 1 && memcmp(p, x->dir, x->dir_len) == 0
            && p[x->dir_len] == '/') {
            Py_DECREF(encoded);
            return read_file_bytes(path);
        }
    }
    int in_memory;
    const char *rest;
    if (plen > self->exe_path_len + 1
        && memcmp(p, self->exe_path, self->exe_path_len) == 0
        && p[self->exe_path_len] == '/') {
        in_memory = 1;
        rest = p + self->exe_path_len + 1;
    }
    else if (plen > self->origin_len + 1
             && memcmp(p, self->origin, self->origin_len) == 0
             && p[self->origin_len] == '/') {
        in_memory = 0;
        rest = p + self->origin_len + 1;
    }
    else if (plen > self->exe_dir_len + 1
             && memcmp(p, self->exe_path, self->exe_dir_len) == 0
             && p[self->exe_dir_len] == '/') {
        in_memory = 1;
        rest = p + self->exe_dir_len + 1;
        PyObject *source = virtual_file_source(
            self, rest, plen - self->exe_dir_len - 1);
        if (source != NULL || PyErr_Occurred()) {
            Py_DECREF(encoded);
            return source;
        }
    }
    else {
        Py_DECREF(encoded);
        oxi_set_not_found(path);
        return NULL;
    }
    size_t rest_len = plen - (size_t)(rest - p);
    char *name = PyMem_Malloc(rest_len + 1);
    if (name == NULL) {
        Py_DECREF(encoded);
        return PyErr_NoMemory();
    }
    memcpy(name, rest, rest_len);
    name[rest_len] = '\0';
    /* Candidate packages, deepest first: "a/b/c.txt" -> a.b, then a. */
    PyObject *result = NULL;
    size_t slash = rest_len;
    while (slash > 0) {
        while (slash > 0 && rest[slash - 1] != '/') {
            slash--;
        }
        if (slash == 0) {
            break;
        }
        size_t pkg_len = slash - 1;
        for (size_t i = 0; i < pkg_len; i++) {
            name[i] = rest[i] == '/' ? '.' : rest[i];
        }
        const oxr_resource *r = oxi_finder_lookup(self, name, pkg_len);
        if (r != NULL && (r->flags & OXR_FLAG_IS_PACKAGE)) {
            const char *res = rest + slash;
            size_t res_len = rest_len - slash;
            const oxr_named *e = oxi_find_named(
                in_memory ? &r->in_memory_package_resources
                          : &r->relative_path_package_resources,
                res, res_len);
            if (e == NULL) {
                break;
            }
            if (in_memory) {
                result = PyBytes_FromStringAndSize(
                    (const char *)e->value.data, (Py_ssize_t)e->value.len);
            }
            else {
                PyObject *fspath = oxi_resource_join(self, r, &e->value);
                if (fspath != NULL) {
                    result = read_file_bytes(fspath);
                    Py_DECREF(fspath);
                }
            }
            PyMem_Free(name);
            Py_DECREF(encoded);
            return result;
        }
        slash--;
    }
    PyMem_Free(name);
    Py_DECREF(encoded);
    oxi_set_not_found(path);
    return NULL;
}

static PyObject *
finder_invalidate_caches(OxidizedFinder *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    Py_RETURN_NONE;
}

/* List of (prefix + child, ispkg), sorted, for the modules the finder can
 * load directly below `parent` (parent_len bytes; top-level modules when
 * parent is NULL). The first index holding a name wins, as for imports. */
PyObject *
oxi_iter_children(OxidizedFinder *self, const char *parent, size_t parent_len,
                  PyObject *prefix)
{
    size_t skip = parent == NULL ? 0 : parent_len + 1;
    PyObject *seen = PyDict_New();
    if (seen == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < self->index_count; i++) {
        const oxr_index *ix = &self->indexes[i];
        for (size_t j = 0; j < ix->count; j++) {
            const oxr_resource *r = &ix->resources[j];
            if (r->name.len <= skip
                || (parent != NULL
                    && (memcmp(r->name.data, parent, parent_len) != 0
                        || r->name.data[parent_len] != '.'))
                || memchr(r->name.data + skip, '.', r->name.len - skip)
                       != NULL) {
                continue;
            }
            PyObject *name = PyUnicode_DecodeUTF8(
                (const char *)r->name.data + skip,
                (Py_ssize_t)(r->name.len - skip), NULL);
            if (name == NULL) {
                Py_DECREF(seen);
                return NULL;
            }
            /* Shadowed entries still claim the name (a shadowing module
             * that cannot be loaded hides the later one, as for imports). */
            PyObject *value = oxi_resource_kind(r, self->optimize) == KIND_NONE
                                  ? Py_None
                                  : oxi_resource_is_package(r) ? Py_True
                                                           : Py_False;
            int rc = PyDict_SetDefault(seen, name, value) == NULL ? -1 : 0;
            Py_DECREF(name);
            if (rc < 0) {
                Py_DECREF(seen);
                return NULL;
            }
        }
    }
    PyObject *result = PyList_New(0);
    if (result == NULL) {
        Py_DECREF(seen);
        return NULL;
    }
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(seen, &pos, &key, &value)) {
        if (value == Py_None) {
            continue;
        }
        PyObject *full = prefix != NULL ? PyUnicode_Concat(prefix, key)
                                        : Py_NewRef(key);
        PyObject *item = full == NULL ? NULL : PyTuple_Pack(2, full, value);
        Py_XDECREF(full);
        if (item == NULL || PyList_Append(result, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(result);
            Py_DECREF(seen);
            return NULL;
        }
        Py_DECREF(item);
    }
    Py_DECREF(seen);
    if (PyList_Sort(result) < 0) {
        Py_DECREF(result);
        return NULL;
    }
    return result;
}

/* iter_modules(prefix="") -> list of (prefix + name, ispkg) for the
 * top-level modules the finder can load (used by pkgutil.iter_modules()). */
static PyObject *
finder_iter_modules(OxidizedFinder *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"prefix", NULL};
    PyObject *prefix = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|U:iter_modules", kwlist,
                                     &prefix)) {
        return NULL;
    }
    return oxi_iter_children(self, NULL, 0, prefix);
}


/* Calls _oxidized_importer.<module>.<function>(*args): the Python half of
 * the colder APIs, imported on first use only. */
PyObject *
oxi_call_support(const char *module, const char *function, const char *format,
                 ...)
{
    PyObject *mod = PyImport_ImportModule(module);
    if (mod == NULL) {
        return NULL;
    }
    PyObject *fn = PyObject_GetAttrString(mod, function);
    Py_DECREF(mod);
    if (fn == NULL) {
        return NULL;
    }
    va_list va;
    va_start(va, format);
    PyObject *args = Py_VaBuildValue(format, va);
    va_end(va);
    PyObject *result = args == NULL ? NULL : PyObject_CallObject(fn, args);
    Py_XDECREF(args);
    Py_DECREF(fn);
    return result;
}


static PyObject *
finder_get_origin(OxidizedFinder *self, void *closure)
{
    (void)closure;
    if (self->origin_len == 0) {
        return PyUnicode_FromString("/");
    }
    return PyUnicode_DecodeFSDefaultAndSize(self->origin,
                                            (Py_ssize_t)self->origin_len);
}

static PyObject *
finder_get_executable(OxidizedFinder *self, void *closure)
{
    (void)closure;
    return PyUnicode_DecodeFSDefaultAndSize(self->exe_path,
                                            (Py_ssize_t)self->exe_path_len);
}

static PyGetSetDef finder_getset[] = {
    {"origin", (getter)finder_get_origin, NULL,
     "Directory that relative-path resources are resolved against.", NULL},
    {"_executable", (getter)finder_get_executable, NULL,
     "Path of the executable; prefix of in-memory virtual paths.", NULL},
    {"path_hook_base_str", (getter)finder_get_executable, NULL,
     "The str path_hook() answers for (the top level), and the prefix of "
     "the package paths it accepts: the executable's path.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static char *
dup_bytes(const char *s, size_t len)
{
    char *copy = PyMem_RawMalloc(len + 1);
    if (copy != NULL) {
        memcpy(copy, s, len);
        copy[len] = '\0';
    }
    return copy;
}

/* Fills exe_path/origin; origin NULL means dirname(exe_path). */
static int
finder_set_paths(OxidizedFinder *self, const char *exe_path,
                 const char *origin)
{
    size_t exe_len = strlen(exe_path);
    self->exe_path = dup_bytes(exe_path, exe_len);
    if (self->exe_path == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->exe_path_len = exe_len;
    const char *exe_slash = strrchr(exe_path, '/');
    self->exe_dir_len = exe_slash == NULL ? 0 : (size_t)(exe_slash - exe_path);
    size_t origin_len;
    if (origin != NULL) {
        origin_len = strlen(origin);
    }
    else {
        const char *slash = strrchr(exe_path, '/');
        origin = exe_path;
        origin_len = slash == NULL ? 0 : (size_t)(slash - exe_path);
        if (origin_len == 0 && slash != NULL) {
            origin = "/";
            origin_len = 1;
        }
        else if (slash == NULL) {
            origin = ".";
            origin_len = 1;
        }
    }
    /* "/" + "/" + rel would give "//rel"; keep the root as "". */
    if (origin_len == 1 && origin[0] == '/') {
        origin_len = 0;
    }
    self->origin = dup_bytes(origin, origin_len);
    if (self->origin == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->origin_len = origin_len;
    return 0;
}

/* The interpreter's optimization level, sys.flags.optimize (-O,
 * PYTHONOPTIMIZE under the python profile, or the binary's setting): the
 * level of the bytecode the finder runs. 0 when sys.flags is not set. */
static int
interpreter_optimize(int *optimize)
{
    PyObject *flags = PySys_GetObject("flags"); /* borrowed */
    PyObject *value = flags ? PyObject_GetAttrString(flags, "optimize")
                            : NULL;
    if (value == NULL) {
        PyErr_Clear();
        *optimize = 0;
        return 0;
    }
    long level = PyLong_AsLong(value);
    Py_DECREF(value);
    if (level == -1 && PyErr_Occurred()) {
        return -1;
    }
    *optimize = level < 0 ? 0 : level > INT_MAX ? INT_MAX : (int)level;
    return 0;
}

PyObject *
oxidized_finder_new(const oxr_index *indexes, size_t count,
                    const char *exe_path, const char *origin,
                    const oxidized_finder_options *options)
{
    if (oxi_module_spec_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "oxidized_importer has not been imported");
        return NULL;
    }
    OxidizedFinder *self = (OxidizedFinder *)OxidizedFinder_Type.tp_alloc(
        &OxidizedFinder_Type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->indexes = indexes;
    self->index_count = count;
    if (interpreter_optimize(&self->optimize) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    self->virtual_module_file = options->virtual_module_file;
    self->wants_path_hook = 1;
    if (finder_set_paths(self, exe_path, origin) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    /* The interpreter's built-in and frozen modules are answered through
     * BuiltinImporter / FrozenImporter (libpython's deep-frozen code, no
     * unmarshalling), so sys.meta_path needs no other finder. */
    if (oxi_add_interpreter_names(self, 1, 0, 1, options->packed_over_frozen)
        < 0) {
        Py_DECREF(self);
        return NULL;
    }
    if (options->freeze_imports) {
        PyObject *gc = PyImport_ImportModule("gc");
        self->gc_freeze = gc != NULL ? PyObject_GetAttrString(gc, "freeze")
                                     : NULL;
        Py_XDECREF(gc);
        if (self->gc_freeze == NULL) {
            Py_DECREF(self);
            return NULL;
        }
    }
    return (PyObject *)self;
}


/* OxidizedFinder(resources_data=None, relative_path_origin=None,
 *                resources_file=None) */
static PyObject *
finder_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"resources_data", "relative_path_origin",
                             "resources_file", NULL};
    PyObject *data = Py_None;
    PyObject *origin_obj = Py_None;
    PyObject *file_obj = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OOO:OxidizedFinder",
                                     kwlist, &data, &origin_obj, &file_obj)) {
        return NULL;
    }
    OxidizedFinder *self = (OxidizedFinder *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    PyObject *origin_bytes = NULL;
    if (origin_obj != Py_None
        && !PyUnicode_FSConverter(origin_obj, &origin_bytes)) {
        Py_DECREF(self);
        return NULL;
    }
    char exe[PATH_MAX];
    if (realpath("/proc/self/exe", exe) == NULL) {
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, "/proc/self/exe");
        Py_XDECREF(origin_bytes);
        Py_DECREF(self);
        return NULL;
    }
    int rc = finder_set_paths(
        self, exe, origin_bytes ? PyBytes_AS_STRING(origin_bytes) : NULL);
    Py_XDECREF(origin_bytes);
    if (rc < 0) {
        Py_DECREF(self);
        return NULL;
    }
    if (interpreter_optimize(&self->optimize) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    if (data != Py_None) {
        if (PyObject_GetBuffer(data, &self->owned_buffer, PyBUF_SIMPLE) < 0) {
            Py_DECREF(self);
            return NULL;
        }
        self->has_buffer = 1;
        char err[256];
        if (oxr_index_parse(self->owned_buffer.buf,
                            (size_t)self->owned_buffer.len,
                            &self->owned_index, err, sizeof(err))
            != OXR_OK) {
            PyErr_Format(PyExc_ValueError,
                         "error parsing packed resources: %s", err);
            Py_DECREF(self);
            return NULL;
        }
        self->has_owned_index = 1;
        self->indexes = &self->owned_index;
        self->index_count = 1;
    }
    if (file_obj != Py_None) {
        PyObject *fs_path = NULL;
        if (!PyUnicode_FSConverter(file_obj, &fs_path)) {
            Py_DECREF(self);
            return NULL;
        }
        int rc = oxi_finder_index_file(self, PyBytes_AS_STRING(fs_path),
                                       file_obj);
        Py_DECREF(fs_path);
        if (rc < 0) {
            Py_DECREF(self);
            return NULL;
        }
    }
    return (PyObject *)self;
}


static void
finder_dealloc(OxidizedFinder *self)
{
    for (size_t i = 0; i < self->added_count; i++) {
        oxr_index_free(&self->added[i]);
    }
    PyMem_RawFree(self->added);
    PyMem_RawFree(self->grown);
    if (self->has_owned_index) {
        oxr_index_free(&self->owned_index);
    }
    for (size_t i = 0; i < self->map_count; i++) {
        munmap(self->maps[i].addr, self->maps[i].len);
    }
    PyMem_RawFree(self->maps);
    Py_XDECREF(self->extra_data);
    Py_XDECREF(self->interpreter_modules);
    Py_XDECREF(self->builtin_importer);
    Py_XDECREF(self->gc_freeze);
    if (self->has_buffer) {
        PyBuffer_Release(&self->owned_buffer);
    }
    for (size_t i = 0; i < self->extraction_count; i++) {
        PyMem_RawFree(self->extractions[i].dir);
    }
    PyMem_RawFree(self->extractions);
    PyMem_RawFree(self->exe_path);
    PyMem_RawFree(self->origin);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef finder_methods[] = {
    {"find_spec", (PyCFunction)(void (*)(void))finder_find_spec,
     METH_FASTCALL | METH_KEYWORDS,
     "find_spec(fullname, path=None, target=None)"},
    {"create_module", (PyCFunction)finder_create_module, METH_O,
     "Use the default module creation semantics."},
    {"exec_module", (PyCFunction)finder_exec_module, METH_O,
     "Execute the module's code in its namespace."},
    {"get_code", (PyCFunction)finder_get_code, METH_O, NULL},
    {"get_source", (PyCFunction)finder_get_source, METH_O, NULL},
    {"is_package", (PyCFunction)finder_is_package, METH_O, NULL},
    {"get_filename", (PyCFunction)finder_get_filename, METH_O, NULL},
    {"get_resource_reader", (PyCFunction)finder_get_resource_reader, METH_O,
     NULL},
    {"get_data", (PyCFunction)finder_get_data, METH_O, NULL},
    {"invalidate_caches", (PyCFunction)finder_invalidate_caches, METH_NOARGS,
     NULL},
    {"iter_modules", (PyCFunction)(void (*)(void))finder_iter_modules,
     METH_VARARGS | METH_KEYWORDS, NULL},
    {"find_module", (PyCFunction)(void (*)(void))finder_find_module,
     METH_VARARGS | METH_KEYWORDS,
     "find_module(fullname, path=None) -> loader or None (deprecated)"},
    {"find_distributions",
     (PyCFunction)(void (*)(void))oxi_finder_find_distributions,
     METH_VARARGS | METH_KEYWORDS,
     "find_distributions(context=None) -> [OxidizedDistribution]"},
    {"path_hook", (PyCFunction)oxi_finder_path_hook, METH_O,
     "path_hook(path) -> OxidizedPathEntryFinder; for sys.path_hooks"},
    {"indexed_resources", (PyCFunction)oxi_finder_indexed_resources,
     METH_NOARGS,
     "indexed_resources() -> [OxidizedResource]"},
    {"index_bytes", (PyCFunction)oxi_finder_index_bytes, METH_O,
     "index_bytes(data): index packed resources data after the known ones"},
    {"index_file_memory_mapped",
     (PyCFunction)oxi_finder_index_file_memory_mapped, METH_O,
     "index_file_memory_mapped(path): memory-map a packed resources file and "
     "index it after the known resources"},
    {"add_resource", (PyCFunction)oxi_finder_add_resource, METH_O,
     "add_resource(resource): index an OxidizedResource (replaces one of the "
     "same name)"},
    {"add_resources", (PyCFunction)oxi_finder_add_resources, METH_O,
     "add_resources(resources): add_resource() for each"},
    {"serialize_indexed_resources",
     (PyCFunction)(void (*)(void))oxi_finder_serialize_indexed_resources,
     METH_VARARGS | METH_KEYWORDS,
     "serialize_indexed_resources(ignore_builtin=True, ignore_frozen=True) "
     "-> bytes"},
    {"index_interpreter_builtins",
     (PyCFunction)oxi_finder_index_interpreter_builtins, METH_NOARGS,
     "index the interpreter's built-in extension and frozen modules"},
    {"index_interpreter_builtin_extension_modules",
     (PyCFunction)oxi_finder_index_builtin_extension_modules, METH_NOARGS,
     "index sys.builtin_module_names"},
    {"index_interpreter_frozen_modules",
     (PyCFunction)oxi_finder_index_frozen_modules, METH_NOARGS,
     "index the interpreter's frozen modules"},
    {"_package_entries", (PyCFunction)oxi_finder_package_entries, METH_O,
     NULL},
    {"_distribution_entries", (PyCFunction)oxi_finder_distribution_entries,
     METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

PyTypeObject OxidizedFinder_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "oxidized_importer.OxidizedFinder",
    .tp_basicsize = sizeof(OxidizedFinder),
    .tp_dealloc = (destructor)finder_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Meta path finder and loader over packed resources data.",
    .tp_methods = finder_methods,
    .tp_getset = finder_getset,
    .tp_new = finder_tp_new,
};

