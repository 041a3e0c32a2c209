// What one llama_decode step costs on the worker's natives, by batch layout: 4 sequences, one KV stream each (as
// the worker runs them), each holding H history tokens; a step then decodes one pending token of some sequences
// and/or R prompt tokens of others, in the batch order given. Best of 5 per case; the cells a case adds are removed
// again. Used to choose BatchPlanner's layout and PrefillPadding's thresholds (see the main README).
//
// Build and run against the npm natives (@node-llama-cpp/linux-x64, bins/linux-x64/) and the matching llama.cpp
// headers (include/llama.h, ggml/include/):
//   L=<natives dir>; S=<llama.cpp source dir>
//   cc -O2 -o step-cost step-cost.c -I$S/include -I$S/ggml/include -L$L
//      -l:libllama.v0.5.0.so -l:libggml.v0.5.0.so -l:libggml-base.so -Wl,-rpath,$L
//   ./step-cost $L model.gguf <threads> <flash 0|1> H1000 123p:63 123p:64 0123 abcd:65 H100 ... save
// Arguments run in order: "H<n>" refills every sequence with n history tokens; "<layout>[:R]" times a step whose
// batch holds, per character, '0'-'3' one pending token of that sequence, 'p' R prompt tokens of sequence 0 and
// 'a'-'d' R prompt tokens of sequence 0-3; "save" times llama_state_seq_get_data / set_data of sequence 0.
#include "llama.h"
#include "ggml-backend.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { SEQUENCES = 4, CONTEXT = 8192, BATCH = 512, REPEATS = 5 };

static struct llama_context *ctx;
static llama_memory_t mem;
static struct llama_batch batch;
static int history;

static void quiet_log(enum ggml_log_level level, const char *text, void *user) {
    (void)user;
    if (level == GGML_LOG_LEVEL_ERROR) fputs(text, stderr);
}

static double now_ms(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }

static void add(llama_token token, llama_pos pos, llama_seq_id seq, int logits) {
    int i = batch.n_tokens++;
    batch.token[i] = token; batch.pos[i] = pos; batch.n_seq_id[i] = 1; batch.seq_id[i][0] = seq; batch.logits[i] = (int8_t)logits;
}

static void decode_or_die(void) {
    if (llama_decode(ctx, batch) != 0) { fprintf(stderr, "llama_decode failed\n"); exit(1); }
}

static void fill_history(int n) {
    history = n;
    for (int s = 0; s < SEQUENCES; s++) {
        llama_memory_seq_rm(mem, s, 0, -1);
        for (int off = 0; off < n; off += BATCH) {
            batch.n_tokens = 0;
            for (int j = off; j < n && j < off + BATCH; j++) add(300 + j % 1000, j, s, 0);
            decode_or_die();
        }
    }
}

static void add_prompt(llama_seq_id seq, int rows) {
    for (int j = 0; j < rows; j++) add(100 + j, history + j, seq, j == rows - 1);
}

static double time_step(const char *layout, int rows) {
    double best = 1e9;
    for (int r = 0; r < REPEATS; r++) {
        batch.n_tokens = 0;
        for (const char *c = layout; *c; c++) {
            if (*c >= '0' && *c <= '3') add(200, history, *c - '0', 1);
            else if (*c == 'p') add_prompt(0, rows);
            else if (*c >= 'a' && *c <= 'd') add_prompt(*c - 'a', rows);
        }
        double started = now_ms();
        decode_or_die();
        double took = now_ms() - started;
        if (took < best) best = took;
        for (int s = 0; s < SEQUENCES; s++) llama_memory_seq_rm(mem, s, history, -1);
    }
    return best;
}

static void time_save_restore(void) {
    size_t size = llama_state_seq_get_size(ctx, 0);
    unsigned char *state = malloc(size);
    double get = 1e9, set = 1e9;
    for (int r = 0; r < REPEATS; r++) {
        double started = now_ms();
        llama_state_seq_get_data(ctx, state, size, 0);
        double took = now_ms() - started;
        if (took < get) get = took;
        llama_memory_seq_rm(mem, 1, 0, -1);
        started = now_ms();
        if (llama_state_seq_set_data(ctx, state, size, 1) == 0) { fprintf(stderr, "set_data failed\n"); exit(1); }
        took = now_ms() - started;
        if (took < set) set = took;
    }
    printf("H=%-5d state of one sequence: %zu bytes, get %.1f ms, set %.1f ms\n", history, size, get, set);
    free(state);
}

int main(int argc, char **argv) {
    if (argc < 6) { fprintf(stderr, "usage: %s <natives dir> <model.gguf> <threads> <flash 0|1> H<n> <layout>[:R] ...\n", argv[0]); return 2; }
    llama_log_set(quiet_log, NULL);
    ggml_backend_load_all_from_path(argv[1]);
    llama_backend_init();
    struct llama_model *model = llama_model_load_from_file(argv[2], llama_model_default_params());
    if (!model) { fprintf(stderr, "cannot load %s\n", argv[2]); return 1; }
    int threads = atoi(argv[3]), flash = atoi(argv[4]);
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = CONTEXT; cp.n_batch = BATCH; cp.n_ubatch = BATCH; cp.n_seq_max = SEQUENCES; cp.kv_unified = false;
    cp.n_threads = threads; cp.n_threads_batch = threads;
    cp.flash_attn_type = flash ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
    ctx = llama_init_from_model(model, cp);
    if (!ctx) { fprintf(stderr, "no context\n"); return 1; }
    mem = llama_get_memory(ctx);
    batch = llama_batch_init(1024, 0, 1);
    for (int a = 5; a < argc; a++) {
        if (argv[a][0] == 'H') { fill_history(atoi(argv[a] + 1)); continue; }
        if (strcmp(argv[a], "save") == 0) { time_save_restore(); continue; }
        char layout[32] = {0};
        int rows = 0;
        if (sscanf(argv[a], "%31[^:]:%d", layout, &rows) < 1 || rows < 0 || strlen(layout) * (size_t)rows > 1000) {
            fprintf(stderr, "bad case %s\n", argv[a]); return 2;
        }
        printf("flash=%d H=%-5d %-6s R=%-4d %7.1f ms\n", flash, history, layout, rows, time_step(layout, rows));
        fflush(stdout);
    }
    llama_batch_free(batch);
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}
