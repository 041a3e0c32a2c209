using Distributed.Gateway.Errors;
using Distributed.Gateway.Workers;

namespace Distributed.Gateway.OpenAi;

/// <summary><c>GET /v1/models</c> and <c>/v1/models/{id}</c>: the workers' catalog, names and aliases, in OpenAI's list shape.</summary>
public static class OpenAiModels
{
    public const string Owner = "distributed";

    public static IResult List(WorkerPool pool) =>
        OpenAiJson.Ok(new { @object = "list", data = Entries(pool).ToArray() });

    public static IResult Get(string id, WorkerPool pool) =>
        Entries(pool).FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.OrdinalIgnoreCase)) is { } entry
            ? OpenAiJson.Ok(entry)
            : throw UnknownModel(id, pool);

    /// <summary>The catalog name for <paramref name="model"/>; 404 <c>model_not_found</c> when no worker serves it, 503 when none is reachable.</summary>
    public static string Require(WorkerRouter router, string model)
    {
        try
        {
            return router.RequireKnownModel(model, "model");
        }
        catch (ApiException ex) when (ex.Status == StatusCodes.Status400BadRequest)
        {
            throw new ApiException(StatusCodes.Status404NotFound, "Unknown model", $"The model '{model}' does not exist. Available models: {string.Join(", ", ex.Available ?? [])}.")
            {
                Field = "model",
                Available = ex.Available,
            };
        }
    }

    private static ApiException UnknownModel(string id, WorkerPool pool) =>
        new(StatusCodes.Status404NotFound, "Unknown model", $"The model '{id}' does not exist. Available models: {string.Join(", ", Entries(pool).Select(e => e.Id))}.") { Field = "model" };

    private static IEnumerable<ModelEntry> Entries(WorkerPool pool)
    {
        var models = pool.Endpoints.Where(e => e.Catalog is not null).SelectMany(e => e.Catalog!.Models)
            .GroupBy(m => m.Name, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .ToArray();
        foreach (var model in models)
        {
            var aliases = model.SelectMany(m => m.Aliases).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            yield return new ModelEntry(model.Key, "model", 0, Owner, aliases, null);
        }

        foreach (var model in models)
        {
            foreach (var alias in model.SelectMany(m => m.Aliases).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                yield return new ModelEntry(alias, "model", 0, Owner, [], model.Key);
            }
        }
    }
}
