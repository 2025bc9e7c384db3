/* `articast serve`: the command line, the worker processes and the HTTP
 * daemon (serve.h). The workers are `articast serve ... --worker-of PID`
 * processes spawned from the binary itself, so that one that dies can be
 * replaced at any time: forking the daemon, which runs threads, would not
 * be safe. */
#define _GNU_SOURCE
#include "cli_common.h"
#include "jobs_db.h"
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <nettle/sha2.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char usage_serve[] =
    "Usage: articast serve --listen ADDR:PORT [OPTIONS]\n"
    "An HTTP service: POST articles to /v1/episodes, follow their jobs at\n"
    "/v1/jobs/ID; it also serves SITE (the feed and the episodes).\n"
    "\n"
    "      --listen ADDR:PORT   where to listen (127.0.0.1:8080, [::]:8080)\n"
    "  -c, --config FILE        read the INI config FILE\n"
    "  -o, --site DIR           site folder (default: ./site or [pipeline] "
    "site)\n"
    "      --base-url URL       where SITE is served (default: the listen\n"
    "                           address)\n"
    "      --token-file FILE    require 'Authorization: Bearer TOKEN' on\n"
    "                           /v1, TOKEN being the file's first line\n"
    "  -j, --jobs N             worker processes (default 1)\n"
    "      --allow-private-urls fetch article and callback URLs on loopback\n"
    "                           and private addresses too\n"
    "      --max-body SIZE      largest request body (default 20M)\n"
    "      --time-limit SEC     stop a render after SEC seconds (default "
    "1800)\n"
    "      --redis URL          queue jobs on Redis Streams for 'articast\n"
    "                           worker' instead of rendering them here\n"
    "  -O, --set STAGE.KEY=VAL  set a stage option (repeatable)\n"
    "      --no-cache           neither read nor write the segment cache\n"
    "      --cache-dir DIR      segment cache directory\n"
    "  -q, --quiet              print only errors\n"
    "  -v, --verbose            log what the stages do\n"
    "  -h, --help               this help\n";

static volatile sig_atomic_t serve_stop;

static void on_stop(int sig) {
  serve_stop = sig;
}

static int bad(const char *option, const char *value, const char *expected) {
  return ac_cli_bad("articast serve", option, value, expected);
}

/* ADDR:PORT or [IPv6]:PORT. */
static int parse_listen(serve_options *o, const char *s) {
  const char *colon = strrchr(s, ':');
  if (!colon || colon == s)
    return -1;
  const char *host = s;
  size_t n = (size_t)(colon - s);
  if (host[0] == '[' && n >= 2 && host[n - 1] == ']') {
    host++;
    n -= 2;
  }
  char *end;
  long port = strtol(colon + 1, &end, 10);
  if (n == 0 || n >= sizeof o->host || end == colon + 1 || *end || port < 0 ||
      port > 65535)
    return -1;
  memcpy(o->host, host, n);
  o->host[n] = '\0';
  o->port = (unsigned)port;
  o->listen = s;
  return 0;
}

/* --max-body: a size as --max-input's (cli_common.h) but without the G
 * unit, from 1 byte to 1 GiB. */
static int parse_max_body(const char *text, size_t *out) {
  size_t n;
  if (strpbrk(text, "Gg") || ac_cli_parse_size(text, &n) != 0 || n == 0 ||
      n > (size_t)1 << 30)
    return -1;
  *out = n;
  return 0;
}

typedef struct serve_cli {
  serve_options opt;
  ac_cli_common common; /* -c, -o, --base-url, -O and the cache */
} serve_cli;

static int take_option(serve_cli *c, int opt) {
  serve_options *o = &c->opt;
  char *end;
  switch (opt) {
  case 'l':
    if (parse_listen(o, optarg))
      return bad("--listen", optarg, "ADDR:PORT such as 127.0.0.1:8080");
    break;
  case 'c':
    c->common.config = optarg;
    break;
  case 'o':
    c->common.site = optarg;
    break;
  case 'B':
    c->common.base_url = optarg;
    break;
  case 'T':
    o->token_file = optarg;
    break;
  case 'j':
    o->workers = (int)strtol(optarg, &end, 10);
    if (end == optarg || *end || o->workers < 1 || o->workers > 64)
      return bad("-j", optarg, "a number of workers from 1 to 64");
    break;
  case 'P':
    o->allow_private_urls = true;
    break;
  case 'M':
    if (parse_max_body(optarg, &o->max_body))
      return bad("--max-body", optarg,
                 "a size such as 20M or 512K, at most 1G");
    break;
  case 'L':
    if (!ac_cli_parse_seconds(optarg, 0, 1e7, &o->time_limit))
      return bad("--time-limit", optarg, "seconds (0: no limit)");
    break;
  case 'R':
    o->redis = optarg;
    break;
  case 'O': {
    int rc = ac_cli_set(&c->common, "articast serve", optarg);
    return rc ? rc : -1;
  }
  case 'N':
    c->common.no_cache = true;
    break;
  case 'D':
    c->common.cache_dir = optarg;
    break;
  case 'q':
    o->quiet = true;
    break;
  case 'v':
    ac_set_log_level(AC_LOG_DEBUG);
    break;
  case 'W':
    o->worker_of = (pid_t)strtol(optarg, &end, 10);
    if (end == optarg || *end || o->worker_of <= 1)
      return bad("--worker-of", optarg, "a process id");
    break;
  case 'h':
    fputs(usage_serve, stdout);
    return AC_EXIT_OK;
  default:
    fputs(usage_serve, stderr);
    return AC_EXIT_USAGE;
  }
  return -1;
}

static int parse_command_line(int argc, char **argv, serve_cli *c) {
  static const struct option longs[] = {
      {"listen", required_argument, NULL, 'l'},
      {"config", required_argument, NULL, 'c'},
      {"site", required_argument, NULL, 'o'},
      {"base-url", required_argument, NULL, 'B'},
      {"token-file", required_argument, NULL, 'T'},
      {"jobs", required_argument, NULL, 'j'},
      {"allow-private-urls", no_argument, NULL, 'P'},
      {"max-body", required_argument, NULL, 'M'},
      {"time-limit", required_argument, NULL, 'L'},
      {"redis", required_argument, NULL, 'R'},
      {"set", required_argument, NULL, 'O'},
      {"no-cache", no_argument, NULL, 'N'},
      {"cache-dir", required_argument, NULL, 'D'},
      {"quiet", no_argument, NULL, 'q'},
      {"verbose", no_argument, NULL, 'v'},
      {"worker-of", required_argument, NULL, 'W'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  optind = 1;
  int opt, rc;
  while ((opt = getopt_long(argc, argv, "c:o:O:j:qvh", longs, NULL)) != -1)
    if ((rc = take_option(c, opt)) >= 0)
      return rc;
  if (optind < argc) {
    fprintf(stderr, "articast serve: unexpected '%s'\n%s", argv[optind],
            usage_serve);
    return AC_EXIT_USAGE;
  }
  if (!c->opt.listen) {
    fprintf(stderr, "articast serve: --listen ADDR:PORT is required\n%s",
            usage_serve);
    return AC_EXIT_USAGE;
  }
  return -1;
}

char *serve_base_url(const serve_options *opt, const ac_config *cfg) {
  const char *given = cfg->show.base_url;
  char *url = NULL;
  if (given && *given) {
    size_t n = strlen(given);
    if (asprintf(&url, "%s%s", given, given[n - 1] == '/' ? "" : "/") < 0)
      url = NULL;
  } else {
    bool v6 = strchr(opt->host, ':') != NULL;
    if (asprintf(&url, "http://%s%s%s:%u/", v6 ? "[" : "", opt->host,
                 v6 ? "]" : "", opt->port) < 0)
      url = NULL;
  }
  return url;
}

/* The config, the command line's settings over it, and the plugins. */
static int setup(serve_cli *c, ac_pipeline *pl, ac_config *cfg) {
  int rc = ac_cli_load_config(&c->common, pl, cfg);
  if (rc)
    return rc;
  /* The feed's links point at this server unless told otherwise. */
  char *base = serve_base_url(&c->opt, cfg);
  rc = base ? ac_config_set_show(cfg, "base_url", base) : AC_ERR_NOMEM;
  free(base);
  if (rc)
    return AC_EXIT_FAILURE;
  pl->threads = 1; /* -j is the number of workers, one core each */
  pl->max_input_bytes = c->opt.max_body;
  return ac_cli_load_plugins(pl);
}

int serve_read_token(const char *path, char **token) {
  char *data = NULL;
  size_t len = 0;
  *token = NULL;
  int e = ac_read_file(path, 4096, &data, &len);
  if (e) {
    fprintf(stderr, "articast: --token-file %s: %s\n", path,
            e == -EFBIG ? "longer than 4096 bytes" : strerror(-e));
    return AC_EXIT_USAGE;
  }
  len = strcspn(data, "\r\n");
  while (len && (data[len - 1] == ' ' || data[len - 1] == '\t'))
    len--;
  data[len] = '\0';
  if (len < 16) {
    free(data);
    fprintf(stderr,
            "articast: --token-file %s: the token (its first "
            "line) must have at least 16 characters\n",
            path);
    return AC_EXIT_USAGE;
  }
  *token = data;
  return AC_EXIT_OK;
}

/* The token's SHA-256, which requests' tokens are compared with. */
static int read_token(const char *path, uint8_t digest[32]) {
  char *token = NULL;
  int rc = serve_read_token(path, &token);
  if (rc)
    return rc;
  struct sha256_ctx sha;
  sha256_init(&sha);
  sha256_update(&sha, strlen(token), (const uint8_t *)token);
  sha256_digest(&sha, 32, digest);
  memset(token, 0, strlen(token));
  free(token);
  return AC_EXIT_OK;
}

/* ---- Workers ------------------------------------------------------------ */

typedef struct worker_set {
  pid_t *pids;
  int n;
  char **argv; /* the command line a worker runs */
  double last_spawn;
} worker_set;

static double monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The workers' command line: this one's, and --worker-of this process and
 * --base-url (the listen port may have been 0). */
static char **worker_argv(int argc, char **argv, const char *base_url) {
  char **out = calloc((size_t)argc + 7, sizeof *out);
  char *exe = realpath("/proc/self/exe", NULL), *pid = NULL;
  if (!out || !exe || asprintf(&pid, "%ld", (long)getpid()) < 0) {
    free(out);
    free(exe);
    return NULL;
  }
  int k = 0;
  out[k++] = exe;
  out[k++] = strdup("serve");
  for (int i = 1; i < argc; i++)
    out[k++] = strdup(argv[i]);
  out[k++] = strdup("--base-url");
  out[k++] = strdup(base_url);
  out[k++] = strdup("--worker-of");
  out[k++] = pid;
  return out;
}

static pid_t spawn_worker(worker_set *w) {
  pid_t pid = -1;
  int e = posix_spawn(&pid, w->argv[0], NULL, NULL, w->argv, environ);
  if (e) {
    fprintf(stderr, "articast serve: cannot start a worker: %s\n", strerror(e));
    return -1;
  }
  w->last_spawn = monotonic();
  return pid;
}

/* Reaps dead workers: their jobs go back to the queue, and a new worker
 * takes each one's place (at most one a second). */
static void supervise(worker_set *w, serve_ctx *ctx) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (int i = 0; i < w->n; i++) {
      if (w->pids[i] != pid)
        continue;
      w->pids[i] = -1;
      char err[512];
      pthread_mutex_lock(&ctx->lock);
      int n = ac_jobs_release(ctx->state, pid, err, sizeof err);
      pthread_mutex_unlock(&ctx->lock);
      if (!serve_stop)
        fprintf(stderr,
                "articast serve: worker %ld %s %d; %d job(s) put "
                "back\n",
                (long)pid, WIFSIGNALED(status) ? "killed by signal" : "exited",
                WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
                n < 0 ? 0 : n);
    }
  }
  for (int i = 0; i < w->n && !serve_stop; i++)
    if (w->pids[i] < 0 && monotonic() - w->last_spawn >= 1.0)
      w->pids[i] = spawn_worker(w);
}

/* SIGTERM to every worker, then SIGKILL to those still there after 10 s. */
static void stop_workers(worker_set *w, serve_ctx *ctx) {
  for (int i = 0; i < w->n; i++)
    if (w->pids[i] > 0)
      kill(w->pids[i], SIGTERM);
  double until = monotonic() + 10.0;
  for (;;) {
    bool left = false;
    for (int i = 0; i < w->n; i++) {
      if (w->pids[i] > 0 && waitpid(w->pids[i], NULL, WNOHANG) == w->pids[i])
        w->pids[i] = -1;
      left |= w->pids[i] > 0;
    }
    if (!left)
      break;
    if (monotonic() > until) {
      for (int i = 0; i < w->n; i++)
        if (w->pids[i] > 0) {
          kill(w->pids[i], SIGKILL);
          waitpid(w->pids[i], NULL, 0);
          w->pids[i] = -1;
        }
      break;
    }
    struct timespec ts = {0, 50000000L};
    nanosleep(&ts, NULL);
  }
  char err[512];
  if (ac_jobs_release(ctx->state, 0, err, sizeof err) < 0)
    fprintf(stderr, "articast serve: %s\n", err);
}

/* ---- The daemon --------------------------------------------------------- */

static struct MHD_Daemon *start_daemon(serve_ctx *ctx) {
  struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
                           .ai_socktype = SOCK_STREAM},
                  *ai = NULL;
  char port[16];
  snprintf(port, sizeof port, "%u", ctx->opt->port);
  int e = getaddrinfo(ctx->opt->host, port, &hints, &ai);
  if (e) {
    fprintf(stderr, "articast serve: --listen %s: %s\n", ctx->opt->listen,
            gai_strerror(e));
    return NULL;
  }
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
  if (ai->ai_family == AF_INET6)
    flags |= MHD_USE_IPv6;
  struct MHD_Daemon *d = MHD_start_daemon(
      flags, (uint16_t)ctx->opt->port, NULL, NULL, serve_handle, ctx,
      MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_NOTIFY_COMPLETED,
      serve_request_done, ctx, MHD_OPTION_THREAD_POOL_SIZE, 4u,
      MHD_OPTION_CONNECTION_LIMIT, 256u, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
      64u, MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
  freeaddrinfo(ai);
  if (!d)
    fprintf(stderr, "articast serve: cannot listen on %s: %s\n",
            ctx->opt->listen, strerror(errno));
  return d;
}

/* Holds SITE/.serve.lock: one service per site. */
static int lock_site(const char *site, int *fd) {
  char *path = ac_path_join(site, ".serve.lock");
  *fd = path ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
  if (*fd < 0 || flock(*fd, LOCK_EX | LOCK_NB) != 0) {
    bool busy = *fd >= 0 && errno == EWOULDBLOCK;
    fprintf(stderr, "articast serve: %s: %s\n", path ? path : site,
            busy ? "another 'articast serve' runs on this site"
                 : strerror(errno));
    free(path);
    return busy ? AC_EXIT_FAILURE : AC_EXIT_OUTPUT;
  }
  free(path);
  return AC_EXIT_OK;
}

/* Opens what the service needs: the state, the site's folder, the token. */
static int open_service(serve_ctx *ctx, const char *site) {
  char err[1024];
  if (ac_state_open(site, &ac_jobs_schema, 1, &ctx->state, err, sizeof err)) {
    fprintf(stderr, "articast serve: %s\n", err);
    return AC_EXIT_OUTPUT;
  }
  /* No worker runs yet: a job left running by a service that died goes
   * back to the queue (or fails, after too many tries). */
  int n = ac_jobs_release(ctx->state, 0, err, sizeof err);
  if (n < 0) {
    fprintf(stderr, "articast serve: %s\n", err);
    return AC_EXIT_OUTPUT;
  }
  if (n > 0 && !ctx->opt->quiet)
    fprintf(stderr, "articast serve: %d interrupted job(s) back in the queue\n",
            n);
  if (ac_jobs_prune(ctx->state, AC_JOBS_KEEP_DAYS, err, sizeof err) < 0)
    fprintf(stderr, "articast serve: warning: %s\n", err);
  ctx->site_fd = open(site, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (ctx->site_fd < 0) {
    fprintf(stderr, "articast serve: %s: %s\n", site, strerror(errno));
    return AC_EXIT_OUTPUT;
  }
  if (ctx->opt->token_file) {
    int rc = read_token(ctx->opt->token_file, ctx->token_digest);
    if (rc)
      return rc;
    ctx->has_token = true;
  }
  return AC_EXIT_OK;
}

static int run_service(serve_ctx *ctx, worker_set *w) {
  for (int i = 0; i < w->n; i++)
    if ((w->pids[i] = spawn_worker(w)) < 0)
      return AC_EXIT_FAILURE;
  struct MHD_Daemon *d = start_daemon(ctx);
  if (!d) {
    serve_stop = SIGTERM;
    stop_workers(w, ctx);
    return AC_EXIT_FAILURE;
  }
  if (!ctx->opt->quiet)
    fprintf(stderr,
            "articast serve: listening on %s, site %s served as %s, %d "
            "worker(s)\n",
            ctx->opt->listen, ctx->site, ctx->base_url, w->n);
  while (!serve_stop) {
    struct timespec ts = {0, 200000000L};
    nanosleep(&ts, NULL);
    supervise(w, ctx);
  }
  MHD_stop_daemon(d);
  stop_workers(w, ctx);
  if (!ctx->opt->quiet)
    fprintf(stderr, "articast serve: stopped\n");
  return AC_EXIT_OK;
}

static int serve_site(serve_cli *c, int argc, char **argv, ac_pipeline *pl,
                      ac_config *cfg) {
  const char *site = cfg->site_dir ? cfg->site_dir : "site";
  char *base_url = serve_base_url(&c->opt, cfg);
  int e = ac_mkdirs(site);
  if (e || !base_url) {
    fprintf(stderr, "articast serve: %s: %s\n", site,
            e ? strerror(-e) : "out of memory");
    free(base_url);
    return AC_EXIT_OUTPUT;
  }
  if (c->opt.worker_of) {
    int rc = serve_worker_main(&c->opt, pl, site, base_url);
    free(base_url);
    return rc;
  }
  int lock_fd = -1, rc = lock_site(site, &lock_fd);
  serve_ctx ctx = {.opt = &c->opt,
                   .pl = pl,
                   .site = site,
                   .site_fd = -1,
                   .base_url = base_url,
                   .buffer_budget = c->opt.max_body * 4};
  if (ctx.buffer_budget < SERVE_MIN_BUFFER_BUDGET)
    ctx.buffer_budget = SERVE_MIN_BUFFER_BUDGET;
  if (strstr(base_url, "//0.0.0.0:") || strstr(base_url, "//[::]:"))
    fprintf(stderr,
            "articast serve: warning: the feed's links start with %s, "
            "which no listener can reach: give --base-url\n",
            base_url);
  pthread_mutex_init(&ctx.lock, NULL);
  pthread_mutex_init(&ctx.site_lock, NULL);
  worker_set w = {.n = c->opt.redis ? 0 : c->opt.workers};
  if (rc == AC_EXIT_OK)
    rc = open_service(&ctx, site);
  if (rc == AC_EXIT_OK) {
    w.pids = calloc((size_t)(w.n ? w.n : 1), sizeof *w.pids);
    w.argv = worker_argv(argc, argv, base_url);
    rc = w.pids && w.argv ? run_service(&ctx, &w) : AC_EXIT_FAILURE;
  }
  for (int i = 0; w.argv && w.argv[i]; i++)
    free(w.argv[i]);
  free(w.argv);
  free(w.pids);
  if (ctx.site_fd >= 0)
    close(ctx.site_fd);
  ac_state_close(ctx.state);
  pthread_mutex_destroy(&ctx.lock);
  pthread_mutex_destroy(&ctx.site_lock);
  if (lock_fd >= 0)
    close(lock_fd);
  free(base_url);
  return rc;
}

int ac_serve_command(int argc, char **argv) {
  serve_cli c = {.opt = {.workers = 1,
                         .max_body = SERVE_DEFAULT_MAX_BODY,
                         .time_limit = 1800.0}};
  int rc = parse_command_line(argc, argv, &c);
  if (rc >= 0) {
    ac_cli_common_free(&c.common);
    return rc;
  }
  ac_pipeline pl = {0};
  ac_config cfg = {0};
  char *cache_dir = ac_cli_cache_dir(&c.common);
  pl.cache_dir = cache_dir;
  struct sigaction sa = {.sa_handler = on_stop};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  if ((rc = setup(&c, &pl, &cfg)) == AC_EXIT_OK)
    rc = serve_site(&c, argc, argv, &pl, &cfg);
  ac_plugin_set_free(&pl.plugins);
  ac_config_free(&cfg);
  ac_cli_common_free(&c.common);
  free(cache_dir);
  return rc;
}
