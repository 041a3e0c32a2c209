namespace Distributed.InferenceWorker.Models;

/// <summary>The model a load produced, and whether it was already resident.</summary>
public sealed record LoadOutcome(LoadedModel Model, bool AlreadyLoaded);
