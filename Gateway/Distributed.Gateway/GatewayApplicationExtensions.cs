using Distributed.Gateway.Admin;
using Distributed.Gateway.Auth;
using Distributed.Gateway.Errors;
using Distributed.Gateway.GrpcProxy;
using Distributed.Gateway.Health;
using Distributed.Gateway.Limits;
using Distributed.Gateway.Models;
using Distributed.Gateway.OpenAi;
using Distributed.Gateway.Prompts;
using Distributed.Gateway.Sessions;
using Distributed.Gateway.Storage;
using Distributed.Gateway.Telemetry;
using Distributed.Gateway.Users;
using Distributed.Gateway.WebPage;
using Distributed.Gateway.Workers;
using Distributed.Sanitization;

namespace Distributed.Gateway;

public static class GatewayApplicationExtensions
{
    /// <summary>Options, Redis, auth, sessions and the worker pool. Old environment names (REDIS_HOST, REDIS_PORT, API_KEY) still work.</summary>
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .Configure(options => options.DefaultModel ??= config["LLM_NAME"])
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<WorkersOptions>().BindConfiguration(WorkersOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddRedisStorage(config);

        // Kestrel binds only Kestrel:Endpoints (and certificates) from configuration by itself; its limits
        // (Kestrel:Limits:MaxRequestBodySize, ...) apply only when bound here.
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
            config.GetSection("Kestrel:Limits").Bind(kestrel.Limits));
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SessionStore>();
        builder.Services.AddSingleton<ConversationLock>();
        builder.Services.AddSingleton<QueryService>();
        builder.Services.AddSingleton<WorkerPool>();
        builder.Services.AddSingleton<WorkerRouter>();
        builder.Services.AddSingleton<WorkerMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WorkerMonitor>());
        builder.Services.AddSingleton<InferenceClient>();
        builder.Services.AddGrpcFrontDoor();
        builder.Services.AddGatewayTelemetry(config);
        builder.Services.AddOptions<LimitOptions>().BindConfiguration(LimitOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<UsageLimiter>();
        builder.Services.AddPromptSanitizer();
        builder.Services.AddSingleton<PromptGuard>();
        builder.AddGatewayAuth();
        builder.Services.AddOpenAiApi();
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseGrpcFrontDoor();
        app.UseWebPage();
        app.UseExceptionHandler();
        // Bodiless errors (unknown route 404, wrong method 405, forbidden 403) as ProblemDetails too. The default
        // handler writes them only to clients that accept JSON, and plain text to the others (a browser's Accept).
        app.UseStatusCodePages(WriteStatusProblemAsync);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<UsageLimitMiddleware>();
        app.MapOpenApi().AllowAnonymous();
        app.MapHealth();
        app.MapGatewayTelemetry();
        app.MapModels();
        app.MapSessions();
        app.MapUsers();
        app.MapAuth();
        app.MapAdmin();
        app.MapPrompts();
        app.MapOpenAiApi();
        return app;
    }

    private static async Task WriteStatusProblemAsync(Microsoft.AspNetCore.Diagnostics.StatusCodeContext context)
    {
        var http = context.HttpContext;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = http.Response.StatusCode };
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        if (!await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem }))
        {
            problem.Title = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(http.Response.StatusCode);
            await http.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
        }
    }
}
