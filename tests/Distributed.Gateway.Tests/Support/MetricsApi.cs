namespace Distributed.Gateway.Tests.Support;

/// <summary>Scraping a gateway's <c>/metrics</c> (anonymous, like Prometheus) in tests.</summary>
public static class MetricsApi
{
    public static async Task<PrometheusText> ScrapeAsync(this GatewayHost gateway)
    {
        using var client = gateway.CreateClient(apiKey: null);
        return await PrometheusText.ScrapeAsync(client);
    }

    /// <summary>
    /// Scrapes until <paramref name="condition"/> holds and returns that scrape: the exporter caches a scrape for a
    /// moment and Redis command timings are recorded every second, so a value may lag a little behind its cause.
    /// </summary>
    public static async Task<PrometheusText> WaitForMetricsAsync(this GatewayHost gateway, Func<PrometheusText, bool> condition, string description)
    {
        PrometheusText? last = null;
        await Wait.UntilAsync(
            async () =>
            {
                last = await gateway.ScrapeAsync();
                return condition(last);
            },
            TimeSpan.FromSeconds(15),
            description);
        return last!;
    }
}
