/* Distributions and metadata: the raw .dist-info entries handed to
 * _oxidized_importer.metadata, and find_distributions().
 */
#include "oxidized_importer_internal.h"

struct named_path_arg {
    OxidizedFinder *self;
    const oxr_resource *r;
};

static PyObject *
entry_bytes(const oxr_named *e, void *unused)
{
    (void)unused;
    return oxi_bytes_of(&e->value);
}

static PyObject *
entry_path(const oxr_named *e, void *arg)
{
    struct named_path_arg *a = arg;
    return oxi_resource_join(a->self, a->r, &e->value);
}

/* Builds {name: bytes} or {name: absolute path} from a named list. */
static int
add_named(OxidizedFinder *self, const oxr_resource *r, PyObject *dict,
          const oxr_named_list *list, int in_memory)
{
    struct named_path_arg a = {self, r};
    return oxi_named_set_items(dict, list,
                               in_memory ? entry_bytes : entry_path, &a);
}

static int
has_distribution_resources(const oxr_resource *r)
{
    return r->in_memory_distribution_resources.count != 0
           || r->relative_path_distribution_resources.count != 0;
}

struct entries_arg {
    OxidizedFinder *self;
    PyObject *list;
};

static int
append_entry(const oxr_resource *r, PyObject *name, void *arg)
{
    struct entries_arg *a = arg;
    PyObject *item = NULL;
    PyObject *files = PyDict_New();
    int rc = files != NULL
                     && add_named(a->self, r, files,
                                  &r->in_memory_distribution_resources, 1)
                            == 0
                     && add_named(a->self, r, files,
                                  &r->relative_path_distribution_resources, 0)
                            == 0
                     && (item = PyTuple_Pack(2, name, files)) != NULL
                     && PyList_Append(a->list, item) == 0
                 ? 0
                 : -1;
    Py_XDECREF(item);
    Py_XDECREF(files);
    return rc;
}

/* _distribution_entries() -> [(record name, {path in .dist-info: bytes |
 * absolute path})], first index wins. Used by _oxidized_importer.metadata. */
PyObject *
oxi_finder_distribution_entries(OxidizedFinder *self, PyObject *unused)
{
    (void)unused;
    struct entries_arg a = {self, PyList_New(0)};
    if (a.list == NULL
        || oxi_first_resources_each(self, has_distribution_resources,
                                    append_entry, &a)
               < 0) {
        Py_XDECREF(a.list);
        return NULL;
    }
    return a.list;
}


/* find_distributions(context=DistributionFinder.Context()) */
PyObject *
oxi_finder_find_distributions(OxidizedFinder *self, PyObject *args,
                              PyObject *kwargs)
{
    static char *kwlist[] = {"context", NULL};
    PyObject *context = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:find_distributions",
                                     kwlist, &context)) {
        return NULL;
    }
    return oxi_call_support("_oxidized_importer.metadata",
                            "find_distributions", "(OO)", (PyObject *)self,
                            context);
}

