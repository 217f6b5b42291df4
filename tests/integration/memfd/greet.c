#include "greet.h"

const char *
greet_word(void)
{
    return "hello from libgreet";
}
