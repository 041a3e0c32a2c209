using System.Diagnostics;
using Distributed.Contracts.Inference.V1;
using Distributed.Grpc;

namespace Distributed.Bench.Benchmark;

public sealed record BenchmarkOptions(Uri Worker, string Model, int PromptTokens, int GenTokens, int[] Concurrency, int Repeat,
    uint Seed, TimeSpan Timeout);

/// <summary>One Generate call as the client saw it, with the worker's own usage and timings.</summary>
public sealed record RequestResult(
    int PromptTokens,
    int CompletionTokens,
    int CachedTokens,
    string FinishReason,
    double TtftMs,
    double TotalMs,
    double ClientDecodeTokensPerSecond,
    double ServerQueuedMs,
    double ServerPrefillMs,
    double ServerPrefillTokensPerSecond,
    double ServerDecodeTokensPerSecond,
    double ServerTotalMs);

/// <summary>One batch of <see cref="Concurrency"/> simultaneous requests.</summary>
public sealed record ConcurrencyRun(int Concurrency, double WallMs, int CompletionTokens, double AggregateTokensPerSecond,
    IReadOnlyList<RequestResult> Requests);

public sealed record WorkerSummary(string WorkerId, string Backend, int Capacity, string Model, long Parameters, int ContextLength,
    double LoadMs, long MemoryBytes, bool AlreadyLoaded);

public sealed record BenchmarkResults(BenchmarkOptions Options, WorkerSummary Worker, int MeasuredPromptTokens,
    IReadOnlyList<RequestResult> Prefill, IReadOnlyList<RequestResult> Decode, IReadOnlyList<ConcurrencyRun> Concurrency);

/// <summary>
/// Runs the measurements against one worker. Every request uses temperature 0 and a distinct prompt text; a
/// random-weight model rarely samples EOS, so decode runs normally end on the length limit (the finish reasons are
/// reported so a reader can check).
/// </summary>
public sealed class InferenceBenchmark(BenchmarkOptions options, TextWriter log)
{
    private readonly PromptBuilder _prompts = new();
    private int _requestCounter;

    public async Task<BenchmarkResults> RunAsync(CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(options.Worker);

        await log.WriteLineAsync($"loading {options.Model} on {options.Worker} ...");
        var load = await channel.UnaryAsync(InferenceMethods.LoadModel, new LoadModelRequest { Name = options.Model }, CallOptionsFor(cancellationToken));
        var status = await channel.UnaryAsync(InferenceMethods.GetStatus, new GetStatusRequest(), CallOptionsFor(cancellationToken));
        var worker = new WorkerSummary(status.WorkerId, status.Backend, status.Capacity, load.Model?.Name ?? options.Model,
            load.Model?.Parameters ?? 0, load.Model?.ContextLength ?? 0, load.LoadMs, load.MemoryBytes, load.AlreadyLoaded);
        await log.WriteLineAsync(load.Message);
        if (worker.ContextLength > 0 && options.PromptTokens + options.GenTokens > worker.ContextLength)
        {
            await log.WriteLineAsync($"warning: prompt ~{options.PromptTokens} + gen {options.GenTokens} exceeds the served context {worker.ContextLength}; expect CONTEXT_FULL.");
        }

        // Warm-up, which also calibrates the words-per-token estimate of the prompt builder.
        var words = _prompts.WordsFor(options.PromptTokens);
        var warmup = await GenerateAsync(channel, options.PromptTokens, maxTokens: 4, cancellationToken);
        _prompts.Calibrate(words, warmup.PromptTokens);
        await log.WriteLineAsync($"warm-up: {warmup.PromptTokens} prompt tokens for {words} words; {warmup.CompletionTokens} tokens, {warmup.FinishReason}");

        var prefill = new List<RequestResult>();
        for (var i = 0; i < options.Repeat; i++)
        {
            prefill.Add(await GenerateAsync(channel, options.PromptTokens, maxTokens: 1, cancellationToken));
        }

        await log.WriteLineAsync($"prefill: {prefill.Count} runs done");

        var decode = new List<RequestResult>();
        for (var i = 0; i < options.Repeat; i++)
        {
            decode.Add(await GenerateAsync(channel, options.PromptTokens, options.GenTokens, cancellationToken));
        }

        await log.WriteLineAsync($"single-stream decode: {decode.Count} runs done");

        var runs = new List<ConcurrencyRun>();
        foreach (var level in options.Concurrency)
        {
            for (var i = 0; i < options.Repeat; i++)
            {
                var start = Stopwatch.GetTimestamp();
                var requests = await Task.WhenAll(Enumerable.Range(0, level)
                    .Select(_ => GenerateAsync(channel, options.PromptTokens, options.GenTokens, cancellationToken)));
                var wallMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                var tokens = requests.Sum(r => r.CompletionTokens);
                runs.Add(new ConcurrencyRun(level, wallMs, tokens, tokens / (wallMs / 1000.0), requests));
            }

            await log.WriteLineAsync($"concurrency {level}: {options.Repeat} runs done");
        }

        var measured = prefill.Count > 0 ? (int)Median(prefill.Select(r => (double)r.PromptTokens)) : warmup.PromptTokens;
        return new BenchmarkResults(options, worker, measured, prefill, decode, runs);
    }

    private CallOptions CallOptionsFor(CancellationToken cancellationToken) =>
        new(Deadline: DateTime.UtcNow + options.Timeout, CancellationToken: cancellationToken);

    private async Task<RequestResult> GenerateAsync(GrpcChannel channel, int promptTokens, int maxTokens, CancellationToken cancellationToken)
    {
        var tag = Interlocked.Increment(ref _requestCounter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var request = new GenerateRequest
        {
            Model = options.Model,
            Prompt = _prompts.Build(promptTokens, tag),
            Sampling = new SamplingParams { MaxTokens = maxTokens, Temperature = 0f, Seed = options.Seed },
        };

        var start = Stopwatch.GetTimestamp();
        double? firstMs = null;
        GenerateReply? final = null;
        await foreach (var reply in channel.ServerStreamingAsync(InferenceMethods.Generate, request, CallOptionsFor(cancellationToken))
                           .WithCancellation(cancellationToken))
        {
            var finished = reply.FinishReason != FinishReason.Unspecified;
            if (firstMs is null && (reply.Delta.Length > 0 || finished))
            {
                firstMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            if (finished)
            {
                final = reply;
            }
        }

        var totalMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (final is null)
        {
            throw new RpcException(StatusCode.Internal, "The Generate stream ended without a final reply.");
        }

        var ttft = firstMs ?? totalMs;
        var completion = final.Usage?.CompletionTokens ?? 0;
        var prompt = final.Usage?.PromptTokens ?? 0;
        var timings = final.Timings ?? new Timings();
        var decodeSeconds = (totalMs - ttft) / 1000.0;
        var clientDecode = completion > 1 && decodeSeconds > 0 ? (completion - 1) / decodeSeconds : 0;
        var serverPrefill = timings.PrefillTokensPerSecond > 0
            ? timings.PrefillTokensPerSecond
            : timings.PrefillMs > 0 ? prompt / (timings.PrefillMs / 1000.0) : 0;
        return new RequestResult(prompt, completion, final.Usage?.CachedTokens ?? 0, final.FinishReason.ToString(), ttft, totalMs,
            clientDecode, timings.QueuedMs, timings.PrefillMs, serverPrefill, timings.DecodeTokensPerSecond, timings.TotalMs);
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
