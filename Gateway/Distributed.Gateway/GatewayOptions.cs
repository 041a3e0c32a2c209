using System.ComponentModel.DataAnnotations;

namespace Distributed.Gateway;

/// <summary>Gateway settings, section <c>Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Prefix of every Redis key the gateway writes (tests use one per run).</summary>
    [Required]
    [RegularExpression("^[^{}]*$", ErrorMessage = "Gateway:KeyPrefix must not contain '{' or '}' (they would break the Redis Cluster hash tags of the keys).")]
    public string KeyPrefix { get; set; } = "dist:";

    [Range(1, 1_000_000)]
    public int MaxQueryLength { get; set; } = 8000;

    [Range(0, 100_000)]
    public int MaxSystemPromptLength { get; set; } = 4000;

    [Range(1, 100_000)]
    public int DefaultMaxTokens { get; set; } = 256;

    [Range(1, 100_000)]
    public int MaxTokensCap { get; set; } = 2048;

    [Range(0.0, 2.0)]
    public double DefaultTemperature { get; set; } = 0.7;

    /// <summary>How long a second query on a busy conversation waits for the first before getting 409.</summary>
    public TimeSpan ConversationLockWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Upper bound of one generation.</summary>
    public TimeSpan GenerationTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Length of the Redis leases a running query holds: the conversation lock and its entry in the principal's
    /// concurrent generations. The holder renews them every third of this while the query runs and releases them when
    /// it ends; a crashed holder's leases lapse within this time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.300", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Model of one-shot <c>POST /prompt</c> calls (also from <c>LLM_NAME</c>, the second service's name).</summary>
    public string? DefaultModel { get; set; }

    /// <summary>System prompt of one-shot <c>POST /prompt</c> calls.</summary>
    public string? PromptSystemPrompt { get; set; }

    /// <summary>Context assumed for a model whose window no worker has reported yet.</summary>
    [Range(128, 1 << 20)]
    public int DefaultContextTokens { get; set; } = 2048;
}
