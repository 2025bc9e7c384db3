/* `articast follow`: the command line, the pipeline the renders share, the
 * rounds (--every) and stopping on SIGINT or SIGTERM. */
#define _GNU_SOURCE /* asprintf */
#include "cli_common.h"
#include "date.h"
#include "follow.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static const char usage_follow[] =
    "Usage: articast follow [OPTIONS] SOURCE...\n"
    "Follow publications: every new or changed article of each SOURCE\n"
    "becomes an episode of SITE, and the feed is published once at the end.\n"
    "SOURCE is an RSS, Atom or JSON Feed (URL or file), a sitemap.xml, a web\n"
    "page that links to its feed, or a folder of Markdown, text or HTML\n"
    "files. What was seen is kept in SITE/.articast.db ('articast status').\n"
    "\n"
    "  -c, --config FILE        read the INI config FILE\n"
    "  -o, --site DIR           site folder (default: ./site or [pipeline] "
    "site)\n"
    "      --base-url URL       where SITE will be served (feed URLs)\n"
    "      --every INTERVAL     keep following: a round every INTERVAL (90s,\n"
    "                           15m, 1h, 1d); SIGINT or SIGTERM ends the\n"
    "                           articles in hand, then articast exits\n"
    "      --since DATE         leave out articles dated before DATE\n"
    "      --limit N            add at most N new episodes a round, oldest\n"
    "                           first (edits are always rendered)\n"
    "      --retry              try failed sources and articles now, not\n"
    "                           after their back-off\n"
    "  -j, --jobs N             cores for rendering (default: all)\n"
    "      --max-input SIZE     longest feed, page or file read (default 20M)\n"
    "      --time-limit SEC     stop an article still rendering after SEC\n"
    "                           seconds (default 1800; 0: no limit)\n"
    "  -O, --set STAGE.KEY=VAL  set a stage option (repeatable)\n"
    "      --no-cache           neither read nor write the segment cache\n"
    "      --cache-dir DIR      segment cache (see 'articast episode --help')\n"
    "  -q, --quiet              print only errors\n"
    "  -v, --verbose            log what the stages do\n"
    "  -h, --help               this help\n";

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) {
  stop_signal = sig;
}

/* "90", "90s", "15m", "1h", "1d" -> seconds; -1 when not such. */
static double parse_interval(const char *s) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || !(v > 0))
    return -1;
  double unit = *end == '\0' || strcmp(end, "s") == 0 ? 1
                : strcmp(end, "m") == 0               ? 60
                : strcmp(end, "h") == 0               ? 3600
                : strcmp(end, "d") == 0               ? 86400
                                                      : -1;
  if (unit < 0 || v * unit > 366 * 86400.0)
    return -1;
  return v * unit;
}

typedef struct follow_cli {
  fw_options opt;
  ac_cli_common common; /* -c, -o, --base-url, -O, --max-input, the cache */
} follow_cli;

static int bad(const char *option, const char *value, const char *expected) {
  return ac_cli_bad("articast follow", option, value, expected);
}

/* One option of the command line; returns -1 to go on, else an exit code. */
static int take_option(follow_cli *c, int opt) {
  char *end;
  switch (opt) {
  case 'c':
    c->common.config = optarg;
    break;
  case 'o':
    c->common.site = optarg;
    break;
  case 'B':
    c->common.base_url = optarg;
    break;
  case 'E':
    if ((c->opt.every = parse_interval(optarg)) < 0)
      return bad("--every", optarg, "an interval such as 90s, 15m, 1h or 1d");
    break;
  case 'S': {
    ac_date d;
    if (ac_date_parse(optarg, &d) != 0)
      return bad("--since", optarg, "a date such as 2024-06-01");
    c->opt.since = ac_date_to_unix(&d);
    if (!d.has_time)
      c->opt.since -= 12 * 3600; /* the whole day */
    break;
  }
  case 'L':
    c->opt.limit = strtol(optarg, &end, 10);
    if (end == optarg || *end || c->opt.limit < 1 || c->opt.limit > 1000000)
      return bad("--limit", optarg, "a number of episodes from 1");
    break;
  case 'R':
    c->opt.retry = true;
    break;
  case 'j':
    c->opt.jobs = (int)strtol(optarg, &end, 10);
    if (end == optarg || *end || c->opt.jobs < 1 || c->opt.jobs > 256)
      return bad("-j", optarg, "a number from 1 to 256");
    break;
  case 'M':
    if (ac_cli_parse_size(optarg, &c->common.max_input) != 0)
      return bad("--max-input", optarg, "a size such as 20M, 512K or 0");
    break;
  case 'T': /* no upper bound here, unlike the other commands' */
    if (!ac_cli_parse_seconds(optarg, 0, HUGE_VAL, &c->opt.time_limit))
      return bad("--time-limit", optarg, "seconds (0: no limit)");
    break;
  case 'O':
    return ac_cli_set(&c->common, "articast follow", optarg) ? AC_EXIT_USAGE
                                                             : -1;
  case 'N':
    c->common.no_cache = true;
    break;
  case 'D':
    c->common.cache_dir = optarg;
    break;
  case 'q':
    c->opt.quiet = true;
    break;
  case 'v':
    ac_set_log_level(AC_LOG_DEBUG);
    break;
  case 'h':
    fputs(usage_follow, stdout);
    return AC_EXIT_OK;
  default:
    fputs(usage_follow, stderr);
    return AC_EXIT_USAGE;
  }
  return -1;
}

static int parse_command_line(int argc, char **argv, follow_cli *c) {
  static const struct option longs[] = {
      {"config", required_argument, NULL, 'c'},
      {"site", required_argument, NULL, 'o'},
      {"base-url", required_argument, NULL, 'B'},
      {"every", required_argument, NULL, 'E'},
      {"since", required_argument, NULL, 'S'},
      {"limit", required_argument, NULL, 'L'},
      {"retry", no_argument, NULL, 'R'},
      {"jobs", required_argument, NULL, 'j'},
      {"max-input", required_argument, NULL, 'M'},
      {"time-limit", required_argument, NULL, 'T'},
      {"set", required_argument, NULL, 'O'},
      {"no-cache", no_argument, NULL, 'N'},
      {"cache-dir", required_argument, NULL, 'D'},
      {"quiet", no_argument, NULL, 'q'},
      {"verbose", no_argument, NULL, 'v'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  optind = 1;
  int opt, rc;
  while ((opt = getopt_long(argc, argv, "c:o:O:j:qvh", longs, NULL)) != -1)
    if ((rc = take_option(c, opt)) >= 0)
      return rc;
  if (optind >= argc) {
    fprintf(stderr, "articast follow: no SOURCE given\n%s", usage_follow);
    return AC_EXIT_USAGE;
  }
  c->opt.sources = argv + optind;
  c->opt.n_sources = argc - optind;
  return -1;
}

/* A source as the state knows it: a URL as given, a path as its real
 * path (so a run from another folder finds the same source). */
static char **source_locations(follow_cli *c) {
  char **out = calloc((size_t)c->opt.n_sources + 1, sizeof *out);
  for (int i = 0; out && i < c->opt.n_sources; i++) {
    const char *s = c->opt.sources[i];
    bool url =
        strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
    out[i] = url ? NULL : realpath(s, NULL);
    if (!out[i])
      out[i] = strdup(s);
  }
  return out;
}

/* The config, the command line's settings over it, and the plugins
 * (cli_common.h). */
static int setup(follow_cli *c, ac_pipeline *pl, ac_config *cfg) {
  int rc = ac_cli_setup(&c->common, pl, cfg);
  if (rc)
    return rc;
  /* The feed lists new episodes once, at the end of the round. */
  for (size_t i = 0; i < cfg->n_publishers; i++)
    if (strcmp(cfg->publishers[i], "feed") == 0 &&
        ac_plugin_set_find(&pl->plugins, "feed") &&
        ac_settings_add(&cfg->settings, "feed", "defer_new", "true",
                        "articast follow"))
      return AC_EXIT_FAILURE;
  return AC_EXIT_OK;
}

/* Holds SITE/.follow.lock: one follower per site. */
static int lock_site(const char *site, int *fd) {
  char *path = ac_path_join(site, ".follow.lock");
  int e = ac_mkdirs(site);
  *fd = path && e == 0 ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
  if (*fd < 0 || flock(*fd, LOCK_EX | LOCK_NB) != 0) {
    bool busy = *fd >= 0 && errno == EWOULDBLOCK;
    fprintf(stderr, "articast: %s: %s\n", path ? path : site,
            busy ? "another 'articast follow' works on this site; this one "
                   "leaves it be"
                 : strerror(e ? -e : errno));
    free(path);
    return busy ? AC_EXIT_FAILURE : AC_EXIT_OUTPUT;
  }
  free(path);
  return AC_EXIT_OK;
}

/* Waits `seconds`, or until a stop signal. */
static void wait_round(double seconds) {
  double left = seconds;
  while (left > 0 && !stop_signal) {
    struct timespec ts = {left >= 1 ? 1 : 0,
                          left >= 1 ? 0 : (long)(left * 1e9)};
    nanosleep(&ts, NULL);
    left -= left >= 1 ? 1 : left;
  }
}

static int rounds(fw_run *run) {
  int rc = AC_EXIT_OK;
  for (;;) {
    int r = fw_round(run);
    if (r && !rc)
      rc = r;
    if (run->opt->every <= 0 || stop_signal)
      break;
    if (r)
      rc = AC_EXIT_OK; /* a service reports failures, and goes on */
    wait_round(run->opt->every);
    if (stop_signal)
      break;
  }
  return rc;
}

static int follow_site(follow_cli *c, ac_pipeline *pl, ac_config *cfg) {
  const char *site = cfg->site_dir ? cfg->site_dir : "site";
  int lock_fd = -1, rc = lock_site(site, &lock_fd);
  if (rc) {
    if (lock_fd >= 0)
      close(lock_fd);
    return rc;
  }
  char err[1024], *ua = NULL;
  ac_state *state = NULL;
  if (ac_state_open(site, &fw_schema, 1, &state, err, sizeof err)) {
    fprintf(stderr, "articast: %s\n", err);
    close(lock_fd);
    return AC_EXIT_OUTPUT;
  }
  if (asprintf(&ua, "articast/%s%s%s%s", ARTICAST_VERSION_STRING,
               cfg->show.link ? " (+" : "",
               cfg->show.link ? cfg->show.link : "",
               cfg->show.link ? ")" : "") < 0)
    ua = NULL;
  char **locations = source_locations(c);
  fw_options opt = c->opt;
  if (locations)
    opt.sources = locations;
  fw_run run = {.pl = pl,
                .state = state,
                .opt = &opt,
                .site = site,
                .episodes = ac_path_join(site, "episodes"),
                .stop = &stop_signal,
                .lock_fd = lock_fd,
                .progress = !c->opt.quiet && isatty(STDERR_FILENO)};
  run.fetcher =
      ua ? ac_fetcher_new(ua, c->common.max_input, &stop_signal) : NULL;
  if (!run.fetcher || !run.episodes || !locations) {
    fprintf(stderr, "articast: cannot start (out of memory, or libcurl)\n");
    rc = AC_EXIT_FAILURE;
  } else {
    rc = rounds(&run);
  }
  for (int i = 0; locations && i < c->opt.n_sources; i++)
    free(locations[i]);
  free(locations);
  for (size_t i = 0; i < run.n_owners; i++) {
    free(run.owners[i].slug);
    free(run.owners[i].guid);
  }
  free(run.owners);
  free(run.jobs);
  free(run.episodes);
  ac_fetcher_free(run.fetcher);
  free(ua);
  ac_state_close(state);
  close(lock_fd);
  return rc;
}

int ac_follow_command(int argc, char **argv) {
  follow_cli c = {.common = {.max_input = AC_DEFAULT_MAX_INPUT},
                  .opt = {.time_limit = 1800.0}};
  int rc = parse_command_line(argc, argv, &c);
  if (rc >= 0) {
    ac_cli_common_free(&c.common);
    return rc;
  }
  ac_pipeline pl = {0};
  ac_config cfg = {0};
  char *cache_dir = ac_cli_cache_dir(&c.common);
  pl.cache_dir = cache_dir;
  struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  if ((rc = setup(&c, &pl, &cfg)) == AC_EXIT_OK)
    rc = follow_site(&c, &pl, &cfg);
  if (stop_signal && rc == AC_EXIT_FAILURE && c.opt.every > 0)
    rc = AC_EXIT_OK; /* asked to stop: a clean exit */
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  ac_plugin_set_free(&pl.plugins);
  ac_config_free(&cfg);
  ac_cli_common_free(&c.common);
  free(cache_dir);
  return rc;
}
