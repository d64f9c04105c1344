#ifndef CPT_VIEWS_SHORTNAME_H
#define CPT_VIEWS_SHORTNAME_H

/*
 * Readable short forms of demangled C++ names, as pprof shows them by
 * default (its simplified demangling: no parameter lists, no template
 * arguments, no return types): "std::vector<int>::push_back(int const&)"
 * is std::vector::push_back; scopes stay, lambda scopes
 * ({lambda(int)#1}) and (anonymous namespace) too; operator names are
 * kept whole (operator(), operator<<, operator new). Other names (C, Go,
 * JIT, lib.so+0x...) come back unchanged. Pure; any thread.
 */

#include <stddef.h>

/*
 * Writes the short form of name into out (outsz bytes, NUL-terminated, cut
 * when too long). Returns out.
 */
char *shortname_cpp(const char *name, char *out, size_t outsz);

#endif
