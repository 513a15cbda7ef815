// glibc calls that Swift's Glibc module hides behind _GNU_SOURCE, declared here as glibc does.
#ifndef WEBSERV_CSYSTEM_SHIM_H
#define WEBSERV_CSYSTEM_SHIM_H
#include <sys/socket.h>

extern int accept4(int fd, struct sockaddr *addr, socklen_t *length, int flags);

/// accept4(2): the new socket non-blocking and close-on-exec in the same call.
static inline int webserv_accept_nonblocking(int fd, struct sockaddr *addr, socklen_t *length) {
    return accept4(fd, addr, length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

#include <malloc.h>

/// malloc_trim(3): hands the heap's free pages back to the kernel, from the middle of the
/// heap too (not only its top, which free() alone trims).
static inline int webserv_malloc_trim(void) {
    return malloc_trim(0);
}
#endif
