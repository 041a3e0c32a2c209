using System.Net;

namespace Distributed.Faults.Tests;

/// <summary>Shared pieces of the scenarios: bounds, settings, and disposal in reverse order of start.</summary>
internal static class Faults
{
    /// <summary>How long a scenario waits for anything to happen before it fails.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static async Task DisposeAllAsync(params IAsyncDisposable?[] items)
    {
        foreach (var item in items)
        {
            if (item is not null)
            {
                await item.DisposeAsync();
            }
        }
    }

    public static bool HasRetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta is { } delta && delta > TimeSpan.Zero;

    public static string Code(HttpStatusCode status) => ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
