/* views/shortname.c: pprof's short forms of demangled C++ names. */
#include "config.h"

#include <string.h>

#include "tests/tap.h"
#include "views/shortname.h"

static void
check(const char *full, const char *want)
{
	char buf[256];

	tap_is_str(shortname_cpp(full, buf, sizeof(buf)), want, "%s", full);
}

int
main(void)
{
	char small[8];

	check("hot_a", "hot_a");
	check("main.worker", "main.worker");
	check("libz.so.1+0x1234", "libz.so.1+0x1234");
	check("JS:*hotJsFunction /tmp/hot.js:1:23",
	      "JS:*hotJsFunction /tmp/hot.js:1:23");
	check("std::vector<int, std::allocator<int> >::push_back(int const&)",
	      "std::vector::push_back");
	check("void outer::inner::baz<int>(int)", "outer::inner::baz");
	check("outer::Klass::method(int) const", "outer::Klass::method");
	check("unsigned long ns::f<char>(char const*)", "ns::f");
	check("(anonymous namespace)::helper(int)",
	      "(anonymous namespace)::helper");
	check("ns::run()::{lambda(int)#1}::operator()(int) const",
	      "ns::run::{lambda(int)#1}::operator()");
	check("std::ostream::operator<<(int)", "std::ostream::operator<<");
	check("bool ns::operator< <int>(ns::V<int> const&, ns::V<int> const&)",
	      "ns::operator<");
	check("operator new(unsigned long)", "operator new");
	check("std::vector<int>::operator[](unsigned long)",
	      "std::vector::operator[]");
	check("ns::A::~A()", "ns::A::~A");
	check("foo(int", "foo");
	check("a<b", "a<b"); /* no scope, no parameters: not C++ */
	check("(", "(");
	shortname_cpp("std::vector<int>::push_back(int)", small, sizeof(small));
	tap_ok(strlen(small) == 7, "cut to the buffer: %s", small);
	return tap_done();
}
