# sampler/: timing, aggregation and snapshots (unwind.mk and symbols.mk add
# the unwinder and the symbolizer).
noinst_LIBRARIES += libsampler.a
libsampler_a_SOURCES = sampler/profile.c sampler/profile.h \
	sampler/sampler.h sampler/unwind.h sampler/symbols.h
