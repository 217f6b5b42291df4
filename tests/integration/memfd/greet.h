/* A plain C library an extension module depends on (DT_NEEDED libgreet.so). */
#ifndef GREET_H
#define GREET_H

const char *greet_word(void);

#endif
