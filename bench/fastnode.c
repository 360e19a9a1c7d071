/* A tiny Maelstrom echo node for `npm run bench:maelstrom -- --unthrottled`:
 * answers init and echo, nothing else, reading stdin in chunks and writing
 * one reply chunk per read, so that its cost per message (1-5 µs) is small
 * next to the engine's. It assumes the engine's JSON (no spaces, "src" and
 * "dest" before "body", plain strings); it is a benchmark fixture, not a node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char in[1 << 20];
static char out[1 << 21];
static size_t outlen;

/* Copies the string value after key (e.g. "\"src\":\"") into dst; returns its length or -1. */
static int str_after(const char *line, const char *key, char *dst, int cap) {
  const char *p = strstr(line, key);
  if (!p) return -1;
  p += strlen(key);
  int n = 0;
  while (*p && *p != '"' && n < cap - 1) {
    if (*p == '\\' && p[1]) dst[n++] = *p++;
    dst[n++] = *p++;
  }
  dst[n] = 0;
  return n;
}

static void flush_out(void) {
  size_t off = 0;
  while (off < outlen) {
    ssize_t w = write(1, out + off, outlen - off);
    if (w <= 0) exit(1);
    off += (size_t)w;
  }
  outlen = 0;
}

static void handle(const char *line) {
  char src[64], dest[64], type[64], echo[4096];
  if (str_after(line, "\"src\":\"", src, sizeof src) < 0) return;
  if (str_after(line, "\"dest\":\"", dest, sizeof dest) < 0) return;
  const char *body = strstr(line, "\"body\":");
  if (!body) return;
  if (str_after(body, "\"type\":\"", type, sizeof type) < 0) return;
  const char *m = strstr(body, "\"msg_id\":");
  long id = m ? strtol(m + 9, NULL, 10) : 0;
  if (outlen > sizeof out - 8192) flush_out();
  if (strcmp(type, "echo") == 0) {
    if (str_after(body, "\"echo\":\"", echo, sizeof echo) < 0) echo[0] = 0;
    outlen += (size_t)snprintf(out + outlen, sizeof out - outlen,
      "{\"src\":\"%s\",\"dest\":\"%s\",\"body\":{\"type\":\"echo_ok\",\"in_reply_to\":%ld,\"echo\":\"%s\"}}\n", dest, src, id, echo);
  } else {
    outlen += (size_t)snprintf(out + outlen, sizeof out - outlen,
      "{\"src\":\"%s\",\"dest\":\"%s\",\"body\":{\"type\":\"%s_ok\",\"in_reply_to\":%ld}}\n", dest, src, type, id);
  }
}

int main(void) {
  size_t have = 0;
  for (;;) {
    ssize_t r = read(0, in + have, sizeof in - have - 1);
    if (r <= 0) break;
    have += (size_t)r;
    size_t start = 0;
    for (size_t i = 0; i < have; i++) {
      if (in[i] == '\n') {
        in[i] = 0;
        handle(in + start);
        start = i + 1;
      }
    }
    memmove(in, in + start, have - start);
    have -= start;
    flush_out();
  }
  return 0;
}
