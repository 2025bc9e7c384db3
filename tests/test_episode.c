/* End to end: the articast binary renders articles into a site, and what it
 * wrote is read back the way a listener's app would. */
#include "harness.h"
#include "id3_read.h"

#include <dirent.h>
#include <glob.h>
#include <signal.h>

#include <ebur128.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *site;
static char *config;

static void make_site(void) {
  site = harness_tempdir();
  /* Each test's segment cache lives in its site, never in $HOME. */
  char *cache = ac_path_join(site, "cache");
  setenv("ARTICAST_CACHE_DIR", cache, 1);
  free(cache);
  config = ac_path_join(site, "show.ini");
  FILE *f = fopen(config, "w");
  ck_assert_ptr_nonnull(f);
  fputs("[show]\n"
        "title = Test Desk Readings\n"
        "author = Test Desk\n"
        "base_url = https://example.org/podcast/\n"
        "[pipeline]\n"
        "sinks = mp3 wav transcript\n",
        f);
  fclose(f);
}

static void free_site(void) {
  char *cmd = NULL;
  if (asprintf(&cmd, "rm -rf '%s'", site) > 0)
    harness_run(cmd, NULL);
  free(cmd);
  free(site);
  free(config);
}

/* Runs articast with `args` (a shell fragment); returns the exit status and
 * the combined output. */
static int articast(const char *args, char **out) {
  char *cmd = NULL;
  ck_assert_int_gt(asprintf(&cmd, "'%s' %s 2>&1", harness_binary(), args), 0);
  int rc = harness_run(cmd, out);
  free(cmd);
  return rc;
}

static sf_count_t frames_of(const char *path, int *rate) {
  SF_INFO info = {0};
  SNDFILE *sf = sf_open(path, SFM_READ, &info);
  ck_assert_msg(sf != NULL, "cannot decode %s: %s", path, sf_strerror(NULL));
  /* Count by decoding: the header's frame count is an estimate for MP3. */
  float buf[4096];
  sf_count_t total = 0, got;
  while ((got = sf_readf_float(sf, buf, 4096)) > 0)
    total += got;
  sf_close(sf);
  if (rate)
    *rate = info.samplerate;
  return total;
}

/* The episode's file of extension `ext` in `dir`: a site holds exactly
 * one version of it, <slug>.<version><ext>, once a render is complete. */
static char *site_file(const char *dir, const char *slug, const char *ext) {
  char *pattern = NULL;
  ck_assert_int_gt(
      asprintf(&pattern,
               "%s/episodes/%s.[0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
               "[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]%s",
               dir, slug, ext),
      0);
  glob_t g;
  int rc = glob(pattern, 0, NULL, &g);
  ck_assert_msg(rc == 0 && g.gl_pathc == 1, "%zu files match %s",
                rc == 0 ? g.gl_pathc : 0, pattern);
  char *path = strdup(g.gl_pathv[0]);
  globfree(&g);
  free(pattern);
  return path;
}

static char *episode_file(const char *slug, const char *ext) {
  return site_file(site, slug, ext);
}

/* Integrated loudness (LUFS) and true peak (dBTP) of a decoded file, the
 * mono signal measured as one channel, as ffmpeg's ebur128 filter does. */
static void loudness_of(const char *path, double *lufs, double *peak_db) {
  SF_INFO info = {0};
  SNDFILE *sf = sf_open(path, SFM_READ, &info);
  ck_assert_ptr_nonnull(sf);
  ebur128_state *st = ebur128_init(1, (unsigned long)info.samplerate,
                                   EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
  float buf[4096];
  sf_count_t got;
  while ((got = sf_readf_float(sf, buf, 4096)) > 0)
    ebur128_add_frames_float(st, buf, (size_t)got);
  sf_close(sf);
  double peak;
  ck_assert_int_eq(ebur128_loudness_global(st, lufs), EBUR128_SUCCESS);
  ck_assert_int_eq(ebur128_true_peak(st, 0, &peak), EBUR128_SUCCESS);
  *peak_db = 20 * log10(peak);
  ebur128_destroy(&st);
}

START_TEST(markdown_article_becomes_a_tagged_mp3) {
  char *out = NULL;
  char *args = NULL;
  asprintf(&args, "episode -c '%s' -o '%s' '%s/examples/repair-cafe.md'",
           config, site, ARTICAST_TEST_SOURCE_DIR);
  int rc = articast(args, &out);
  ck_assert_msg(rc == 0, "articast failed (%d): %s", rc, out);
  free(out);
  free(args);

  const char *slug = "riverside-library-opens-a-repair-cafe-for-broken-"
                     "toasters-and-torn-jackets";
  char *mp3 = episode_file(slug, ".mp3");
  char *wav = episode_file(slug, ".wav");

  /* The decoded MP3 is exactly as long as what was synthesized. */
  int rate = 0;
  sf_count_t synthesized = frames_of(wav, NULL);
  sf_count_t decoded = frames_of(mp3, &rate);
  ck_assert_int_gt(synthesized, 22050 * 60); /* over a minute of speech */
  ck_assert_int_eq(decoded, synthesized);

  /* Podcast loudness on the finished MP3: -16 LUFS, true peak <= -1 dBTP. */
  double lufs, peak_db;
  loudness_of(mp3, &lufs, &peak_db);
  ck_assert_msg(fabs(lufs + 16) <= 1.0, "loudness %.2f LUFS", lufs);
  ck_assert_msg(peak_db <= -1.0, "true peak %.2f dBTP", peak_db);

  /* The tags a podcast app shows. */
  id3_tag tag;
  ck_assert_int_eq(id3_read(mp3, &tag), 0);
  ck_assert_int_eq(tag.version, 3);
  char buf[512];
  ck_assert_int_eq(id3_text(&tag, "TIT2", buf, sizeof buf), 0);
  ck_assert_str_eq(buf, "Riverside library opens a repair café for broken "
                        "toasters and torn jackets");
  ck_assert_int_eq(id3_text(&tag, "TPE1", buf, sizeof buf), 0);
  ck_assert_str_eq(buf, "Tomasz Wrobel");
  ck_assert_int_eq(id3_text(&tag, "TALB", buf, sizeof buf), 0);
  ck_assert_str_eq(buf, "Test Desk Readings");
  ck_assert_int_eq(id3_text(&tag, "TCON", buf, sizeof buf), 0);
  ck_assert_str_eq(buf, "Podcast");
  ck_assert_int_eq(id3_text(&tag, "TYER", buf, sizeof buf), 0);
  ck_assert_str_eq(buf, "2026");
  ck_assert(id3_has(&tag, "COMM"));
  /* The show has no image, so the site's default cover is embedded. */
  ck_assert(id3_has(&tag, "APIC"));
  char *cover = ac_path_join(site, "cover.png");
  ck_assert_int_eq(access(cover, R_OK), 0);
  free(cover);

  /* Chapters: the title, then one per heading, in time order. */
  id3_chapter ch[16];
  size_t n = id3_chapters(&tag, ch, 16);
  /* The title, the three headings, and the author's bio. */
  ck_assert_uint_eq(n, 5);
  ck_assert_str_eq(ch[1].title, "How it works");
  ck_assert_str_eq(ch[3].title, "What happens next");
  ck_assert_str_eq(ch[4].title, "About the author");
  for (size_t i = 1; i < n; i++)
    ck_assert_uint_gt(ch[i].start_ms, ch[i - 1].start_ms);
  ck_assert_uint_eq(ch[0].start_ms, 0);
  double seconds = (double)decoded / rate;
  ck_assert(fabs(ch[n - 1].end_ms / 1000.0 - seconds) < 0.05);
  size_t tag_size = tag.size;
  id3_free(&tag);

  /* The Xing/Info frame with the LAME tag follows the ID3 tag directly. */
  char *bytes = NULL;
  size_t n_bytes = 0;
  ck_assert_int_eq(ac_read_file(mp3, 0, &bytes, &n_bytes), 0);
  ck_assert_uint_gt(n_bytes, tag_size + 400);
  const unsigned char *frame = (const unsigned char *)bytes + tag_size;
  ck_assert_uint_eq(frame[0], 0xFF); /* frame sync */
  ck_assert((frame[1] & 0xE0) == 0xE0);
  ck_assert(memmem(frame, 200, "Info", 4) || memmem(frame, 200, "Xing", 4));
  ck_assert_ptr_nonnull(memmem(frame, 400, "LAME", 4));
  free(bytes);

  /* Transcript: cues in order, ending with the audio. */
  char *vtt_path = episode_file(slug, ".vtt");
  char *vtt = harness_slurp(vtt_path);
  ck_assert_int_eq(strncmp(vtt, "WEBVTT", 6), 0);
  ck_assert_ptr_nonnull(strstr(vtt, "The queue started before the doors"));
  double last_start = -1, last_end = 0;
  for (char *p = vtt; (p = strstr(p, " --> ")); p += 5) {
    int h1, m1, h2, m2;
    double s1, s2;
    ck_assert_int_eq(
        sscanf(p - 12, "%d:%d:%lf --> %d:%d:%lf", &h1, &m1, &s1, &h2, &m2, &s2),
        6);
    double start = h1 * 3600 + m1 * 60 + s1, end = h2 * 3600 + m2 * 60 + s2;
    ck_assert(start >= last_start);
    ck_assert(end > start);
    last_start = start;
    last_end = end;
  }
  ck_assert(fabs(last_end - seconds) < 3.0);
  free(vtt);
  free(vtt_path);
  free(mp3);
  free(wav);
}
END_TEST

START_TEST(scraped_page_is_cleaned_and_tagged) {
  char *data = harness_data("e2e/scraped-column.txt");
  char *out = NULL, *args = NULL;
  asprintf(&args, "text '%s'", data);
  ck_assert_int_eq(articast(args, &out), 0);
  ck_assert_int_eq(strncmp(out, "Why small ports matter more than ever\n", 38),
                   0);
  ck_assert_ptr_null(strstr(out, "LEAVE A REPLY"));
  ck_assert_ptr_null(strstr(out, "Please enter"));
  ck_assert_ptr_null(strstr(out, "Must Read"));
  ck_assert_ptr_null(strstr(out, "email protected"));
  ck_assert_ptr_null(strstr(out, "Share on"));
  ck_assert_ptr_null(strstr(out, "Subscribe"));
  char *first = strstr(out, "Helen Castellano");
  ck_assert_ptr_nonnull(first);
  ck_assert_ptr_null(strstr(first + 1, "Helen Castellano"));
  ck_assert_ptr_nonnull(strstr(out, "The writer is a former harbour master"));
  ck_assert_ptr_nonnull(strstr(out, "Small ports rarely make the news."));
  ck_assert_ptr_nonnull(strstr(out, "without years of paperwork."));
  free(out);
  free(args);

  asprintf(&args, "text --body '%s'", data);
  ck_assert_int_eq(articast(args, &out), 0);
  ck_assert_int_eq(strncmp(out, "Small ports rarely make the news.", 33), 0);
  ck_assert_ptr_null(strstr(out, "Helen Castellano"));
  ck_assert_ptr_null(strstr(out, "The writer is"));
  free(out);
  free(args);
  free(data);
}
END_TEST

START_TEST(bad_input_fails_cleanly_and_writes_nothing) {
  /* Invalid UTF-8: the error names the file, the stage and the offset. */
  char *bad = ac_path_join(site, "bad.txt");
  FILE *f = fopen(bad, "wb");
  fputs("Title\n\nGood start \xC3\x28 then bad.\n", f);
  fclose(f);
  char *out = NULL, *args = NULL;
  asprintf(&args, "episode -q -o '%s' '%s'", site, bad);
  ck_assert_int_eq(articast(args, &out), AC_EXIT_INPUT);
  ck_assert_ptr_nonnull(strstr(out, "bad.txt"));
  ck_assert_ptr_nonnull(strstr(out, "source_text"));
  ck_assert_ptr_nonnull(strstr(out, "byte offset 18"));
  free(out);
  free(args);

  asprintf(&args, "episode -q -o '%s' /nonexistent/article.txt", site);
  ck_assert_int_eq(articast(args, &out), AC_EXIT_INPUT);
  ck_assert_ptr_nonnull(strstr(out, "/nonexistent/article.txt"));
  free(out);
  free(args);

  /* A bad option value lists the valid ones and nothing is written. */
  asprintf(&args,
           "episode -q -o '%s' -O mp3.bitrate=7 '%s/examples/repair-cafe.md'",
           site, ARTICAST_TEST_SOURCE_DIR);
  ck_assert_int_eq(articast(args, &out), AC_EXIT_USAGE);
  ck_assert_ptr_nonnull(strstr(out, "bitrate"));
  ck_assert_ptr_nonnull(strstr(out, "'7' is not valid"));
  free(out);
  free(args);

  asprintf(&args, "episode -q -o '%s' -O nosuchstage.x=1 '%s'", site, bad);
  ck_assert_int_eq(articast(args, &out), AC_EXIT_USAGE);
  ck_assert_ptr_nonnull(strstr(out, "no plugin named 'nosuchstage'"));
  free(out);
  free(args);

  char *listing = NULL;
  char *cmd = NULL;
  asprintf(&cmd, "ls -A '%s/episodes' 2>/dev/null", site);
  harness_run(cmd, &listing);
  ck_assert_str_eq(listing ? listing : "", "");
  free(listing);
  free(cmd);
  free(bad);

  /* Usage errors. */
  ck_assert_int_eq(articast("episode", &out), AC_EXIT_USAGE);
  free(out);
  ck_assert_int_eq(articast("frobnicate", &out), AC_EXIT_USAGE);
  free(out);
  ck_assert_int_eq(articast("text --until nosuch -", &out), AC_EXIT_USAGE);
  ck_assert_ptr_nonnull(strstr(out, "--until nosuch"));
  free(out);
}
END_TEST

START_TEST(cli_lists_plugins_and_voices) {
  char *out = NULL;
  ck_assert_int_eq(articast("plugins", &out), 0);
  const char *expect[] = {
      "source_text", "clean",   "espeak",         "mp3",
      "wav",         "bitrate", "(source stage)", "(sink stage)"};
  for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
    ck_assert_msg(strstr(out, expect[i]), "plugins lacks %s", expect[i]);
  free(out);
  ck_assert_int_eq(articast("voices", &out), 0);
  ck_assert_ptr_nonnull(strstr(out, "en-us-newsreader"));
  ck_assert_ptr_nonnull(strstr(out, "en-gb-newsreader"));
  free(out);
  ck_assert_int_eq(articast("--version", &out), 0);
  ck_assert_ptr_nonnull(strstr(out, "articast " ARTICAST_VERSION_STRING));
  free(out);
  ck_assert_int_eq(articast("episode --help", &out), 0);
  ck_assert_ptr_nonnull(strstr(out, "--voice"));
  free(out);
}
END_TEST

/* Peak RSS of `articast episode -c cfg` on `path`, in KiB. */
static long peak_rss(const char *cfg, const char *path) {
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    /* -j 1: the memory of one encoder, whatever the machine's cores. */
    execl(harness_binary(), "articast", "episode", "-q", "--no-cache", "-j",
          "1", "-c", cfg, "-o", site, path, (char *)NULL);
    _exit(127);
  }
  int status;
  struct rusage ru;
  ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
  ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                "articast failed on %s", path);
  return ru.ru_maxrss;
}

START_TEST(memory_does_not_grow_with_the_article) {
  /* The body repeated ten times must not need much more memory: audio
   * moves through the stages in bounded chunks. */
  char *one = ac_path_join(site, "one.md");
  char *ten = ac_path_join(site, "ten.md");
  char *src =
      harness_slurp(ARTICAST_TEST_SOURCE_DIR "/examples/repair-cafe.md");
  char *body = strstr(src, "The queue started");
  ck_assert_ptr_nonnull(body);
  FILE *f1 = fopen(one, "w"), *f10 = fopen(ten, "w");
  fprintf(f1, "# One copy\n\n%s", body);
  fprintf(f10, "# Ten copies\n\n");
  for (int i = 0; i < 10; i++)
    fputs(body, f10);
  fclose(f1);
  fclose(f10);
  /* No text stages: the clean stage rightly drops a paragraph printed
   * twice, and this test needs ten times the audio. */
  char *cfg = ac_path_join(site, "no-text-stages.ini");
  FILE *fc = fopen(cfg, "w");
  fputs("[pipeline]\ntext =\n", fc);
  fclose(fc);
  long rss1 = peak_rss(cfg, one), rss10 = peak_rss(cfg, ten);
  char *mp3_1 = episode_file("one-copy", ".mp3");
  char *mp3_10 = episode_file("ten-copies", ".mp3");
  struct stat st1, st10;
  ck_assert_int_eq(stat(mp3_1, &st1), 0);
  ck_assert_int_eq(stat(mp3_10, &st10), 0);
  ck_assert_msg(st10.st_size > 8 * st1.st_size, "10x audio expected");
  free(mp3_1);
  free(mp3_10);
  free(cfg);
  ck_assert_msg(rss10 <= rss1 * 3 / 2, "peak RSS %ld KiB for 1x, %ld for 10x",
                rss1, rss10);
  free(src);
  free(one);
  free(ten);
}
END_TEST

START_TEST(show_lexicon_outranks_the_shipped_one) {
  /* en.lex (named by the en-us voice profile) has an entry for SAARC; the
   * show's own lexicon, named in the config, must win over it. */
  char *lex = ac_path_join(site, "show.lex");
  FILE *f = fopen(lex, "w");
  fputs("SAARC\tthe South Asian association\n"
        "Wrobel\tvroh bell\n",
        f);
  fclose(f);
  char *ini = ac_path_join(site, "lex.ini");
  f = fopen(ini, "w");
  fprintf(f,
          "[pipeline]\nvoice = en-us-newsreader\n[normalize]\nlexicons = %s\n",
          lex);
  fclose(f);
  char *out = NULL, *args = NULL;
  asprintf(&args,
           "text --until normalize -c '%s' - <<'EOF'\n"
           "SAARC met Tomasz Wrobel.\nEOF",
           ini);
  ck_assert_int_eq(articast(args, &out), 0);
  ck_assert_msg(strstr(out, "the South Asian association met Tomasz vroh bell"),
                "got: %s", out);
  free(out);
  free(args);
  /* Without the show's lexicon, the shipped entry applies. */
  ck_assert_int_eq(articast("text --until normalize - <<'EOF'\n"
                            "SAARC met Tomasz Wrobel.\nEOF",
                            &out),
                   0);
  ck_assert_ptr_null(strstr(out, "association"));
  ck_assert_ptr_null(strstr(out, "SAARC")); /* respelled by en.lex */
  free(out);
  free(ini);
  free(lex);
}
END_TEST

/* How many segments a verbose render took from the cache, of how many. */
static void cache_use(const char *out, int *hits, int *total) {
  const char *p = strstr(out, " segments from the cache");
  ck_assert_msg(p != NULL, "no cache report in: %s", out);
  while (p > out && p[-1] != ':')
    p--;
  ck_assert_int_eq(sscanf(p, " %d of %d", hits, total), 2);
}

static int render_cached(const char *cfg, const char *cache, const char *dir,
                         const char *article, int *hits, int *total) {
  char *args = NULL, *out = NULL;
  ck_assert_int_gt(asprintf(&args,
                            "episode -v -q -c '%s' --cache-dir '%s' -o '%s' "
                            "'%s'",
                            cfg, cache, dir, article),
                   0);
  int rc = articast(args, &out);
  ck_assert_msg(rc == 0, "%s", out);
  cache_use(out, hits, total);
  free(args);
  free(out);
  return rc;
}

static bool same_file(const char *a, const char *b) {
  char *x, *y;
  size_t nx, ny;
  ck_assert_int_eq(ac_read_file(a, 0, &x, &nx), 0);
  ck_assert_int_eq(ac_read_file(b, 0, &y, &ny), 0);
  bool same = nx == ny && memcmp(x, y, nx) == 0;
  free(x);
  free(y);
  return same;
}

START_TEST(cache_renders_only_the_changed_paragraph) {
  char *cfg = ac_path_join(site, "cached.ini");
  FILE *f = fopen(cfg, "w");
  fputs("[show]\ntitle = Cache Desk\n"
        "base_url = https://example.org/podcast/\n"
        "[pipeline]\nsinks = mp3 transcript\n",
        f);
  fclose(f);
  char *cache = ac_path_join(site, "segments-cache");
  char *article = ac_path_join(site, "article.md");
  char *src =
      harness_slurp(ARTICAST_TEST_SOURCE_DIR "/examples/repair-cafe.md");
  f = fopen(article, "w");
  fputs(src, f);
  fclose(f);
  const char *slug = "riverside-library-opens-a-repair-cafe-for-broken-"
                     "toasters-and-torn-jackets";
  int hits, total;

  /* First render: nothing cached; then everything is, and the same bytes
   * come out, under the same version's names. */
  render_cached(cfg, cache, site, article, &hits, &total);
  ck_assert_int_eq(hits, 0);
  ck_assert_int_gt(total, 5);
  char *first = episode_file(slug, ".mp3");
  char *first_copy = ac_path_join(site, "first.mp3");
  char *cmd = NULL;
  ck_assert_int_gt(asprintf(&cmd, "cp '%s' '%s'", first, first_copy), 0);
  ck_assert_int_eq(harness_run(cmd, NULL), 0);
  free(cmd);
  render_cached(cfg, cache, site, article, &hits, &total);
  ck_assert_int_eq(hits, total);
  char *again = episode_file(slug, ".mp3");
  ck_assert_str_eq(again, first);
  ck_assert_msg(same_file(first_copy, again), "a cached render differs");
  free(again);

  /* One paragraph edited: it alone is synthesized again, and the episode
   * is byte for byte what a render without the cache makes; the new
   * version replaces the old one. */
  char *body = strstr(src, "The queue started");
  ck_assert_ptr_nonnull(body);
  f = fopen(article, "w");
  fwrite(src, 1, (size_t)(body - src), f);
  fprintf(f, "The long queue started%s", body + strlen("The queue started"));
  fclose(f);
  render_cached(cfg, cache, site, article, &hits, &total);
  ck_assert_int_eq(hits, total - 1);
  char *mp3 = episode_file(slug, ".mp3");
  char *vtt = episode_file(slug, ".vtt");
  ck_assert_msg(!same_file(first_copy, mp3), "the edit changed nothing");
  ck_assert_msg(access(first, F_OK) != 0, "the old version is still there");
  char *fresh_site = ac_path_join(site, "fresh");
  char *args = NULL, *out = NULL;
  ck_assert_int_gt(asprintf(&args, "episode -q --no-cache -c '%s' -o '%s' '%s'",
                            cfg, fresh_site, article),
                   0);
  ck_assert_int_eq(articast(args, &out), 0);
  free(out);
  free(args);
  char *fresh_mp3 = site_file(fresh_site, slug, ".mp3");
  char *fresh_vtt = site_file(fresh_site, slug, ".vtt");
  ck_assert_str_eq(strrchr(fresh_mp3, '/'), strrchr(mp3, '/'));
  ck_assert_msg(same_file(fresh_mp3, mp3),
                "the cached render differs from an uncached one");
  ck_assert_msg(same_file(fresh_vtt, vtt),
                "the cached transcript differs from an uncached one");

  /* A damaged entry is a miss, not a broken episode. (The newest entry is
   * one this render used; an older one may be the edited paragraph's.) */
  ck_assert_int_gt(asprintf(&args,
                            "f=$(ls -t '%s'/segments/*/*-mp3 | head -1) && "
                            "printf 'X' | dd of=\"$f\" bs=1 seek=200 "
                            "conv=notrunc 2>/dev/null",
                            cache),
                   0);
  ck_assert_int_eq(harness_run(args, NULL), 0);
  free(args);
  render_cached(cfg, cache, site, article, &hits, &total);
  ck_assert_int_eq(hits, total - 1);
  ck_assert_msg(same_file(fresh_mp3, mp3), "a damaged entry leaked in");

  /* `articast cache` reports, `cache clear` empties. */
  ck_assert_int_gt(asprintf(&args, "cache --cache-dir '%s'", cache), 0);
  ck_assert_int_eq(articast(args, &out), 0);
  ck_assert_msg(strstr(out, " entries, ") && !strstr(out, "\n0 entries"), "%s",
                out);
  free(out);
  free(args);
  ck_assert_int_gt(asprintf(&args, "cache --cache-dir '%s' clear", cache), 0);
  ck_assert_int_eq(articast(args, &out), 0);
  ck_assert_msg(strstr(out, "\n0 entries"), "%s", out);
  free(out);
  free(args);
  render_cached(cfg, cache, site, article, &hits, &total);
  ck_assert_int_eq(hits, 0);
  ck_assert_msg(same_file(fresh_mp3, mp3), "a render after clear differs");

  free(fresh_mp3);
  free(fresh_vtt);
  free(fresh_site);
  free(first);
  free(first_copy);
  free(mp3);
  free(vtt);
  free(src);
  free(article);
  free(cache);
  free(cfg);
}
END_TEST

START_TEST(jobs_do_not_change_the_output) {
  /* Two articles with -j 1 (one core, no threads) and -j 2 (two worker
   * processes, or threads inside one article): the same bytes. */
  char *a = ac_path_join(site, "a.md"), *b = ac_path_join(site, "b.md");
  FILE *f = fopen(a, "w");
  fputs("---\ntitle: First\n---\nOne paragraph to read. It has two "
        "sentences.\n\nAnother paragraph follows it.\n",
        f);
  fclose(f);
  f = fopen(b, "w");
  fputs("---\ntitle: Second\n---\nA different article, with one "
        "paragraph only.\n",
        f);
  fclose(f);
  const char *jobs[] = {"1", "2"};
  char *dirs[2];
  for (int i = 0; i < 2; i++) {
    dirs[i] = NULL;
    ck_assert_int_gt(asprintf(&dirs[i], "%s/j%s", site, jobs[i]), 0);
    char *args = NULL, *out = NULL;
    ck_assert_int_gt(asprintf(&args,
                              "episode -q --no-cache -j %s -o '%s' "
                              "'%s' '%s'",
                              jobs[i], dirs[i], a, b),
                     0);
    ck_assert_int_eq(articast(args, &out), 0);
    free(out);
    free(args);
  }
  /* One article alone, whose segments two threads encode. */
  char *one = NULL, *args = NULL, *out = NULL;
  ck_assert_int_gt(asprintf(&one, "%s/one", site), 0);
  ck_assert_int_gt(
      asprintf(&args, "episode -q --no-cache -j 2 -o '%s' '%s'", one, a), 0);
  ck_assert_int_eq(articast(args, &out), 0);
  free(out);
  free(args);
  const char *names[][2] = {
      {"first", ".mp3"}, {"second", ".mp3"}, {"first", ".vtt"}};
  for (size_t i = 0; i < 3; i++) {
    char *x = site_file(dirs[0], names[i][0], names[i][1]);
    char *y = site_file(dirs[1], names[i][0], names[i][1]);
    ck_assert_msg(same_file(x, y), "%s%s differs between -j 1 and -j 2",
                  names[i][0], names[i][1]);
    free(y);
    if (i != 1) {
      y = site_file(one, names[i][0], names[i][1]);
      ck_assert_msg(same_file(x, y), "%s%s differs when rendered alone",
                    names[i][0], names[i][1]);
      free(y);
    }
    free(x);
  }
  free(one);
  free(dirs[0]);
  free(dirs[1]);
  free(a);
  free(b);
}
END_TEST

/* Whether the site is consistent (tests/site_check.py); says why not. */
static void check_site(const char *dir, const char *when) {
  char *cmd = NULL, *out = NULL;
  ck_assert_int_gt(asprintf(&cmd, "python3 '%s/tests/site_check.py' '%s' 2>&1",
                            ARTICAST_TEST_SOURCE_DIR, dir),
                   0);
  int rc = harness_run(cmd, &out);
  ck_assert_msg(rc == 0, "%s: %s", when, out);
  free(out);
  free(cmd);
}

/* A re-render killed at each step that changes the site (every file named,
 * renamed or removed, every sidecar and feed write): after each kill the
 * site describes only files it has, whole; the next run completes it and
 * leaves one version of each file and no debris. */
START_TEST(a_kill_at_any_step_leaves_a_consistent_site) {
  char *cfg = ac_path_join(site, "crash.ini");
  FILE *f = fopen(cfg, "w");
  fputs("[show]\ntitle = Crash Desk\nbase_url = https://example.org/c/\n", f);
  fclose(f);
  char *article = ac_path_join(site, "crash.md");
  f = fopen(article, "w");
  fputs("---\ntitle: Power cut\n---\nThe first version of the story.\n\n"
        "A second paragraph.\n",
        f);
  fclose(f);
  char *cache = ac_path_join(site, "crash-cache");
  char *args = NULL, *out = NULL;
  ck_assert_int_gt(asprintf(&args,
                            "episode -q --cache-dir '%s' -c '%s' -o "
                            "'%s' '%s'",
                            cache, cfg, site, article),
                   0);
  ck_assert_int_eq(articast(args, &out), 0);
  free(out);
  check_site(site, "first render");
  f = fopen(article, "w");
  fputs("---\ntitle: Power cut\n---\nThe corrected version of the story.\n\n"
        "A second paragraph.\n",
        f);
  fclose(f);
  int steps = 0;
  for (int n = 1; n < 100; n++) {
    char *cmd = NULL;
    ck_assert_int_gt(asprintf(&cmd, "ARTICAST_CRASH_AFTER=%d '%s' %s 2>&1", n,
                              harness_binary(), args),
                     0);
    int rc = harness_run(cmd, &out);
    free(cmd);
    char when[64];
    snprintf(when, sizeof when, "killed at step %d", n);
    check_site(site, when);
    if (rc == 0) {
      ck_assert_msg(!strstr(out, "crash test"), "%s", out);
      free(out);
      break;
    }
    /* The worker rendering the article dies; the CLI reports it. */
    ck_assert_msg(rc == AC_EXIT_FAILURE && strstr(out, "crash test") &&
                      strstr(out, "the rendering process died (signal 9)"),
                  "step %d: exit %d: %s", n, rc, out);
    free(out);
    steps = n;
  }
  ck_assert_int_gt(steps, 8);
  /* A clean run after the last kill leaves one version and no debris. */
  ck_assert_int_eq(articast(args, &out), 0);
  free(out);
  check_site(site, "after the kills");
  char *mp3 = episode_file("power-cut", ".mp3");
  free(mp3);
  char *cmd = NULL;
  ck_assert_int_gt(asprintf(&cmd,
                            "ls -a '%s/episodes' | grep -c "
                            "'power-cut.*\\(tmp\\|commit\\)-' || true",
                            site),
                   0);
  ck_assert_int_eq(harness_run(cmd, &out), 0);
  ck_assert_str_eq(out, "0\n");
  free(out);
  free(cmd);
  free(args);
  free(cache);
  free(article);
  free(cfg);
}
END_TEST

/* A process of /proc: its command name, state, parent and group. */
typedef struct proc_info {
  pid_t pid, ppid, pgrp;
  char state;
  char comm[32];
} proc_info;

/* The processes of group pgrp that have not ended (zombies have). */
static size_t live_in_group(pid_t pgrp, proc_info *out, size_t max) {
  DIR *d = opendir("/proc");
  ck_assert_ptr_nonnull(d);
  size_t n = 0;
  for (struct dirent *e; (e = readdir(d));) {
    char path[300], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    FILE *f = atoi(e->d_name) > 0 ? fopen(path, "r") : NULL;
    if (!f)
      continue;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    proc_info p = {.pid = (pid_t)atoi(e->d_name)};
    int ppid, group;
    if (!open || !close || close < open ||
        sscanf(close + 2, "%c %d %d", &p.state, &ppid, &group) != 3)
      continue;
    p.ppid = ppid;
    p.pgrp = group;
    snprintf(p.comm, sizeof p.comm, "%.*s", (int)(close - open - 1), open + 1);
    if (p.pgrp == pgrp && p.state != 'Z' && p.state != 'X' && n < max)
      out[n++] = p;
  }
  closedir(d);
  return n;
}

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

/* Starts `articast episode -j 2` on two long articles in a process group
 * of its own, waits until it is speaking, sends `sig` to the CLI alone or
 * to every articast process, and checks that every process of the group
 * ends: workers with their parent, espeak helpers with their stage. */
static void render_and_kill(int sig, bool every_articast) {
  char *articles[2];
  for (int a = 0; a < 2; a++) {
    char name[32];
    snprintf(name, sizeof name, "long-%d.md", a);
    articles[a] = ac_path_join(site, name);
    FILE *f = fopen(articles[a], "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "---\ntitle: A long reading %d\n---\n", a);
    for (int i = 0; i < 120; i++)
      fprintf(f,
              "Paragraph %d of the reading says that item %d of the "
              "harbour budget costs %d dollars and takes %d weeks.\n\n",
              i + 1, 3 * i + 7, 1000 + 37 * i, 2 + i % 11);
    fclose(f);
  }
  char *out = ac_path_join(site, "killed");
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    setpgid(0, 0);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(harness_binary(), "articast", "episode", "-q", "--no-cache", "-j",
          "2", "-o", out, articles[0], articles[1], (char *)NULL);
    _exit(127);
  }
  setpgid(pid, pid);
  proc_info procs[64];
  size_t n = 0;
  bool speaking = false;
  for (int i = 0; i < 3000 && !speaking; i++) {
    sleep_ms(10);
    n = live_in_group(pid, procs, 64);
    for (size_t k = 0; k < n; k++)
      speaking |= strcmp(procs[k].comm, "articast-espeak") == 0;
  }
  ck_assert_msg(speaking, "no articast-espeak process appeared");
  sleep_ms(300); /* well into the episode */
  size_t killed = 0;
  n = live_in_group(pid, procs, 64);
  for (size_t k = 0; k < n; k++)
    if (strcmp(procs[k].comm, "articast") == 0 &&
        (every_articast || procs[k].pid == pid) && kill(procs[k].pid, sig) == 0)
      killed++;
  ck_assert_uint_ge(killed, 1);
  int status;
  ck_assert_int_eq(waitpid(pid, &status, 0), pid);
  ck_assert_msg((WIFSIGNALED(status) && WTERMSIG(status) == sig) ||
                    (WIFEXITED(status) && WEXITSTATUS(status) != 0),
                "articast ended with status %d after signal %d", status, sig);
  for (int i = 0; i < 500 && (n = live_in_group(pid, procs, 64)) > 0; i++)
    sleep_ms(10);
  ck_assert_msg(n == 0, "%zu processes left, the first %s (pid %d, %c)", n,
                n ? procs[0].comm : "", n ? (int)procs[0].pid : 0,
                n ? procs[0].state : '-');
  /* Nothing was published after the kill, and nothing half. */
  char *feed = ac_path_join(out, "feed.xml");
  if (access(feed, F_OK) == 0)
    check_site(out, "after the kill");
  free(feed);
  free(out);
  free(articles[0]);
  free(articles[1]);
}

START_TEST(sigkill_leaves_no_espeak_process) {
  /* articast killed with SIGKILL in the middle of an episode: the espeak
   * helper's processes end with it (the request pipe ends), none stays. */
  render_and_kill(SIGKILL, true);
}
END_TEST

START_TEST(stopping_the_cli_stops_its_workers) {
  /* Only the command the user started is killed, as a terminal's Ctrl-C
   * (SIGINT), a service manager (SIGTERM) or the OOM killer (SIGKILL)
   * would: its workers stop with it instead of rendering on. */
  render_and_kill(SIGKILL, false);
  render_and_kill(SIGTERM, false);
  render_and_kill(SIGINT, false);
}
END_TEST

/* Inputs an attacker or an accident could give, and the limits that hold
 * them: each gets a clear error and a non-zero exit, and nothing of the
 * failed render appears in the site. */
START_TEST(hostile_inputs_meet_limits) {
  char *fresh = ac_path_join(site, "never");
  char *args = NULL, *out = NULL;
  /* An endless input stops at the limit (20 MiB by default). */
  asprintf(&args, "episode -q -o '%s' /dev/zero", fresh);
  ck_assert_int_eq(articast(args, &out), AC_EXIT_INPUT);
  ck_assert_msg(strstr(out, "larger than the input limit"), "%s", out);
  free(out);
  free(args);
  char *cmd = NULL;
  asprintf(&cmd,
           "head -c 3000000 /dev/zero | tr '\\0' a | '%s' episode -q "
           "--max-input 1M -o '%s' - 2>&1",
           harness_binary(), fresh);
  ck_assert_int_eq(harness_run(cmd, &out), AC_EXIT_INPUT);
  ck_assert_msg(strstr(out, "standard input: larger than"), "%s", out);
  free(out);
  free(cmd);
  /* A directory is not an article. */
  asprintf(&args, "episode -q -o '%s' '%s'", fresh, site);
  ck_assert_int_eq(articast(args, &out), AC_EXIT_INPUT);
  ck_assert_msg(strstr(out, "Is a directory"), "%s", out);
  free(out);
  free(args);
  /* Nothing of the failed renders: no site folder at all. */
  ck_assert_msg(access(fresh, F_OK) != 0, "%s was created", fresh);
  /* say writes only into a folder that exists. */
  char *missing = ac_path_join(site, "no/such/dir/x.wav");
  asprintf(&args, "say -o '%s' Hello.", missing);
  ck_assert_int_ne(articast(args, &out), 0);
  free(out);
  free(args);
  char *no = ac_path_join(site, "no");
  ck_assert_msg(access(no, F_OK) != 0, "say made %s", no);
  free(no);
  free(missing);
  free(fresh);
}
END_TEST

/* An article still rendering after --time-limit is stopped, reported, and
 * the batch goes on with a fresh worker. */
START_TEST(time_limit_stops_one_article_not_the_batch) {
  char *slow = ac_path_join(site, "slow.md"),
       *quick = ac_path_join(site, "quick.md");
  FILE *f = fopen(slow, "w");
  fputs("---\ntitle: Slow\n---\n", f);
  for (int i = 0; i < 4000; i++)
    fprintf(f,
            "Paragraph %d is long enough to take espeak a while to say, "
            "with several clauses, numbers like %d, and more words.\n\n",
            i, 1000 + i);
  fclose(f);
  f = fopen(quick, "w");
  fputs("---\ntitle: Quick\n---\nShort.\n", f);
  fclose(f);
  char *args = NULL, *out = NULL;
  asprintf(&args,
           "episode -q --no-cache -j 1 --time-limit 10 -o '%s' '%s' "
           "'%s'",
           site, slow, quick);
  ck_assert_int_eq(articast(args, &out), AC_EXIT_FAILURE);
  ck_assert_msg(strstr(out, "slow.md: took longer than the time limit"), "%s",
                out);
  char *mp3 = episode_file("quick", ".mp3");
  free(mp3);
  check_site(site, out);
  free(out);
  free(args);
  free(slow);
  free(quick);
}
END_TEST

/* An article without a title is shown under its opening words and
 * spoken once (neither its file name nor its first line twice); `say`
 * speaks exactly its text. */
START_TEST(untitled_text_is_spoken_once) {
  char *path = ac_path_join(site, "note.txt");
  FILE *f = fopen(path, "w");
  fputs("Hello there, this is a short note.\n", f);
  fclose(f);
  char *args = NULL, *out = NULL;
  asprintf(&args, "episode -q -o '%s' '%s'", site, path);
  ck_assert_int_eq(articast(args, &out), 0);
  free(out);
  free(args);
  char *vtt_path = episode_file("hello-there-this-is-a-short-note", ".vtt");
  char *vtt = harness_slurp(vtt_path);
  ck_assert_ptr_null(strstr(vtt, "note.txt"));
  const char *cue = strstr(vtt, "Hello there");
  ck_assert_ptr_nonnull(cue);
  ck_assert_ptr_null(strstr(cue + 1, "Hello there"));
  free(vtt);
  free(vtt_path);
  char *wav = ac_path_join(site, "say.wav");
  asprintf(&args, "say -v -o '%s' 'Hello there, this is a short note.'", wav);
  ck_assert_int_eq(articast(args, &out), 0);
  ck_assert_msg(strstr(out, "spoke 7 words"), "%s", out);
  free(out);
  free(args);
  free(wav);
  free(path);
}
END_TEST

/* Two articles with one title but different ids are two episodes: the
 * second gets its own slug instead of replacing the first. */
START_TEST(same_title_different_articles_keep_both) {
  char *a = ac_path_join(site, "a.md"), *b = ac_path_join(site, "b.md");
  FILE *f = fopen(a, "w");
  fputs("---\ntitle: Weekly roundup\nid: roundup-1\n---\nFirst week.\n", f);
  fclose(f);
  f = fopen(b, "w");
  fputs("---\ntitle: Weekly roundup\nid: roundup-2\n---\nSecond week.\n", f);
  fclose(f);
  char *args = NULL, *out = NULL;
  asprintf(&args, "episode -q -j 1 -o '%s' '%s' '%s'", site, a, b);
  ck_assert_int_eq(articast(args, &out), 0);
  free(out);
  char *one = episode_file("weekly-roundup", ".mp3");
  char *two = episode_file("weekly-roundup-2", ".mp3");
  check_site(site, "two articles, one title");
  char *feed = ac_path_join(site, "feed.xml");
  char *xml = harness_slurp(feed);
  ck_assert_ptr_nonnull(strstr(xml, "roundup-1"));
  ck_assert_ptr_nonnull(strstr(xml, "roundup-2"));
  /* Rendering the first again keeps its slug. */
  ck_assert_int_eq(articast(args, &out), 0);
  free(out);
  free(args);
  char *again = episode_file("weekly-roundup", ".mp3");
  ck_assert_str_eq(again, one);
  free(again);
  free(xml);
  free(feed);
  free(one);
  free(two);
  free(a);
  free(b);
}
END_TEST

/* ---- Voices for every language espeak-ng speaks ----------------------------
 */

/* Writes an article in `lang` into the site directory; returns its path. */
static char *write_article(const char *file, const char *lang,
                           const char *title, const char *body) {
  char *path = ac_path_join(site, file);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fprintf(f, "---\ntitle: %s\nlang: %s\n---\n\n%s\n", title, lang, body);
  fclose(f);
  return path;
}

static const char SWAHILI[] =
    "Wakulima wa kijiji walianza kuvuna mahindi wiki hii baada ya mvua "
    "nzuri za msimu. Wengi wao wanasema mavuno ya mwaka huu ni makubwa "
    "kuliko ya mwaka uliopita.\n\n"
    "Soko la kijiji sasa limejaa magunia ya mahindi na maharagwe. Bei "
    "imeshuka kidogo, lakini wafanyabiashara wanatarajia wanunuzi wengi "
    "kutoka mjini mwezi ujao.";

START_TEST(derived_voice_renders_in_one_pass) {
  /* No profile speaks Swahili: espeak-ng's sw voice reads it, with the
   * rate and loudness gain of the voice table, in one pass that lands on
   * -16 LUFS under the true-peak ceiling. */
  char *article =
      write_article("mavuno.md", "sw", "Mavuno ya mahindi", SWAHILI);
  char *args = NULL, *out = NULL;
  asprintf(&args, "episode -v -q --no-cache -o '%s' '%s'", site, article);
  ck_assert_int_eq(articast(args, &out), 0);
  ck_assert_msg(strstr(out, "voice 'espeak-sw' (sw)") != NULL, "%s", out);
  /* Gain mode logs the gain it applied; measure mode would log the
   * loudness it measured. */
  ck_assert_msg(strstr(out, "loudness: info: gain +") != NULL, "%s", out);
  ck_assert_ptr_null(strstr(out, "loudness: info: input"));
  free(out);
  free(args);
  char *mp3 = episode_file("mavuno-ya-mahindi", ".mp3");
  double lufs, peak;
  loudness_of(mp3, &lufs, &peak);
  ck_assert_msg(fabs(lufs + 16.0) <= 1.0, "%.2f LUFS", lufs);
  ck_assert_msg(peak <= -1.0, "true peak %.2f dBTP", peak);
  free(mp3);
  free(article);
}
END_TEST

START_TEST(uncalibrated_voice_is_measured_in_two_passes) {
  /* A voice table without the article's voice: the voice is still
   * espeak-ng's, and the loudness stage measures the episode. */
  char *table = ac_path_join(site, "voices.tsv");
  FILE *f = fopen(table, "w");
  ck_assert_ptr_nonnull(f);
  fputs("gmq/sv\tsv\t-\t150\t6.00\n", f);
  fclose(f);
  char *cfg = ac_path_join(site, "table.ini");
  f = fopen(cfg, "w");
  ck_assert_ptr_nonnull(f);
  fprintf(f, "[espeak]\nvoice_table = %s\n", table);
  fclose(f);
  char *article =
      write_article("mavuno.md", "sw", "Mavuno ya mahindi", SWAHILI);
  char *args = NULL, *out = NULL;
  asprintf(&args, "episode -v -q --no-cache -c '%s' -o '%s' '%s'", cfg, site,
           article);
  ck_assert_int_eq(articast(args, &out), 0);
  ck_assert_msg(strstr(out, "voice 'espeak-sw' (sw)") != NULL, "%s", out);
  ck_assert_msg(strstr(out, "loudness: info: input") != NULL, "%s", out);
  free(out);
  free(args);
  char *mp3 = episode_file("mavuno-ya-mahindi", ".mp3");
  double lufs, peak;
  loudness_of(mp3, &lufs, &peak);
  ck_assert_msg(fabs(lufs + 16.0) <= 0.5, "%.2f LUFS", lufs);
  ck_assert_msg(peak <= -1.0, "true peak %.2f dBTP", peak);
  free(mp3);
  free(article);
  free(cfg);
  free(table);
}
END_TEST

START_TEST(language_without_voice_fails_and_the_batch_goes_on) {
  /* espeak-ng has no Yoruba voice: that article fails with a message that
   * names the language and the way out, exit code 3 (bad input), and the
   * other article of the batch is rendered. */
  char *good = write_article("mavuno.md", "sw", "Mavuno ya mahindi", SWAHILI);
  char *bad = write_article("oja.md", "yo", "Oja oko",
                            "Awon agbe ti bere si ni ko agbado ni ose yii.");
  char *args = NULL, *out = NULL;
  asprintf(&args, "episode -q -j 1 --no-cache -o '%s' '%s' '%s'", site, bad,
           good);
  ck_assert_int_eq(articast(args, &out), AC_EXIT_INPUT);
  ck_assert_msg(strstr(out, "no voice speaks 'yo' (the article's language)") !=
                    NULL,
                "%s", out);
  ck_assert_ptr_nonnull(strstr(out, "--voice"));
  ck_assert_ptr_nonnull(strstr(out, "--lang"));
  free(out);
  free(args);
  char *mp3 = episode_file("mavuno-ya-mahindi", ".mp3");
  free(mp3);
  char *cmd = NULL, *listing = NULL;
  asprintf(&cmd, "ls '%s/episodes' | grep -c '^oja-oko'", site);
  harness_run(cmd, &listing);
  ck_assert_str_eq(listing ? listing : "", "0\n");
  free(listing);
  free(cmd);
  /* Given on the command line, the language is a usage error; a voice
   * named with --voice reads the article. */
  asprintf(&args, "episode -q --no-cache --lang yo -o '%s' '%s'", site, good);
  ck_assert_int_eq(articast(args, &out), AC_EXIT_USAGE);
  ck_assert_ptr_nonnull(strstr(out, "no voice speaks 'yo'"));
  free(out);
  free(args);
  asprintf(&args, "episode -q --no-cache --voice espeak-nosuch -o '%s' '%s'",
           site, bad);
  ck_assert_int_eq(articast(args, &out), AC_EXIT_USAGE);
  ck_assert_ptr_nonnull(strstr(out, "no voice named 'espeak-nosuch'"));
  free(out);
  free(args);
  asprintf(&args, "episode -v -q --no-cache --voice espeak-sw -o '%s' '%s'",
           site, bad);
  ck_assert_int_eq(articast(args, &out), 0);
  ck_assert_ptr_nonnull(strstr(out, "voice 'espeak-sw' (sw)"));
  free(out);
  free(args);
  free(good);
  free(bad);
}
END_TEST

START_TEST(voice_for_each_language) {
  /* The voice an article gets for its language tag. */
  static const struct {
    const char *lang, *voice;
  } cases[] = {
      {"zh", "voice 'espeak-cmn-latn-pinyin' (cmn-Latn-pinyin)"},
      {"zh-Hant-TW", "voice 'espeak-cmn-latn-pinyin' (cmn-Latn-pinyin)"},
      {"yue", "voice 'espeak-yue' (yue)"},
      {"zh-yue", "voice 'espeak-yue' (yue)"},
      {"nb", "voice 'espeak-nb' (nb)"},
      {"no", "voice 'espeak-nb' (nb)"},
      {"nn", "voice 'espeak-nb' (nb)"},
      {"pt-BR", "voice 'espeak-pt-br' (pt-BR)"},
      {"pt", "voice 'espeak-pt-br' (pt-BR)"},
      {"pt-PT", "voice 'espeak-pt' (pt)"},
      {"fi", "voice 'espeak-fi' (fi)"},
      {"ja", "voice 'espeak-ja' (ja)"},
      {"iw", "voice 'espeak-he' (he)"},
      {"fr-CA", "voice 'fr-fr' (fr)"},
  };
  char *wav = ac_path_join(site, "say.wav");
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *args = NULL, *out = NULL;
    asprintf(&args, "say -v --lang %s -o '%s' 'Hello'", cases[i].lang, wav);
    ck_assert_int_eq(articast(args, &out), 0);
    ck_assert_msg(strstr(out, cases[i].voice) != NULL, "%s: want %s in %s",
                  cases[i].lang, cases[i].voice, out);
    free(out);
    free(args);
  }
  free(wav);
}
END_TEST

START_TEST(voices_lists_profiles_then_derived_voices) {
  char *out = NULL;
  ck_assert_int_eq(articast("voices", &out), 0);
  const char *profile = strstr(out, "\nen-us-newsreader ");
  const char *derived = strstr(out, "\nespeak-sw ");
  ck_assert_ptr_nonnull(profile);
  ck_assert_ptr_nonnull(derived);
  ck_assert(profile < derived);
  ck_assert_ptr_nonnull(strstr(derived, " sw "));
  ck_assert_ptr_nonnull(strstr(derived, " derived "));
  size_t lines = 0;
  for (const char *p = out; (p = strstr(p, " derived ")); p++)
    lines++;
  ck_assert_uint_ge(lines, 100);
  free(out);
  /* --lang: the voices that speak a language. */
  ck_assert_int_eq(articast("voices --lang nn", &out), 0);
  ck_assert_ptr_nonnull(strstr(out, "espeak-nb "));
  ck_assert_ptr_null(strstr(out, "espeak-sw "));
  free(out);
  ck_assert_int_eq(articast("voices --lang yo", &out), AC_EXIT_USAGE);
  ck_assert_ptr_nonnull(strstr(out, "no voice speaks 'yo'"));
  free(out);
}
END_TEST

static Suite *episode_suite(void) {
  Suite *s = suite_create("episode");
  TCase *t = tcase_create("end-to-end");
  tcase_add_checked_fixture(t, make_site, free_site);
  tcase_set_timeout(t, 600);
  tcase_add_test(t, markdown_article_becomes_a_tagged_mp3);
  tcase_add_test(t, scraped_page_is_cleaned_and_tagged);
  tcase_add_test(t, bad_input_fails_cleanly_and_writes_nothing);
  tcase_add_test(t, cli_lists_plugins_and_voices);
  tcase_add_test(t, memory_does_not_grow_with_the_article);
  tcase_add_test(t, show_lexicon_outranks_the_shipped_one);
  tcase_add_test(t, cache_renders_only_the_changed_paragraph);
  tcase_add_test(t, jobs_do_not_change_the_output);
  tcase_add_test(t, a_kill_at_any_step_leaves_a_consistent_site);
  tcase_add_test(t, sigkill_leaves_no_espeak_process);
  tcase_add_test(t, stopping_the_cli_stops_its_workers);
  tcase_add_test(t, hostile_inputs_meet_limits);
  tcase_add_test(t, untitled_text_is_spoken_once);
  tcase_add_test(t, time_limit_stops_one_article_not_the_batch);
  tcase_add_test(t, same_title_different_articles_keep_both);
  tcase_add_test(t, derived_voice_renders_in_one_pass);
  tcase_add_test(t, uncalibrated_voice_is_measured_in_two_passes);
  tcase_add_test(t, language_without_voice_fails_and_the_batch_goes_on);
  tcase_add_test(t, voice_for_each_language);
  tcase_add_test(t, voices_lists_profiles_then_derived_voices);
  suite_add_tcase(s, t);
  return s;
}

int main(void) {
  return harness_main(episode_suite());
}
