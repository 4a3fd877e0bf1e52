/* unit_util.c - the hand-built sandbox the handler unit tests share. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sys.h"
#include "sysarg.h"
#include "unit_util.h"

void unit_rb_init(struct ringbox *rb, struct ringbox_result *res, uint64_t mem_size)
{
    memset(rb, 0, sizeof(*rb));
    memset(res, 0, sizeof(*res));
    ck_assert_int_eq(mem_init(&rb->mem, mem_size), 0);
    mm_init(&rb->mm, &rb->mem);
    sysarg_rlimit_defaults(rb->proc.rlim_cur, rb->proc.rlim_max, rb->mem.size);
    rb->run = calloc(1, sizeof(*rb->run));
    ck_assert_ptr_nonnull(rb->run);
    rb->res = res;
    rb->cfg.trace_fd = -1;
    /* A fixed key: the renamed numbers are the same in every run. */
    static const uint64_t key[HOSTINFO_ROUNDS] = {1, 2, 3, 4, 5, 6};
    hostinfo_init(&rb->host, NULL, NULL, key);
    ck_assert_int_eq(fd_init_stdio(&rb->fds), 0);
}

void unit_rb_fini(struct ringbox *rb)
{
    fd_fini(&rb->fds);
    hostinfo_fini(&rb->host);
    free(rb->run);
    mm_fini(&rb->mm);
    mem_fini(&rb->mem);
}

int64_t unit_call(struct ringbox *rb, long nr, const uint64_t a[6])
{
    struct sys_args args = {.nr = nr};
    memcpy(args.a, a, sizeof(args.a));
    return sys_dispatch(rb, &args);
}
