/* hostinfo.c - uname's strings and the renaming of device and inode numbers (see hostinfo.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "hostinfo.h"
#include "ringbox.h"

/* include/uapi/linux/stat.h since Linux 6.8 and 6.10: newer than the
 * headers ringbox may be built with, but what the host kernel fills. */
#define STATX_MNT_ID_UNIQUE_BIT 0x00004000u
#define STATX_SUBVOL_BIT 0x00008000u
/* stx_subvol follows stx_dio_offset_align (Linux 6.10), where older
 * headers have __spare3. */
#define STATX_SUBVOL_OFFSET 0xa0

/* The oldest release glibc 2.26-2.35 start on, on x86-64 (their
 * --enable-kernel default; 2.36 dropped the check). */
#define RELEASE_MIN_MAJOR 3
#define RELEASE_MIN_MINOR 2

_Static_assert(sizeof(RINGBOX_DEFAULT_RELEASE) <= HOSTINFO_UTS_LEN, "default release fits");
_Static_assert(sizeof(RINGBOX_DEFAULT_HOSTNAME) <= HOSTINFO_UTS_LEN, "default host name fits");

static const char *check_text(const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return "it is empty";
    if (n >= HOSTINFO_UTS_LEN)
        return "it is longer than 64 bytes";
    for (size_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] > '~')
            return "it holds a space or a byte outside printable ASCII";
    return NULL;
}

/* A decimal number of at most 9 digits at *s, advancing it; -1 if none. */
static long number(const char **s)
{
    long v = 0;
    int digits = 0;
    while (**s >= '0' && **s <= '9' && digits < 9) {
        v = v * 10 + (**s - '0');
        (*s)++;
        digits++;
    }
    return digits && !(**s >= '0' && **s <= '9') ? v : -1;
}

const char *hostinfo_check_release(const char *release)
{
    const char *why = check_text(release);
    if (why)
        return why;
    const char *p = release;
    long major = number(&p);
    long minor = *p == '.' ? (p++, number(&p)) : -1;
    if (major < 0 || minor < 0)
        return "it does not begin MAJOR.MINOR";
    if (major < RELEASE_MIN_MAJOR || (major == RELEASE_MIN_MAJOR && minor < RELEASE_MIN_MINOR))
        return "it is older than 3.2, which glibc before 2.36 refuses to start on";
    return NULL;
}

const char *hostinfo_check_hostname(const char *name)
{
    return check_text(name);
}

void hostinfo_init(struct hostinfo *h, const char *release, const char *hostname,
                   const uint64_t key[HOSTINFO_ROUNDS])
{
    memset(h, 0, sizeof(*h));
    snprintf(h->release, sizeof h->release, "%s", release ? release : RINGBOX_DEFAULT_RELEASE);
    snprintf(h->nodename, sizeof h->nodename, "%s", hostname ? hostname : RINGBOX_DEFAULT_HOSTNAME);
    memcpy(h->key, key, sizeof h->key);
}

void hostinfo_fini(struct hostinfo *h)
{
    free(h->devs);
    h->devs = NULL;
    h->ndevs = h->cap = 0;
}

/* A Feistel network's round function: the half, keyed, through
 * SplitMix64's finalizer (Steele et al., "Fast splittable pseudorandom
 * number generators", OOPSLA 2014), whose every input bit reaches every
 * output bit.  Any function makes a Feistel network a permutation. */
static uint64_t mix(uint64_t key, uint64_t half)
{
    uint64_t x = key ^ half;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* A permutation of the numbers of 2 * bits bits (bits 16 or 32); the two
 * widths' round keys differ by `bits`. */
static uint64_t feistel(const uint64_t *key, uint64_t v, unsigned bits)
{
    uint64_t mask = (1ULL << bits) - 1;
    uint64_t l = v >> bits, r = v & mask;
    for (int i = 0; i < HOSTINFO_ROUNDS; i++) {
        uint64_t t = l ^ (mix(key[i] + bits, r) & mask);
        l = r;
        r = t;
    }
    return l << bits | r;
}

/* Cycle walking (Black and Rogaway, "Ciphers with arbitrary finite
 * domains", CT-RSA 2002): applying a permutation of a range until the
 * result lands back in a subset permutes that subset.  The subsets here
 * are [1, 2^32) in the 32-bit range and [2^32, 2^64) in the 64-bit one, so
 * the walk takes one step but for at most one input in 2^32. */
uint64_t hostinfo_ino(const struct hostinfo *h, uint64_t ino)
{
    uint64_t v = ino;
    if (ino == 0)
        return 0;
    if (ino >> 32 == 0) {
        do
            v = feistel(h->key, v, 16);
        while (v == 0);
    } else {
        do
            v = feistel(h->key, v, 32);
        while (v >> 32 == 0);
    }
    return v;
}

int hostinfo_dev(struct hostinfo *h, uint64_t dev, uint64_t *out)
{
    size_t i = 0;
    while (i < h->ndevs && h->devs[i] != dev)
        i++;
    if (i == h->ndevs) {
        if (h->ndevs == h->cap) {
            size_t cap = h->cap ? 2 * h->cap : 8;
            uint64_t *d = realloc(h->devs, cap * sizeof *d);
            if (!d)
                return -ENOMEM;
            h->devs = d;
            h->cap = cap;
        }
        h->devs[h->ndevs++] = dev;
    }
    *out = makedev(0, i + 1);
    return 0;
}

int hostinfo_stat(struct hostinfo *h, struct stat *st)
{
    uint64_t dev;
    int rc = hostinfo_dev(h, st->st_dev, &dev);
    if (rc < 0)
        return rc;
    st->st_dev = dev;
    st->st_ino = hostinfo_ino(h, st->st_ino);
    return 0;
}

_Static_assert(sizeof(struct statx) >= STATX_SUBVOL_OFFSET + sizeof(uint64_t), "stx_subvol fits");

int hostinfo_statx(struct hostinfo *h, struct statx *sx)
{
    uint64_t dev;
    int rc = hostinfo_dev(h, makedev(sx->stx_dev_major, sx->stx_dev_minor), &dev);
    if (rc < 0)
        return rc;
    sx->stx_dev_major = major(dev);
    sx->stx_dev_minor = minor(dev);
    sx->stx_ino = hostinfo_ino(h, sx->stx_ino);
    sx->stx_mask &= ~(STATX_MNT_ID | STATX_MNT_ID_UNIQUE_BIT | STATX_SUBVOL_BIT);
    sx->stx_mnt_id = 0;
    memset((char *)sx + STATX_SUBVOL_OFFSET, 0, sizeof(uint64_t));
    return 0;
}

/* struct linux_dirent64 (include/linux/dirent.h). */
struct dirent64_head {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
};

void hostinfo_dirents(const struct hostinfo *h, void *buf, size_t len)
{
    char *p = buf;
    for (size_t off = 0; off + sizeof(struct dirent64_head) <= len;) {
        struct dirent64_head d;
        memcpy(&d, p + off, sizeof d);
        if (d.d_reclen < sizeof d)
            break;
        d.d_ino = hostinfo_ino(h, d.d_ino);
        memcpy(p + off, &d.d_ino, sizeof d.d_ino);
        off += d.d_reclen;
    }
}
