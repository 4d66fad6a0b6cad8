/* What this machine charges for memory and file access, the two figures BENCHMARKS.md (session 7) builds on:
 *
 *   cc -O2 tools/vm_costs.c -o /tmp/vm_costs
 *   /tmp/vm_costs faults N [populate]   touch N fresh anonymous pages, one byte each (with MAP_POPULATE: the
 *                                       kernel fills them in the mmap call); prints microseconds per page
 *   /tmp/vm_costs scan FILE read BYTES  count the lines of FILE with read() into a BYTES buffer and memchr
 *   /tmp/vm_costs scan FILE map         the same over an mmap of the whole file (MAP_POPULATE)
 *
 * Session 7 on the 2-vCPU VM: faults 11.4-15.5 us a page (6-8 us with populate); the 1 h log (55 MB) scanned
 * in 18.4-19 ms with 128 KiB reads, 21-23 ms with 1 MiB reads, 44-52 ms mapped (a rerun later, on a busier
 * machine: 21.7-23.8, 23.7-26.7 and 47.5-50.9 ms). Not part of the build. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static long count_lines(const char* p, const char* end) {
  long n = 0;
  while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
    ++n;
    ++p;
  }
  return n;
}

int main(int argc, char** argv) {
  if (argc >= 3 && strcmp(argv[1], "faults") == 0) {
    const size_t n = (size_t)atol(argv[2]);
    const int flags = MAP_PRIVATE | MAP_ANONYMOUS | (argc > 3 ? MAP_POPULATE : 0);
    const double t0 = now_ms();
    char* p = mmap(NULL, n * 4096, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED) return perror("mmap"), 1;
    for (size_t i = 0; i < n; ++i) p[i * 4096] = 1;
    const double ms = now_ms() - t0;
    printf("%zu pages%s: %.3f ms, %.2f us a page\n", n, argc > 3 ? " (populated)" : "", ms, ms * 1e3 / (double)n);
    return 0;
  }
  if (argc >= 4 && strcmp(argv[1], "scan") == 0) {
    const int fd = open(argv[2], O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) return perror(argv[2]), 1;
    long lines = 0;
    const double t0 = now_ms();
    if (strcmp(argv[3], "map") == 0) {
      const char* p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (p == MAP_FAILED) return perror("mmap"), 1;
      lines = count_lines(p, p + sb.st_size);
    } else if (strcmp(argv[3], "read") == 0 && argc >= 5) {
      const size_t size = (size_t)atol(argv[4]);
      char* buf = malloc(size);
      ssize_t got;
      while ((got = read(fd, buf, size)) > 0) lines += count_lines(buf, buf + got);
    } else {
      return fprintf(stderr, "scan FILE read BYTES | scan FILE map\n"), 2;
    }
    printf("%s %s: %ld lines in %.2f ms\n", argv[2], argv[3], lines, now_ms() - t0);
    return 0;
  }
  fprintf(stderr, "usage: vm_costs faults N [populate] | scan FILE read BYTES | scan FILE map\n");
  return 2;
}
