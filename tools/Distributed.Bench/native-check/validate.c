// Stand-alone check of a GGUF with llama.cpp (no .NET): loads the model, prints its parameter count, decodes a
// prompt, generates greedily and fails on any non-finite logit. Prints prefill and decode speed.
//
// Build and run against the npm natives (@node-llama-cpp/linux-x64, bins/linux-x64/) and the matching llama.cpp
// headers (include/llama.h, ggml/include/):
//   L=<natives dir>; S=<llama.cpp source dir>
//   cc -O2 -o validate validate.c -I$S/include -I$S/ggml/include -L$L
//      -l:libllama.v0.5.0.so -l:libggml.v0.5.0.so -l:libggml-base.so -lm -Wl,-rpath,$L
//   ./validate $L model.gguf <threads> [n_gen] [prompt]      (VALIDATE_DUMP=<file> writes the prompt's logits)
#include "llama.h"
#include "ggml-backend.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void quiet_log(enum ggml_log_level level, const char *text, void *user) {
    (void)user;
    if (level == GGML_LOG_LEVEL_ERROR || level == GGML_LOG_LEVEL_WARN || getenv("VALIDATE_VERBOSE")) fputs(text, stderr);
}

static double now_s(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static int check_logits(const float *logits, int n_vocab, int *argmax, double *mean, double *sd) {
    int bad = 0, best = 0; double s = 0, s2 = 0;
    for (int i = 0; i < n_vocab; i++) {
        float v = logits[i];
        if (!isfinite(v)) { bad++; continue; }
        if (v > logits[best] || !isfinite(logits[best])) best = i;
        s += v; s2 += (double)v * v;
    }
    *argmax = best; *mean = s / n_vocab; *sd = sqrt(s2 / n_vocab - (*mean) * (*mean));
    return bad;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s libdir model.gguf threads [n_gen] [prompt]\n", argv[0]); return 2; }
    const char *libdir = argv[1], *path = argv[2];
    int threads = atoi(argv[3]);
    int n_gen = argc > 4 ? atoi(argv[4]) : 32;
    const char *prompt = argc > 5 ? argv[5] : "Once upon a time, in a small house near the river, there lived an old man who";

    llama_log_set(quiet_log, NULL);
    ggml_backend_load_all_from_path(libdir);
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    struct llama_model *model = llama_model_load_from_file(path, mp);
    if (!model) { fprintf(stderr, "FAIL: model did not load\n"); return 1; }
    char desc[256]; llama_model_desc(model, desc, sizeof desc);
    const struct llama_vocab *vocab = llama_model_get_vocab(model);
    int n_vocab = llama_vocab_n_tokens(vocab);
    printf("desc: %s\nn_params: %llu\nsize: %llu bytes\nn_embd: %d  n_layer: %d  n_head: %d  n_head_kv: %d  n_ctx_train: %d  n_vocab: %d\n",
           desc, (unsigned long long)llama_model_n_params(model), (unsigned long long)llama_model_size(model),
           llama_model_n_embd(model), llama_model_n_layer(model), llama_model_n_head(model), llama_model_n_head_kv(model),
           llama_model_n_ctx_train(model), n_vocab);

    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 1024; cp.n_batch = 512; cp.n_ubatch = 512; cp.n_threads = threads; cp.n_threads_batch = threads;
    struct llama_context *ctx = llama_init_from_model(model, cp);
    if (!ctx) { fprintf(stderr, "FAIL: no context\n"); return 1; }

    llama_token tokens[1024];
    int n = llama_tokenize(vocab, prompt, (int)strlen(prompt), tokens, 1024, true, false);
    if (n <= 0) { fprintf(stderr, "FAIL: tokenize %d\n", n); return 1; }
    printf("prompt tokens: %d\n", n);

    double t0 = now_s();
    if (llama_decode(ctx, llama_batch_get_one(tokens, n)) != 0) { fprintf(stderr, "FAIL: prompt decode\n"); return 1; }
    double t_prompt = now_s() - t0;
    int bad_total = 0, argmax; double mean, sd;
    bad_total += check_logits(llama_get_logits_ith(ctx, -1), n_vocab, &argmax, &mean, &sd);
    if (getenv("VALIDATE_DUMP")) {
        FILE *f = fopen(getenv("VALIDATE_DUMP"), "wb");
        fwrite(llama_get_logits_ith(ctx, -1), sizeof(float), n_vocab, f);
        fclose(f);
    }
    printf("prompt logits: mean %.4f sd %.4f argmax %d\n", mean, sd, argmax);

    printf("generated:");
    int eog = 0;
    double t1 = now_s();
    int generated = 0, timed_from = n_gen > 8 ? 4 : 0;
    for (int i = 0; i < n_gen; i++) {
        llama_token tok = argmax;
        if (llama_vocab_is_eog(vocab, tok)) eog++;
        char piece[64]; int len = llama_token_to_piece(vocab, tok, piece, sizeof piece - 1, 0, false);
        if (len > 0 && i < 48) { piece[len] = 0; printf("%s", piece); }
        if (llama_decode(ctx, llama_batch_get_one(&tok, 1)) != 0) { fprintf(stderr, "\nFAIL: decode %d\n", i); return 1; }
        generated++;
        if (generated == timed_from) t1 = now_s();
        bad_total += check_logits(llama_get_logits_ith(ctx, -1), n_vocab, &argmax, &mean, &sd);
    }
    double t_gen = now_s() - t1;
    printf("\nlast logits: mean %.4f sd %.4f\n", mean, sd);
    printf("prefill: %d tokens in %.3f s = %.1f tok/s\n", n, t_prompt, n / t_prompt);
    printf("decode: %d tokens (first %d untimed) in %.3f s = %.1f tok/s (threads %d)\n", generated, timed_from, t_gen, (generated - timed_from) / t_gen, threads);
    printf("eog tokens sampled: %d\nnon-finite logits: %d\n", eog, bad_total);
    printf(bad_total == 0 ? "OK\n" : "FAIL: non-finite logits\n");
    llama_free(ctx);
    llama_model_free(model);
    return bad_total == 0 ? 0 : 1;
}
