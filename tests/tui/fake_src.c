/* tests/tui/fake_src.c: the source shown by tui-fake's source view. */
static unsigned long
hot_a(unsigned long x)
{
	for (int i = 0; i < 1000; i++)
		x = x * 31 + 7; /* the hot line of hot_a */
	return x;
}

static unsigned long
hot_b(unsigned long x)
{
	for (int i = 0; i < 600; i++)
		x ^= x << 3;
	return x;
}

static unsigned long
worker(unsigned long x)
{
	x = hot_a(x);
	x = hot_b(x);
	return x;
}

int
main(void)
{
	return (int)worker(1);
}
