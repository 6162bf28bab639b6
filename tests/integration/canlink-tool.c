/* Test helper for the controller bench: can/canlink.h against the real kernel.
 *
 *   canlink-tool get IFACE                       link as key=value lines
 *   canlink-tool up IFACE BITRATE RESTART_MS [listen]   canlink_bringup(), outcome as key=value
 *   canlink-tool watch IFACE MS                  error frames for MS ms: counts and cause
 *
 * Exit: 0 done (whatever the outcome), 1 netlink/socket failure, 2 usage. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "can/canlink.h"

static void print_info(const char *p, const struct canlink_info *in)
{
	unsigned int i;

	printf("%sifname=%s\n%skind=%s\n%sup=%d\n%scarrier=%d\n", p, in->ifname, p,
	       canlink_kind_name(in->kind), p, in->up, p, in->carrier);
	printf("%sbittiming=%d\n%sbitrate=%u\n", p, in->has_bittiming, p, in->bitrate);
	if (in->has_state)
		printf("%sstate=%s\n", p, canlink_state_name(in->state));
	if (in->has_restart_ms)
		printf("%srestart_ms=%u\n", p, in->restart_ms);
	printf("%sctrlmode=0x%x\n%scontroller=%s\n", p, in->ctrlmode, p, in->controller);
	if (in->has_berr)
		printf("%sberr=%u/%u\n", p, in->tx_errors, in->rx_errors);
	printf("%srates=", p);
	for (i = 0; i < in->n_bitrate_const; i++)
		printf("%s%u", i ? "," : "", in->bitrate_const[i]);
	printf("\n");
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct canlink_nl nl;
	int r;

	if (argc < 3)
		goto usage;
	if (strcmp(argv[1], "watch") == 0 && argc == 4) {
		struct canlink_errwatch w;
		uint64_t end = now_ms() + strtoul(argv[3], NULL, 10);
		const struct canlink_errstats *s = &w.st;

		r = canlink_errwatch_open(&w, argv[2]);
		if (r < 0) {
			fprintf(stderr, "canlink-tool: %s: %s\n", argv[2], strerror(-r));
			return 1;
		}
		printf("ready\n");
		fflush(stdout);
		while (now_ms() < end) {
			struct pollfd p = { .fd = w.fd, .events = POLLIN };

			(void)poll(&p, 1, (int)(end - now_ms()));
			r = canlink_errwatch_poll(&w);
			if (r < 0) {
				printf("error=%s\n", strerror(-r));
				break;
			}
		}
		printf("error_frames=%u\nack=%u\nbit=%u\nstuff=%u\nform=%u\ncrc=%u\nbus_off=%u\n"
		       "restarted=%u\nstate=%s\nworst=%s\ntx_done=%u\nrx_frames=%u\n",
		       s->error_frames, s->ack, s->bit, s->stuff, s->form, s->crc, s->bus_off,
		       s->restarted, canlink_state_name(s->state), canlink_state_name(s->worst),
		       s->tx_done, s->rx_frames);
		if (s->have_counters)
			printf("counters=%u/%u\n", s->tx_errors, s->rx_errors);
		printf("cause=%s\n", canlink_cause_name(canlink_err_cause(s, true, false)));
		canlink_errwatch_close(&w);
		return 0;
	}
	r = canlink_nl_open(&nl);
	if (r < 0) {
		fprintf(stderr, "canlink-tool: netlink: %s\n", strerror(-r));
		return 1;
	}
	if (strcmp(argv[1], "get") == 0 && argc == 3) {
		struct canlink_info in;
		struct canlink_err err;

		r = canlink_get(&nl, argv[2], &in, &err);
		if (r < 0) {
			printf("error=%s\n", strerror(-r));
			canlink_nl_close(&nl);
			return r == -ENODEV ? 0 : 1;
		}
		print_info("", &in);
	} else if (strcmp(argv[1], "up") == 0 && (argc == 5 || argc == 6)) {
		struct canlink_want w = { (uint32_t)strtoul(argv[3], NULL, 10),
					  (uint32_t)strtoul(argv[4], NULL, 10),
					  argc == 6 && strcmp(argv[5], "listen") == 0 };
		struct canlink_result res;

		r = canlink_bringup(&nl, argv[2], &w, &res);
		if (r < 0) {
			fprintf(stderr, "canlink-tool: %s: %s\n", argv[2], strerror(-r));
			canlink_nl_close(&nl);
			return 1;
		}
		printf("verdict=%s\noutcome=%s\nset=%u\nrestart_unsupported=%d\n",
		       canlink_verdict_name(res.plan.verdict), canlink_outcome_name(res.outcome),
		       res.plan.set, res.restart_unsupported);
		if (res.step)
			printf("step=%s\nerrno=%s\nkernel=%s\n", res.step, strerror(-res.error),
			       res.err.msg);
		if (res.outcome == CANLINK_OUT_UP)
			print_info("after.", &res.after);
	} else {
		canlink_nl_close(&nl);
		goto usage;
	}
	canlink_nl_close(&nl);
	return 0;
usage:
	fprintf(stderr, "usage: canlink-tool get IFACE | up IFACE BITRATE RESTART_MS [listen] | "
			"watch IFACE MS\n");
	return 2;
}
