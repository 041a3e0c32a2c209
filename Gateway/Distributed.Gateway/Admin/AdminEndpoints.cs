using Distributed.Contracts.Inference.V1;
using Distributed.Gateway.Auth;
using Distributed.Gateway.Errors;
using Distributed.Gateway.Sessions;
using Distributed.Gateway.Users;
using Distributed.Gateway.Workers;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.Admin;

/// <summary>Admin-only routes: model loads and unloads on the workers, and users. Other callers get 403.</summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").WithTags("Admin").RequireAuthorization(AuthServiceCollectionExtensions.AdminPolicy)
            .ProducesProblem(401).ProducesProblem(403);

        admin.MapPost("/models/{name}/load", async (string name, WorkerRouter router, InferenceClient client, CancellationToken ct) =>
        {
            router.RequireKnownModel(name, "name");
            return Results.Ok(new MessageResponse(await client.LoadModelAsync(name, ct)));
        }).Produces<MessageResponse>();

        admin.MapPost("/models/{name}/unload", async (string name, WorkerRouter router, WorkerPool pool, InferenceClient client, CancellationToken ct) =>
        {
            var canonical = router.RequireKnownModel(name, "name");
            var unloaded = 0;
            foreach (var worker in pool.Endpoints.Where(e => e.Available && e.LoadedStatus(canonical) is not null))
            {
                unloaded += await client.UnloadModelAsync(worker, canonical, ct) ? 1 : 0;
            }

            return Results.Ok(new MessageResponse($"{canonical} model was unloaded from {unloaded} worker(s)."));
        }).Produces<MessageResponse>().ProducesProblem(409);

        admin.MapGet("/users", async (UserStore users, CancellationToken ct) => (await users.ListAsync(ct)).Select(UserView.From))
            .Produces<UserView[]>();
        admin.MapPost("/users/{id}/disable", (string id, UserStore users, CancellationToken ct) => SetDisabled(id, true, users, ct))
            .Produces<UserView>().ProducesProblem(404);
        admin.MapPost("/users/{id}/enable", (string id, UserStore users, CancellationToken ct) => SetDisabled(id, false, users, ct))
            .Produces<UserView>().ProducesProblem(404);
        return app;
    }

    private static async Task<IResult> SetDisabled(string id, bool disabled, UserStore users, CancellationToken ct)
    {
        // Stored ids are lower-case D format; an upper-case UUID names the same user.
        id = RouteIds.Parse(id, "id").ToString("D");
        return await users.SetDisabledAsync(id, disabled, ct)
            ? Results.Ok(UserView.From((await users.FindAsync(id, ct))!))
            : throw ApiException.NotFound("User");
    }
}
