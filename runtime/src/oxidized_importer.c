/* The oxidized_importer built-in module: OxidizedFinder, a meta path finder
 * and loader implemented in C over parsed packed-resources indexes (see
 * oxidizer/packed_resources.h), OxidizedResourceReader, its
 * importlib.abc.ResourceReader, and OxidizedPathEntryFinder, what its
 * path_hook returns for the virtual __path__ entries of in-memory packages.
 *
 * Behaviour follows PyOxidizer 0.9's oxidized_importer (manual chapter 6):
 *  - modules with in-memory source/bytecode are loaded by the finder itself;
 *    their spec has no origin and has_location is False, so __file__ and
 *    __cached__ are not set (unless virtual_module_file: then origin and
 *    __file__ are <exe dir>/<package path>/<module>.py, cached is None);
 *    packages get __path__ == [<executable path>/<package/name>];
 *  - namespace packages get a spec with the finder as loader (origin None)
 *    and the same kind of __path__, so importlib.resources works on them;
 *  - modules and extension modules stored as paths relative to the
 *    executable's directory get the standard file loaders from
 *    _frozen_importlib_external, so they have a real __file__;
 *  - built-in and frozen modules of the interpreter (the embedded finder's
 *    interpreter_modules, or index_interpreter_*()) are answered by
 *    BuiltinImporter / FrozenImporter, whose specs name them as loaders, so
 *    sys.meta_path can be [OxidizedFinder] alone, as in PyOxidizer;
 *  - `pkg.__init__` (`from .__init__ import x`) is a second, non-package
 *    module run from the package's code, as CPython's FileFinder makes it;
 *  - unknown names return None so the importers after us handle them.
 *
 * Colder APIs are implemented in Python in the _oxidized_importer package
 * (runtime/python), imported on first use: files() Traversables,
 * find_distributions() / OxidizedDistribution, OxidizedResource, the
 * resource types, find_resources_in_path() and OxidizedResourceCollector
 * (collector.py), and the packed-resources writer (packing.py). The C side
 * only hands them raw entries (_package_entries, _distribution_entries).
 *
 * Indexes added at run time: index_bytes() and index_file_memory_mapped()
 * (the file stays mapped for the finder's life) index data before the known
 * resources, each resource merged into the known one of its name with its
 * own fields winning, as PyOxidizer does (see enum index_mode); resources of
 * one name inside a blob are merged by the parser the same way.
 * add_resource(s) serializes the
 * OxidizedResource objects with packing.py and indexes the result *before*
 * every other index, so an added resource replaces one of the same name, as
 * in PyOxidizer; all lookups (find_spec, get_code, resources, metadata,
 * iter_modules, indexed_resources) then see it like packed data.
 * index_interpreter_*() index resources flagged is_builtin_extension_module
 * / is_frozen_module after everything else and add their names to
 * interpreter_modules, which find_spec() and get_code() consult first and
 * hand to BuiltinImporter / FrozenImporter; the embedded finder starts with
 * those names (oxidized_finder_new()).
 * serialize_indexed_resources() writes indexed_resources() with packing.py.
 *
 * This file holds the module definition and the cached objects; each
 * concern has its own unit (see oxidized_importer_internal.h): finder.c,
 * resource.c, interpreter_modules.c, memory_load.c, path_entry_finder.c,
 * distributions.c, resource_reader.c and resource_index.c.
 *
 * Speed matters: every import of the application goes through find_spec and
 * exec_module, so the callables and strings they need are looked up once and
 * kept in static variables (a single interpreter is assumed).
 */
#include "oxidized_importer_internal.h"

/* ------------------------------------------------------------------------ */
/* Cached objects. Set once by PyInit_oxidized_importer() / on first use.   */

PyObject *oxi_module_spec_type;       /* _frozen_importlib.ModuleSpec */
PyObject *oxi_imp_module;             /* _imp, for in-memory extensions */
PyObject *oxi_str_spec;               /* "__spec__" */
PyObject *oxi_str_name;               /* "name" */
PyObject *oxi_str_dunder_name;        /* "__name__" */
PyObject *oxi_str_builtins;           /* "__builtins__" */
PyObject *oxi_str_search_locations;   /* "submodule_search_locations" */
PyObject *oxi_kwnames_is_package;     /* ("is_package",) */
PyObject *oxi_kwnames_loader;         /* ("loader",) */
PyObject *oxi_str_dot;                /* "." */
PyObject *oxi_str_slash;              /* "/" */
PyObject *oxi_kwnames_origin_is_package; /* ("origin", "is_package") */

/* From _frozen_importlib_external and _io; resolved lazily because the
 * external importers are only installed by the second initialization
 * phase, after our finder is already on sys.meta_path. */
static int external_ready;
PyObject *oxi_spec_from_file_location;
PyObject *oxi_extension_file_loader;
PyObject *oxi_source_file_loader;
PyObject *oxi_sourceless_file_loader;
PyObject *oxi_decode_source;
PyObject *oxi_io_bytes_io;
PyObject *oxi_io_open;

int
oxi_ensure_external(void)
{
    if (external_ready) {
        return 0;
    }
    PyObject *ext = PyImport_ImportModule("_frozen_importlib_external");
    if (ext == NULL) {
        return -1;
    }
    PyObject *io = PyImport_ImportModule("_io");
    if (io == NULL) {
        Py_DECREF(ext);
        return -1;
    }
    int rc = -1;
    if ((oxi_spec_from_file_location = PyObject_GetAttrString(
             ext, "spec_from_file_location")) == NULL
        || (oxi_extension_file_loader = PyObject_GetAttrString(
                ext, "ExtensionFileLoader")) == NULL
        || (oxi_source_file_loader = PyObject_GetAttrString(
                ext, "SourceFileLoader")) == NULL
        || (oxi_sourceless_file_loader = PyObject_GetAttrString(
                ext, "SourcelessFileLoader")) == NULL
        || (oxi_decode_source = PyObject_GetAttrString(
                ext, "decode_source")) == NULL
        || (oxi_io_bytes_io = PyObject_GetAttrString(io, "BytesIO")) == NULL
        || (oxi_io_open = PyObject_GetAttrString(io, "open")) == NULL) {
        Py_CLEAR(oxi_spec_from_file_location);
        Py_CLEAR(oxi_extension_file_loader);
        Py_CLEAR(oxi_source_file_loader);
        Py_CLEAR(oxi_sourceless_file_loader);
        Py_CLEAR(oxi_decode_source);
        Py_CLEAR(oxi_io_bytes_io);
        Py_CLEAR(oxi_io_open);
    }
    else {
        external_ready = 1;
        rc = 0;
    }
    Py_DECREF(io);
    Py_DECREF(ext);
    return rc;
}


/* ------------------------------------------------------------------------ */
/* Module                                                                   */

/* The public names implemented in Python, imported on first access so
 * start-up never loads them, and the support module defining each. With the
 * types defined in C below, they are the module's public names: __all__,
 * dir() and `from oxidized_importer import *` list them, as PyOxidizer's
 * module does. */
static const struct {
    const char *attr;
    const char *module;
} lazy_names[] = {
    {"OxidizedDistribution", "_oxidized_importer.metadata"},
    {"OxidizedResource", "_oxidized_importer.resource"},
    {"OxidizedResourceCollector", "_oxidized_importer.collector"},
    {"find_resources_in_path", "_oxidized_importer.collector"},
    {"PythonModuleSource", "_oxidized_importer.collector"},
    {"PythonModuleBytecode", "_oxidized_importer.collector"},
    {"PythonExtensionModule", "_oxidized_importer.collector"},
    {"PythonPackageResource", "_oxidized_importer.collector"},
    {"PythonPackageDistributionResource", "_oxidized_importer.collector"},
    {"decode_source", "_oxidized_importer.source"},
    {"OxidizedZipFinder", "_oxidized_importer.zip_finder"},
    {"OxidizedPkgResourcesProvider", "_oxidized_importer.pkg_resources"},
    {"register_pkg_resources", "_oxidized_importer.pkg_resources"},
    {"pkg_resources_find_distributions", "_oxidized_importer.pkg_resources"},
};
#define LAZY_NAME_COUNT (sizeof(lazy_names) / sizeof(lazy_names[0]))

/* The module's type: a subclass of ModuleType whose attribute lookup falls
 * back to lazy_names (the value is then stored in the module's dict), and
 * whose __dir__ lists them. A PEP 562 __getattr__/__dir__ in the module's
 * dict would show as attributes PyOxidizer's module does not have. */
static PyObject *
module_type_getattro(PyObject *module, PyObject *name)
{
    PyObject *value = PyModule_Type.tp_getattro(module, name);
    if (value != NULL || !PyErr_ExceptionMatches(PyExc_AttributeError)
        || !PyUnicode_Check(name)) {
        return value;
    }
    for (size_t i = 0; i < LAZY_NAME_COUNT; i++) {
        if (PyUnicode_CompareWithASCIIString(name, lazy_names[i].attr) == 0) {
            PyErr_Clear();
            PyObject *mod = PyImport_ImportModule(lazy_names[i].module);
            if (mod == NULL) {
                return NULL;
            }
            value = PyObject_GetAttr(mod, name);
            Py_DECREF(mod);
            if (value != NULL
                && PyObject_GenericSetAttr(module, name, value) < 0) {
                Py_CLEAR(value);
            }
            return value;
        }
    }
    return NULL;
}

static PyObject *
module_type_dir(PyObject *module, PyObject *unused)
{
    (void)unused;
    PyObject *dict = PyModule_GetDict(module); /* borrowed */
    PyObject *names = dict == NULL ? NULL : PyDict_Keys(dict);
    if (names == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < LAZY_NAME_COUNT; i++) {
        PyObject *name = PyUnicode_FromString(lazy_names[i].attr);
        int has = name == NULL ? -1 : PyDict_Contains(dict, name);
        if (has < 0 || (has == 0 && PyList_Append(names, name) < 0)) {
            Py_XDECREF(name);
            Py_DECREF(names);
            return NULL;
        }
        Py_DECREF(name);
    }
    if (PyList_Sort(names) < 0) {
        Py_CLEAR(names);
    }
    return names;
}

static PyMethodDef module_type_methods[] = {
    {"__dir__", (PyCFunction)module_type_dir, METH_NOARGS,
     "The module's attributes, the lazily imported ones included."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject OxidizedImporterModule_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "oxidized_importer.OxidizedImporterModule",
    .tp_getattro = module_type_getattro,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The oxidized_importer module (lazily imported attributes).",
    .tp_methods = module_type_methods,
};

/* __all__: the names defined in C, then lazy_names. */
static PyObject *
module_all(void)
{
    static const char *c_names[] = {
        "OxidizedFinder",
        "OxidizedPathEntryFinder",
        "OxidizedResourceReader",
    };
    PyObject *all = PyList_New(0);
    if (all == NULL) {
        return NULL;
    }
    size_t total = sizeof(c_names) / sizeof(c_names[0]) + LAZY_NAME_COUNT;
    for (size_t i = 0; i < total; i++) {
        const char *text = i < sizeof(c_names) / sizeof(c_names[0])
                               ? c_names[i]
                               : lazy_names[i - sizeof(c_names)
                                                    / sizeof(c_names[0])]
                                     .attr;
        PyObject *name = PyUnicode_FromString(text);
        if (name == NULL || PyList_Append(all, name) < 0) {
            Py_XDECREF(name);
            Py_DECREF(all);
            return NULL;
        }
        Py_DECREF(name);
    }
    return all;
}

static struct PyModuleDef oxidized_importer_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "oxidized_importer",
    .m_doc = "In-memory module importer over packed resources data.",
    .m_size = -1,
};

static int
init_statics(void)
{
    if (oxi_module_spec_type != NULL) {
        return 0;
    }
    PyObject *bootstrap = PyImport_ImportModule("_frozen_importlib");
    if (bootstrap == NULL) {
        return -1;
    }
    PyObject *spec_type = PyObject_GetAttrString(bootstrap, "ModuleSpec");
    Py_DECREF(bootstrap);
    if (spec_type == NULL) {
        return -1;
    }
    if ((oxi_str_spec = PyUnicode_InternFromString("__spec__")) == NULL
        || (oxi_str_name = PyUnicode_InternFromString("name")) == NULL
        || (oxi_str_dunder_name = PyUnicode_InternFromString("__name__"))
               == NULL
        || (oxi_str_builtins = PyUnicode_InternFromString("__builtins__"))
               == NULL
        || (oxi_str_search_locations = PyUnicode_InternFromString(
                "submodule_search_locations")) == NULL
        || (oxi_kwnames_is_package = Py_BuildValue("(s)", "is_package"))
               == NULL
        || (oxi_kwnames_loader = Py_BuildValue("(s)", "loader")) == NULL
        || (oxi_str_dot = PyUnicode_InternFromString(".")) == NULL
        || (oxi_str_slash = PyUnicode_InternFromString("/")) == NULL
        || (oxi_kwnames_origin_is_package = Py_BuildValue("(ss)", "origin",
                                                          "is_package"))
               == NULL) {
        Py_CLEAR(oxi_str_spec);
        Py_CLEAR(oxi_str_name);
        Py_CLEAR(oxi_str_dunder_name);
        Py_CLEAR(oxi_str_builtins);
        Py_CLEAR(oxi_str_search_locations);
        Py_CLEAR(oxi_kwnames_is_package);
        Py_CLEAR(oxi_kwnames_loader);
        Py_CLEAR(oxi_kwnames_origin_is_package);
        Py_CLEAR(oxi_str_dot);
        Py_CLEAR(oxi_str_slash);
        Py_DECREF(spec_type);
        return -1;
    }
    oxi_module_spec_type = spec_type;
    return 0;
}

PyMODINIT_FUNC
PyInit_oxidized_importer(void)
{
    if (init_statics() < 0) {
        return NULL;
    }
    OxidizedImporterModule_Type.tp_base = &PyModule_Type;
    if (PyType_Ready(&OxidizedFinder_Type) < 0
        || PyType_Ready(&OxidizedResourceReader_Type) < 0
        || PyType_Ready(&OxidizedPathEntryFinder_Type) < 0
        || PyType_Ready(&OxidizedImporterModule_Type) < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&oxidized_importer_module);
    if (m == NULL) {
        return NULL;
    }
    /* Same layout as ModuleType (tp_basicsize is inherited); the type is
     * static, so it needs no reference from its instances. */
    Py_SET_TYPE(m, &OxidizedImporterModule_Type);
    PyObject *all = module_all();
    if (all == NULL || PyModule_AddObject(m, "__all__", all) < 0) {
        Py_XDECREF(all);
        Py_DECREF(m);
        return NULL;
    }
    if (PyModule_AddObjectRef(m, "OxidizedFinder",
                              (PyObject *)&OxidizedFinder_Type) < 0
        || PyModule_AddObjectRef(m, "OxidizedResourceReader",
                                 (PyObject *)&OxidizedResourceReader_Type)
               < 0
        || PyModule_AddObjectRef(m, "OxidizedPathEntryFinder",
                                 (PyObject *)&OxidizedPathEntryFinder_Type)
               < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

