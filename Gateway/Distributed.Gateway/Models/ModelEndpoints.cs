using Distributed.Gateway.Workers;

namespace Distributed.Gateway.Models;

public static class ModelEndpoints
{
    /// <summary><c>GET /llm/models</c>: every model some worker serves, and where each is loaded.</summary>
    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder app)
    {
        app.MapGet("/llm/models", (WorkerPool pool) => Results.Ok(Describe(pool)))
            .WithTags("Models")
            .Produces<ModelsResponse>()
            .ProducesProblem(401);
        return app;
    }

    internal static ModelsResponse Describe(WorkerPool pool)
    {
        var endpoints = pool.Endpoints;
        var models = endpoints
            .Where(e => e.Catalog is not null)
            .SelectMany(e => e.Catalog!.Models.Select(m => (Endpoint: e, Model: m)))
            .GroupBy(x => x.Model.Name, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g =>
            {
                var loaded = g.Where(x => x.Model.Loaded).ToArray();
                var info = loaded.FirstOrDefault().Model ?? g.First().Model;
                return new ModelView(
                    g.Key,
                    g.SelectMany(x => x.Model.Aliases).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(),
                    info.SizeBytes,
                    info.Parameters > 0 ? info.Parameters : null,
                    info.ContextLength > 0 ? info.ContextLength : null,
                    info.Loaded ? info.HasChatTemplate : null,
                    g.Select(x => x.Endpoint.Address.ToString()).Distinct().ToArray(),
                    loaded.Select(x => x.Endpoint.Address.ToString()).Distinct().ToArray());
            })
            .ToArray();
        var workers = endpoints.Select(e => new WorkerView(
            e.Address.ToString(),
            e.Status?.WorkerId,
            e.Available,
            e.Status?.Backend,
            e.Status?.ActiveSequences ?? 0,
            e.Status?.QueuedSequences ?? 0,
            e.Status?.Loaded.Select(m => m.Name).ToArray() ?? [],
            e.LastError)).ToArray();
        return new ModelsResponse(models, workers);
    }
}
