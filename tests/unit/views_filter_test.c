#include "config.h"

#include <stdlib.h>

#include "tests/tap.h"
#include "tests/unit/views_fixture.h"
#include "views/filter.h"

int
main(void)
{
	struct profile_snapshot s = {.now_second = 10};
	struct profile_count c = {.second = 6, .on_cpu = 3, .off_cpu = 4};
	struct filter f;
	char *cause = NULL;

	filter_init(&f);
	tap_is_int(f.window_seconds, FILTER_DEFAULT_WINDOW, "default window");
	tap_ok(f.node_fraction == FILTER_DEFAULT_NODE_FRACTION,
	       "default node fraction");
	tap_is_int(filter_count_value(&f, &s, &c), 3, "cpu value");
	f.mode = FILTER_MODE_WALL;
	tap_is_int(filter_count_value(&f, &s, &c), 7, "wall value");
	f.windowed = true;
	tap_is_int(filter_count_value(&f, &s, &c), 7, "second 6 in (5, 10]");
	c.second = 5;
	tap_is_int(filter_count_value(&f, &s, &c), 0, "second 5 out");
	f.window_seconds = 20;
	tap_is_int(filter_count_value(&f, &s, &c), 7, "window beyond start");

	tap_ok(filter_thread_selected(&f, 7), "empty set selects all");
	filter_thread_toggle(&f, 5);
	filter_thread_toggle(&f, 2);
	filter_thread_toggle(&f, 9);
	tap_ok(f.nthreads == 3 && f.threads[0] == 2 && f.threads[1] == 5 &&
		       f.threads[2] == 9,
	       "set kept sorted");
	tap_ok(!filter_thread_selected(&f, 7), "7 not selected");
	filter_thread_toggle(&f, 5);
	tap_ok(f.nthreads == 2 && !filter_thread_selected(&f, 5),
	       "toggle removes");
	filter_threads_clear(&f);
	tap_ok(filter_thread_selected(&f, 5), "cleared: all");

	tap_is_int(filter_set_focus(&f, "a+b", &cause), 0, "focus set");
	tap_is_int(filter_set_focus(&f, "a[", &cause), -1, "bad focus");
	tap_is_str(f.focus, "a+b", "previous focus kept");
	free(cause);
	tap_is_int(filter_set_focus(&f, "", NULL), 0, "empty clears");
	tap_ok(f.focus == NULL, "focus cleared");
	tap_is_int(filter_set_hide(&f, "x", NULL), 0, "hide set");
	filter_free(&f);
	tap_ok(f.hide == NULL && f.threads == NULL, "freed");
	return tap_done();
}
