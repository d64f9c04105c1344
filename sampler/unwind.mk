# sampler/unwind.c: remote unwinding from a stack copy.
