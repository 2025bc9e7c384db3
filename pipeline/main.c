/* The articast command line. */
#include "batch.h"
#include "cache.h"
#include "cli_common.h"
#include "core.h"
#include "follow.h"
#include "redis.h"
#include "serve.h"

#include <getopt.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static const char usage_main[] =
    "Usage: articast COMMAND [OPTIONS] ...\n"
    "Turn articles into podcast episodes with a synthetic voice.\n"
    "\n"
    "Commands:\n"
    "  episode ARTICLE...   render articles into podcast episodes in SITE\n"
    "  text ARTICLE|-       print the document as the text stages leave it\n"
    "  say TEXT...          speak a snippet into a WAV file\n"
    "  feed                 rebuild SITE/feed.xml from the episodes' "
    "sidecars\n"
    "  plugins              list stage plugins with their options\n"
    "  voices               list voice profiles\n"
    "  cache [clear|prune DAYS]  show, empty or trim the segment cache\n"
    "  follow SOURCE...     turn every new or changed article of feeds,\n"
    "                       sitemaps or folders into episodes\n"
    "  status               what 'follow' knows of its sources and articles\n"
    "  enqueue ARTICLE...   add articles to a Redis queue for the workers\n"
    "  worker               render the Redis queue's articles into SITE\n"
    "  serve                an HTTP API that queues and renders articles,\n"
    "                       and serves SITE\n"
    "\n"
    "Run 'articast COMMAND --help' for a command's options.\n"
    "Options: -h, --help   this help;  -V, --version   print the version\n";

static const char usage_episode[] =
    "Usage: articast episode [OPTIONS] ARTICLE...\n"
    "Render each ARTICLE (plain text, Markdown with front matter, an HTML\n"
    "file or an http(s) URL; '-' is standard input) into\n"
    "SITE/episodes/<slug>.<version>.mp3 and its side files.\n"
    "\n"
    "  -c, --config FILE        read the INI config FILE\n"
    "  -o, --site DIR           site folder (default: ./site or [pipeline] "
    "site)\n"
    "      --voice NAME         voice profile (see 'articast voices')\n"
    "      --lang TAG           the article's language (BCP 47), over what\n"
    "                           it declares or detection finds\n"
    "      --base-url URL       where SITE will be served (feed URLs)\n"
    "      --max-input SIZE     longest article file or standard input\n"
    "                           (default 20M; 0: no limit)\n"
    "      --time-limit SEC     stop an article still rendering after SEC\n"
    "                           seconds (default 1800; 0: no limit)\n"
    "  -O, --set STAGE.KEY=VAL  set a stage option (repeatable)\n"
    "  -j, --jobs N             use N cores: N articles at once in worker\n"
    "                           processes, or threads inside one article\n"
    "                           when there are fewer articles (default: the\n"
    "                           number of cores)\n"
    "      --no-cache           synthesize every paragraph, neither reading\n"
    "                           nor writing the segment cache\n"
    "      --cache-dir DIR      segment cache (default: $ARTICAST_CACHE_DIR,\n"
    "                           else $XDG_CACHE_HOME/articast, else\n"
    "                           ~/.cache/articast)\n"
    "  -q, --quiet              do not list the files written\n"
    "  -v, --verbose            log what the stages do\n"
    "  -h, --help               this help\n";

static const char usage_text[] =
    "Usage: articast text [OPTIONS] ARTICLE|-\n"
    "Print the article after the text stages: the title on the first line,\n"
    "then the blocks separated by blank lines, as the article wrote them.\n"
    "With --until or --spoken, print the text as the stages leave it, which\n"
    "is what will be spoken (numbers in words, lexicon pronunciations).\n"
    "\n"
    "  -u, --until STAGE        stop after STAGE (default: the last text "
    "stage)\n"
    "  -s, --spoken             print the spoken form\n"
    "  -b, --body               print only the article body (no title, "
    "byline\n"
    "                           or author bio)\n"
    "      --lang TAG           the article's language (BCP 47), over what\n"
    "                           it declares or detection finds\n"
    "      --max-input SIZE     longest article file or standard input\n"
    "                           (default 20M; 0: no limit)\n"
    "  -c, --config FILE        read the INI config FILE\n"
    "  -O, --set STAGE.KEY=VAL  set a stage option (repeatable)\n"
    "  -v, --verbose            log what the stages do\n"
    "  -h, --help               this help\n";

static const char usage_feed[] =
    "Usage: articast feed [OPTIONS]\n"
    "Rebuild SITE/feed.xml from the sidecar metadata of the episodes in\n"
    "SITE/episodes, e.g. after the feed was lost or the show changed.\n"
    "\n"
    "  -c, --config FILE        read the INI config FILE\n"
    "  -o, --site DIR           site folder (default: ./site)\n"
    "      --base-url URL       where SITE will be served\n"
    "  -O, --set STAGE.KEY=VAL  set a stage option (repeatable)\n"
    "  -h, --help               this help\n";

static const char usage_say[] =
    "Usage: articast say [OPTIONS] TEXT...\n"
    "Speak a snippet through the same text stages, voice and filters as an\n"
    "episode, into a WAV (or FLAC) file: a quick way to try a lexicon\n"
    "entry or a voice.\n"
    "\n"
    "  -o, --output FILE        file to write (default: say.wav); its\n"
    "                           extension picks the sink (.wav, .flac,\n"
    "                           .mp3, see 'articast plugins')\n"
    "      --voice NAME         voice profile (see 'articast voices')\n"
    "      --lang TAG           the article's language (BCP 47), over what\n"
    "                           it declares or detection finds\n"
    "  -c, --config FILE        read the INI config FILE\n"
    "  -O, --set STAGE.KEY=VAL  set a stage option (repeatable)\n"
    "  -h, --help               this help\n";

static const char usage_plugins[] =
    "Usage: articast plugins\n"
    "List the stage plugins found, with their stage, version and options.\n"
    "Search path: $ARTICAST_PLUGIN_PATH, plugins/ beside the binary, the\n"
    "installed plugin directory.\n";

static const char usage_cache[] =
    "Usage: articast cache [--cache-dir DIR] [clear | prune DAYS]\n"
    "The segment cache keeps the encoded audio of every paragraph rendered,\n"
    "so that re-rendering an edited article synthesizes only what changed.\n"
    "Without an action, print where it is and how much it holds; 'clear'\n"
    "empties it; 'prune DAYS' removes what was not used in DAYS days.\n";

static const char usage_voices[] =
    "Usage: articast voices [-c CONFIG] [--lang TAG]\n"
    "List the voice profiles found in $ARTICAST_VOICE_PATH, voices/ beside\n"
    "the binary and the installed voice directory, with the settings each\n"
    "gives the stages, then the voices the synth stage derives (KIND\n"
    "'derived') for the languages no profile speaks. Any of them can be\n"
    "named with --voice.\n"
    "\n"
    "  -c, --config FILE  read the INI config FILE\n"
    "      --lang TAG     only the voices that speak TAG (BCP 47)\n";

typedef struct cli {
  ac_cli_common common; /* -c, -o, --base-url, -O, --max-input, the cache */
  const char *voice;
  const char *lang;
  double time_limit;
  const char *until;
  bool body;
  bool spoken;
  bool quiet;
  int jobs;
} cli;

/* A BCP 47 tag's shape: letters, digits and hyphens, a 2-3 letter (or 4-8
 * letter registered) primary subtag. */
static bool valid_language_tag(const char *tag) {
  size_t primary =
      strspn(tag, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
  if (primary < 2 || primary > 8 || strlen(tag) > 35)
    return false;
  for (const char *c = tag; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
          (*c >= '0' && *c <= '9') || *c == '-'))
      return false;
  return tag[primary] == '\0' || tag[primary] == '-';
}

/* Parses the options of a subcommand; returns -1 to go on, or an exit code. */
static int parse_options(int argc, char **argv, const char *usage, cli *c) {
  static const struct option longs[] = {
      {"config", required_argument, NULL, 'c'},
      {"site", required_argument, NULL, 'o'},
      {"output", required_argument, NULL, 'o'},
      {"voice", required_argument, NULL, 'W'},
      {"lang", required_argument, NULL, 'L'},
      {"max-input", required_argument, NULL, 'M'},
      {"time-limit", required_argument, NULL, 'T'},
      {"base-url", required_argument, NULL, 'B'},
      {"set", required_argument, NULL, 'O'},
      {"until", required_argument, NULL, 'u'},
      {"body", no_argument, NULL, 'b'},
      {"spoken", no_argument, NULL, 's'},
      {"quiet", no_argument, NULL, 'q'},
      {"jobs", required_argument, NULL, 'j'},
      {"verbose", no_argument, NULL, 'v'},
      {"no-cache", no_argument, NULL, 'N'},
      {"cache-dir", required_argument, NULL, 'D'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  optind = 1;
  int opt;
  while ((opt = getopt_long(argc, argv, "c:o:O:u:j:bsqvh", longs, NULL)) !=
         -1) {
    switch (opt) {
    case 'c':
      c->common.config = optarg;
      break;
    case 'o':
      c->common.site = optarg;
      break;
    case 'W':
      c->voice = optarg;
      break;
    case 'L':
      if (!valid_language_tag(optarg)) {
        fprintf(stderr,
                "articast: --lang %s: expected a BCP 47 language tag such as "
                "en, fr-CA or zh-Hans\n",
                optarg);
        return AC_EXIT_USAGE;
      }
      c->lang = optarg;
      break;
    case 'T':
      if (!ac_cli_parse_seconds(optarg, 0, 1e7, &c->time_limit))
        return ac_cli_bad("articast", "--time-limit", optarg,
                          "seconds (0: no limit)");
      break;
    case 'M':
      if (ac_cli_parse_size(optarg, &c->common.max_input) != 0)
        return ac_cli_bad("articast", "--max-input", optarg,
                          "a size such as 20M, 512K or 0 for no limit");
      break;
    case 'B':
      c->common.base_url = optarg;
      break;
    case 'O':
      if (ac_cli_set(&c->common, "articast", optarg))
        return AC_EXIT_USAGE;
      break;
    case 'N':
      c->common.no_cache = true;
      break;
    case 'D':
      c->common.cache_dir = optarg;
      break;
    case 'u':
      c->until = optarg;
      break;
    case 'b':
      c->body = true;
      break;
    case 's':
      c->spoken = true;
      break;
    case 'q':
      c->quiet = true;
      break;
    case 'j': {
      char *end;
      long n = strtol(optarg, &end, 10);
      if (end == optarg || *end || n < 1 || n > 256) {
        fprintf(stderr, "articast: -j %s: expected a number from 1 to 256\n",
                optarg);
        return AC_EXIT_USAGE;
      }
      c->jobs = (int)n;
      break;
    }
    case 'v':
      ac_set_log_level(AC_LOG_DEBUG);
      break;
    case 'h':
      fputs(usage, stdout);
      return AC_EXIT_OK;
    default:
      fputs(usage, stderr);
      return AC_EXIT_USAGE;
    }
  }
  return -1;
}

/* Loads config and plugins (cli_common.h), and the voice and language
 * given. */
static int setup(ac_pipeline *pl, ac_config *cfg, cli *c) {
  pl->voice_override = c->voice;
  pl->language_override = c->lang;
  return ac_cli_setup(&c->common, pl, cfg);
}

static int cmd_episode(int argc, char **argv, cli *c) {
  int rc = parse_options(argc, argv, usage_episode, c);
  if (rc >= 0)
    return rc;
  if (optind >= argc) {
    fprintf(stderr, "articast episode: no ARTICLE given\n%s", usage_episode);
    return AC_EXIT_USAGE;
  }
  ac_pipeline pl = {0};
  ac_config cfg;
  char *cache_dir = ac_cli_cache_dir(&c->common);
  pl.cache_dir = cache_dir;
  if ((rc = setup(&pl, &cfg, c)) == AC_EXIT_OK)
    rc = ac_render_batch(&pl, argv + optind, argc - optind, c->jobs,
                         c->time_limit, c->quiet);
  ac_plugin_set_free(&pl.plugins);
  ac_config_free(&cfg);
  free(cache_dir);
  return rc;
}

static void print_size(const char *what, uint64_t files, uint64_t bytes) {
  printf("%s%llu entries, %.1f MiB\n", what, (unsigned long long)files,
         (double)bytes / (1024.0 * 1024.0));
}

static int cmd_cache(int argc, char **argv, cli *c) {
  int rc = parse_options(argc, argv, usage_cache, c);
  if (rc >= 0)
    return rc;
  const char *action = optind < argc ? argv[optind] : NULL;
  time_t before = -1;
  if (action && strcmp(action, "clear") == 0 && optind + 1 == argc) {
    before = 0;
  } else if (action && strcmp(action, "prune") == 0 && optind + 2 == argc) {
    char *end;
    double days = strtod(argv[optind + 1], &end);
    if (end == argv[optind + 1] || *end || days < 0 || days > 36500) {
      fprintf(stderr, "articast cache prune: %s: expected a number of days\n",
              argv[optind + 1]);
      return AC_EXIT_USAGE;
    }
    before = time(NULL) - (time_t)(days * 86400.0);
    if (before <= 0)
      before = 1;
  } else if (action) {
    fprintf(stderr, "articast cache: unexpected '%s'\n%s", action, usage_cache);
    return AC_EXIT_USAGE;
  }
  /* --no-cache or not, the cache is what this command is about. */
  char *dir = c->common.cache_dir ? strdup(c->common.cache_dir)
                                  : ac_cache_default_dir();
  if (!dir) {
    fprintf(stderr, "articast cache: no cache directory (set HOME, "
                    "XDG_CACHE_HOME or ARTICAST_CACHE_DIR)\n");
    return AC_EXIT_USAGE;
  }
  ac_cache_stats stats;
  int e = ac_cache_walk(dir, before, &stats);
  if (e) {
    fprintf(stderr, "articast cache: %s: %s\n", dir, strerror(-e));
    free(dir);
    return AC_EXIT_OUTPUT;
  }
  printf("%s\n", dir);
  if (before >= 0)
    print_size("removed ", stats.removed_files, stats.removed_bytes);
  print_size("", stats.files, stats.bytes);
  free(dir);
  return AC_EXIT_OK;
}

static int cmd_text(int argc, char **argv, cli *c) {
  int rc = parse_options(argc, argv, usage_text, c);
  if (rc >= 0)
    return rc;
  if (optind != argc - 1) {
    fprintf(stderr, "articast text: give exactly one ARTICLE or '-'\n%s",
            usage_text);
    return AC_EXIT_USAGE;
  }
  ac_pipeline pl = {0};
  ac_config cfg;
  if ((rc = setup(&pl, &cfg, c)) == AC_EXIT_OK) {
    char err[2048] = "";
    ac_document *doc = NULL;
    rc = ac_run_text(&pl, argv[optind], c->until, &doc, err, sizeof err);
    if (rc) {
      fprintf(stderr, "articast: %s\n", err);
    } else if (ac_document_print(
                   doc, stdout,
                   (c->body ? AC_PRINT_BODY : 0) |
                       (c->until || c->spoken ? AC_PRINT_SPOKEN : 0)) != 0 ||
               fflush(stdout) != 0) {
      fprintf(stderr, "articast: cannot write to standard output\n");
      rc = AC_EXIT_OUTPUT;
    }
    ac_document_free(doc);
  }
  ac_plugin_set_free(&pl.plugins);
  ac_config_free(&cfg);
  return rc;
}

static int cmd_say(int argc, char **argv, cli *c) {
  int rc = parse_options(argc, argv, usage_say, c);
  if (rc >= 0)
    return rc;
  if (optind >= argc) {
    fprintf(stderr, "articast say: no TEXT given\n%s", usage_say);
    return AC_EXIT_USAGE;
  }
  /* -o names the output file here, not a site. */
  const char *output = c->common.site ? c->common.site : "say.wav";
  c->common.site = NULL;
  size_t text_len = 1;
  for (int i = optind; i < argc; i++)
    text_len += strlen(argv[i]) + 1;
  char *text = calloc(1, text_len);
  for (int i = optind; text && i < argc; i++) {
    strcat(text, argv[i]);
    strcat(text, i + 1 < argc ? " " : "\n");
  }
  ac_pipeline pl = {0};
  ac_config cfg;
  if (!text) {
    rc = AC_EXIT_FAILURE;
  } else if ((rc = setup(&pl, &cfg, c)) == AC_EXIT_OK) {
    pl.text_override = text;
    pl.output_path = output;
    pl.threads = 1;
    char err[2048] = "";
    rc = ac_run_episode(&pl, "-", c->quiet ? NULL : stdout, err, sizeof err);
    if (rc)
      fprintf(stderr, "articast: %s\n", err);
  }
  if (pl.cfg)
    ac_config_free(&cfg);
  ac_plugin_set_free(&pl.plugins);
  free(text);
  return rc;
}

static int cmd_feed(int argc, char **argv, cli *c) {
  int rc = parse_options(argc, argv, usage_feed, c);
  if (rc >= 0)
    return rc;
  if (optind != argc) {
    fprintf(stderr, "articast feed: takes no ARTICLE\n%s", usage_feed);
    return AC_EXIT_USAGE;
  }
  ac_pipeline pl = {0};
  ac_config cfg;
  if ((rc = setup(&pl, &cfg, c)) == AC_EXIT_OK) {
    char err[2048] = "";
    if ((rc = ac_run_feed(&pl, err, sizeof err)))
      fprintf(stderr, "articast: %s\n", err);
  }
  ac_plugin_set_free(&pl.plugins);
  ac_config_free(&cfg);
  return rc;
}

static void print_option(const ac_option *o) {
  char valid[256];
  ac_option_describe(o, valid, sizeof valid);
  printf("    %s = %s\n        %s (%s)\n", o->name,
         o->default_value ? o->default_value : "(unset)", o->help, valid);
}

static int cmd_plugins(int argc, char **argv, cli *c) {
  int rc = parse_options(argc, argv, usage_plugins, c);
  if (rc >= 0)
    return rc;
  ac_plugin_set set = {0};
  if (ac_plugin_set_load(&set)) {
    fprintf(stderr, "articast: no plugins found\n");
    return AC_EXIT_PLUGIN;
  }
  for (int kind = AC_STAGE_SOURCE; kind <= AC_STAGE_PUBLISH; kind++) {
    for (size_t i = 0; i < set.count; i++) {
      const ac_plugin *p = set.items[i].desc;
      if ((int)p->kind != kind)
        continue;
      printf("%s %s (%s stage)\n  %s\n  %s\n", p->name, p->version,
             ac_stage_kind_name(p->kind), p->description, set.items[i].path);
      if (!p->options || !p->options[0].name)
        printf("  no options\n");
      else
        printf("  options:\n");
      for (const ac_option *o = p->options; o && o->name; o++)
        print_option(o);
      printf("\n");
    }
  }
  ac_plugin_set_free(&set);
  return AC_EXIT_OK;
}

/* What `articast voices` shows: every voice, or with --lang the voices
 * that speak a language. */
typedef struct voice_listing {
  const char *lang;
  const char *synth; /* the stage whose derived voices are listed */
  size_t shown;
} voice_listing;

/* One voice: name, language, kind and description, then the settings it
 * gives the stages, indented. */
static void print_voice(const ac_voice_profile *vp, void *ctx) {
  voice_listing *l = ctx;
  if (l->lang && ac_language_match(vp->language, l->lang) == 0)
    return;
  if (l->shown++ == 0)
    printf("%-24s %-16s %-8s %s\n", "NAME", "LANGUAGE", "KIND", "DESCRIPTION");
  printf("%-24s %-16s %-8s %s\n", vp->name, vp->language,
         vp->derived ? "derived" : "profile",
         vp->description ? vp->description : "");
  if (vp->settings.count == 0)
    return;
  printf("   ");
  for (size_t i = 0; i < vp->settings.count; i++)
    printf(" %s.%s=%s", vp->settings.items[i].plugin, vp->settings.items[i].key,
           vp->settings.items[i].value);
  printf("\n");
}

static void print_derived(void *ctx, const ac_voice_info *info) {
  voice_listing *l = ctx;
  ac_voice_profile vp;
  char err[512];
  if (ac_voice_from_info(&vp, l->synth, info, err, sizeof err) == 0)
    print_voice(&vp, l);
  else
    fprintf(stderr, "articast: warning: %s\n", err);
  ac_voice_free(&vp);
}

static int cmd_voices(int argc, char **argv, cli *c) {
  int rc = parse_options(argc, argv, usage_voices, c);
  if (rc >= 0)
    return rc;
  ac_pipeline pl = {0};
  ac_config cfg;
  if ((rc = setup(&pl, &cfg, c)) != AC_EXIT_OK) {
    ac_plugin_set_free(&pl.plugins);
    return rc;
  }
  voice_listing listing = {.lang = c->lang};
  ac_voice_list(print_voice, &listing);
  /* Then the voices the synth stage derives: languages without a
   * profile get the best of them. */
  const ac_plugin *synth = ac_plugin_set_find(&pl.plugins, cfg.synth);
  rc = AC_EXIT_OK;
  if (synth && synth->list_voices) {
    char why[1024];
    listing.synth = synth->name;
    ac_stage_instance *si =
        ac_stage_new(synth, &cfg.settings, NULL, why, sizeof why);
    if (!si) {
      fprintf(stderr, "articast: %s\n", why);
      rc = AC_EXIT_USAGE;
    } else if (synth->list_voices(ac_stage_handle(si), print_derived,
                                  &listing) != 0) {
      fprintf(stderr, "articast: stage %s: %s\n", synth->name,
              ac_stage_error(si));
      rc = AC_EXIT_FAILURE;
    }
    ac_stage_free(si);
  }
  ac_plugin_set_free(&pl.plugins);
  ac_config_free(&cfg);
  if (rc == AC_EXIT_OK && listing.shown == 0) {
    if (c->lang)
      fprintf(stderr, "articast: no voice speaks '%s'\n", c->lang);
    else
      fprintf(stderr, "articast: no voices found\n");
    return AC_EXIT_USAGE;
  }
  return rc;
}

/* The mp3 sink makes fresh LAME encoders for every part of every segment
 * (hundreds an episode), each a few hundred KiB that glibc would serve
 * with mmap() and give back at once, so each encoder faulted its memory
 * in anew. Freed blocks of that size now stay in the heap for the next
 * one: system time for the 8.5-minute sample fell from about 0.17 s to
 * 0.07 s. The heap stays bounded by what one episode needs at once. */
static void tune_malloc(void) {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

static int cmd_follow(int argc, char **argv, cli *c) {
  (void)c;
  return ac_follow_command(argc, argv);
}

static int cmd_status(int argc, char **argv, cli *c) {
  (void)c;
  return ac_status_command(argc, argv);
}

static int cmd_enqueue(int argc, char **argv, cli *c) {
  (void)c;
  return ac_enqueue_command(argc, argv);
}

static int cmd_serve(int argc, char **argv, cli *c) {
  (void)c;
  return ac_serve_command(argc, argv);
}

static int cmd_worker(int argc, char **argv, cli *c) {
  (void)c;
  return ac_worker_command(argc, argv);
}

int main(int argc, char **argv) {
  tune_malloc();
  if (argc < 2) {
    fputs(usage_main, stderr);
    return AC_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
    fputs(usage_main, stdout);
    return AC_EXIT_OK;
  }
  if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
    printf("articast %s (plugin ABI %u)\n", ARTICAST_VERSION_STRING,
           AC_ABI_VERSION);
    return AC_EXIT_OK;
  }
  size_t n_dirs = 0;
  char **dirs = ac_voice_dirs(&n_dirs);
  for (size_t i = 0; i < n_dirs; i++) {
    ac_add_data_dir(dirs[i]);
    free(dirs[i]);
  }
  free(dirs);

  static const struct {
    const char *name;
    int (*run)(int, char **, cli *);
  } commands[] = {{"episode", cmd_episode}, {"text", cmd_text},
                  {"feed", cmd_feed},       {"say", cmd_say},
                  {"plugins", cmd_plugins}, {"voices", cmd_voices},
                  {"cache", cmd_cache},     {"follow", cmd_follow},
                  {"status", cmd_status},   {"enqueue", cmd_enqueue},
                  {"worker", cmd_worker},   {"serve", cmd_serve}};
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    if (strcmp(cmd, commands[i].name) == 0) {
      cli c = {.common = {.max_input = AC_DEFAULT_MAX_INPUT},
               .time_limit = AC_DEFAULT_TIME_LIMIT};
      int rc = commands[i].run(argc - 1, argv + 1, &c);
      ac_cli_common_free(&c.common);
      return rc;
    }
  }
  fprintf(stderr, "articast: unknown command '%s'\n%s", cmd, usage_main);
  return AC_EXIT_USAGE;
}
