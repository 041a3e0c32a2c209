namespace Distributed.Testing;

/// <summary>Tear-down of what a fixture started, in order; null entries are skipped, so a set-up that failed half way still stops what it started.</summary>
public static class AsyncDisposables
{
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
}
