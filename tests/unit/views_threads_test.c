#include "config.h"

#include "tests/tap.h"
#include "tests/unit/views_fixture.h"
#include "views/threads.h"

int
main(void)
{
	struct fx x;
	struct profile_snapshot *s = fx_standard(&x, "/src/b.c");
	struct threads_table t;
	struct filter f;

	filter_init(&f);
	threads_build(s, &f, THREADS_SORT_CPU, false, &t);
	tap_is_int(t.nrows, 2, "two threads");
	tap_is_int(t.cpu_total, 120, "cpu total");
	tap_is_int(t.wall_total, 130, "wall total");
	tap_is_int(t.rows[0].tid, 100, "busiest first");
	tap_is_int(t.rows[0].cpu, 80, "t0 cpu");
	tap_is_int(t.rows[0].wall, 90, "t0 wall");
	tap_ok(t.rows[0].on_cpu_pct > 79.99 && t.rows[0].on_cpu_pct < 80.01,
	       "t0 on-CPU %% = 8.4 s of 10.5 s (got %f)", t.rows[0].on_cpu_pct);
	tap_ok(t.rows[0].wait_pct > 9.99 && t.rows[0].wait_pct < 10.01,
	       "t0 waiting for a CPU %% = 1.05 s of 10.5 s (got %f)",
	       t.rows[0].wait_pct);
	tap_ok(t.rows[1].wait_pct == 0, "t1 never waited");
	tap_ok(t.rows[1].cpu_share > 33.33 && t.rows[1].cpu_share < 33.34,
	       "t1 share of cpu = 40/120");
	tap_is_str(t.rows[0].hottest_name, "hot_a", "t0 hottest");
	tap_is_int(t.rows[0].hottest_flat, 60, "t0 hottest flat");
	tap_is_str(t.rows[1].hottest_name, "hot_b", "t1 hottest");
	tap_is_str(t.rows[1].name, "worker1", "name");
	tap_is_int(t.rows[1].state, 'S', "state");
	tap_ok(!t.rows[0].selected, "nothing selected");
	threads_free(&t);

	threads_build(s, &f, THREADS_SORT_CPU, true, &t);
	tap_is_int(t.rows[0].tid, 101, "reversed: least busy first");
	threads_free(&t);
	threads_build(s, &f, THREADS_SORT_NAME, false, &t);
	tap_is_str(t.rows[0].name, "ratio", "by name");
	threads_free(&t);
	threads_build(s, &f, THREADS_SORT_ONCPU, false, &t);
	tap_is_int(t.rows[0].tid, 100, "by on-CPU %%: 80%% first");
	threads_free(&t);
	threads_build(s, &f, THREADS_SORT_WAIT, false, &t);
	tap_is_int(t.rows[0].tid, 100, "by wait %%: 10%% first");
	threads_free(&t);

	f.windowed = true;
	filter_thread_toggle(&f, 1);
	threads_build(s, &f, THREADS_SORT_TID, false, &t);
	tap_is_int(t.rows[0].cpu, 60, "window drops rec's second");
	tap_ok(t.rows[1].selected && !t.rows[0].selected, "selection shown");
	tap_is_int(t.rows[1].cpu, 40, "thread filter does not hide counts");
	threads_free(&t);
	f.mode = FILTER_MODE_WALL;
	threads_build(s, &f, THREADS_SORT_TID, false, &t);
	tap_is_int(t.rows[0].hottest_flat, 70, "wall hottest counts off-CPU");
	tap_ok(!t.processes, "one process: no process columns");
	tap_is_int(threads_other_processes(s), 0,
		   "one process (pids unknown): no other");
	threads_free(&t);
	filter_free(&f);
	profile_snapshot_unref(s);

	/* A followed child: thread 101 of process 200 ("cc1"). */
	x.threads[0].pid = 100;
	x.threads[1].pid = 200;
	snprintf(x.threads[1].process, 16, "cc1");
	fx_thread(&x, 102, "cc1-worker", 'R');
	x.threads[2].pid = 200;
	s = fx_snapshot(&x);
	filter_init(&f);
	threads_build(s, &f, THREADS_SORT_TID, false, &t);
	tap_ok(t.processes, "two processes: the list shows them");
	tap_ok(t.rows[1].pid == 200 && strcmp(t.rows[1].process, "cc1") == 0,
	       "a row names its process");
	threads_free(&t);
	threads_select_process(s, &f, 200);
	tap_ok(f.nthreads == 2 && !filter_thread_selected(&f, 0) &&
		       filter_thread_selected(&f, 1) &&
		       filter_thread_selected(&f, 2),
	       "x: exactly the process's threads");
	threads_select_process(s, &f, 200);
	tap_is_int(f.nthreads, 0, "x again: all threads");
	filter_free(&f);
	tap_is_int(threads_other_processes(s), 2,
		   "other processes than the target's (4242): 100 and 200");
	profile_snapshot_unref(s);
	x.threads[0].pid = 4242; /* the target's own thread */
	s = fx_snapshot(&x);
	tap_is_int(threads_other_processes(s), 1,
		   "the target's threads are not another process; two "
		   "threads of one are one");
	profile_snapshot_unref(s);
	return tap_done();
}
