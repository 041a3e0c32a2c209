using Distributed.Gateway.Errors;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.Workers;

/// <summary>
/// Picks a worker for a model. With an affinity key (the conversation), the rendezvous-hash choice among the healthy
/// workers that serve the model, so each turn of a conversation lands where its KV cache is, unless that worker is much
/// busier than average (bounded load: then the next choice). Without one, a healthy worker that has the model loaded
/// and the most free sequences, else one whose catalog has it (it will load it), preferring the least busy.
/// </summary>
public sealed class WorkerRouter(WorkerPool pool, IOptions<WorkersOptions> options)
{
    /// <summary>The catalog name for a model name or alias, from any worker that knows it; null when none does.</summary>
    public string? CanonicalName(string model) =>
        pool.Endpoints.Select(e => e.FindModel(model)?.Name).FirstOrDefault(n => n is not null);

    /// <summary>Every model name the reachable workers serve (names, then aliases).</summary>
    public IReadOnlyList<string> AvailableModels() =>
        pool.Endpoints.Where(e => e.Catalog is not null)
            .SelectMany(e => e.Catalog!.Models.Select(m => m.Name).Concat(e.Catalog.Models.SelectMany(m => m.Aliases)))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToArray();

    /// <summary>400 listing the models when no worker knows this one; 503 when no worker was ever reached.</summary>
    public string RequireKnownModel(string model, string field = "model_name")
    {
        if (CanonicalName(model) is { } name)
        {
            return name;
        }

        var available = AvailableModels();
        if (available.Count == 0)
        {
            throw ApiException.Unavailable("No inference worker is reachable, so the model cannot be checked.");
        }

        throw new ApiException(StatusCodes.Status400BadRequest, "Unknown model", $"Model '{model}' is not available. Available models: {string.Join(", ", available)}.")
        {
            Field = field,
            Available = available,
        };
    }

    public WorkerEndpoint? Pick(string model, IReadOnlySet<WorkerEndpoint> excluded, string? affinityKey = null)
    {
        var candidates = pool.Endpoints
            .Where(e => e.Available && !excluded.Contains(e) && e.FindModel(model) is not null)
            .ToArray();
        if (candidates.Length == 0)
        {
            return null;
        }

        return string.IsNullOrEmpty(affinityKey) || !options.Value.ConversationAffinity
            ? PickLeastBusy(model, candidates)
            : PickByAffinity(model, affinityKey, candidates, options.Value.AffinityLoadFactor);
    }

    /// <summary>
    /// The first rendezvous choice (weighted by sequence capacity) whose load stays within <paramref name="loadFactor"/>
    /// x its share of the pool's load (plus one sequence, so an idle pool never spills); else the least utilized.
    /// </summary>
    internal static WorkerEndpoint PickByAffinity(string model, string affinityKey, IReadOnlyList<WorkerEndpoint> candidates, double loadFactor)
    {
        var capacity = candidates.ToDictionary(e => e, e => (double)Math.Max(1, e.Capacity(model)));
        var utilization = candidates.Sum(e => (double)e.Load) / capacity.Values.Sum();
        var ranked = RendezvousHash.Rank(affinityKey, candidates, e => e.Address.ToString(), e => capacity[e]).ToArray();
        return ranked.FirstOrDefault(e => e.Load <= (loadFactor * utilization * capacity[e]) + 1)
            ?? ranked.MinBy(e => e.Load / capacity[e])!;
    }

    private static WorkerEndpoint PickLeastBusy(string model, WorkerEndpoint[] candidates)
    {
        var withModel = candidates
            .Select(e => (Endpoint: e, Loaded: e.LoadedStatus(e.FindModel(model)!.Name)))
            .Where(x => x.Loaded is not null)
            .OrderByDescending(x => x.Loaded!.Capacity - x.Loaded.ActiveSequences - x.Loaded.QueuedSequences)
            .Select(x => x.Endpoint)
            .FirstOrDefault();
        return withModel ?? candidates
            .OrderBy(e => e.Load)
            .ThenBy(e => e.Status?.Loaded.Count ?? 0)
            .First();
    }

    /// <summary>Tokens one sequence of the model holds, as a worker reports it; null when no worker has told yet.</summary>
    public int? ContextLength(string model)
    {
        foreach (var endpoint in pool.Endpoints)
        {
            if (endpoint.FindModel(model) is { } info)
            {
                if (endpoint.LoadedStatus(info.Name) is { ContextLength: > 0 } loaded)
                {
                    return loaded.ContextLength;
                }

                if (info.ContextLength > 0)
                {
                    return info.ContextLength;
                }
            }
        }

        return null;
    }
}
