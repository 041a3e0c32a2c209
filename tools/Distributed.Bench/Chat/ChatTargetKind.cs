using System.Text.Json.Serialization;

namespace Distributed.Bench.Chat;

/// <summary>The server the chat benchmark drives.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChatTargetKind>))]
public enum ChatTargetKind
{
    /// <summary>The gateway's HTTP API: sessions, conversations, streamed queries (SSE); the gateway keeps the history.</summary>
    Gateway,

    /// <summary>llama-server's <c>/v1/chat/completions</c>; the client keeps the history and resends it every turn.</summary>
    LlamaServer,

    /// <summary>An InferenceWorker's gRPC <c>Generate</c> with chat messages and the conversation as cache key.</summary>
    Worker,
}
