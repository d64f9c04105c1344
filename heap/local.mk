# heap/: --heap. libcproftop-heap.so, the allocation interposer preloaded
# into the spawned command (installed in pkglibdir, never sanitized: the
# per-program flags replace AM_CFLAGS and AM_LDFLAGS), and libheap.a,
# cproftop's end of its shared-memory ring.
heaplibdir = $(pkglibdir)
heaplib_PROGRAMS = heap/libcproftop-heap.so
heap_libcproftop_heap_so_SOURCES = heap/preload.c heap/preload.h \
	heap/sample.c heap/addrset.c heap/addrset.h heap/ring.h \
	heap/unwind.c heap/unwind.h heap/unwind_int.h heap/huge.c heap/huge.h \
	common/cfi.c common/cfi.h
heap_libcproftop_heap_so_CFLAGS = $(CPT_WARN) -fPIC -fvisibility=hidden -O2 -g \
	-pthread
heap_libcproftop_heap_so_LDFLAGS = -shared -Wl,-z,defs -pthread
heap_libcproftop_heap_so_LDADD = -ldl -lgcc_s

noinst_LIBRARIES += libheap.a
libheap_a_SOURCES = heap/source.c heap/source.h heap/locate.c heap/ring.h \
	heap/huge.c heap/huge.h
libheap_a_CPPFLAGS = $(AM_CPPFLAGS) -DCPT_HEAP_PKGLIBDIR='"$(pkglibdir)"'

# The heap profile's model and views live on their floors: sampler/
# (aggregation, symbols) and views/ (Go's four views, -top, pprof).
libsampler_a_SOURCES += sampler/heapprof.c sampler/heapprof.h
libviews_a_SOURCES += views/heap.c views/heap.h views/heap_pprof.c
cproftop_LDADD += -lm
