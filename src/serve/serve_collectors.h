/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exporter's collectors (serve.h): each loads its feature's BPF object
 * with backend_select(), set from serve's options, and fills *c. 0, or a
 * negative errno with one line printed and nothing left loaded.
 */
#ifndef TCPLAT_SERVE_COLLECTORS_H
#define TCPLAT_SERVE_COLLECTORS_H

#include "backend.h"
#include "serve.h"
#include "serve_opts.h"

int serve_connect_create(const struct serve_opts *o, struct collector *c, enum backend *chosen);
int serve_rtt_create(const struct serve_opts *o, struct collector *c, enum backend *chosen);

#endif /* TCPLAT_SERVE_COLLECTORS_H */
