/* views/dump.c, --dump's text: eu-stack's layout over a hand-built
   snapshot, inline frames, a cut stack, a thread without one, and names
   from the target escaped. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "tests/unit/views_fixture.h"
#include "views/dump.h"

static char *
dump(const struct profile_snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	dump_write(fp, s);
	fclose(fp);
	return buf;
}

int
main(void)
{
	struct fx x;
	struct profile_snapshot *s = fx_standard(&x, "/src/b.c");
	char *out = dump(s);

	tap_is_str(out,
		   "Thread 100 \"ratio\" (R):\n"
		   "#0  0x0000000000403000 hot_a at main.c:52\n"
		   "#1  0x0000000000402000 worker at main.c:33\n"
		   "#2  0x0000000000401000 main at main.c:5\n"
		   "\n"
		   "Thread 101 \"worker1\" (S):\n"
		   "#0  0x0000000000404000 hot_b at b.c:12\n"
		   "#1  0x0000000000402000 worker at main.c:33\n"
		   "#2  0x0000000000401000 main at main.c:5\n"
		   "\n",
		   "each thread's first stack, innermost frame first");
	free(out);
	profile_snapshot_unref(s);

	/* Thread 1's first count: the inline chain, cut short; a third
	   thread with a hostile name and no stack. */
	x.counts[1].stack = 2;
	x.stacks[2].truncated = true;
	fx_thread(&x, 102, "evil\x1b[2J", 'D');
	x.threads[2].missing = "exited before its sample";
	s = fx_snapshot(&x);
	out = dump(s);
	tap_ok(strstr(out, "Thread 101 \"worker1\" (S):\n"
			   "#0  0x0000000000404100 inl (inlined) at b.c:20\n"
			   "#1  0x0000000000404100 hot_b at b.c:13\n"
			   "#2  0x0000000000402000 worker at main.c:33\n"
			   "#3  0x0000000000401000 main at main.c:5\n"
			   "#4  [unwinding stopped here]\n\n") != NULL,
	       "an inline chain, then the cut");
	tap_ok(strstr(out, "Thread 102 \"evil\\x1b[2J\" (D):\n"
			   "   no stack: exited before its sample\n\n") != NULL,
	       "a control byte in a name escaped; the missing stack said");
	tap_ok(strchr(out, '\x1b') == NULL, "no raw escape byte");
	free(out);
	profile_snapshot_unref(s);
	return tap_done();
}
