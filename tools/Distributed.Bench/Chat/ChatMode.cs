using System.Text.Json.Serialization;

namespace Distributed.Bench.Chat;

/// <summary>How the conversations' turns are scheduled.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChatMode>))]
public enum ChatMode
{
    /// <summary>All conversations stay open; turn t of every conversation is answered before any turn t+1.</summary>
    Interleaved,

    /// <summary>Each conversation's turns run one after another, then the next conversation (C conversations at once).</summary>
    BackToBack,
}
