/* limit.h - the resource limits of struct ringbox_config, enforced on the
 * run: wall-clock and CPU time (host timers that interrupt the vCPU),
 * output bytes, syscalls, and the fd limit's refusals.
 *
 * The time limits reuse the alarm's machinery (sig.h): their POSIX timers
 * deliver RINGBOX_HOST_SIGNAL to the vCPU thread, which makes KVM_RUN, a
 * sleep or a blocking host call return; the limits are then decided by
 * reading the clocks (limit_check), never by which signal came, so a
 * signal consumed on someone else's behalf loses nothing. */
#ifndef RB_LIMIT_H
#define RB_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ringbox.h"

struct ringbox;
struct rb_file;

/* The limit half of the handle (struct ringbox.lim). */
struct limit_state {
    int64_t t0, cpu_t0;   /* run start: CLOCK_MONOTONIC, thread CPU clock (ns) */
    int64_t wall_at;      /* CLOCK_MONOTONIC deadline of time_limit_ns; 0 for none */
    int timer[2];         /* kernel timer ids (wall, CPU); -1 for none */
};

/* Start the clocks and arm the timers on the calling (vCPU) thread, before
 * confinement.  0 or -errno. */
int limit_run_begin(struct ringbox *rb);
/* Delete the timers and fill the result's times and limits. */
void limit_run_end(struct ringbox *rb);

/* Whether the run is over: ended already, or a time limit has passed, in
 * which case it is ended now with RINGBOX_LIMIT. */
bool limit_check(struct ringbox *rb);

/* Stop the program at `which` (ends the run; a trace line says why). */
void limit_stop(struct ringbox *rb, enum ringbox_limit which);

/* Syscall number `count` (1-based) is about to be served: false, and the
 * run is stopped, when it is beyond max_syscalls. */
bool limit_syscall(struct ringbox *rb, uint64_t count);

/* Of a write of `want` bytes to guest file `f`, how many may go out;
 * *cut says the write crosses max_output_bytes.  limit_output_done()
 * counts what went out (r, or a -errno) and stops the run after a cut
 * write. */
uint64_t limit_output_room(struct ringbox *rb, const struct rb_file *f, uint64_t want, bool *cut);
void limit_output_done(struct ringbox *rb, const struct rb_file *f, int64_t r, bool cut);

/* Pure: ringbox_format_end()'s line for end = RINGBOX_LIMIT. */
int limit_format(const struct ringbox_result *res, char *buf, size_t len);

#endif
