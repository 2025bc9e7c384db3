/* `articast enqueue` and `articast worker`: the command lines of the Redis
 * Streams queue (redis.h). */
#define _GNU_SOURCE /* asprintf */
#include "cli_common.h"
#include "fetch.h"
#include "redis.h"
#include "redis_worker.h"
#include "serve.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_enqueue[] =
    "Usage: articast enqueue --redis URL [OPTIONS] ARTICLE...\n"
    "Add each ARTICLE (a Markdown, text or HTML file, '-' for standard\n"
    "input, or an http(s) URL) to the Redis stream that 'articast worker'\n"
    "renders from. A file's bytes go into the job, never its path: workers\n"
    "may run on other machines. Prints each job's id.\n"
    "\n"
    "      --redis URL          redis://[:PASSWORD@]HOST[:PORT][/DB] or\n"
    "                           unix:///PATH[?db=DB] (default:\n"
    "                           $ARTICAST_REDIS_URL)\n"
    "      --voice NAME         voice profile for these articles\n"
    "      --lang TAG           their language (BCP 47)\n"
    "      --id ID              the article's id (one ARTICLE only): the\n"
    "                           episode's identity, so the same id again\n"
    "                           updates that episode\n"
    "      --callback-url URL   POST the job's status (JSON) there once it\n"
    "                           is done or has failed for good\n"
    "  -h, --help               this help\n";

static const char usage_worker[] =
    "Usage: articast worker --redis URL -o SITE [OPTIONS]\n"
    "Render jobs from the Redis stream into SITE, publish them, then\n"
    "acknowledge them. Any number of workers, on any machine that mounts\n"
    "SITE, share the work. A job whose worker died is taken over once idle\n"
    "for --reclaim-after seconds; one that failed 5 times goes to the\n"
    "dead-letter stream " AC_REDIS_DEAD " with its error. SIGINT or SIGTERM\n"
    "finishes the job in hand, then exits; a second one stops it now.\n"
    "\n"
    "      --redis URL          as for 'articast enqueue'\n"
    "  -o, --site DIR           site folder (default: ./site or [pipeline] "
    "site)\n"
    "  -c, --config FILE        read the INI config FILE\n"
    "      --base-url URL       where SITE will be served (feed URLs)\n"
    "      --drain              exit once no job is left, including those\n"
    "                           of dead workers still to be taken over\n"
    "      --reclaim-after SEC  take over a job idle for SEC seconds\n"
    "                           (default 900; a live worker keeps its job\n"
    "                           busy, so this is how soon a dead worker's\n"
    "                           job is done again)\n"
    "      --consumer NAME      this worker's name in the group (default\n"
    "                           HOST-PID); a worker restarted under its old\n"
    "                           name finishes its own jobs first\n"
    "      --time-limit SEC     stop a render still running after SEC\n"
    "                           seconds (default 1800; 0: no limit)\n"
    "      --max-input SIZE     longest page fetched (default 20M)\n"
    "      --allow-private-urls fetch article and callback URLs on loopback,\n"
    "                           private and link-local addresses too (by\n"
    "                           default only public ones: jobs may come\n"
    "                           from clients of 'articast serve --redis')\n"
    "      --token-file FILE    sign callbacks with this token (the one\n"
    "                           'articast serve --token-file' uses)\n"
    "  -O, --set STAGE.KEY=VAL  set a stage option (repeatable)\n"
    "      --no-cache           neither read nor write the segment cache\n"
    "      --cache-dir DIR      segment cache (see 'articast episode --help')\n"
    "  -q, --quiet              print only errors\n"
    "  -v, --verbose            log what the stages do\n"
    "  -h, --help               this help\n";

/* ---- articast enqueue -----------------------------------------------------
 */

int ac_enqueue_command(int argc, char **argv) {
  static const struct option longs[] = {
      {"redis", required_argument, NULL, 'R'},
      {"voice", required_argument, NULL, 'W'},
      {"lang", required_argument, NULL, 'L'},
      {"id", required_argument, NULL, 'I'},
      {"callback-url", required_argument, NULL, 'U'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *url = getenv("ARTICAST_REDIS_URL"), *voice = NULL, *lang = NULL,
             *id = NULL, *callback = NULL;
  optind = 1;
  for (int opt; (opt = getopt_long(argc, argv, "h", longs, NULL)) != -1;) {
    switch (opt) {
    case 'R':
      url = optarg;
      break;
    case 'W':
      voice = optarg;
      break;
    case 'L':
      lang = optarg;
      break;
    case 'I':
      id = optarg;
      break;
    case 'U':
      callback = optarg;
      break;
    case 'h':
      fputs(usage_enqueue, stdout);
      return AC_EXIT_OK;
    default:
      fputs(usage_enqueue, stderr);
      return AC_EXIT_USAGE;
    }
  }
  if (!url || !url[0]) {
    fprintf(stderr, "articast enqueue: no --redis URL given\n%s",
            usage_enqueue);
    return AC_EXIT_USAGE;
  }
  if (optind >= argc) {
    fprintf(stderr, "articast enqueue: no ARTICLE given\n%s", usage_enqueue);
    return AC_EXIT_USAGE;
  }
  if (id && argc - optind > 1) {
    fprintf(stderr, "articast enqueue: --id names one article; %d given\n",
            argc - optind);
    return AC_EXIT_USAGE;
  }
  if (voice && !ac_job_voice_valid(voice))
    return ac_cli_bad("articast enqueue", "--voice", voice,
                      "a voice profile name");
  if (lang && !ac_job_lang_valid(lang))
    return ac_cli_bad("articast enqueue", "--lang", lang,
                      "a BCP 47 language tag such as en, fr-CA or zh-Hans");
  int rc = AC_EXIT_OK;
  for (int i = optind; i < argc; i++) {
    ac_job job;
    char err[2048], entry_id[64];
    bool unchanged = false;
    int r =
        ac_job_from_article(&job, argv[i], voice, lang, id, err, sizeof err);
    if (r == AC_EXIT_OK && callback && !(job.callback_url = strdup(callback)))
      r = AC_EXIT_FAILURE;
    if (r == AC_EXIT_OK) {
      char why[1024];
      r = ac_redis_enqueue(url, &job, entry_id, sizeof entry_id, &unchanged,
                           why, sizeof why);
      if (r)
        snprintf(err, sizeof err, "%s: %s", argv[i], why);
    }
    ac_job_free(&job);
    if (r) {
      fprintf(stderr, "articast enqueue: %s\n", err);
      if (!rc)
        rc = r;
      if (r == AC_EXIT_FAILURE || r == AC_EXIT_USAGE)
        break; /* Redis refuses: the next article would fare no better */
      continue;
    }
    printf("%s\t%s%s\n", entry_id, argv[i],
           unchanged ? "\t(unchanged: already queued or done)" : "");
    fflush(stdout);
  }
  return rc;
}

/* ---- articast worker ------------------------------------------------------
 */

typedef struct worker_cli {
  ac_worker_options opt;
  ac_cli_common common; /* -c, -o, --base-url, -O, --max-input, the cache */
  const char *token_file;
  bool allow_private_urls;
  char consumer[128];
  char *base, *token; /* malloc'd */
} worker_cli;

static int bad(const char *option, const char *value, const char *expected) {
  return ac_cli_bad("articast worker", option, value, expected);
}

/* A consumer name: printable ASCII without spaces, 1 to 100 bytes. */
static bool consumer_valid(const char *name) {
  size_t n = strlen(name);
  for (size_t i = 0; i < n; i++)
    if (name[i] <= 0x20 || name[i] >= 0x7F)
      return false;
  return n > 0 && n <= 100;
}

static int worker_option(worker_cli *c, int opt) {
  switch (opt) {
  case 'R':
    c->opt.redis_url = optarg;
    return -1;
  case 'o':
    c->common.site = optarg;
    return -1;
  case 'c':
    c->common.config = optarg;
    return -1;
  case 'B':
    c->common.base_url = optarg;
    return -1;
  case 'D':
    c->opt.drain = true;
    return -1;
  case 'A':
    return ac_cli_parse_seconds(optarg, 0.1, 7 * 86400.0, &c->opt.reclaim_after)
               ? -1
               : bad("--reclaim-after", optarg, "seconds, from 0.1 to a week");
  case 'C':
    if (!consumer_valid(optarg))
      return bad("--consumer", optarg,
                 "1 to 100 printable characters without spaces");
    c->opt.consumer = optarg;
    return -1;
  case 'T':
    return ac_cli_parse_seconds(optarg, 0, 1e7, &c->opt.time_limit)
               ? -1
               : bad("--time-limit", optarg, "seconds (0: no limit)");
  case 'M':
    return ac_cli_parse_size(optarg, &c->common.max_input) == 0
               ? -1
               : bad("--max-input", optarg, "a size such as 20M or 512K");
  case 'O':
    return ac_cli_set(&c->common, "articast worker", optarg) ? AC_EXIT_USAGE
                                                             : -1;
  case 'N':
    c->common.no_cache = true;
    return -1;
  case 'P':
    c->allow_private_urls = true;
    return -1;
  case 'F':
    c->token_file = optarg;
    return -1;
  case 'K':
    c->common.cache_dir = optarg;
    return -1;
  case 'q':
    c->opt.quiet = true;
    return -1;
  case 'v':
    ac_set_log_level(AC_LOG_DEBUG);
    return -1;
  case 'h':
    fputs(usage_worker, stdout);
    return AC_EXIT_OK;
  default:
    fputs(usage_worker, stderr);
    return AC_EXIT_USAGE;
  }
}

static int parse_worker(int argc, char **argv, worker_cli *c) {
  static const struct option longs[] = {
      {"redis", required_argument, NULL, 'R'},
      {"site", required_argument, NULL, 'o'},
      {"config", required_argument, NULL, 'c'},
      {"base-url", required_argument, NULL, 'B'},
      {"drain", no_argument, NULL, 'D'},
      {"reclaim-after", required_argument, NULL, 'A'},
      {"consumer", required_argument, NULL, 'C'},
      {"time-limit", required_argument, NULL, 'T'},
      {"max-input", required_argument, NULL, 'M'},
      {"set", required_argument, NULL, 'O'},
      {"no-cache", no_argument, NULL, 'N'},
      {"cache-dir", required_argument, NULL, 'K'},
      {"allow-private-urls", no_argument, NULL, 'P'},
      {"token-file", required_argument, NULL, 'F'},
      {"quiet", no_argument, NULL, 'q'},
      {"verbose", no_argument, NULL, 'v'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  optind = 1;
  for (int opt;
       (opt = getopt_long(argc, argv, "o:c:O:qvh", longs, NULL)) != -1;) {
    int rc = worker_option(c, opt);
    if (rc >= 0)
      return rc;
  }
  if (optind < argc) {
    fprintf(stderr,
            "articast worker: takes no ARTICLE ('%s'); add them "
            "with 'articast enqueue'\n",
            argv[optind]);
    return AC_EXIT_USAGE;
  }
  if (!c->opt.redis_url || !c->opt.redis_url[0]) {
    fprintf(stderr, "articast worker: no --redis URL given\n%s", usage_worker);
    return AC_EXIT_USAGE;
  }
  if (!c->opt.consumer) {
    char host[64] = "worker";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    for (char *h = host; *h; h++)
      if (*h <= 0x20 || *h >= 0x7F)
        *h = '_';
    snprintf(c->consumer, sizeof c->consumer, "%s-%ld", host, (long)getpid());
    c->opt.consumer = c->consumer;
  }
  return -1;
}

/* Loads config and plugins as `articast episode` does (cli_common.h). */
static int setup(worker_cli *c, ac_pipeline *pl, ac_config *cfg) {
  int rc = ac_cli_load_config(&c->common, pl, cfg);
  if (rc)
    return rc;
  /* Callbacks carry the episode's URLs: absolute under [show] base_url,
   * else relative to SITE. */
  const char *base = cfg->show.base_url ? cfg->show.base_url : "";
  size_t n = strlen(base);
  if (asprintf(&c->base, "%s%s", base, n && base[n - 1] != '/' ? "/" : "") < 0)
    return AC_EXIT_FAILURE;
  c->opt.base_url = c->base;
  if (c->token_file && serve_read_token(c->token_file, &c->token))
    return AC_EXIT_USAGE;
  c->opt.token = c->token;
  pl->max_input_bytes = c->common.max_input;
  pl->threads = 1;
  return ac_cli_load_plugins(pl);
}

static volatile sig_atomic_t stops;

static void on_stop(int sig) {
  (void)sig;
  stops++;
}

int ac_worker_command(int argc, char **argv) {
  worker_cli c = {.common = {.max_input = AC_DEFAULT_MAX_INPUT},
                  .opt = {.redis_url = getenv("ARTICAST_REDIS_URL"),
                          .reclaim_after = 900.0,
                          .time_limit = 1800.0}};
  int rc = parse_worker(argc, argv, &c);
  if (rc >= 0) {
    ac_cli_common_free(&c.common);
    return rc;
  }
  /* Jobs may come from any client of `serve --redis`: their URLs reach
   * public addresses only, unless the operator says otherwise. */
  ac_fetch_set_public_only(!c.allow_private_urls);
  ac_pipeline pl = {0};
  ac_config cfg = {0};
  char *cache_dir = ac_cli_cache_dir(&c.common);
  pl.cache_dir = cache_dir;
  struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  if ((rc = setup(&c, &pl, &cfg)) == AC_EXIT_OK)
    rc = ac_redis_work(&pl, &c.opt, &stops);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  ac_plugin_set_free(&pl.plugins);
  ac_config_free(&cfg);
  ac_cli_common_free(&c.common);
  free(cache_dir);
  free(c.base);
  if (c.token)
    memset(c.token, 0, strlen(c.token));
  free(c.token);
  return rc;
}
