/* A stand-in extension module: only its placement is tested (pack field 0x0a). */
int PyInit__inmem(void) { return 0; }
