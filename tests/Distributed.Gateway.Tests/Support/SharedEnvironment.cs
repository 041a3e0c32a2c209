namespace Distributed.Gateway.Tests.Support;

/// <summary>
/// One redis-server, one worker process and one gateway shared by every fixture that does not break them; started on
/// first use, stopped when the run ends (<see cref="TestRun"/>). Fixtures that kill or stop something start
/// their own processes; fixtures that only need a differently configured gateway start their own gateway on these.
/// </summary>
public sealed class SharedEnvironment
{
    /// <summary>The shared gateway's query limit, low so the over-size case is cheap to send.</summary>
    public const int MaxQueryLength = 200;

    private static readonly Lock Gate = new();
    private static Task<SharedEnvironment>? _instance;

    private SharedEnvironment(RedisServerFixture redis, WorkerProcess worker, GatewayHost gateway, RedisInspector inspector)
    {
        Redis = redis;
        Worker = worker;
        Gateway = gateway;
        Inspector = inspector;
    }

    public RedisServerFixture Redis { get; }

    public WorkerProcess Worker { get; }

    public GatewayHost Gateway { get; }

    public RedisInspector Inspector { get; }

    public static Task<SharedEnvironment> GetAsync()
    {
        lock (Gate)
        {
            return _instance ??= CreateAsync();
        }
    }

    internal static async Task DisposeIfStartedAsync()
    {
        Task<SharedEnvironment>? instance;
        lock (Gate)
        {
            instance = _instance;
            _instance = null;
        }

        if (instance is { IsCompletedSuccessfully: true })
        {
            var env = instance.Result;
            await env.Gateway.DisposeAsync();
            await env.Inspector.DisposeAsync();
            await env.Worker.DisposeAsync();
            await env.Redis.DisposeAsync();
        }
    }

    private static async Task<SharedEnvironment> CreateAsync()
    {
        RedisServerFixture? redis = null;
        WorkerProcess? worker = null;
        try
        {
            redis = await RedisServerFixture.StartNewAsync();
            worker = await WorkerProcess.StartAsync();
            var gateway = await GatewayHost.StartAsync(redis, [worker.Address], settings: new Dictionary<string, string?>
            {
                ["Gateway:MaxQueryLength"] = MaxQueryLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway:DefaultMaxTokens"] = "16",
            });
            await gateway.WaitUntilReadyAsync();
            return new SharedEnvironment(redis, worker, gateway, new RedisInspector(redis));
        }
        catch
        {
            if (worker is not null)
            {
                await worker.DisposeAsync();
            }

            if (redis is not null)
            {
                await redis.DisposeAsync();
            }

            throw;
        }
    }
}
