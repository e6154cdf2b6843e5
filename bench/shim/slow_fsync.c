/*
 * A slow disk for `make bench`: loaded with LD_PRELOAD, every fsync and
 * fdatasync of the process waits BENCH_FSYNC_DELAY_US microseconds (2000
 * by default, a network disk's durable write) before the real call. SQLite
 * makes a write durable with these calls (WAL, synchronous=FULL), so the
 * bench measures group commit against one commit per claim where a commit
 * costs what it does on a cloud volume.
 *
 * Built by scripts/bench.sh with the system's C compiler:
 *   cc -O2 -shared -fPIC -o target/slow_fsync.so bench/shim/slow_fsync.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long delay_us(void) {
    static long us = -1;
    if (us < 0) {
        const char *v = getenv("BENCH_FSYNC_DELAY_US");
        us = v ? atol(v) : 2000;
    }
    return us;
}

static void wait_a_while(void) {
    long us = delay_us();
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    while (nanosleep(&ts, &ts) != 0) {
    }
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    wait_a_while();
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    wait_a_while();
    return real(fd);
}
