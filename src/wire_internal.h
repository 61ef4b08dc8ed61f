/* SPDX-License-Identifier: MIT */
/*
 * Shared by the wire's client and service: lossy UTF-8 copying, Rust-style
 * duration text, and deadline-bounded stream I/O with the spec's poll
 * cadence.  Plus the test hooks of the client.
 */
#ifndef KTSNAP_WIRE_INTERNAL_H
#define KTSNAP_WIRE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Copy @n bytes at @src into @dst (@size bytes, NUL-terminated, cut at a
 * character boundary when too small), stopping at the first NUL and
 * replacing each maximal invalid UTF-8 subsequence with U+FFFD, as Rust's
 * from_utf8_lossy does.  Returns the length written.
 */
size_t ktsnap_wire_utf8_lossy(char *dst, size_t size, const uint8_t *src, size_t n);

/* A duration in Rust's Debug form ("30s", "1.5s", "100ms", "250µs"). */
void ktsnap_wire_fmt_duration(char *buf, size_t size, uint64_t ns);

/*
 * Read exactly @n bytes from non-blocking @fd before CLOCK_MONOTONIC
 * @deadline_ns, polling with the spec's cadence (KTSNAP_WIRE_FAST_POLLS
 * polls of 100 µs, then 5 ms, never past the deadline).  @cancel_fd (or -1)
 * ends the wait when readable.  0; -ETIMEDOUT (@err: "… deadline elapsed
 * after reading F of N header/payload bytes"); -EPIPE on end of stream
 * (@err: "… read returned 0 after F of N bytes"); -ECANCELED; -errno.
 * @got (may be NULL) receives the bytes read.
 */
int ktsnap_wire_read_exact(int fd, void *buf, size_t n, uint64_t deadline_ns, int cancel_fd,
			   size_t *got, char *err, size_t err_size);

/* Write header + payload as one unit before @deadline_ns (EINTR and partial
 * writes resumed, no SIGPIPE).  0 or -errno (@err says what happened). */
int ktsnap_wire_write_frame(int fd, uint32_t msg_type, const void *payload, uint32_t len,
			    uint64_t deadline_ns, char *err, size_t err_size);

/* "Connection reset by peer (os error 104)": Rust's io::Error text. */
void ktsnap_wire_os_error(char *buf, size_t size, int errnum);

/* ---- test hooks -------------------------------------------------------------- */
/* Called with each poll timeout (ns) the bounded read uses; NULL: none. */
extern void (*ktsnap_wire_poll_hook)(uint64_t timeout_ns);
/* Set the next request ids of @c (snapshot / kernel-op counters). */
struct ktsnap_wire_client;
void ktsnap_wire_client__set_next_ids(struct ktsnap_wire_client *c, uint32_t snapshot_id,
				      uint32_t kernel_op_id);
/* Clear the process-wide latch (tests only: the spec never clears it). */
void ktsnap_wire_latch_reset_for_tests(void);

#endif /* KTSNAP_WIRE_INTERNAL_H */
