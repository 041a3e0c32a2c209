namespace Distributed.Redis.Tests;

/// <summary>Condition polling with a generous deadline, instead of sleeping for a guessed duration.</summary>
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
            catch (RedisException ex)
            {
                last = ex;
            }

            await Task.Delay(25);
        }

        Assert.Fail($"Timed out after {timeout} waiting for: {description}. Last error: {last?.Message ?? "none"}");
    }
}
