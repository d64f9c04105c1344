/* Source for tests/views/pprof_readback.sh: the line numbers matter. */
static int
inl(int x)
{
	return x * 3;
}

static int
hot_a(int n)
{
	int s = 0;
	for (int i = 0; i < n; i++)
		s += i;
	return s;
}

static int
hot_b(int n)
{
	int s = 0;
	s += n;
	return inl(s);
}

static int
rec(int d)
{
	return d > 0 ? rec(d - 1) : 0;
}

static void
worker(void)
{
	hot_a(100);
	hot_b(100);
}

int
main(void)
{
	worker();
	return rec(3);
}
