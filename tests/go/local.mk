# tests/go/: a Go program compared with its own runtime/pprof profile
# (built by the test with the installed go; skipped without it).
TESTS += tests/go/go.sh
EXTRA_DIST += tests/go/go.sh tests/go/hot.go tests/go/go.mod \
	tests/go/cgo/main.go tests/go/cgo/go.mod
