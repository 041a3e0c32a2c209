namespace Distributed.Grpc;

/// <summary>One mapped method: its :path and what runs a call to it (read request, invoke handler, write replies).</summary>
internal sealed record ServerMethod(string Path, Func<ServerCall, Task> InvokeAsync);
