/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The control server: the Unix socket, its clients, bounded line framing in, bounded queues out.
 * It parses requests with the protocol module (plugin/control.h) and hands each valid one up; a
 * malformed or oversized one is answered here and the connection carries on.  A client that does
 * not read its replies is dropped, never waited for.
 */
#ifndef RECALLD_CTLSERVER_H
#define RECALLD_CTLSERVER_H

#include <stdbool.h>
#include <sys/types.h>

struct loop;
struct ctlserver;
struct ctl_client;
struct control_request;
struct json_object;

struct ctlserver_ops {
	/* A valid request; answer it with ctlserver_send (the client may be dropped by that). */
	void (*request)(void *ctx, struct ctl_client *c, const struct control_request *req);
};

struct ctlserver_params {
	const char *path;
	const char *group;		/* NULL = the daemon's own group */
	unsigned int max_clients;
	unsigned int max_request;	/* bytes per request line */
	unsigned int max_output;	/* bytes queued per client */
	/* A client that is not subscribed and sends no request for this long is dropped, so idle
	 * connections cannot hold every slot for ever; 0 = never. */
	unsigned int idle_timeout_ms;
};

/* Creates the socket's directory if needed, refuses to start when another daemon answers on the
 * path, binds with mode 0660 and the group. */
int ctlserver_new(struct loop *l, const struct ctlserver_params *p,
		  const struct ctlserver_ops *ops, void *ctx, struct ctlserver **ret);
/* Closes every client and removes the socket. */
struct ctlserver *ctlserver_free(struct ctlserver *s);

/* Queue one message (a line) for c; a client whose queue overflows is dropped (-ENOBUFS). */
int ctlserver_send(struct ctl_client *c, struct json_object *o);
/* The message to every subscribed client. */
void ctlserver_broadcast(struct ctlserver *s, struct json_object *o);
void ctlserver_subscribe(struct ctl_client *c);
unsigned int ctlserver_n_clients(const struct ctlserver *s);
pid_t ctl_client_pid(const struct ctl_client *c);

#endif
