/* Entry point of every py_oxidized_binary: runs the embedded configuration
 * generated for the binary (see oxidizer/config.h). */
#include "oxidizer/config.h"

int
main(int argc, char **argv)
{
    return oxidizer_run(&oxidizer_embedded_config, argc, argv);
}
