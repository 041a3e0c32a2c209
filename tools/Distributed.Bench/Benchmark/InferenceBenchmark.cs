using System.Diagnostics;

namespace Distributed.Bench.Benchmark;

/// <summary>
/// Runs the measurements against one server (an <see cref="IGenerationTarget"/>). Every request uses temperature 0 and a distinct prompt text; a
/// random-weight model rarely samples EOS, so decode runs normally end on the length limit (the finish reasons are
/// reported so a reader can check).
/// </summary>
public sealed class InferenceBenchmark(BenchmarkOptions options, IGenerationTarget target, TextWriter log)
{
    private readonly PromptBuilder _prompts = new();
    // Distinct per run too: llama-server keeps earlier prompts in a host-memory cache (--cache-ram), so a later run
    // repeating a prompt would measure a cache hit, not prefill.
    private readonly string _run = Guid.NewGuid().ToString("N")[..6];
    private int _requestCounter;

    public async Task<BenchmarkResults> RunAsync(CancellationToken cancellationToken)
    {
        await log.WriteLineAsync($"loading {options.Model} on {options.Worker} ...");
        var worker = await target.PrepareAsync(cancellationToken);
        await log.WriteLineAsync(worker.Message);
        if (worker.ContextLength > 0 && options.PromptTokens + options.GenTokens > worker.ContextLength)
        {
            await log.WriteLineAsync($"warning: prompt ~{options.PromptTokens} + gen {options.GenTokens} exceeds the served context {worker.ContextLength}; expect CONTEXT_FULL.");
        }

        // Warm-up, which also calibrates the words-per-token estimate of the prompt builder.
        var words = _prompts.WordsFor(options.PromptTokens);
        var warmup = await GenerateAsync(options.PromptTokens, maxTokens: 4, cancellationToken);
        _prompts.Calibrate(words, warmup.PromptTokens);
        // A full-length request too, so neither side's first measured runs pay for warming (JIT, caches, allocations).
        var fullWarmup = await GenerateAsync(options.PromptTokens, options.GenTokens, cancellationToken);
        await log.WriteLineAsync($"warm-up: {warmup.PromptTokens} prompt tokens for {words} words; {fullWarmup.CompletionTokens} tokens, {fullWarmup.FinishReason}");

        var prefill = new List<RequestResult>();
        for (var i = 0; i < options.Repeat; i++)
        {
            prefill.Add(await GenerateAsync(options.PromptTokens, maxTokens: 1, cancellationToken));
        }

        await log.WriteLineAsync($"prefill: {prefill.Count} runs done");

        var decode = new List<RequestResult>();
        for (var i = 0; i < options.Repeat; i++)
        {
            decode.Add(await GenerateAsync(options.PromptTokens, options.GenTokens, cancellationToken));
        }

        await log.WriteLineAsync($"single-stream decode: {decode.Count} runs done");

        var runs = new List<ConcurrencyRun>();
        foreach (var level in options.Concurrency)
        {
            for (var i = 0; i < options.Repeat; i++)
            {
                var start = Stopwatch.GetTimestamp();
                var requests = await Task.WhenAll(Enumerable.Range(0, level)
                    .Select(_ => GenerateAsync(options.PromptTokens, options.GenTokens, cancellationToken)));
                var wallMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                var tokens = requests.Sum(r => r.CompletionTokens);
                runs.Add(new ConcurrencyRun(level, wallMs, tokens, tokens / (wallMs / 1000.0), requests));
            }

            await log.WriteLineAsync($"concurrency {level}: {options.Repeat} runs done");
        }

        var measured = prefill.Count > 0 ? (int)Median(prefill.Select(r => (double)r.PromptTokens)) : warmup.PromptTokens;
        return new BenchmarkResults(options, worker, measured, prefill, decode, runs);
    }

    private Task<RequestResult> GenerateAsync(int promptTokens, int maxTokens, CancellationToken cancellationToken)
    {
        var tag = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_run}-{Interlocked.Increment(ref _requestCounter)}");
        return target.GenerateAsync(_prompts.Build(promptTokens, tag), maxTokens, options.Seed, cancellationToken);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
