namespace Distributed.Testing;

/// <summary>Bounded polling for a condition, instead of sleeping for a guessed duration.</summary>
public static class Wait
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string description)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or StackExchange.Redis.RedisException or StackExchange.Redis.RedisTimeoutException)
            {
                last = ex;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"Timed out after {timeout} waiting for {description}. Last error: {last?.Message ?? "none"}");
    }
}
