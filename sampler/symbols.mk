# sampler/symbols.c: symbolization with libelf and libdw.
