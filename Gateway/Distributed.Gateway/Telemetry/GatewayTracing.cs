using System.Diagnostics;
using Distributed.Contracts.Inference.V1;

namespace Distributed.Gateway.Telemetry;

/// <summary>
/// The gateway's spans (activity source <c>Distributed.Gateway</c>) under ASP.NET Core's request span: API-key
/// authentication, the conversation's lock wait and Redis reads and writes, the worker choice, and the generation
/// itself ("chat {model}", a client span whose context goes to the worker as <c>traceparent</c>, so the worker's spans
/// join the same trace). Without a listener (no OTLP endpoint) every method returns null and allocates nothing.
/// </summary>
public static class GatewayTracing
{
    public const string SourceName = "Distributed.Gateway";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>A step of the request, e.g. "conversation.lock" or "conversation.history.read".</summary>
    public static Activity? Start(string name) => Source.HasListeners() ? Source.StartActivity(name) : null;

    /// <summary>The worker call of one generation (OpenTelemetry's generative-AI conventions).</summary>
    public static Activity? StartGeneration(string model)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity($"chat {model}", ActivityKind.Client);
        activity?.SetTag("gen_ai.operation.name", "chat");
        activity?.SetTag("gen_ai.request.model", model);
        return activity;
    }

    public static void RecordWorker(Activity? activity, Workers.WorkerEndpoint worker)
    {
        if (activity is not null)
        {
            activity.SetTag("server.address", worker.Address.Host);
            activity.SetTag("server.port", worker.Address.Port);
        }
    }

    public static void RecordReply(Activity? activity, GenerateReply last)
    {
        if (activity is null || last.FinishReason == FinishReason.Unspecified)
        {
            return;
        }

        activity.SetTag("gen_ai.response.finish_reasons", new[] { last.FinishReason.ToString().ToLowerInvariant() });
        if (last.Usage is { } usage)
        {
            activity.SetTag("gen_ai.usage.input_tokens", usage.PromptTokens);
            activity.SetTag("gen_ai.usage.output_tokens", usage.CompletionTokens);
            activity.SetTag("distributed.cached_tokens", usage.CachedTokens);
        }
    }

    public static void RecordError(Activity? activity, Exception error) =>
        activity?.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
}
