namespace Distributed.Gateway.Sessions;

/// <summary>A stored session.</summary>
public sealed record SessionRecord(Guid Id, string Owner, string ModelName, string? SystemPrompt, DateTimeOffset Created, DateTimeOffset Updated);
