using Distributed.Contracts.Inference.V1;

namespace Distributed.Gateway.Sessions;

/// <summary>A finished answer: its text, and the worker's last reply (finish reason, usage, timings).</summary>
public sealed record QueryOutcome(string Response, GenerateReply Final);
