# doc/: the manual page. doc/cproftop.1.in carries @VERSION@, filled in at
# build time; tests/doc/manpage.sh keeps its OPTIONS and KEYS the same as
# --help, options.c's option table, README.md and the live screen's help.
nodist_man1_MANS = doc/cproftop.1
EXTRA_DIST += doc/cproftop.1.in
CLEANFILES += doc/cproftop.1
# The library path may be long (distcheck's prefix): \: after each / lets
# troff break it there rather than warn.
doc/cproftop.1: doc/cproftop.1.in Makefile
	$(AM_V_GEN)$(MKDIR_P) doc && \
	sed -e 's|@VERSION[@]|$(PACKAGE_VERSION)|g' \
		-e 's|@PKGLIBDIR[@]|$(subst /,/\\:,$(pkglibdir))|g' \
		$(srcdir)/doc/cproftop.1.in >$@.tmp && mv $@.tmp $@

TESTS += tests/doc/manpage.sh
EXTRA_DIST += tests/doc/manpage.sh
