/* The wav sink: 16-bit WAV or FLAC with the exact length and samples, tags,
 * the artifact, and no temporary file left behind. */
#include "harness.h"

#include <dirent.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE 22050

static float sample_at(size_t i) {
  return (float)(0.5 * sin(2 * M_PI * 330.0 * (double)i / RATE));
}

/* Feeds `total` frames in chunks of varied sizes; returns the first
 * error. Every 1000th sample is pushed past full scale to check clipping. */
static int feed(harness_sinks *h, ac_stage_instance *si, size_t total,
                int rate) {
  static const size_t sizes[] = {AC_MAX_CHUNK, 1, 0, 5000, 333};
  float *buf = malloc(AC_MAX_CHUNK * sizeof *buf);
  ck_assert_ptr_nonnull(buf);
  size_t pos = 0, k = 0;
  int rc = 0;
  while (pos < total && rc == 0) {
    size_t n = sizes[k++ % (sizeof sizes / sizeof *sizes)];
    if (n > total - pos)
      n = total - pos;
    for (size_t i = 0; i < n; i++)
      buf[i] = (pos + i) % 1000 == 999 ? 1.5f : sample_at(pos + i);
    ac_chunk c = {buf, n, pos, rate, NULL, 0};
    rc = harness_sinks_chunk(h, si, &c);
    pos += n;
  }
  free(buf);
  return rc;
}

static int count_files(const char *dir) {
  DIR *d = opendir(dir);
  ck_assert_ptr_nonnull(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      n++;
  closedir(d);
  return n;
}

static void remove_dir(const char *dir) {
  size_t n = strlen(dir) + 16;
  char *cmd = malloc(n);
  snprintf(cmd, n, "rm -rf '%s'", dir);
  harness_run(cmd, NULL);
  free(cmd);
}

static ac_document *make_doc(void) {
  ac_document *doc = ac_document_new();
  ac_set_string(&doc->title, "Le café — 東京", (size_t)-1);
  ac_set_string(&doc->author, "Zoë Müller", (size_t)-1);
  ac_document_add_block(doc, AC_BLOCK_PARAGRAPH, "Text.", (size_t)-1);
  return doc;
}

/* Renders `total` frames with `settings`; checks the file `ext` it writes
 * decodes to exactly what was fed, in `format`. */
static void check_format(const char *const *settings, const char *ext,
                         int format, const char *mime) {
  char *dir = harness_tempdir();
  char *base = ac_path_join(dir, "ep");
  size_t plen = strlen(base) + strlen(ext) + 1;
  char *path = malloc(plen);
  snprintf(path, plen, "%s%s", base, ext);
  ac_document *doc = make_doc();
  ac_episode ep;
  ac_voice_profile vp;
  harness_episode(&ep, &vp, doc);
  harness_sinks h;
  harness_sinks_init(&h, &ep, base);
  char err[1024];
  ac_stage_instance *si =
      harness_sink_stage(&h, "wav", settings, err, sizeof err);
  ck_assert_msg(si != NULL, "%s", err);
  size_t total = 3 * RATE + 77;
  ck_assert_int_eq(feed(&h, si, total, RATE), 0);
  int rc = harness_sinks_flush(&h, si, err, sizeof err);
  ck_assert_msg(rc == 0, "flush: %s %s", ac_stage_error(si), err);
  ac_stage_free(si);

  ck_assert_int_eq(count_files(dir), 1);
  ck_assert_uint_eq(h.outputs.count, 1);
  ck_assert_str_eq(h.outputs.artifacts[0].path, path);
  ck_assert_str_eq(h.outputs.artifacts[0].mime_type, mime);
  ck_assert_double_eq_tol(h.outputs.artifacts[0].duration, (double)total / RATE,
                          1e-9);
  harness_sinks_free(&h);

  SF_INFO info = {0};
  SNDFILE *sf = sf_open(path, SFM_READ, &info);
  ck_assert_msg(sf != NULL, "%s", sf_strerror(NULL));
  ck_assert_int_eq(info.format, format | SF_FORMAT_PCM_16);
  ck_assert_int_eq(info.channels, 1);
  ck_assert_int_eq(info.samplerate, RATE);
  ck_assert_int_eq(info.frames, (sf_count_t)total);
  ck_assert_str_eq(sf_get_string(sf, SF_STR_TITLE), "Le café — 東京");
  ck_assert_str_eq(sf_get_string(sf, SF_STR_ARTIST), "Zoë Müller");
  float *pcm = malloc(total * sizeof *pcm);
  ck_assert_int_eq(sf_readf_float(sf, pcm, (sf_count_t)total),
                   (sf_count_t)total);
  sf_close(sf);
  for (size_t i = 0; i < total; i++) {
    if (i % 1000 == 999) /* clipped, not wrapped around */
      ck_assert(pcm[i] > 0.99f);
    else
      ck_assert_float_eq_tol(pcm[i], sample_at(i), 1.0 / 32768 + 1e-6);
  }
  free(pcm);

  ac_voice_free(&vp);
  ac_document_free(doc);
  remove_dir(dir);
  free(path);
  free(base);
  free(dir);
}

START_TEST(wav_is_exact) {
  check_format(NULL, ".wav", SF_FORMAT_WAV, "audio/wav");
}
END_TEST

START_TEST(flac_is_exact) {
  static const char *const flac[] = {"format=flac", NULL};
  check_format(flac, ".flac", SF_FORMAT_FLAC, "audio/flac");
}
END_TEST

START_TEST(bad_format_is_refused) {
  char *dir = harness_tempdir();
  char *base = ac_path_join(dir, "ep");
  ac_document *doc = make_doc();
  ac_episode ep;
  ac_voice_profile vp;
  harness_episode(&ep, &vp, doc);
  static const char *const ogg[] = {"format=mp4", NULL};
  char err[1024] = "";
  ck_assert_ptr_null(harness_stage("wav", ogg, &ep, err, sizeof err));
  ck_assert_ptr_nonnull(strstr(err, "flac"));
  ck_assert_int_eq(count_files(dir), 0);
  ac_voice_free(&vp);
  ac_document_free(doc);
  remove_dir(dir);
  free(base);
  free(dir);
}
END_TEST

START_TEST(no_temporary_file_survives) {
  char *dir = harness_tempdir();
  char *base = ac_path_join(dir, "ep");
  ac_document *doc = make_doc();
  ac_episode ep;
  ac_voice_profile vp;
  harness_episode(&ep, &vp, doc);
  char err[1024];
  static const char *const formats[][2] = {{"format=wav", NULL},
                                           {"format=flac", NULL}};
  for (int f = 0; f < 2; f++) {
    /* Destroyed mid-stream, without flush. */
    harness_sinks h;
    harness_sinks_init(&h, &ep, base);
    ac_stage_instance *si =
        harness_sink_stage(&h, "wav", formats[f], err, sizeof err);
    ck_assert_msg(si != NULL, "%s", err);
    /* The file being written has no name until it is complete. */
    ck_assert_int_eq(count_files(dir), 0);
    ck_assert_int_eq(feed(&h, si, 2 * RATE, RATE), 0);
    ck_assert_int_eq(count_files(dir), 0);
    ac_stage_free(si);
    harness_sinks_free(&h);
    ck_assert_int_eq(count_files(dir), 0);

    /* No audio: the flush fails and leaves nothing. */
    harness_sinks_init(&h, &ep, base);
    si = harness_sink_stage(&h, "wav", formats[f], err, sizeof err);
    ck_assert_int_eq(harness_sinks_flush(&h, si, err, sizeof err),
                     AC_ERR_EMPTY);
    ac_stage_free(si);
    harness_sinks_free(&h);
    ck_assert_int_eq(count_files(dir), 0);

    /* A changing sample rate is refused. */
    harness_sinks_init(&h, &ep, base);
    si = harness_sink_stage(&h, "wav", formats[f], err, sizeof err);
    ck_assert_int_eq(feed(&h, si, 100, RATE), 0);
    ck_assert_int_ne(feed(&h, si, 100, 44100), 0);
    ac_stage_free(si);
    harness_sinks_free(&h);
    ck_assert_int_eq(count_files(dir), 0);
  }
  ac_voice_free(&vp);
  ac_document_free(doc);
  remove_dir(dir);
  free(base);
  free(dir);
}
END_TEST

int main(void) {
  Suite *s = suite_create("wav");
  TCase *t = tcase_create("wav");
  tcase_add_test(t, wav_is_exact);
  tcase_add_test(t, flac_is_exact);
  tcase_add_test(t, bad_format_is_refused);
  tcase_add_test(t, no_temporary_file_survives);
  suite_add_tcase(s, t);
  return harness_main(s);
}
