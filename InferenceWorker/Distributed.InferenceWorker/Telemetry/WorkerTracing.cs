using System.Diagnostics;
using Distributed.InferenceWorker.Generation;

namespace Distributed.InferenceWorker.Telemetry;

/// <summary>
/// The worker's spans (activity source <c>Distributed.InferenceWorker</c>): one per generation, a child of the gRPC
/// server span (and so of the gateway's trace, through <c>traceparent</c>), with its phases queue, prefill and decode
/// as children. The phases are recorded after the fact from the engine's timestamps, so the decode loop itself never
/// touches an activity. Without a listener (no OTLP endpoint) nothing is created.
/// </summary>
public static class WorkerTracing
{
    public const string SourceName = "Distributed.InferenceWorker";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>The generation's span ("chat {model}", OpenTelemetry's generative-AI conventions), or null when nobody listens.</summary>
    public static Activity? StartGeneration(string model)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity($"chat {model}");
        activity?.SetTag("gen_ai.operation.name", "chat");
        activity?.SetTag("gen_ai.request.model", model);
        return activity;
    }

    /// <summary>Usage and the three phases, timed from <paramref name="enqueuedAt"/> (a Stopwatch timestamp) by <paramref name="result"/>.</summary>
    public static void RecordResult(Activity? generation, long enqueuedAt, GenerationResult result)
    {
        if (generation is null)
        {
            return;
        }

        generation.SetTag("gen_ai.usage.input_tokens", result.PromptTokens);
        generation.SetTag("gen_ai.usage.output_tokens", result.CompletionTokens);
        generation.SetTag("distributed.cached_tokens", result.CachedTokens);
        generation.SetTag("gen_ai.response.finish_reasons", new[] { result.FinishReason.ToString().ToLowerInvariant() });

        // Clamped: the wall clock and the Stopwatch may disagree by microseconds.
        var enqueued = DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(enqueuedAt);
        enqueued = enqueued < generation.StartTimeUtc ? generation.StartTimeUtc : enqueued;
        var admitted = enqueued.AddMilliseconds(result.QueuedMs);
        var firstToken = admitted.AddMilliseconds(result.PrefillMs);
        var finished = enqueued.AddMilliseconds(result.TotalMs);
        Phase(generation, "queue", enqueued, admitted);
        Phase(generation, "prefill", admitted, firstToken)
            ?.SetTag("distributed.prefill_tokens", result.PromptTokens - result.CachedTokens);
        Phase(generation, "decode", firstToken, finished)
            ?.SetTag("distributed.decode_tokens", result.CompletionTokens);
    }

    private static Activity? Phase(Activity parent, string name, DateTimeOffset start, DateTimeOffset end)
    {
        var phase = Source.StartActivity(name, ActivityKind.Internal, parent.Context, startTime: start);
        if (phase is null)
        {
            return null;
        }

        phase.SetEndTime(end.UtcDateTime);
        phase.Stop();
        return phase;
    }
}
