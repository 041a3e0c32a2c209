namespace Distributed.Gateway.Limits;

/// <summary>Counts every authenticated request against its principal's per-minute budget.</summary>
public sealed class UsageLimitMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, UsageLimiter limiter)
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            await limiter.CountRequestAsync(context.User, context.RequestAborted);
        }

        await next(context);
    }
}
