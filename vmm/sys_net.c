/* sys_net.c - the socket family under the default "no network" policy.
 *
 * No socket is ever created, so no guest fd is a socket.  socket() and
 * socketpair() are refused the way a Linux security module refuses them,
 * after the kernel's own argument checks (net/socket.c, __sys_socket(),
 * __sock_create()): a family that needs a network is absent
 * (EAFNOSUPPORT, as if the kernel had none), and AF_UNIX, which exists
 * but could reach host services, is denied (EACCES).  Each refusal leaves
 * a line in the trace.  The calls on an fd find no socket there: EBADF for
 * a closed fd, else ENOTSOCK (sockfd_lookup()).
 *
 * Host syscalls made here: none.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include "fd.h"
#include "sys.h"
#include "trace.h"

/* net/socket.c: the type's flag bits, and the bound on families and types
 * (NPROTO is AF_MAX; SOCK_MAX is SOCK_PACKET + 1). */
#define SOCK_TYPE_MASK 0xf
#define SOCK_MAX (SOCK_PACKET + 1)

static const char *family_name(int family, char *buf, size_t len)
{
    switch (family) {
    case AF_UNIX: return "AF_UNIX";
    case AF_INET: return "AF_INET";
    case AF_INET6: return "AF_INET6";
    case AF_NETLINK: return "AF_NETLINK";
    case AF_PACKET: return "AF_PACKET";
    case AF_VSOCK: return "AF_VSOCK";
    case AF_BLUETOOTH: return "AF_BLUETOOTH";
    default:
        snprintf(buf, len, "family %d", family);
        return buf;
    }
}

static const char *type_name(int type, char *buf, size_t len)
{
    switch (type) {
    case SOCK_STREAM: return "SOCK_STREAM";
    case SOCK_DGRAM: return "SOCK_DGRAM";
    case SOCK_RAW: return "SOCK_RAW";
    case SOCK_RDM: return "SOCK_RDM";
    case SOCK_SEQPACKET: return "SOCK_SEQPACKET";
    case SOCK_DCCP: return "SOCK_DCCP";
    case SOCK_PACKET: return "SOCK_PACKET";
    default:
        snprintf(buf, len, "type %d", type);
        return buf;
    }
}

/* The policy decision for socket(2) and socketpair(2), `call` naming which. */
static int64_t deny_socket(struct ringbox *rb, const char *call, int family, int type)
{
    char fbuf[24], tbuf[24];
    int base = type & SOCK_TYPE_MASK;

    if ((type & ~SOCK_TYPE_MASK) & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
        return -EINVAL;
    if (family < 0 || family >= AF_MAX)
        return -EAFNOSUPPORT;
    if (base < 0 || base >= SOCK_MAX)
        return -EINVAL;
    trace_note(rb, "%s(%s, %s) denied: no network", call,
               family_name(family, fbuf, sizeof(fbuf)), type_name(base, tbuf, sizeof(tbuf)));
    return family == AF_UNIX ? -EACCES : -EAFNOSUPPORT;
}

/* Every call on a socket fd. */
static int64_t not_a_socket(struct ringbox *rb, int64_t fd)
{
    return fd_get(&rb->fds, fd) ? -ENOTSOCK : -EBADF;
}

int64_t sys_socket(struct ringbox *rb, const struct sys_args *args)
{
    int family = (int)args->a[0];
    int type = (int)args->a[1];
    return deny_socket(rb, "socket", family, type);
}

/* The fd array is never written: no pair is made. */
int64_t sys_socketpair(struct ringbox *rb, const struct sys_args *args)
{
    int family = (int)args->a[0];
    int type = (int)args->a[1];
    return deny_socket(rb, "socketpair", family, type);
}

int64_t sys_connect(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    return not_a_socket(rb, fd);
}

int64_t sys_bind(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    return not_a_socket(rb, fd);
}

int64_t sys_listen(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    return not_a_socket(rb, fd);
}

int64_t sys_accept(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    return not_a_socket(rb, fd);
}

/* The flags are checked before the fd (net/socket.c, __sys_accept4()). */
int64_t sys_accept4(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    int flags = (int)args->a[3];
    if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
        return -EINVAL;
    return not_a_socket(rb, fd);
}

int64_t sys_sendto(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    return not_a_socket(rb, fd);
}

int64_t sys_recvfrom(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    return not_a_socket(rb, fd);
}

int64_t sys_sendmsg(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    return not_a_socket(rb, fd);
}

int64_t sys_recvmsg(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    return not_a_socket(rb, fd);
}

int64_t sys_shutdown(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    return not_a_socket(rb, fd);
}

int64_t sys_getsockname(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    return not_a_socket(rb, fd);
}

int64_t sys_getpeername(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    return not_a_socket(rb, fd);
}

int64_t sys_setsockopt(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    return not_a_socket(rb, fd);
}

int64_t sys_getsockopt(struct ringbox *rb, const struct sys_args *args)
{
    int64_t fd = (int)args->a[0];
    return not_a_socket(rb, fd);
}
