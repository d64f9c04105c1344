# views/: pure data models over profile snapshots, and pprof export.
# (define VIEWS_LIB = libviews.a with the first source)
