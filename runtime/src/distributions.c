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

/* _distribution_entries() -> [(record name, {path in .dist-info: bytes |
 * absolute path})], first index wins. Used by _oxidized_importer.metadata. */
PyObject *
oxi_finder_distribution_entries(OxidizedFinder *self, PyObject *unused)
{
    (void)unused;
    PyObject *list = PyList_New(0);
    PyObject *seen = PySet_New(NULL);
    if (list == NULL || seen == NULL) {
        goto error;
    }
    for (size_t i = 0; i < self->index_count; i++) {
        const oxr_index *ix = &self->indexes[i];
        for (size_t j = 0; j < ix->count; j++) {
            const oxr_resource *r = &ix->resources[j];
            if (r->in_memory_distribution_resources.count == 0
                && r->relative_path_distribution_resources.count == 0) {
                continue;
            }
            PyObject *name = oxi_str_of(&r->name);
            if (name == NULL) {
                goto error;
            }
            int found = PySet_Contains(seen, name);
            PyObject *files = NULL;
            PyObject *item = NULL;
            if (found == 0 && PySet_Add(seen, name) == 0
                && (files = PyDict_New()) != NULL
                && add_named(self, r, files,
                             &r->in_memory_distribution_resources, 1) == 0
                && add_named(self, r, files,
                             &r->relative_path_distribution_resources, 0)
                       == 0
                && (item = PyTuple_Pack(2, name, files)) != NULL
                && PyList_Append(list, item) == 0) {
                found = 0;
            }
            else if (found == 0) {
                found = -1;
            }
            Py_XDECREF(item);
            Py_XDECREF(files);
            Py_DECREF(name);
            if (found < 0) {
                goto error;
            }
        }
    }
    Py_DECREF(seen);
    return list;
error:
    Py_XDECREF(seen);
    Py_XDECREF(list);
    return NULL;
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

