# packaging/: what `make install` puts beside the binary, the version
# --version prints, and the release checks: `make distcheck` (the tarball
# builds, tests, installs and uninstalls out of tree) and `make deb` /
# `make deb-check` (the Debian package of debian/, built from that tarball).

# --version: the package version and the git commit of the build, computed
# at every make (the header changes only when the commit does). A tarball
# carries its commit in .tarball-commit.
BUILT_SOURCES += version.h
CLEANFILES += version.h
EXTRA_DIST += packaging/version.sh
version.h: FORCE
	@PACKAGE_VERSION='$(PACKAGE_VERSION)' \
		$(SHELL) $(srcdir)/packaging/version.sh $(srcdir) $@
FORCE:
.PHONY: FORCE
dist-hook: version.h
	sed -n 's/.*(git \([^)]*\))".*/\1/p' version.h \
		>$(distdir)/.tarball-commit

# Bash completion, where bash-completion looks for it on demand.
bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = packaging/bash-completion/cproftop

# make installcheck (run by distcheck): the installed program runs.
installcheck-local:
	$(DESTDIR)$(bindir)/cproftop --version
	test -f $(DESTDIR)$(mandir)/man1/cproftop.1
	test -f $(DESTDIR)$(bashcompletiondir)/cproftop
	test -f $(DESTDIR)$(pkglibdir)/libcproftop-heap.so

PACKAGING_TESTS = tests/packaging/install.sh tests/packaging/completion.sh \
	tests/packaging/debian.sh
TESTS += $(PACKAGING_TESTS)
EXTRA_DIST += $(PACKAGING_TESTS)

# make distcheck checks the tarball with a small representative subset of
# the tests (the whole suite runs in CI's own builds): units, scripted
# screens, the man page, the completion, and the installed tree profiling
# a workload headless. Tests that time a target against the clock stay
# out: distcheck runs them in parallel on a loaded machine.
DISTCHECK_TESTS = tests/unit/procfs_test tests/unit/views_report_test \
	tests/unit/views_pprof_test tests/tui/fake.sh tests/doc/manpage.sh \
	tests/packaging/install.sh tests/packaging/completion.sh \
	tests/packaging/debian.sh
# (A target-specific variable, which automake would take for a rule.)
DISTCHECK_SUBSET = distcheck: AM_MAKEFLAGS += TESTS='$$(DISTCHECK_TESTS)'
$(eval $(DISTCHECK_SUBSET))

# The Debian package: debian/ builds it from the release tarball with
# dpkg-buildpackage, in deb/ (the .deb, .changes and .buildinfo land there).
# DEB_BUILD_OPTIONS as usual (nocheck, parallel=N).
EXTRA_DIST += debian/changelog debian/control debian/copyright \
	debian/rules debian/source/format debian/cproftop.docs \
	packaging/deb-check.sh
DEB_DIR = deb
deb: dist-gzip
	rm -rf $(DEB_DIR) && $(MKDIR_P) $(DEB_DIR)
	tar -C $(DEB_DIR) -xzf $(distdir).tar.gz
	cd $(DEB_DIR)/$(distdir) && dpkg-buildpackage -us -uc -b
	@ls -1 $(DEB_DIR)/*.deb
# make deb-check: build it, then check what it holds and run lintian.
deb-check: deb
	$(SHELL) $(srcdir)/packaging/deb-check.sh $(DEB_DIR) $(PACKAGE_VERSION)
clean-local: deb-clean
deb-clean:
	rm -rf $(DEB_DIR)
# Where make install puts things (tests/packaging/install.sh reads it).
install-dirs:
	@echo "bindir=$(bindir)"
	@echo "man1dir=$(man1dir)"
	@echo "bashcompletiondir=$(bashcompletiondir)"
	@echo "pkglibdir=$(pkglibdir)"
.PHONY: deb deb-check deb-clean install-dirs
