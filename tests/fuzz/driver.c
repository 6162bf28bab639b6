/*
 * Replays fuzz inputs without libFuzzer, so `make check` runs every fuzz target over its committed
 * corpus on any compiler.  Each argument is a file; the whole file is one input, as with libFuzzer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	int r = -1;

	if (!f) {
		fprintf(stderr, "fuzz-driver: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	/* Exact-size copy so ASan sees any read past the end of the input. */
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto out;
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	r = 0;
out:
	if (r < 0)
		fprintf(stderr, "fuzz-driver: %s: cannot read\n", path);
	free(buf);
	fclose(f);
	return r;
}

int main(int argc, char **argv)
{
	int i, bad = 0, n = 0;

	for (i = 1; i < argc; i++) {
		if (run_file(argv[i]) < 0)
			bad++;
		else
			n++;
	}
	if (n == 0) {
		fprintf(stderr, "fuzz-driver: no input files\n");
		return 1;
	}
	return bad ? 1 : 0;
}
